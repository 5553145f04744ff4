from django.urls import include, path

from safetynet.care import views

app_name = "care"

urlpatterns = [
    path("", views.care_home, name="home"),
    path("persons/", views.person_list, name="persons"),
    path("persons/<int:pk>/", views.person_detail, name="person"),
    path("persons/<int:pk>/surveys/new/", views.survey_new, name="survey_new"),
    path("persons/<int:pk>/agreements/new/", views.agreement_new, name="agreement_new"),
    path("placements/", views.placement_overview, name="placements"),
    path("residents/", views.resident_list, name="residents"),
    path("placements/<int:pk>/admit/", views.placement_admit, name="placement_admit"),
    path("placements/<int:pk>/discharge/", views.placement_discharge, name="placement_discharge"),
    path("placements/<int:pk>/withdraw/", views.placement_withdraw, name="placement_withdraw"),
    path("agreements/<int:pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path("agreements/<int:pk>/end/", views.agreement_end, name="agreement_end"),
    path("agreements/<int:pk>/replace/", views.caregiver_replace, name="caregiver_replace"),
    path("", include("safetynet.care.purchase.urls")),
]
