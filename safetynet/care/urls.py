from django.urls import path

from safetynet.care import views

app_name = "care"

urlpatterns = [
    path("", views.care_home, name="home"),
]
