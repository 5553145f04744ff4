"""Street rescue's public entry points, served apart from the staff pages (core.hooks'
public paths; a server started with `--public-only` serves only these): the report page anyone can
fill in (/public/rescue/) and Open311 GeoReport v2 (/open311/v2/), so that existing 311 clients can
report a person on the street and read the status of their report.

Open311 here: the service list and definition, a request posted (form-encoded, as the standard
says), the status of requests by their ids; JSON or XML by the suffix; errors in Open311's own
format, `[{"code": 400, "description": "…"}]`. A request's id is random, and requests are listed
only by their ids: the public sees its own reports, never the city's."""

import json
import xml.etree.ElementTree as ET

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from safetynet.core.middleware import client_ip
from safetynet.core.selectors import divisions_under
from safetynet.core.text import has_control_characters
from safetynet.rescue import rules, selectors, services
from safetynet.rescue.forms import PublicReportForm


def _counties():
    return list(divisions_under(settings.SAFETYNET_CITY_CODE, level="county"))


@login_not_required
@require_http_methods(["GET", "POST"])
def report(request):
    """The public's report page: no login; a photo and a point on the map are optional, a place is not."""
    if request.method == "GET":
        return render(request, "rescue/public_report.html", {"form": PublicReportForm(counties=_counties())})
    form = PublicReportForm(request.POST, request.FILES, counties=_counties())
    status = 400
    if form.is_valid():
        try:
            incident = services.public_report(
                data=form.cleaned_data,
                sender=services.sender_key(client_ip(request)),
                photo=form.cleaned_data.get("photo"),
            )
        except PermissionDenied as refusal:
            form.add_error(None, str(refusal))
            status = 429
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return render(request, "rescue/public_thanks.html", {"incident": incident})
    return render(request, "rescue/public_report.html", {"form": form}, status=status)


# --- Open311 GeoReport v2 ---------------------------------------------------------------------------------


def _format(fmt: str) -> str:
    return "xml" if fmt == "xml" else "json"


