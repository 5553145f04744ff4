"""Reads of the institutions' safety records, scoped as the institutions are: the offices by their
area, an institution's staff and a contracted inspector by the institutions granted to them. Also
what falls due (a training, a drill, a night without a watch record) for the work desk and the
overview."""

import datetime

from django.conf import settings
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from safetynet.core.scope import granted_ids, may_hold
from safetynet.core.workflows.selectors import evidence_of
from safetynet.institutions.models import (
    Drill,
    EmergencyPlan,
    Incident,
    Institution,
    SafetyTraining,
    Scenario,
    WatchNight,
)
from safetynet.institutions.selectors import GRANT_KIND, institutions, may_read_institutions

TOPIC_CHOICES = SafetyTraining.Topic.choices
SCENARIO_CHOICES = Scenario.choices
INCIDENT_KIND_CHOICES = Incident.Kind.choices
WATCH_DAYS = 7
# Evidence subjects: the kinds of record that hold photos and PDFs without being a case.
TRAINING, PLAN, DRILL, WATCH = (
    "institutions.training",
    "institutions.plan",
    "institutions.drill",
    "institutions.watch",
)


def training_days() -> int:
    return int(getattr(settings, "SAFETYNET_SAFETY_TRAINING_DAYS", 90))


def drill_days() -> int:
    return int(getattr(settings, "SAFETYNET_DRILL_DAYS", 180))


def may_read(actor) -> bool:
    return may_read_institutions(actor)


def _seen(actor):
    return institutions(actor=actor).values("pk")


def trainings(*, actor, institution_id: int | None = None) -> QuerySet[SafetyTraining]:
    rows = SafetyTraining.objects.filter(institution_id__in=_seen(actor)).select_related("institution")
    return rows.filter(institution_id=institution_id) if institution_id else rows


def training_get(*, actor, pk: int) -> SafetyTraining:
    return trainings(actor=actor).get(pk=pk)


def plans(*, actor, institution_id: int | None = None) -> QuerySet[EmergencyPlan]:
    rows = EmergencyPlan.objects.filter(institution_id__in=_seen(actor)).select_related("institution")
    rows = rows.annotate(last_drill=Max("drills__held_on"))
    return rows.filter(institution_id=institution_id) if institution_id else rows


def plan_get(*, actor, pk: int) -> EmergencyPlan:
    return plans(actor=actor).get(pk=pk)


def drills(*, actor, institution_id: int | None = None, plan_id: int | None = None) -> QuerySet[Drill]:
    rows = Drill.objects.filter(plan__institution_id__in=_seen(actor)).select_related("plan__institution")
    if institution_id:
        rows = rows.filter(plan__institution_id=institution_id)
    return rows.filter(plan_id=plan_id) if plan_id else rows


def drill_get(*, actor, pk: int) -> Drill:
    return drills(actor=actor).get(pk=pk)


def watch_nights(*, actor, institution_id: int | None = None) -> QuerySet[WatchNight]:
    rows = WatchNight.objects.filter(institution_id__in=_seen(actor)).select_related("institution")
    return rows.filter(institution_id=institution_id) if institution_id else rows


def watch_get(*, actor, pk: int) -> WatchNight:
    return watch_nights(actor=actor).get(pk=pk)


def incidents(*, actor, institution_id: int | None = None) -> QuerySet[Incident]:
    rows = Incident.objects.filter(institution_id__in=_seen(actor)).select_related("institution", "case")
    return rows.filter(institution_id=institution_id) if institution_id else rows


def incident_get(*, actor, pk: int) -> Incident:
    return incidents(actor=actor).get(pk=pk)


def record_evidence(*, actor, kind: str, record_id: int):
    """The photos and PDFs of one record the actor reads."""
    return evidence_of(actor=actor, subject_kind=kind, subject_ids=[record_id]).order_by("uploaded_at", "pk")


# --- grant-only readers of the records' evidence ---------------------------------------------------------


def _granted_records(model, field: str):
    def granted(actor) -> Q:
        if not may_hold(actor, GRANT_KIND):
            return Q(pk__in=[])
        ids = model.objects.filter(**{f"{field}__in": granted_ids(actor, GRANT_KIND)}).values("pk")
        return Q(subject_id__in=ids)

    return granted


EVIDENCE_GRANTED = {
    TRAINING: _granted_records(SafetyTraining, "institution_id"),
    PLAN: _granted_records(EmergencyPlan, "institution_id"),
    DRILL: _granted_records(Drill, "plan__institution_id"),
    WATCH: _granted_records(WatchNight, "institution_id"),
}


# --- what falls due ---------------------------------------------------------------------------------------


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def watch_window(today: datetime.date | None = None) -> list[datetime.date]:
    """The last WATCH_DAYS nights, the latest (last night) first."""
    today = today or timezone.localdate()
    return [today - datetime.timedelta(days=n) for n in range(1, WATCH_DAYS + 1)]


