from django.urls import path

from safetynet.core.weather import views

urlpatterns = [
    path("weather/", views.weather_page, name="weather"),
    path("weather/<int:pk>/withdraw/", views.weather_withdraw, name="weather_withdraw"),
]
