"""/api/v1/care/kpis: the care KPIs of the caller's area — the same figures as the page (care.figures)."""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Router

from safetynet.care import selectors
from safetynet.care.figures import care_figures
from safetynet.core.api import ERRORS

router = Router(tags=["care"])


@router.get(
    "/care/kpis",
    response={200: dict, **ERRORS},
    summary="The care KPIs of your area: centralised care, agreements, services, visits",
)
def care_kpis(request):
    if not selectors.may_read_care(request.auth):
        raise PermissionDenied(_("Your role does not read 特困 care."))
    figures = care_figures(request.auth)
    return {"kpis": _plain(figures["kpis"]), "visits": _plain(figures["visits"])}


def _plain(value):
    """Dates and lazy words as JSON takes them."""
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(inner) for inner in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)
