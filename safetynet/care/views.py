"""特困 care pages: the KPIs of the user's area (/care/)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from safetynet.care import selectors
from safetynet.care.purchase import selectors as purchase_selectors


def _reader(user) -> None:
    if not selectors.may_read_care(user):
        raise PermissionDenied(_("Your role does not read 特困 care."))


@require_GET
def care_home(request):
    _reader(request.user)
    kpis = selectors.kpis(actor=request.user)
    # Purchased third-party services (issue 14, item 4): the service coverage beside the other KPIs.
    purchase_selectors.add_service_coverage(kpis, actor=request.user)
    return render(request, "care/home.html", {"kpis": kpis})
