"""Reads of inspections and hazards, scoped as the institutions they belong to (the offices by area,
an institution's staff and its inspector by grant), and the statistics of the safety campaign —
institutions inspected, hazards found, rectified and overdue by grade and category, heating and
CO-alarm coverage — defined here once, for the statistics page, the campaign measures and the API."""

import datetime
import uuid

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from safetynet.core.campaigns.selectors import campaigns
from safetynet.core.checklists import answer_label
from safetynet.core.scope import subtree_q
from safetynet.core.selectors import division_names, staff_list
from safetynet.core.types import CampaignKind, Role, User
from safetynet.core.workflows.selectors import evidence_of
from safetynet.institutions.models import Hazard, Inspection, Institution
from safetynet.institutions.selectors import institutions, unguarded_q

ASSIGNED, DONE = Inspection.State.ASSIGNED, Inspection.State.DONE
INSPECTION_STATES = Inspection.State.choices
GRADES = Hazard.Grade.choices
CATEGORIES = Hazard.Category.choices
OPEN_STATES = ("found", "rectifying", "to_verify", "planning", "supervised", "major_to_verify")
FUEL = (Institution.Heating.GAS, Institution.Heating.COAL, Institution.Heating.WOOD)


def inspections(*, actor: User) -> QuerySet[Inspection]:
    """The inspections of the institutions the actor reads; a contracted inspector reads its own
    (another firm's findings at the same institution are not its business)."""
    rows = Inspection.objects.filter(institution__in=institutions(actor=actor).values("pk"))
    if actor.role == Role.INSPECTOR:
        rows = rows.filter(inspector=actor)
    return rows.select_related("institution", "campaign", "inspector")


def inspection_get(*, actor: User, pk: int) -> Inspection:
    return inspections(actor=actor).get(pk=pk)


def inspection_list(*, actor: User, state: str = "", campaign: int | None = None, mine: bool = False):
    rows = inspections(actor=actor)
    if state:
        rows = rows.filter(state=state)
    if campaign:
        rows = rows.filter(campaign_id=campaign)
    if mine:
        rows = rows.filter(inspector=actor)
    return rows.order_by("state", "due_on", "pk")


def inspections_due(*, actor: User, until: datetime.datetime) -> QuerySet[Inspection]:
    """The inspections assigned to the actor and not yet made, due by `until` (the work desk)."""
    return inspections(actor=actor).filter(
        inspector=actor, state=Inspection.State.ASSIGNED, due_on__lte=timezone.localtime(until).date()
    )


def inspection_already_sent(*, actor: User, inspection: Inspection, submission: str) -> Inspection | None:
    """The inspection this form was saved as already: a phone that lost the answer to its first send
    sends the same form again."""
    try:
        key = uuid.UUID(submission)
    except ValueError:
        return None
    return Inspection.objects.filter(pk=inspection.pk, submission=key, inspector=actor).first()


def hazards(*, actor: User) -> QuerySet[Hazard]:
    return Hazard.objects.filter(institution__in=institutions(actor=actor).values("pk")).select_related(
        "institution", "case", "inspection"
    )


def hazard_get(*, actor: User, pk: int) -> Hazard:
    return hazards(actor=actor).get(pk=pk)


def _overdue_q(now: datetime.datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}case__closed_at__isnull": True}) & (
        Q(**{f"{prefix}case__due_at__lt": now}) | Q(**{f"{prefix}case__overdue_since__isnull": False})
    )


def hazard_list(
    *, actor: User, grade: str = "", category: str = "", status: str = "", campaign: int | None = None
) -> QuerySet[Hazard]:
    rows = hazards(actor=actor)
    if grade:
        rows = rows.filter(grade=grade)
    if category:
        rows = rows.filter(category=category)
    if status == "open":
        rows = rows.filter(case__closed_at__isnull=True)
    elif status == "overdue":
        rows = rows.filter(_overdue_q(timezone.now()))
    elif status == "closed":
        rows = rows.filter(case__state="closed")
    elif status == "supervised":
        rows = rows.filter(case__state__in=["planning", "supervised", "major_to_verify"])
    if campaign:
        rows = rows.filter(inspection__campaign_id=campaign)
    return rows.order_by("-found_at", "-pk")


