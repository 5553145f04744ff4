from django.urls import path

from safetynet.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.household_list, name="household_list"),
]
