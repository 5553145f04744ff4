"""The demo city's safety records: for each demo institution a few staff trainings, an emergency plan
or two with their drills, the watch of most of the last fortnight's nights (a few nights missing, so
that the desk shows them) and, at two institutions, an incident reported as a case. Dated by the demo
clock, never after its now. Written in bulk (a modest, fixed handful a place), the incidents each with
its kernel case."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.demo import DemoContext, not_after_now
from safetynet.core.types import Role

TRAINERS = ("王消防", "李安全", "张教官", "刘培训")
ON_DUTY = ("赵值班", "钱值班", "孙值班", "周值班", "吴值班")
LEADERS = ("郑院长", "冯副院长", "陈主任")
TOPICS = ("fire", "gas", "co", "evacuation")
WATCH_NIGHTS = 14


def build_safety_records(context: DemoContext) -> str | None:
    from safetynet.institutions.models import Drill, EmergencyPlan, Institution, SafetyTraining, WatchNight

    if SafetyTraining.objects.exists() or not Institution.objects.exists():
        return None
    rng = context.rng("institutions-safety")
    clock = context.clock
    as_of = min(clock.as_of, timezone.localdate())
    institutions = list(Institution.objects.order_by("pk"))
    recorder = {
        user.division_id: user
        for name, user in sorted(context.users.items())
        if user.role == Role.COUNTY_BUREAU and not name.endswith("2")
    }
    city = context.users.get("city")

    def at(day: datetime.date) -> datetime.datetime:
        return not_after_now(clock.moment(rng, day))

    trainings, plans, watches = [], [], []
    for index, institution in enumerate(institutions):
        actor = recorder.get(institution.division_id[:6]) or city
        if actor is None:
            continue
        # A training a quarter or so, the last one more or less recent: some are due again.
        for n in range(3):
            day = clock.day_between(
                rng, clock.days_ago(100 * (n + 1)), clock.days_ago(100 * n + 10 * (index % 4))
            )
            trainings.append(
                SafetyTraining(
                    institution=institution,
                    held_on=day,
                    topic=TOPICS[(index + n) % len(TOPICS)],
                    trainer=TRAINERS[(index + n) % len(TRAINERS)],
                    attendee_count=max(3, institution.staff - n),
                    attendees="",
                    note="",
                    recorded_at=at(day),
                    recorded_by=actor,
                )
            )
        approved = clock.days_ago(300 + index % 60)
        plans.append(
            EmergencyPlan(
                institution=institution,
                title=_("Fire and evacuation plan"),
                scenarios=["fire", "evacuation"],
                approved_on=approved,
                review_due=approved + datetime.timedelta(days=365),
                recorded_at=at(approved),
                recorded_by=actor,
            )
        )
        if institution.fuel_heated:
            plans.append(
                EmergencyPlan(
                    institution=institution,
                    title=_("Gas leak and carbon monoxide plan"),
                    scenarios=["gas_leak", "co"],
                    approved_on=approved,
                    review_due=approved + datetime.timedelta(days=365),
                    recorded_at=at(approved),
                    recorded_by=actor,
                )
            )
        # The watch of the last fortnight, a night missing here and there.
        for n in range(1, WATCH_NIGHTS + 1):
            night = as_of - datetime.timedelta(days=n)
            if night < clock.history_start or (index + n) % 11 == 0:
                continue
            watches.append(
                WatchNight(
                    institution=institution,
                    night=night,
                    on_duty=ON_DUTY[(index + n) % len(ON_DUTY)],
                    leader=LEADERS[(index + n) % len(LEADERS)],
                    rounds=4,
                    round_times="22:00, 00:30, 03:00, 05:30",
                    handover_done=(index + n) % 9 != 0,
                    note="",
                    recorded_at=not_after_now(
                        timezone.make_aware(
                            datetime.datetime.combine(
                                night + datetime.timedelta(days=1), datetime.time(8, 10)
                            )
                        )
                    ),
                    recorded_by=actor,
                )
            )
    SafetyTraining.objects.bulk_create(trainings, batch_size=500)
    made_plans = EmergencyPlan.objects.bulk_create(plans, batch_size=500)
    WatchNight.objects.bulk_create(watches, batch_size=500)
    drills = []
    for index, plan in enumerate(
        EmergencyPlan.objects.filter(pk__in=[p.pk for p in made_plans]).select_related("institution")
    ):
        # Two drills of each plan since it was approved, the later one sometimes long ago: due again.
        for n in range(2):
            day = clock.day_between(rng, plan.approved_on, clock.days_ago(120 * (1 - n) + 30 * (index % 5)))
            drills.append(
                Drill(
                    plan=plan,
                    held_on=max(day, plan.approved_on),
                    scenario=plan.scenarios[n % len(plan.scenarios)],
                    residents_evacuated=plan.institution.residents,
                    evacuation_seconds=180 + rng.randrange(240),
                    problems=_("An exit door was hard to open.") if (index + n) % 4 == 0 else "",
                    recorded_at=at(max(day, plan.approved_on)),
                    recorded_by=plan.recorded_by,
                )
            )
    Drill.objects.bulk_create(drills, batch_size=500)
    incidents = 0
    for institution, kind, major, days in (
        (institutions[0], "fall", False, 20),
        (institutions[-1], "fire", True, 3),
    ):
        actor = recorder.get(institution.division_id[:6]) or city
        if actor is not None:
            _incident(actor, institution, kind=kind, major=major, occurred=at(clock.days_ago(days)))
            incidents += 1
    return _(
        "Safety records: %(trainings)s trainings, %(plans)s plans, %(drills)s drills, %(watches)s night "
        "watches, %(incidents)s incidents."
    ) % {
        "trainings": len(trainings),
        "plans": len(made_plans),
        "drills": len(drills),
        "watches": len(watches),
        "incidents": incidents,
    }


def _incident(actor, institution, *, kind: str, major: bool, occurred: datetime.datetime) -> None:
    """An incident as the service records it, dated by the demo clock (recorded and first reported
    upward within the hour of its occurring), its case opened from when it occurred."""
    from safetynet.core.workflows.services import case_open, case_transition
    from safetynet.institutions.models import Incident
    from safetynet.institutions.safety import workflow

    recorded = not_after_now(occurred + datetime.timedelta(minutes=20))
    incident = Incident.objects.create(
        institution=institution,
        kind=kind,
        major=major,
        occurred_at=occurred,
        reported_by=ON_DUTY[0],
        description=_("Demo incident: a resident fell in the corridor.")
        if kind == "fall"
        else _("Demo incident: a small fire in the laundry, put out by staff."),
        deaths=0,
        injured=1 if kind == "fall" else 0,
        recorded_at=recorded,
        recorded_by=actor,
    )
    incident.case = case_open(
        actor=actor,
        workflow_code=workflow.MAJOR if major else workflow.ORDINARY,
        division_code=institution.division_id,
        title=f"{institution.name} · {incident.get_kind_display()}",
        subject_kind=workflow.SUBJECT,
        subject_id=incident.pk,
        at=occurred,
    )
    incident.save(update_fields=["case"])
    case_transition(
        actor=actor,
        case_id=incident.case.pk,
        transition="report_first",
        version=incident.case.version,
        at=not_after_now(occurred + datetime.timedelta(minutes=40)),
    )
