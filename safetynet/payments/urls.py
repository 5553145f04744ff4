from django.urls import path

from safetynet.payments import views

app_name = "payments"

urlpatterns = [
    path("", views.run_list, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/result/", views.run_result, name="run_result"),
    path("files/<int:pk>/", views.bank_file_download, name="bank_file"),
    path("people/<int:pk>/accounts/", views.payee_accounts, {"holder": "person"}, name="person_accounts"),
    path("institutions/<int:pk>/accounts/", views.payee_accounts, {"holder": "institution"},
         name="institution_accounts"),
    path("caregivers/<int:pk>/accounts/", views.payee_accounts, {"holder": "caregiver"},
         name="caregiver_accounts"),
    path("households/<int:pk>/payee/", views.household_payee, name="household_payee"),
    path("setting/", views.payroll_setting, name="setting"),
    path("waiting/", views.waiting_list, name="waiting"),
]
