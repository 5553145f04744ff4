"""Purchased-services routes, in the "care" namespace (included by care.urls)."""

from django.urls import path

from safetynet.care.purchase import views

urlpatterns = [
    path("providers/", views.provider_list, name="purchase_provider_list"),
    path("providers/new/", views.provider_new, name="purchase_provider_new"),
    path("providers/<int:pk>/", views.provider_detail, name="purchase_provider_detail"),
    path("providers/<int:pk>/staff/", views.provider_staff_add, name="purchase_provider_staff_add"),
    path("contracts/new/", views.contract_new, name="purchase_contract_new"),
    path("contracts/<int:pk>/", views.contract_detail, name="purchase_contract_detail"),
    path("contracts/<int:pk>/persons/add/", views.contract_person_add, name="purchase_contract_person_add"),
    path(
        "contracts/<int:pk>/persons/remove/",
        views.contract_person_remove,
        name="purchase_contract_person_remove",
    ),
    path("contracts/<int:pk>/end/", views.contract_end, name="purchase_contract_end"),
    path("my-persons/", views.my_persons, name="purchase_my_persons"),
    path("my-persons/<int:pk>/log/", views.log_new, name="purchase_log_new"),
    path("service-logs/<int:pk>/", views.log_detail, name="purchase_log_detail"),
]
