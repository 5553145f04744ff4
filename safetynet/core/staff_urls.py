"""The pages that run the system rather than the casework: user administration (/users/), the
operator's system page and the auditor's reports (their menu entries: CoreConfig.ready)."""

from django.urls import include, path

from safetynet.core import sms_views, system

urlpatterns = [
    path("users/", include("safetynet.core.accounts.urls")),
    path("system/", system.system_page, name="system"),
    path("system/retention/", system.retention_set, name="retention_set"),
    path("audit/", system.audit_page, name="audit"),
    path("sms/", sms_views.sms_log, name="sms_log"),
    path("", include("safetynet.core.workdays.urls")),
    path("", include("safetynet.core.weather.urls")),
    path("", include("safetynet.core.campaigns.urls")),
    path("", include("safetynet.core.workflows.urls")),
]
