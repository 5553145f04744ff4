"""Which households the visits to 特困 persons are about, when they fall due, and the figures — each
defined once, as set-based queries:

- the visiting groups (registry VisitRule rows name them): the households with a current member who
  is a 特困 person cared for at home (not in an institution) — monthly; and those where that person
  is high-risk — weekly, and within 24 hours of a cold wave;
- a caregiver's desk: the persons of its signed agreements in force, due a visit from it every
  `visit_every_days` days;
- the figures by county and township: visits done against visits due in a period, and the problems
  found and solved in those households.

High-risk, set-based on the registry's own fields: unable to look after themselves (partly or
fully, SPEC §6.3 item 11 — the persons the briefing wants placed first), or aged 80 or over. Living
alone is not a criterion of its own: a 特困 person has by definition no one obliged to support them
and nearly all of those cared for at home live alone, so it would make almost everyone "high-risk"
and the weekly rule meaningless; age and lost self-care are what separate the frailest."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least, Substr

from safetynet.care.models import CareAgreement
from safetynet.care.selectors import UNABLE, dispersed_persons, may_read_care, placed_q
from safetynet.core.clock import start_of_day, today
from safetynet.core.scope import granted_ids, subtree_q
from safetynet.core.selectors import division_names
from safetynet.core.types import Role, User
from safetynet.registry import codes
from safetynet.registry.models import Household, Membership, Problem, Visit, VisitRule
from safetynet.registry.rules import OFFICIAL_VISITORS, PERSON_GRANT

DISPERSED_GROUP = "tekun_dispersed"  # seeded by the registry (monthly); its households come from here
HIGH_RISK_GROUP = "tekun_dispersed_high_risk"
DESK_ROWS = 200
DAYS_OF = {DISPERSED_GROUP: 30, HIGH_RISK_GROUP: 7}  # when a rule is switched off or removed


def _eighty_years_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 80)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 80, day=28)


def high_risk_q(on: datetime.date, person_field: str = "person") -> Q:
    """Is the person high-risk on the day (unable to look after themselves, or aged 80 or over)?"""
    return Q(**{f"{person_field}__self_care__in": UNABLE}) | Q(
        **{f"{person_field}__birth_date__lte": _eighty_years_before(on)}
    )


def _cared_at_home(on: datetime.date, *, high_risk: bool) -> Exists:
    """Has the household (OuterRef "pk") a current member cared for at home as a 特困 person?"""
    persons = dispersed_persons(on=on)
    if high_risk:
        persons = persons.filter(high_risk_q(on))
    return Exists(
        Membership.objects.filter(
            household=OuterRef("pk"), left_on__isnull=True, person_id__in=persons.values("person_id")
        )
    )


def cared_at_home(households: QuerySet[Household]) -> QuerySet[Household]:
    """The visiting group "特困 persons cared for at home" (and the care checklist's households)."""
    return households.filter(_cared_at_home(today(), high_risk=False))


def cared_at_home_high_risk(households: QuerySet[Household]) -> QuerySet[Household]:
    """The visiting group "特困 persons cared for at home, high-risk"."""
    return households.filter(_cared_at_home(today(), high_risk=True))


# --- a caregiver's desk ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CareVisitDue:
    agreement: CareAgreement
    household_id: int | None
    due_at: datetime.datetime


def agreement_visits_due(*, actor: User, until: datetime.datetime) -> list[CareVisitDue]:
    """The persons of the caregiver's signed agreements in force today, granted to it and still at
    home, whose visit by this caregiver is due by `until` or overdue: its last visit to their
    household (never: the agreement's start) plus the agreement's `visit_every_days`. One query; a
    caregiver holds a handful of agreements, so the due dates are reckoned on the rows it returns."""
    if actor.role != Role.CAREGIVER or not actor.is_active:
        return []
    day = today()
    household = Membership.objects.filter(person=OuterRef("person"), left_on__isnull=True).values(
        "household_id"
    )[:1]
    last_visit = (
        Visit.objects.filter(visitor=actor, household_id=OuterRef("household_id"))
        .order_by("-visited_at")
        .values("visited_at")[:1]
    )
    rows = (
        CareAgreement.objects.filter(
            caregiver_user=actor,
            state=CareAgreement.State.SIGNED,
            starts_on__lte=day,
            ends_on__gte=day,
            person_id__in=granted_ids(actor, PERSON_GRANT),
        )
        .exclude(placed_q(day))
        .annotate(household_id=Subquery(household))
        .annotate(last_visit=Subquery(last_visit))
        .select_related("person")
        .order_by("pk")[:DESK_ROWS]
    )
    found = []
    for agreement in rows:
        since = agreement.last_visit or start_of_day(max(agreement.starts_on, agreement.signed_on or day))
        due_at = since + datetime.timedelta(days=agreement.visit_every_days)
        if due_at <= until:
            found.append(CareVisitDue(agreement, agreement.household_id, due_at))
    return sorted(found, key=lambda item: (item.due_at, item.agreement.pk))


# --- figures -----------------------------------------------------------------------------------------------


def _every_days() -> dict[str, int]:
    rules = dict(
        VisitRule.objects.filter(group__in=DAYS_OF, active=True, every_days__isnull=False).values_list(
            "group", "every_days"
        )
    )
    return DAYS_OF | rules


def visit_figures(*, actor: User, start: datetime.date, end: datetime.date) -> dict:
    """Visits to the households of 特困 persons cared for at home (on `end`) in the actor's area, from
    `start` to `end` (both included), by county and township:

    - households: how many such households;
    - due: the visits their rules ask for in the period (a high-risk household one per rule's days,
      weekly; the others one per monthly rule's days; at least one each);
    - done: the visits made to them, each household's counted up to its due (ten visits to one home
      do not make up for another never visited), and visits: all visits made;
    - problems found on those visits, and of them solved (closed after the repair was verified).

    One grouped query for the visits and one for the problems."""
    if not may_read_care(actor):
        return {"start": start, "end": end, "counties": [], "total": _empty()}
    days = (end - start).days + 1
    every = _every_days()
    due_high = max(1, days // every[HIGH_RISK_GROUP])
    due_other = max(1, days // every[DISPERSED_GROUP])
    first = start_of_day(start)
    last = start_of_day(end + datetime.timedelta(days=1))
    in_period = Q(visited_at__gte=first, visited_at__lt=last)
    visit_count = (
        Visit.objects.filter(in_period, household=OuterRef("pk"), visitor__role__in=OFFICIAL_VISITORS)
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    households = Household.objects.filter(
        subtree_q("village_id", actor.division_id),
        _cared_at_home(end, high_risk=False),
        status=codes.HouseholdStatus.ACTIVE,
    )
    rows = (
        households.annotate(
            township=Substr("village_id", 1, 9),
            made=Coalesce(Subquery(visit_count, output_field=IntegerField()), Value(0)),
            owed=Case(
                When(_cared_at_home(end, high_risk=True), then=Value(due_high)),
                default=Value(due_other),
                output_field=IntegerField(),
            ),
        )
        .annotate(counted=Least("made", "owed"))
        .values("township")
        .annotate(households=Count("pk"), due=Sum("owed"), done=Sum("counted"), visits=Sum("made"))
        .order_by("township")
    )
    problems = (
        Problem.objects.filter(
            household__in=households, visit__visited_at__gte=first, visit__visited_at__lt=last
        )
        .annotate(township=Substr("household__village_id", 1, 9))
        .values("township")
        .annotate(found=Count("pk"), solved=Count("pk", filter=Q(case__state="closed")))
        .order_by("township")
    )
    by_township: dict[str, dict] = {row["township"]: {**_empty(), **row} for row in rows}
    for row in problems:
        by_township.setdefault(row["township"], {**_empty(), "township": row["township"]}).update(row)
    return {"start": start, "end": end, **_grouped(by_township)}


FIGURES = ("households", "due", "done", "visits", "found", "solved")


def _empty() -> dict:
    return dict.fromkeys(FIGURES, 0) | {"done_rate": None}


def _rate(row: dict) -> dict:
    row["done_rate"] = round(100 * row["done"] / row["due"], 2) if row["due"] else None
    return row


def _grouped(by_township: dict[str, dict]) -> dict:
    names = division_names(set(by_township) | {code[:6] for code in by_township})
    counties: dict[str, dict] = {}
    for code in sorted(by_township):
        row = by_township[code]
        row["name"] = names.get(code, code)
        county = counties.setdefault(code[:6], {"county": code[:6], "townships": []})
        county["townships"].append(_rate(row))
    for code, county in counties.items():
        county.update({key: sum(t[key] for t in county["townships"]) for key in FIGURES})
        county["name"] = names.get(code, code)
        _rate(county)
    total = _rate({key: sum(c[key] for c in counties.values()) for key in FIGURES})
    return {"counties": [counties[code] for code in sorted(counties)], "total": total}
