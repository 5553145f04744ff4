from django.urls import path

from safetynet.core.workdays import views

urlpatterns = [
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/<int:year>/", views.calendar_year_page, name="calendar_year"),
]