def _xml(root: str, item: str, rows: list[dict]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        for key, value in row.items():
            if isinstance(value, list):
                holder = ET.SubElement(element, key)
                for entry in value:
                    child = ET.SubElement(holder, key.rstrip("s") if key != "values" else "value")
                    for k, v in entry.items():
                        ET.SubElement(child, k).text = (
                            "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
                        )
                continue
            ET.SubElement(element, key).text = (
                "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            )
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")


def _answer(fmt: str, rows, *, root: str, item: str, status: int = 200, single: bool = False) -> HttpResponse:
    if _format(fmt) == "xml":
        return HttpResponse(
            _xml(root, item, rows if isinstance(rows, list) else [rows]),
            status=status,
            content_type="text/xml; charset=utf-8",
        )
    body = rows if single else (rows if isinstance(rows, list) else [rows])
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/json; charset=utf-8"
    )


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    return _answer(
        fmt, [{"code": status, "description": description}], root="errors", item="error", status=status
    )


def _zh(view):
    """Open311 clients send no language choice the staff pages would honour: Chinese unless asked."""

    def wrapper(request, *args, **kwargs):
        with translation.override(getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE):
            return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


def _service() -> dict:
    return {
        "service_code": rules.OPEN311_SERVICE,
        "service_name": str(rules.OPEN311_SERVICE_NAME),
        "description": str(rules.OPEN311_SERVICE_DESCRIPTION),
        "metadata": True,
        "type": "realtime",
        "keywords": "rescue,homeless,cold",
        "group": str(rules.OPEN311_GROUP),
    }


@login_not_required
@require_GET
@_zh
def services_list(request, fmt: str):
    return _answer(fmt, [_service()], root="services", item="service")


@login_not_required
@require_GET
@_zh
def service_definition(request, service_code: str, fmt: str):
    code = service_code
    if code != rules.OPEN311_SERVICE:
        return _error(fmt, 404, _("There is no service with the code %(code)s.") % {"code": code[:40]})
    counties = [{"key": d.code, "name": d.name} for d in _counties()]
    attributes = [
        {
            "variable": True,
            "code": "persons",
            "datatype": "number",
            "required": False,
            "datatype_description": _("a whole number from 1 to 50"),
            "order": 1,
            "description": _("How many persons did you see?"),
        },
        {
            "variable": True,
            "code": "county",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "",
            "order": 2,
            "description": _("The county or district, if you know it"),
            "values": counties,
        },
    ]
    body = {"service_code": rules.OPEN311_SERVICE, "attributes": attributes}
    if _format(fmt) == "xml":
        return _answer(
            fmt,
            [{"service_code": rules.OPEN311_SERVICE, "attributes": attributes}],
            root="service_definition",
            item="service",
        )
    return _answer(fmt, body, root="service_definition", item="service", single=True)


def _status(incident) -> dict:
    closed = incident.state == "closed"
    notes = {
        "received": _("Received; a team will be sent."),
        "dispatched": _("A rescue team is on its way."),
        "on_scene": _("A rescue team is on scene."),
        "closed": _("Closed: %(how)s.") % {"how": incident.get_closing_display()} if closed else "",
    }[incident.state]
    updated = incident.closed_at or incident.on_scene_at or incident.dispatched_at or incident.reported_at
    return {
        "service_request_id": incident.reference,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": str(rules.OPEN311_SERVICE_NAME),
        "service_code": rules.OPEN311_SERVICE,
        "description": incident.description,
        "agency_responsible": _("Rescue station of the civil-affairs bureau"),
        "service_notice": "",
        "requested_datetime": timezone.localtime(incident.reported_at).isoformat(),
        "updated_datetime": timezone.localtime(updated).isoformat(),
        "expected_datetime": None,
        "address": incident.place,
        "address_id": None,
        "zipcode": None,
        "lat": None if incident.latitude is None else float(incident.latitude),
        "long": None if incident.longitude is None else float(incident.longitude),
        "media_url": None,
    }


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
@_zh
def requests(request, fmt: str):
    if request.method == "POST":
        return _post_request(request, fmt)
    wanted = request.GET.get("service_request_id", "")
    if not wanted:
        return _error(
            fmt, 400, _("Give service_request_id: reports are shown only to those who hold their ids.")
        )
    ids = [part.strip() for part in wanted.split(",") if part.strip()][:50]
    found = [_by_reference(ref) for ref in ids]
    return _answer(
        fmt,
        [_status(incident) for incident in found if incident is not None],
        root="service_requests",
        item="request",
    )


def _by_reference(reference: str):
    """The report of that id; None for an id no report could have (not 1–16 ASCII letters and digits)."""
    if not (reference.isascii() and reference.isalnum() and len(reference) <= 16):
        return None
    return selectors.incident_by_reference(reference)


@login_not_required
@require_GET
@_zh
def request_status(request, reference: str, fmt: str):
    incident = _by_reference(reference)
    if incident is None:
        return _error(fmt, 404, _("There is no service request with this id."))
    return _answer(fmt, [_status(incident)], root="service_requests", item="request")


def _post_request(request, fmt: str) -> HttpResponse:
    post = request.POST
    if any(
        has_control_characters(value, lines=key == "description")
        for key, values in post.lists()
        for value in values
    ):
        return _error(fmt, 400, _("The request holds characters that cannot be saved."))
    code = post.get("service_code", "")
    if not code:
        return _error(fmt, 400, _("Give the service_code."))
    if code != rules.OPEN311_SERVICE:
        return _error(fmt, 404, _("There is no service with the code %(code)s.") % {"code": code[:40]})
    name = " ".join(
        part for part in (post.get("first_name", "").strip(), post.get("last_name", "").strip()) if part
    )
    data = {
        "place": post.get("address_string", ""),
        "latitude": post.get("lat", ""),
        "longitude": post.get("long", ""),
        "description": post.get("description", ""),
        "persons": post.get("attribute[persons]", ""),
        "division": post.get("attribute[county]", ""),
        "caller_name": name,
        "caller_phone": post.get("phone", ""),
    }
    try:
        incident = services.public_report(
            data=data, sender=services.sender_key(client_ip(request)), source="open311"
        )
    except PermissionDenied as refusal:
        return _error(fmt, 429, str(refusal))
    except ValidationError as error:
        names = {
            "place": "address_string",
            "latitude": "lat",
            "longitude": "long",
            "persons": "attribute[persons]",
            "division": "attribute[county]",
            "caller_name": "first_name",
            "caller_phone": "phone",
        }
        words = "; ".join(
            f"{names.get(field, field)}: {' '.join(messages)}"
            for field, messages in error.message_dict.items()
        )
        return _error(fmt, 400, words)
    body = [
        {
            "service_request_id": incident.reference,
            "service_notice": _(
                "Thank you. The rescue station has your report; in an emergency call 110 or 120."
            ),
            "account_id": None,
        }
    ]
    return _answer(fmt, body, root="service_requests", item="request")


@login_not_required
def discovery(request):
    base = request.build_absolute_uri(reverse("rescue_public:open311_services", kwargs={"fmt": "json"}))
    base = base.rsplit("/services", 1)[0] + "/"
    body = {
        "changeset": "2026-12-07T00:00:00Z",
        "contact": _("the rescue station's hotline"),
        "key_service": "",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-12-07T00:00:00Z",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8")
