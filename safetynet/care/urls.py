from django.urls import include, path

from safetynet.care import views

app_name = "care"

urlpatterns = [
    path("", views.care_home, name="home"),
    path("", include("safetynet.care.purchase.urls")),
]
