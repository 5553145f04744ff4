from django.urls import include, path

from safetynet.institutions import views
from safetynet.institutions.inspections import views as inspections

app_name = "institutions"

urlpatterns = [
    path("", views.institution_list, name="list"),
    path("new/", views.institution_create, name="create"),
    path("<int:pk>/", views.institution_detail, name="detail"),
    path("<int:pk>/edit/", views.institution_edit, name="edit"),
    path("<int:pk>/inspections/new/", inspections.inspection_assign, name="inspection_assign"),
    path("<int:pk>/hazards/new/", inspections.hazard_new, name="hazard_new"),
    path("inspections/", inspections.inspection_list, name="inspection_list"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/fill/", inspections.inspection_fill, name="inspection_fill"),
    path("inspections/<int:pk>/cancel/", inspections.inspection_cancel, name="inspection_cancel"),
    path("inspections/<int:pk>/notice.docx", inspections.inspection_notice, {"fmt": "docx"},
         name="notice_docx"),
    path("inspections/<int:pk>/notice.pdf", inspections.inspection_notice, {"fmt": "pdf"}, name="notice_pdf"),
    path("hazards/", inspections.hazard_list, name="hazard_list"),
    path("hazards/<int:pk>/", inspections.hazard_detail, name="hazard_detail"),
    path("hazards/<int:pk>/plan/", inspections.hazard_plan, name="hazard_plan"),
    path("statistics/", inspections.statistics, name="statistics"),
    path("", include("safetynet.institutions.safety.urls")),
]