def institution_inspections(*, actor: User, institution: Institution) -> QuerySet[Inspection]:
    return inspections(actor=actor).filter(institution=institution).order_by("-due_on", "-pk")


def institution_hazards(*, actor: User, institution: Institution) -> QuerySet[Hazard]:
    return hazards(actor=actor).filter(institution=institution).order_by("-found_at", "-pk")


# --- statistics ----------------------------------------------------------------------------------------


def _hazard_counts(rows: QuerySet[Hazard], now: datetime.datetime) -> dict:
    overdue = _overdue_q(now)
    return rows.aggregate(
        found=Count("pk", filter=~Q(case__state="withdrawn")),
        general=Count("pk", filter=Q(grade=Hazard.Grade.GENERAL) & ~Q(case__state="withdrawn")),
        major=Count("pk", filter=Q(grade=Hazard.Grade.MAJOR) & ~Q(case__state="withdrawn")),
        rectified=Count("pk", filter=Q(case__state="closed")),
        rectified_general=Count("pk", filter=Q(case__state="closed", grade=Hazard.Grade.GENERAL)),
        rectified_major=Count("pk", filter=Q(case__state="closed", grade=Hazard.Grade.MAJOR)),
        open=Count("pk", filter=Q(case__closed_at__isnull=True)),
        overdue=Count("pk", filter=overdue),
        overdue_general=Count("pk", filter=overdue & Q(grade=Hazard.Grade.GENERAL)),
        overdue_major=Count("pk", filter=overdue & Q(grade=Hazard.Grade.MAJOR)),
        supervised=Count("pk", filter=Q(case__state__in=["supervised", "major_to_verify"])),
    )


def statistics(*, actor: User, campaign=None, now: datetime.datetime | None = None) -> dict:
    """The safety figures of the institutions the actor reads (all, or one campaign's inspections
    and the hazards they found): totals, rows by county, hazards by category, coverage by county."""
    now = now or timezone.now()
    places = institutions(actor=actor).filter(active=True)
    done = Inspection.objects.filter(institution__in=places.values("pk"), state=Inspection.State.DONE)
    found = Hazard.objects.filter(institution__in=places.values("pk"))
    if campaign is not None:
        done = done.filter(campaign=campaign)
        found = found.filter(inspection__campaign=campaign)
    inspected = Exists(done.filter(institution=OuterRef("pk")))
    fuel = Q(heating__in=FUEL)
    per_county = (
        places.annotate(county=Substr("division_id", 1, 6), inspected=inspected)
        .values("county")
        .annotate(
            institutions=Count("pk"),
            elderly=Count(
                "pk", filter=Q(kind__in=[Institution.Kind.ELDERLY_PUBLIC, Institution.Kind.ELDERLY_PRIVATE])
            ),
            children=Count("pk", filter=Q(kind=Institution.Kind.CHILD_WELFARE)),
            inspected=Count("pk", filter=Q(inspected=True)),
            heated=Count("pk", filter=~Q(heating=Institution.Heating.NONE)),
            fuel=Count("pk", filter=fuel),
            with_alarms=Count("pk", filter=Q(co_alarms__gt=0)),
            heated_and_alarmed=Count("pk", filter=~Q(heating=Institution.Heating.NONE) & Q(co_alarms__gt=0)),
            unguarded=Count("pk", filter=unguarded_q()),
        )
        .order_by("county")
    )
    counties = {row["county"]: dict(row) for row in per_county}
    hazard_rows = (
        found.annotate(county=Substr("institution__division_id", 1, 6))
        .values("county")
        .annotate(
            found=Count("pk", filter=~Q(case__state="withdrawn")),
            major=Count("pk", filter=Q(grade=Hazard.Grade.MAJOR) & ~Q(case__state="withdrawn")),
            rectified=Count("pk", filter=Q(case__state="closed")),
            open=Count("pk", filter=Q(case__closed_at__isnull=True)),
            overdue=Count("pk", filter=_overdue_q(now)),
        )
    )
    for row in hazard_rows:
        counties.setdefault(row["county"], {"county": row["county"]}).update(
            {key: value for key, value in row.items() if key != "county"}
        )
    names = division_names(list(counties))
    rows = []
    for code in sorted(counties):
        row = {
            "institutions": 0,
            "elderly": 0,
            "children": 0,
            "inspected": 0,
            "heated": 0,
            "fuel": 0,
            "with_alarms": 0,
            "heated_and_alarmed": 0,
            "unguarded": 0,
            "found": 0,
            "major": 0,
            "rectified": 0,
            "open": 0,
            "overdue": 0,
            **counties[code],
        }
        row["name"] = names.get(code, code)
        rows.append(row)
    totals = (
        {key: sum(row[key] for row in rows) for key in rows[0] if key not in ("county", "name")}
        if rows
        else {}
    )
    categories = []
    labels = dict(Hazard.Category.choices)
    for row in (
        found.exclude(case__state="withdrawn")
        .values("category")
        .annotate(
            found=Count("pk"),
            major=Count("pk", filter=Q(grade=Hazard.Grade.MAJOR)),
            rectified=Count("pk", filter=Q(case__state="closed")),
            overdue=Count("pk", filter=_overdue_q(now)),
        )
        .order_by("-found", "category")
    ):
        categories.append({**row, "label": labels.get(row["category"], row["category"])})
    return {
        "counties": rows,
        "totals": totals,
        "hazards": _hazard_counts(found, now),
        "categories": categories,
        "inspections_done": done.count(),
        "inspections_waiting": Inspection.objects.filter(
            institution__in=places.values("pk"),
            state=Inspection.State.ASSIGNED,
            **({"campaign": campaign} if campaign is not None else {}),
        ).count(),
    }


