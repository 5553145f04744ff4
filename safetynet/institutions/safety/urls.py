"""The safety-records pages, included into the institutions' URLs (namespace "institutions")."""

from django.urls import path

from safetynet.institutions.safety import views

urlpatterns = [
    path("safety/", views.safety_overview, name="safety_overview"),
    path("<int:pk>/safety/", views.safety_institution, name="safety_institution"),
    path("<int:pk>/safety/trainings/new/", views.safety_training_new, name="safety_training_new"),
    path("<int:pk>/safety/plans/new/", views.safety_plan_new, name="safety_plan_new"),
    path("<int:pk>/safety/watch/new/", views.safety_watch_new, name="safety_watch_new"),
    path("<int:pk>/safety/incidents/new/", views.safety_incident_new, name="safety_incident_new"),
    path("safety/trainings/<int:pk>/", views.safety_training, name="safety_training"),
    path("safety/plans/<int:pk>/", views.safety_plan, name="safety_plan"),
    path("safety/plans/<int:pk>/edit/", views.safety_plan_edit, name="safety_plan_edit"),
    path("safety/plans/<int:pk>/drills/new/", views.safety_drill_new, name="safety_drill_new"),
    path("safety/drills/<int:pk>/", views.safety_drill, name="safety_drill"),
    path("safety/watch/<int:pk>/", views.safety_watch, name="safety_watch"),
    path("safety/incidents/<int:pk>/", views.safety_incident, name="safety_incident"),
]
