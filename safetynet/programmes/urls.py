from django.urls import path

from safetynet.programmes import views

app_name = "programmes"

urlpatterns = [
    path("standards/", views.standards, name="standards"),
    path("eligibility/", views.eligibility, name="eligibility"),
    path("what-if/", views.what_if, name="what_if"),
    path("eligibility/<int:pk>/", views.eligibility_run, name="eligibility_run"),
    path("eligibility/<int:pk>/<slug:programme>/<str:township>/", views.eligibility_households,
         name="eligibility_households"),
]
