from django.urls import path

from safetynet.payments import views

app_name = "payments"

urlpatterns = [
    path("", views.run_list, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/result/", views.run_result, name="run_result"),
    path("files/<int:pk>/", views.bank_file_download, name="bank_file"),
    path("accounts/<str:holder>/<int:holder_id>/", views.payee_accounts, name="accounts"),
    path("setting/", views.payroll_setting, name="setting"),
]
