"""Reads of 特困 care, scoped by the area of the person's household (the supporting county keeps the
person wherever the institution is; an institution's staff see its residents by the institution
granted to them), and the care KPIs — defined here once, for the page, the API and the reports:

- centralised-care rate: of the 特困 persons unable to look after themselves (partly or fully,
  SPEC §6.3 item 11), those in an institution;
- caregiver-agreement coverage: of the 特困 persons cared for at home, those with a caregiver and a
  signed agreement in force;
and the support mode of each person (centralised when placed, dispersed otherwise), for payments."""

import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
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


# --- lists and one person's care ----------------------------------------------------------------------


def persons(*, actor: User, on: datetime.date | None = None, show: str = ""):
    """The 特困 persons of the actor's area with their support mode and agreement: `show` narrows to
    "waiting" (in the queue), "placed", "home" (cared for at home), "missing" (at home without a
    signed agreement in force)."""
    on = on or timezone.localdate()
    if not may_read_care(actor):
        return tekun_persons(on=on).none()
    waiting = Exists(Placement.objects.filter(person=OuterRef("person"), state=Placement.State.WAITING))
    rows = (
        tekun_persons(on=on, area=actor.division_id)
        .annotate(centralised=placed_q(on), agreed=agreed_q(on), waiting=waiting)
        .select_related("person", "household")
    )
    if show == "waiting":
        rows = rows.filter(waiting=True)
    elif show == "placed":
        rows = rows.filter(centralised=True)
    elif show == "home":
        rows = rows.filter(centralised=False)
    elif show == "missing":
        rows = rows.filter(centralised=False, agreed=False)
    elif show == "unsurveyed":
        # The willingness survey goes to everyone, those unable to look after themselves and those
        # with mental illness first.
        asked = Exists(WillingnessSurvey.objects.filter(person=OuterRef("person")))
        return rows.exclude(asked).order_by(
            F("person__self_care").desc(nulls_last=True),
            F("person__mental_illness").desc(nulls_last=True),
            "household__village_id",
            "person__name",
            "pk",
        )
    return rows.order_by("household__village_id", "person__name", "pk")


def residents(*, actor: User) -> QuerySet[Placement]:
    """The 特困 persons living in the institutions granted to an institution's staff (their residents),
    or placed from the actor's area for the offices."""
    placed = placements(actor=actor).filter(state=Placement.State.PLACED)
    return placed.order_by("institution_id", "bed", "pk")


def may_read_residents(actor: User) -> bool:
    return may_read_care(actor) or (
        actor.is_authenticated and actor.is_active and actor.role == Role.INSTITUTION_STAFF
    )


def person_care(*, actor: User, person_id: int, on: datetime.date | None = None):
    """The person's 特困 enrolment in force in the actor's area, or None."""
    if not may_read_care(actor):
        return None
    return (
        tekun_persons(on=on, area=actor.division_id)
        .filter(person_id=person_id)
        .select_related("person", "household")
        .first()
    )


def person_surveys(*, actor: User, person_id: int):
    return surveys(actor=actor).filter(person_id=person_id).order_by("-surveyed_on", "-pk")


def person_placements(*, actor: User, person_id: int):
    return placements(actor=actor).filter(person_id=person_id).order_by("-requested_on", "-pk")


def person_agreements(*, actor: User, person_id: int):
    return agreements(actor=actor).filter(person_id=person_id).order_by("-starts_on", "-pk")


def placement_get(*, actor: User, pk: int) -> Placement:
    return placements(actor=actor).get(pk=pk)


def agreement_get(*, actor: User, pk: int) -> CareAgreement:
    return agreements(actor=actor).get(pk=pk)


def occupancy(area: str | None = None) -> list:
    """The institutions taking 特困 persons (of an area, or the whole city: a person may be placed in
    another county's) with their beds, the persons placed and the free beds, and whether they are
    nearly full (a capacity warning): one grouped query."""
    from safetynet.institutions.selectors import care_institutions

    placed = Count("pk", filter=Q(state=Placement.State.PLACED))
    taken = dict(
        Placement.objects.filter(state=Placement.State.PLACED)
        .values("institution")
        .annotate(n=placed)
        .values_list("institution", "n")
    )
    rows = []
    institutions = care_institutions()
    if area:
        institutions = institutions.filter(subtree_q("division_id", area))
    for institution in institutions.order_by("division_id", "name"):
        used = taken.get(institution.pk, 0)
        institution.placed = used
        institution.free = max(0, institution.beds - used)
        institution.nearly_full = bool(institution.beds) and used >= 0.9 * institution.beds
        rows.append(institution)
    return rows


def waiting_by_county(*, actor: User) -> list[dict]:
    """How many wait for a bed in each county of the actor's area, and since when the longest."""
    from django.db.models import Min

    rows = (
        placements(actor=actor)
        .filter(state=Placement.State.WAITING)
        .annotate(county=Substr("division_id", 1, 6))
        .values("county")
        .annotate(waiting=Count("pk"), since=Min("requested_on"))
        .order_by("county")
    )
    rows = list(rows)
    names = division_names([row["county"] for row in rows])
    for row in rows:
        row["name"] = names.get(row["county"], row["county"])
    return rows


def agreement_holder(pk: int) -> tuple[str | None, str]:
    """Where a care agreement's person lives and its caregiver's name, for the caregiver's account
    (None: no such agreement). Not on a user's behalf: the caller checks the area."""
    row = CareAgreement.objects.filter(pk=pk).values_list("division_id", "caregiver_name").first()
    return (row[0], row[1]) if row else (None, "")


def agreements_ending(*, actor: User, until: datetime.date) -> QuerySet[CareAgreement]:
    """Signed agreements of the actor's area ending by `until` (the desk: renew or replace)."""
    return agreements(actor=actor).filter(state=CareAgreement.State.SIGNED, ends_on__lte=until)


def agreements_missing(actor: User) -> int:
    """How many 特困 persons cared for at home in the actor's area have no signed agreement in force."""
    return persons(actor=actor, show="missing").count()


# --- for payments: who is paid what (issue 14, item 6) --------------------------------------------------


def care_payees(*, on: datetime.date, area: str | None = None):
    """Each 特困 person in force on a day with where their support goes: the basic living to the
    person at home or to the institution they live in; the care amount to the caregiver of the
    signed agreement, or to the institution. Rows: enrolment pk, person, household, institution (id
    or None), caregiver (name or None) and agreement (its id or None). The amounts are the
    enrolment's, the care tier the self-care assessment's: payments read them there."""
    from django.db.models import Subquery

    on_day = Q(discharged_on__isnull=True) | Q(discharged_on__gt=on)
    institution = Subquery(
        Placement.objects.filter(
            on_day,
            person=OuterRef("person"),
            admitted_on__lte=on,
            state__in=[Placement.State.PLACED, Placement.State.DISCHARGED],
        ).values("institution")[:1]
    )
    agreements = CareAgreement.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on),
        person=OuterRef("person"),
        signed_on__lte=on,
        starts_on__lte=on,
        ends_on__gte=on,
        state__in=[CareAgreement.State.SIGNED, CareAgreement.State.ENDED],
    ).order_by("-signed_on", "-pk")
    return (
        tekun_persons(on=on, area=area)
        .annotate(institution=institution, caregiver=Subquery(agreements.values("caregiver_name")[:1]),
                  agreement=Subquery(agreements.values("pk")[:1]))
        .values("pk", "person", "household", "institution", "caregiver", "agreement")
    )
