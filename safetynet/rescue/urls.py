from django.urls import path

from safetynet.rescue import views
from safetynet.rescue.station import views as station

app_name = "rescue"

urlpatterns = [
    path("", views.board, name="board"),
    path("incidents/new/", views.incident_new, name="incident_new"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("incidents/<int:pk>/photo/", views.incident_photo, name="photo"),
    path("incidents/<int:pk>/dispatch/", views.incident_dispatch, name="dispatch"),
    path("incidents/<int:pk>/arrive/", views.incident_arrive, name="arrive"),
    path("incidents/<int:pk>/contacts/new/", views.contact_new, name="contact_new"),
    path("incidents/<int:pk>/close/", views.incident_close, name="close"),
    path("contacts/<int:pk>/link/", views.contact_link, name="contact_link"),
    path("team/", views.my_team, name="my_team"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_new, name="team_new"),
    path("hotspots/new/", views.hotspot_new, name="hotspot_new"),
    path("teams/<int:pk>/state/", views.team_state, name="team_state"),
    path("figures/", views.figures, name="figures"),
    path("map/", views.city_map, name="map"),
    path("patrols/", views.patrol_list, name="patrols"),
    path("patrols/new/", views.patrol_new, name="patrol_new"),
    path("patrols/<int:pk>/", views.patrol_detail, name="patrol"),
    path("patrols/<int:pk>/start/", views.patrol_start, name="patrol_start"),
    path("patrols/<int:pk>/log/", views.patrol_log, name="patrol_log"),
    path("stations/", station.station_list, name="stations"),
    path("stations/budget/", station.budget_set, name="budget_set"),
    path("stations/<int:pk>/", station.station_detail, name="station"),
    path("stations/<int:pk>/receive/", station.stock_receive, name="stock_receive"),
    path("stations/<int:pk>/issue/", station.stock_issue, name="stock_issue"),
    path("stations/<int:pk>/minimum/", station.stock_minimum, name="stock_minimum"),
    path("stations/<int:pk>/book-handouts/", station.handouts_book, name="handouts_book"),
    path("stations/<int:pk>/shifts/new/", station.shift_book, name="shift_book"),
    path("stations/<int:pk>/shifts/<int:shift>/cancel/", station.shift_cancel, name="shift_cancel"),
    path("stations/<int:pk>/shifts/<int:shift>/sign/", station.shift_sign, name="shift_sign"),
    path("stations/<int:pk>/stays/new/", station.stay_new, name="stay_new"),
    path("stays/<int:pk>/", station.stay_detail, name="stay"),
    path("stays/<int:pk>/forms/<slug:form>/<slug:fmt>/", station.stay_form, name="stay_form"),
    path("stays/<int:pk>/collector/", station.stay_collector, name="stay_collector"),
    path("stays/<int:pk>/search/", station.stay_search, name="stay_search"),
]