def _count(queryset) -> Coalesce:
    """How many rows of `queryset` (filtered on OuterRef("pk")) belong to each institution: one
    subquery per figure, so that trainings, nights and incidents do not multiply one another."""
    return Coalesce(
        Subquery(queryset.order_by().values("institution_id").annotate(n=Count("pk")).values("n")[:1]),
        0,
    )


def overview(*, actor, today: datetime.date | None = None) -> list[dict]:
    """For each institution in operation the actor reads: its last training and when the next is due,
    its plans due a drill, the nights of the last 7 with no watch record (and the earliest of them),
    its open incidents: a handful of queries whatever the number of records."""
    today = today or timezone.localdate()
    nights = watch_window(today)
    here = OuterRef("pk")
    rows = (
        institutions(actor=actor)
        .filter(active=True)
        .annotate(
            last_training=Subquery(
                SafetyTraining.objects.filter(institution=here).order_by("-held_on").values("held_on")[:1]
            ),
            watched=_count(WatchNight.objects.filter(institution=here, night__in=nights)),
            open_incidents=_count(Incident.objects.filter(institution=here, case__closed_at__isnull=True)),
        )
        .order_by("division_id", "name", "pk")
    )
    institution_rows = list(rows[:1000])
    plan_rows = (
        EmergencyPlan.objects.filter(institution_id__in=[i.pk for i in institution_rows])
        .annotate(last_drill=Max("drills__held_on"))
        .values("pk", "institution_id", "title", "approved_on", "last_drill")
    )
    plans_by_institution: dict[int, list[dict]] = {}
    for plan in plan_rows:
        plan["drill_due"] = (plan["last_drill"] or plan["approved_on"]) + datetime.timedelta(
            days=drill_days()
        )
        plans_by_institution.setdefault(plan["institution_id"], []).append(plan)
    watched_nights: dict[int, set] = {}
    for institution_id, night in WatchNight.objects.filter(
        institution_id__in=[i.pk for i in institution_rows if i.watched < len(nights)], night__in=nights
    ).values_list("institution_id", "night"):
        watched_nights.setdefault(institution_id, set()).add(night)
    out = []
    for institution in institution_rows:
        since = timezone.localtime(institution.created_at).date()
        counted = [night for night in nights if night >= since]
        missing = (
            []
            if institution.watched >= len(nights)
            else [night for night in counted if night not in watched_nights.get(institution.pk, set())]
        )
        start = institution.last_training or since
        plans_due = [p for p in plans_by_institution.get(institution.pk, []) if p["drill_due"] <= today]
        out.append(
            {
                "institution": institution,
                "last_training": institution.last_training,
                "training_due": start + datetime.timedelta(days=training_days()),
                "plans": plans_by_institution.get(institution.pk, []),
                "plans_due": plans_due,
                "missing_nights": len(missing),
                "earliest_missing": min(missing) if missing else None,
                "open_incidents": institution.open_incidents,
            }
        )
    return out


def missing_nights(*, institution: Institution, today: datetime.date | None = None) -> list[datetime.date]:
    """The nights of the last 7 (since the institution was recorded) with no watch record."""
    nights = [n for n in watch_window(today) if n >= timezone.localtime(institution.created_at).date()]
    kept = set(
        WatchNight.objects.filter(institution=institution, night__in=nights).values_list("night", flat=True)
    )
    return [night for night in nights if night not in kept]


def trainings_due(*, actor, until: datetime.datetime) -> list[tuple[Institution, datetime.datetime]]:
    """Institutions the actor reads with no training within the setting's days: (institution, due)."""
    due = []
    for row in overview(actor=actor):
        at = _end_of(row["training_due"])
        if at <= until:
            due.append((row["institution"], at))
    return due


def drills_due(*, actor, until: datetime.datetime) -> list[tuple[Institution, dict, datetime.datetime]]:
    """Plans with no drill within the setting's days: (institution, plan, due)."""
    due = []
    for row in overview(actor=actor):
        for plan in row["plans"]:
            at = _end_of(plan["drill_due"])
            if at <= until:
                due.append((row["institution"], plan, at))
    return due


def watches_missing(*, actor) -> list[tuple[Institution, int, datetime.datetime]]:
    """Institutions with nights of the last 7 kept without a watch record: (institution, how many, the
    morning after the earliest such night)."""
    out = []
    for row in overview(actor=actor):
        if row["missing_nights"]:
            after = row["earliest_missing"] + datetime.timedelta(days=1)
            morning = timezone.make_aware(datetime.datetime.combine(after, datetime.time(8, 0)))
            out.append((row["institution"], row["missing_nights"], morning))
    return out


def case_state_label(case) -> str:
    """The words of an incident case's state."""
    from safetynet.core.workflows.table import workflow

    if case is None:
        return ""
    return str(workflow(case.workflow).state(case.state).label)