# --- campaign measures (core.hooks.register_campaign_measure: counted for one county) ------------------


def _campaign_done(campaign, county: str) -> QuerySet[Inspection]:
    return Inspection.objects.filter(
        subtree_q("institution__division_id", county), campaign=campaign, state=Inspection.State.DONE,
        institution__active=True,
    )


def institutions_inspected(campaign, county: str) -> int:
    return _campaign_done(campaign, county).values("institution").distinct().count()


def hazards_found(campaign, county: str) -> int:
    return (
        Hazard.objects.filter(inspection__in=_campaign_done(campaign, county))
        .exclude(case__state="withdrawn")
        .count()
    )


def hazards_rectified(campaign, county: str) -> int:
    return Hazard.objects.filter(
        inspection__in=_campaign_done(campaign, county), case__state="closed"
    ).count()


def may_read_statistics(actor: User) -> bool:
    return (
        actor.is_authenticated
        and actor.is_active
        and actor.role in (Role.CITY_BUREAU, Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE, Role.AUDITOR)
    )


def inspection_answers(inspection: Inspection) -> list[dict]:
    """The checklist as answered: each item asked, in order, with the words of its answer and
    whether it raised a hazard."""
    if inspection.checklist is None:
        return []
    raised = set(inspection.hazards.values_list("item", flat=True))
    return [
        {
            "code": item["code"],
            "label": item["label"],
            "answer": answer_label(inspection.checklist, item["code"], inspection.answers[item["code"]]),
            "hazard": item["code"] in raised,
        }
        for item in inspection.checklist.items
        if item["code"] in inspection.answers
    ]


def inspection_photos(*, actor: User, inspection: Inspection):
    return list(evidence_of(actor=actor, subject_kind="institutions.inspection", subject_ids=[inspection.pk]))


def inspectors_for(*, actor: User, institution: Institution) -> list[User]:
    """Whom the actor may send to inspect the institution: inspectors and bureau officers of its
    area whose own area covers the institution."""
    from safetynet.institutions.inspections.services import INSPECTING_ROLES

    return [
        user
        for user in staff_list(actor=actor).filter(role__in=INSPECTING_ROLES)
        if institution.division_id.startswith(user.division_id)
    ]


def safety_campaigns(*, actor: User, institution: Institution | None = None):
    """The safety campaigns still running that the actor sees (covering the institution, if given)."""
    rows = campaigns(actor=actor).filter(kind=CampaignKind.SAFETY, ends_on__gte=timezone.localdate())
    if institution is not None:
        return [c for c in rows.order_by("-starts_on") if institution.division_id.startswith(c.area_id)]
    return list(rows.order_by("-starts_on"))


def safety_campaigns_all(*, actor: User):
    """Every safety campaign the actor sees, latest first (the statistics' choice)."""
    return list(campaigns(actor=actor).filter(kind=CampaignKind.SAFETY).order_by("-starts_on", "-pk"))
