"""The public entry points (registered as public paths in hooks): the report page and Open311."""

from django.urls import path, re_path

from safetynet.rescue import pages

app_name = "rescue_public"

FMT = r"\.(?P<fmt>json|xml)"

urlpatterns = [
    path("public/rescue/", pages.report, name="report"),
    path("open311/v2/discovery.json", pages.discovery, name="open311_discovery"),
    re_path(rf"^open311/v2/services{FMT}$", pages.services_list, name="open311_services"),
    re_path(
        rf"^open311/v2/services/(?P<code>[A-Za-z0-9_\-]{{1,40}}){FMT}$",
        pages.service_definition,
        name="open311_service",
    ),
    re_path(rf"^open311/v2/requests{FMT}$", pages.requests, name="open311_requests"),
    re_path(
        rf"^open311/v2/requests/(?P<reference>[A-Za-z0-9]{{1,16}}){FMT}$",
        pages.request_status,
        name="open311_request",
    ),
]
