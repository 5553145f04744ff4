"""Reads of 特困 care, scoped by the area of the person's household (the supporting county keeps the
person wherever the institution is; an institution's staff see its residents by the institution
granted to them), and the care KPIs — defined here once, for the page, the API and the reports:

- centralised-care rate: of the 特困 persons unable to look after themselves (partly or fully,
  SPEC §6.3 item 11), those in an institution;
- caregiver-agreement coverage: of the 特困 persons cared for at home, those with a caregiver and a
  signed agreement in force;
and the support mode of each person (centralised when placed, dispersed otherwise), for payments."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from safetynet.care.models import CareAgreement, Placement, WillingnessSurvey
from safetynet.core.scope import granted_ids, may_hold, scope_q, subtree_q
from safetynet.core.selectors import division_names
from safetynet.core.types import Role, User
from safetynet.programmes.selectors import programme_persons
from safetynet.registry.codes import SelfCare

INSTITUTION_GRANT = "institutions.institution"
READ_ROLES = frozenset(
    {
        Role.CITY_BUREAU,
        Role.COUNTY_BUREAU,
        Role.TOWNSHIP_OFFICE,
        Role.VILLAGE_COORDINATOR,
        Role.AUDITOR,
    }
)
WRITE_ROLES = frozenset({Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE, Role.VILLAGE_COORDINATOR})
UNABLE = (SelfCare.PARTLY_LOST, SelfCare.FULLY_LOST)


def may_read_care(actor: User) -> bool:
    return actor.is_authenticated and actor.is_active and actor.role in READ_ROLES


def _area(actor: User, model) -> QuerySet:
    if not may_read_care(actor):
        return model.objects.none()
    return model.objects.filter(scope_q(actor, "division_id"))


def surveys(*, actor: User) -> QuerySet[WillingnessSurvey]:
    return _area(actor, WillingnessSurvey).select_related("person", "surveyed_by", "campaign")


def placements(*, actor: User) -> QuerySet[Placement]:
    """The placements of the actor's area; an institution's staff: its residents (and those waiting
    for it are not theirs to see)."""
    if actor.is_authenticated and actor.role == Role.INSTITUTION_STAFF and may_hold(actor, INSTITUTION_GRANT):
        rows = Placement.objects.filter(
            institution_id__in=granted_ids(actor, INSTITUTION_GRANT),
            state__in=[Placement.State.PLACED, Placement.State.DISCHARGED],
        )
    else:
        rows = _area(actor, Placement)
    return rows.select_related("person", "institution")


def agreements(*, actor: User) -> QuerySet[CareAgreement]:
    return _area(actor, CareAgreement).select_related("person", "caregiver_user", "visiting_officer")


def tekun_persons(*, on: datetime.date | None = None, area: str | None = None):
    """The 特困 enrolments in force on a day (one per person), in an area if given."""
    rows = programme_persons(programme="tekun", on=on or timezone.localdate())
    if area:
        rows = rows.filter(subtree_q("household__village_id", area))
    return rows


def placed_q(on: datetime.date, person_field: str = "person") -> Exists:
    """Is the person in an institution on that day (a placement admitted by then, not discharged)?"""
    return Exists(
        Placement.objects.filter(
            Q(discharged_on__isnull=True) | Q(discharged_on__gt=on),
            person=OuterRef(person_field),
            admitted_on__lte=on,
            state__in=[Placement.State.PLACED, Placement.State.DISCHARGED],
        )
    )


def agreed_q(on: datetime.date, person_field: str = "person") -> Exists:
    """Has the person a caregiver with a signed agreement in force that day?"""
    return Exists(
        CareAgreement.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=on),
            person=OuterRef(person_field),
            signed_on__lte=on,
            starts_on__lte=on,
            ends_on__gte=on,
            state__in=[CareAgreement.State.SIGNED, CareAgreement.State.ENDED],
        )
    )


def support_modes(*, on: datetime.date | None = None, area: str | None = None):
    """Each 特困 person in force with their support mode: rows (enrolment, person, centralised)."""
    on = on or timezone.localdate()
    return tekun_persons(on=on, area=area).annotate(centralised=placed_q(on))


def dispersed_persons(*, on: datetime.date | None = None, area: str | None = None):
    """The 特困 enrolments of persons cared for at home on the day (not in an institution)."""
    on = on or timezone.localdate()
    return tekun_persons(on=on, area=area).exclude(placed_q(on))


def kpis(*, actor: User, on: datetime.date | None = None) -> dict:
    """The care KPIs of the actor's area by county and township: one grouped query each."""
    on = on or timezone.localdate()
    rows = (
        tekun_persons(on=on, area=actor.division_id)
        # (care-services fix: the flags are named apart from the counts, which SQLite otherwise
        # refuses as "misuse of aggregate function COUNT()".)
        .annotate(
            is_placed=placed_q(on), is_agreed=agreed_q(on), township=Substr("household__village_id", 1, 9)
        )
        .values("township")
        .annotate(
            persons=Count("pk"),
            unable=Count("pk", filter=Q(person__self_care__in=UNABLE)),
            unable_centralised=Count("pk", filter=Q(person__self_care__in=UNABLE, is_placed=True)),
            centralised=Count("pk", filter=Q(is_placed=True)),
            dispersed=Count("pk", filter=Q(is_placed=False)),
            agreed=Count("pk", filter=Q(is_placed=False, is_agreed=True)),
        )
        .order_by("township")
    )
    townships = list(rows)
    names = division_names(
        {row["township"] for row in townships} | {row["township"][:6] for row in townships}
    )
    counties: dict[str, dict] = {}
    for row in townships:
        row["name"] = names.get(row["township"], row["township"])
        county = counties.setdefault(row["township"][:6], {"county": row["township"][:6], "townships": []})
        county["townships"].append(_rates(row))
    figures = ("persons", "unable", "unable_centralised", "centralised", "dispersed", "agreed")
    for code, county in counties.items():
        county.update({key: sum(t[key] for t in county["townships"]) for key in figures})
        county["name"] = names.get(code, code)
        _rates(county)
    total = _rates({key: sum(c[key] for c in counties.values()) for key in figures})
    return {"on": on, "counties": [counties[code] for code in sorted(counties)], "total": total}


def _rates(row: dict) -> dict:
    row["centralised_rate"] = _percent(row["unable_centralised"], row["unable"])
    row["agreement_rate"] = _percent(row["agreed"], row["dispersed"])
    return row


def _percent(part: int, whole: int):
    return round(100 * part / whole, 2) if whole else None
