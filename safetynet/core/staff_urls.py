"""The pages that run the system rather than the casework: user administration (/users/), the
operator's system page and the auditor's reports. Included by the project after the domain apps, so
that their menu entries come after the apps' own."""

from django.urls import include, path

from safetynet.core import system

urlpatterns = [
    path("users/", include("safetynet.core.accounts.urls")),
    path("system/", system.system_page, name="system"),
    path("audit/", system.audit_page, name="audit"),
]
