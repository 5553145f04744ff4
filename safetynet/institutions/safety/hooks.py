"""What the safety records add to the kernel and the shared pages: the incident workflows, the records
that hold evidence (read by grant too), their history events, what falls due on the work desk, the
demo builder (called from institutions.hooks.register)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safetynet.core import hooks
from safetynet.core.audit import declare_events
from safetynet.core.types import ChangeAction, Role

DESK_ROLES = (Role.COUNTY_BUREAU, Role.INSTITUTION_STAFF)


def trainings_due_items(actor, until) -> list[hooks.DeskItem]:
    from safetynet.institutions.safety import selectors

    return [
        hooks.DeskItem(
            kind=_("Safety training"),
            title=institution.name,
            url=reverse("institutions:safety_training_new", args=[institution.pk]),
            due_at=due,
            note=_("No training in the last %(days)s days") % {"days": selectors.training_days()},
        )
        for institution, due in selectors.trainings_due(actor=actor, until=until)
    ]


def drills_due_items(actor, until) -> list[hooks.DeskItem]:
    from safetynet.institutions.safety import selectors

    return [
        hooks.DeskItem(
            kind=_("Emergency drill"),
            title=f"{institution.name} · {plan['title']}",
            url=reverse("institutions:safety_drill_new", args=[plan["pk"]]),
            due_at=due,
            note=_("No drill of this plan in the last %(days)s days") % {"days": selectors.drill_days()},
        )
        for institution, plan, due in selectors.drills_due(actor=actor, until=until)
    ]


def watches_missing_items(actor, until) -> list[hooks.DeskItem]:
    from safetynet.institutions.safety import selectors

    return [
        hooks.DeskItem(
            kind=_("Night watch"),
            title=institution.name,
            url=reverse("institutions:safety_watch_new", args=[institution.pk]),
            due_at=due,
            note=_("%(count)s of the last 7 nights without a watch record") % {"count": count},
        )
        for institution, count, due in selectors.watches_missing(actor=actor)
        if due <= until
    ]


def declare() -> None:
    declare_events(
        "institutions",
        "safetytraining",
        {"training_recorded": (ChangeAction.CREATE, gettext_lazy("safety training recorded"))},
    )
    declare_events(
        "institutions",
        "emergencyplan",
        {
            "plan_recorded": (ChangeAction.CREATE, gettext_lazy("emergency plan recorded")),
            "plan_changed": (ChangeAction.UPDATE, gettext_lazy("emergency plan changed")),
        },
    )
    declare_events(
        "institutions", "drill", {"drill_recorded": (ChangeAction.CREATE, gettext_lazy("drill recorded"))}
    )
    declare_events(
        "institutions",
        "watchnight",
        {"watch_recorded": (ChangeAction.CREATE, gettext_lazy("night watch recorded"))},
    )
    declare_events(
        "institutions",
        "incident",
        {"incident_reported": (ChangeAction.CREATE, gettext_lazy("incident reported"))},
    )


def register() -> None:
    from safetynet.core.demo import register_demo_builder
    from safetynet.core.workflows.table import register_evidence_subject, register_workflow
    from safetynet.institutions.safety import selectors, workflow
    from safetynet.institutions.selectors import READ_ROLES

    declare()
    for flow in workflow.flows():
        register_workflow(flow)
    for kind, granted in selectors.EVIDENCE_GRANTED.items():
        register_evidence_subject(kind, READ_ROLES, granted=granted)
    hooks.register_desk_source(name="institutions.trainings_due", items=trainings_due_items, roles=DESK_ROLES)
    hooks.register_desk_source(name="institutions.drills_due", items=drills_due_items, roles=DESK_ROLES)
    hooks.register_desk_source(
        name="institutions.watches_missing", items=watches_missing_items, roles=DESK_ROLES
    )
    register_demo_builder(
        "institutions.safety_records", "safetynet.institutions.safety.demo:build_safety_records", order=310
    )
