from django.urls import include, path

from safetynet.api import api

urlpatterns = [
    path("", include("safetynet.core.urls")),
    path("registry/", include("safetynet.registry.urls")),
    path("programmes/", include("safetynet.programmes.urls")),
    path("institutions/", include("safetynet.institutions.urls")),
    path("care/", include("safetynet.care.urls")),
    path("payments/", include("safetynet.payments.urls")),
    path("payments/", include("safetynet.payments.funds.urls")),  # funds statistics, ledger, reserve funds
    path("rescue/", include("safetynet.rescue.urls")),
    path("", include("safetynet.rescue.public_urls")),  # the public report page and Open311
    path("", include("safetynet.core.staff_urls")),
    path("api/v1/", api.urls),
]
