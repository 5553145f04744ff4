"""The care KPIs as one set (issue 14, item 7): the page and the API show the same figures, each
defined once in its own selectors — support modes and agreements (care.selectors), third-party
service coverage (care.purchase.selectors), visits against due and problems (care.visits.selectors).
The reports will register these, not redefine them."""

from django.utils import timezone

from safetynet.care import selectors
from safetynet.care.purchase import selectors as purchase_selectors
from safetynet.care.visits import selectors as visit_selectors


def care_figures(actor) -> dict:
    """The care KPIs of the actor's area (the page and the API show the same): support modes and
    agreements today, third-party service coverage and visits against due this month."""
    today = timezone.localdate()
    kpis = selectors.kpis(actor=actor, on=today)
    # Purchased third-party services (issue 14, item 4): the service coverage beside the other KPIs.
    purchase_selectors.add_service_coverage(kpis, actor=actor)
    visits = visit_selectors.visit_figures(actor=actor, start=today.replace(day=1), end=today)
    return {"kpis": kpis, "visits": visits}
