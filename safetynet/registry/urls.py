from django.urls import path

from safetynet.registry import views
from safetynet.registry.visits import views as visit_views

app_name = "registry"
urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/reveal/", views.household_reveal, name="household_reveal"),
    path("households/<int:pk>/history/reveal/", views.household_history_reveal,
         name="household_history_reveal"),
    path("households/<int:pk>/members/add/", views.member_add, name="member_add"),
    path("households/<int:pk>/members/move/", views.member_move, name="member_move"),
    path("households/<int:pk>/documents/upload/", views.document_upload, name="document_upload"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("households/<int:pk>/visits/new/", visit_views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", visit_views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/record.docx", visit_views.visit_print, {"fmt": "docx"}, name="visit_docx"),
    path("visits/<int:pk>/record.pdf", visit_views.visit_print, {"fmt": "pdf"}, name="visit_pdf"),
    path("visits/rules/", visit_views.visit_rules, name="visit_rules"),
    path("problems/", visit_views.problem_list, name="problem_list"),
    path("problems/<int:pk>/", visit_views.problem_detail, name="problem_detail"),
    path("people/", views.person_list, name="person_list"),
    path("people/candidates/", views.person_candidates, name="person_candidates"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/grants/", views.grant_add, name="grant_add"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
]

for kind in views.ITEM_KINDS:
    urlpatterns += [
        path(f"households/<int:pk>/{kind}/add/", views.item_add, {"kind": kind}, name=f"{kind}_add"),
        path(f"{kind}/<int:pk>/edit/", views.item_edit, {"kind": kind}, name=f"{kind}_edit"),
        path(f"{kind}/<int:pk>/delete/", views.item_delete, {"kind": kind}, name=f"{kind}_delete"),
    ]

from safetynet.registry import import_views  # noqa: E402  (spreadsheet import and export pages)

urlpatterns += import_views.urlpatterns

