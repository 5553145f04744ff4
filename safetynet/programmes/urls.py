from django.urls import path

from safetynet.programmes import views
from safetynet.programmes.aid import views as aid
from safetynet.programmes.applications import views as applications
from safetynet.programmes.life import views as life

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
    path("applications/", applications.application_list, name="applications"),
    path("applications/<int:pk>/", applications.application_detail, name="application"),
    path("applications/<int:pk>/<slug:record>/", applications.application_record, name="application_record"),
    path("applications/<int:pk>/documents/<slug:kind>.<slug:fmt>", applications.application_document,
         name="application_document"),
    path("applications/notices/<str:code>/poster.<slug:fmt>", applications.public_notice_poster,
         name="public_notice_poster"),
    path("households/<int:pk>/apply/", applications.application_start, name="application_start"),
    path("near-relatives/", applications.near_relatives, name="near_relatives"),
    path("people/<int:pk>/self-care-report/", applications.self_care_report_start,
         name="self_care_report_start"),
    path("self-care-reports/<int:pk>/", applications.self_care_report, name="self_care_report"),
    path("complaints/", applications.complaint_list, name="complaints"),
    path("complaints/<int:pk>/", applications.complaint_detail, name="complaint"),
    path("complaints/<int:pk>/answer.<slug:fmt>", applications.complaint_answer_document,
         name="complaint_answer_document"),
    # Assistance in payment: reviews, decisions, transfers, a new standard's adjustments.
    path("reviews/", life.review_list, name="reviews"),
    path("reviews/<int:pk>/", life.review_detail, name="review"),
    path("reviews/<int:pk>/<slug:record>/", life.review_record, name="review_record"),
    path("enrolments/<int:pk>/review/", life.review_start, name="review_start"),
    path("decisions/<int:pk>/notice/", life.decision_notice, name="decision_notice"),
    path("decisions/<int:pk>/notice.<slug:fmt>", life.decision_notice_download, name="decision_notice_file"),
    path("households/<int:pk>/hand-over/", life.hand_over, name="hand_over"),
    path("households/<int:pk>/work-offers/", life.work_offers, name="work_offers"),
    path("transfers/<int:pk>/", life.transfer_detail, name="transfer"),
    path("standards/adjust/", life.standard_adjust, name="standard_adjust"),
    # The one page open without a login (and on the public server): the village's notice board.
    path("notices/<str:code>/", applications.public_notice, name="public_notice"),
    # --- temporary aid (临时救助) ---
    path("aid/", aid.aid_list, name="aid_list"),
    path("aid/emergency/", aid.aid_emergency, name="aid_emergency"),
    path("aid/heating/", aid.heating, name="aid_heating"),
    path("aid/<int:pk>/", aid.aid_detail, name="aid"),
    path("aid/<int:pk>/record.<slug:fmt>", aid.aid_record_download, name="aid_record_file"),
    path("aid/<int:pk>/<slug:record>/", aid.aid_record, name="aid_record"),
    path("households/<int:pk>/temporary-aid/", aid.aid_apply, name="aid_apply"),
    # --- end of temporary aid ---
]
