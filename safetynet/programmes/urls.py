from django.urls import path

from safetynet.programmes import views

app_name = "programmes"

urlpatterns = [
    path("standards/", views.standards, name="standards"),
]
