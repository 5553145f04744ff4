"""/programmes/standards/: the standards in force and their history; the city bureau schedules a new
value, and another officer of the city bureau approves or rejects it."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from safetynet.core.pages import finished
from safetynet.core.selectors import divisions_under
from safetynet.core.types import DivisionLevel, UrbanRural
from safetynet.programmes import selectors, services
from safetynet.programmes.standards import KINDS


def _int(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else None


def _date(raw: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
def standards(request):
    user = request.user
    may_set = services.may_set_standards(user)
    errors: dict = {}
    sent = {}
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied(_("Only the city bureau schedules standards."))
        action = request.POST.get("action", "")
        try:
            if action == "schedule":
                sent = request.POST
                services.standard_schedule(
                    actor=user, kind=sent.get("kind", ""), division_code=sent.get("division", ""),
                    urban_rural=sent.get("urban_rural", ""), valid_from=_date(sent.get("valid_from", "")),
                    value=sent.get("value", ""), note=sent.get("note", ""))
                return finished(request, request.path, _("The new value is scheduled: another officer of the "
                                                         "city bureau approves it."))
            pk, version = _int(request.POST.get("standard", "")), _int(request.POST.get("version", ""))
            if pk is None or version is None:
                raise ValidationError(_("This standard does not exist."))
            if action == "approve":
                services.standard_approve(actor=user, pk=pk, version=version)
                return finished(request, request.path, _("The standard is approved."))
            if action == "reject":
                services.standard_reject(actor=user, pk=pk, version=version,
                                         reason=request.POST.get("reason", "")[:500])
                return finished(request, request.path, _("The standard is rejected."))
            raise ValidationError(_("Choose what to do."))
        except ValidationError as refusal:
            errors = refusal.message_dict if hasattr(refusal, "error_dict") else {"__all__": refusal.messages}
    city = user.division_id[:4] if user.division_id else ""
    counties = divisions_under(city, level=DivisionLevel.COUNTY) if city else []
    areas = [(city, _("The whole city"))] + [(d.code, d.name) for d in counties]
    today = timezone.localdate()
    return render(request, "programmes/standards.html", {
        "overview": selectors.standards_overview(on=today),
        "awaiting": selectors.standards_awaiting(),
        "may_set": may_set,
        "kinds": list(KINDS.values()),
        "areas": areas if may_set else [],
        "urban_rural": UrbanRural.choices,
        "errors": errors,
        "general_errors": [m for key, ms in errors.items() if key == "__all__" for m in ms],
        "sent": sent,
        "earliest": (today + datetime.timedelta(days=1)).isoformat(),
        "today": today,
    }, status=400 if errors else 200)
