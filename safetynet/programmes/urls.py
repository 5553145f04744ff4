from django.urls import path

from safetynet.programmes import views

app_name = "programmes"

urlpatterns = [
    path("standards/", views.standards, name="standards"),
    path("rules/", views.rules_page, name="rules"),
    path("eligibility/", views.eligibility, name="eligibility"),
    path("what-if/", views.what_if, name="what_if"),
    path("eligibility/<int:pk>/", views.eligibility_run, name="eligibility_run"),
    path("eligibility/<int:pk>/<slug:programme>/<str:township>/", views.eligibility_households,
         name="eligibility_households"),
    path("households/<int:pk>/eligibility/", views.eligibility_print, name="eligibility_print"),
    path("households/<int:pk>/enrolments/add/", views.enrolment_start, name="enrolment_start"),
    path("enrolments/<int:pk>/end/", views.enrolment_end, name="enrolment_end"),
]
