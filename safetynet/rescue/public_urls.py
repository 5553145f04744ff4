"""The public entry points (registered as public paths in hooks): the report page and Open311."""

from django.urls import path, register_converter

from safetynet.rescue import pages


class Open311Format:
    """The format suffix of an Open311 address: .json or .xml."""

    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(Open311Format, "open311fmt")

app_name = "rescue_public"

urlpatterns = [
    path("public/rescue/", pages.report, name="report"),
    path("open311/v2/discovery.json", pages.discovery, name="open311_discovery"),
    path("open311/v2/services.<open311fmt:fmt>", pages.services_list, name="open311_services"),
    path(
        "open311/v2/services/<slug:service_code>.<open311fmt:fmt>",
        pages.service_definition,
        name="open311_service",
    ),
    path("open311/v2/requests.<open311fmt:fmt>", pages.requests, name="open311_requests"),
    path(
        "open311/v2/requests/<slug:reference>.<open311fmt:fmt>", pages.request_status, name="open311_request"
    ),
]
