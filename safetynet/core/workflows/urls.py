from django.urls import path

from safetynet.core.workflows import views

urlpatterns = [
    path("desk/", views.desk_page, name="desk"),
    path("inbox/", views.inbox_page, name="inbox"),
    path("workflows/", views.workflow_list, name="workflows"),
    path("workflows/<str:code>/", views.workflow_help, name="workflow_help"),
    path("cases/<int:pk>/move/", views.case_move, name="case_move"),
    path("cases/<int:pk>/evidence/", views.case_evidence_add, name="case_evidence_add"),
    path("cases/<int:pk>/extend/", views.case_extend_page, name="case_extend"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
]
