"""The funds pages, under /payments/ beside the payroll's (their own namespace, payments_funds)."""

from django.urls import path

from safetynet.payments.funds import views

app_name = "payments_funds"

urlpatterns = [
    path("funds/", views.funds, name="funds"),
    path("funds/export/", views.funds_export, name="funds_export"),
    path("ledger/", views.ledger, name="ledger"),
    path("balances/", views.balances, name="balances"),
    path("reserves/", views.reserves, name="reserves"),
    path("reserves/<str:township>/", views.reserve_detail, name="reserve"),
    path("reserves/<str:township>/movements/", views.reserve_move, name="reserve_move"),
    path("reserves/<str:township>/counts/", views.reserve_count, name="reserve_count"),
]
