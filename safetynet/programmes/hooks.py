"""What the programmes app adds to the shared pages."""

from django.utils import timezone

from safetynet.core import hooks
from safetynet.programmes.facts import household_explanation
from safetynet.registry.rules import may_read_registry


def eligibility_panel(actor, household) -> dict:
    """The household page's card: each programme's rule over the household today, with every
    condition, every figure and the versions used; where it qualifies and receives nothing, the
    application in progress, or for the village and the township a link to hand one in."""
    from safetynet.programmes.aid.services import RECORDING_ROLES
    from safetynet.programmes.applications.selectors import open_applications
    from safetynet.programmes.applications.services import APPLIED_PROGRAMMES, REPORT_ROLES, START_ROLES
    from safetynet.programmes.services import DECIDING_ROLES

    explained = household_explanation(actor=actor, household=household, on=timezone.localdate())
    applying = open_applications(household_id=household.pk)
    for result in explained["results"]:
        result["appliable"] = result["programme"] in APPLIED_PROGRAMMES
        result["application"] = applying.get(result["programme"])
        for person in result.get("persons", []):
            person["appliable"] = result["appliable"]
            person["application"] = applying.get(f"{result['programme']}:{person['person'].pk}")
    return {
        "household": household,
        "may_decide": actor.role in DECIDING_ROLES,
        "may_apply": actor.role in START_ROLES,
        "may_report": actor.role in REPORT_ROLES,
        "may_apply_aid": actor.role in RECORDING_ROLES,
        **explained,
    }


def hits_on_desk(actor, until) -> list:
    """The coordinator's desk: the households of its village the latest run found qualifying and
    receiving nothing — help them apply (政策找人). No deadline: they wait until someone helps."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from safetynet.programmes.applications.selectors import found_by_latest_run

    return [
        hooks.DeskItem(
            kind=_("Qualifies but receives nothing"),
            title=f"{hit['head']} · {hit['programme_label']}",
            url=reverse("programmes:application_start", args=[hit["household_id"]])
            + f"?programme={hit['programme']}&run={hit['run_id']}",
            due_at=None,
            note=_("Help the household apply"),
        )
        for hit in found_by_latest_run(actor=actor, limit=20)
    ]


def register() -> None:
    from safetynet.core.workflows.table import register_workflow

    # The services register the steps' effects with the tables when imported.
    from safetynet.programmes.applications import complaints, services, workflow
    from safetynet.registry.moves import register_household_moved

    flows = (
        workflow.LOW_INCOME_FLOW,
        workflow.DEVOLVED_FLOW,
        workflow.TEKUN_FLOW,
        workflow.SELF_CARE_FLOW,
        complaints.FLOW,
    )
    for flow in flows:
        register_workflow(flow)
    _register_enrolment_life()
    hooks.register_desk_source(name="programmes.hits", items=hits_on_desk, roles=["village_coordinator"])
    # What the applications keep about a household goes with it when it moves.
    register_household_moved(name="programmes.applications", moved=services.follow_the_household)
    hooks.register_household_panel(
        name="programmes.eligibility",
        template="programmes/_eligibility_panel.html",
        context=eligibility_panel,
        allowed=may_read_registry,
        order=15,
    )

    # --- temporary aid (临时救助): its workflows, history events, identifiers, menu entry, demo ---
    register_temporary_aid()


def register_temporary_aid() -> None:
    from django.utils.translation import gettext_lazy as _

    from safetynet.core.demo import register_demo_builder
    from safetynet.core.workflows.table import register_workflow
    from safetynet.programmes.aid import events as aid_events
    from safetynet.programmes.aid import identifiers as aid_identifiers
    from safetynet.programmes.aid import workflow as aid_workflow

    for flow in aid_workflow.FLOWS:
        register_workflow(flow)
    aid_events.declare()
    aid_identifiers.declare()
    hooks.register_menu_item(name="programmes.temporary_aid", label=_("Temporary aid"),
                             url_name="programmes:aid_list",
                             roles=["county_bureau", "township_office", "village_coordinator"], order=37)
    # After the enrolments and applications: the heating aid goes to the households receiving.
    register_demo_builder("programmes.temporary_aid", "safetynet.programmes.aid.demo:build_temporary_aid",
                          order=220)


def assistance_panel(actor, household) -> dict:
    """The household page's card of assistance in payment: every enrolment with the county paying
    it, the decisions with their notices, the reviews; for the offices, a review to start and the
    hand-over to another county."""
    from safetynet.programmes.life import selectors, services

    found = selectors.household_assistance(household=household, actor=actor)
    return {
        "household": household,
        **found,
        "paying": any(e.until is None for e in found["enrolments"]),
        "may_review": actor.role in services.START_ROLES,
        "may_hand_over": actor.role in services.TRANSFER_ROLES,
    }


def _register_enrolment_life() -> None:
    """Reviews, decisions on assistance in payment, new standards' adjustments, transfers."""
    import datetime

    from django.utils.translation import gettext_lazy as _

    from safetynet.core import jobs
    from safetynet.core.demo import register_demo_builder
    from safetynet.core.workflows.table import register_workflow
    from safetynet.programmes.life import services, workflow
    from safetynet.registry.moves import register_household_moved, register_member_left

    hooks.register_household_panel(
        name="programmes.assistance",
        template="programmes/_assistance_panel.html",
        context=assistance_panel,
        allowed=may_read_registry,
        order=16,
    )
    hooks.register_menu_item(
        name="programmes.reviews",
        label=_("Reviews of assistance"),
        url_name="programmes:reviews",
        roles=["county_bureau", "township_office", "village_coordinator", "city_bureau", "auditor"],
        order=38,
    )
    register_workflow(workflow.REVIEW_FLOW)
    register_workflow(workflow.TRANSFER_FLOW)
    # After the applications: the reviews go on the desks beside them.
    register_demo_builder("programmes.enrolment_life", "safetynet.programmes.life.demo:build_enrolment_life",
                          order=215)
    register_household_moved(name="programmes.reviews", moved=services.follow_the_household)
    register_member_left(name="programmes.member_left_review", left=services.member_left_review)
    jobs.register_recurring_job(
        name="programmes.reviews_schedule",
        label=_("Open the periodic reviews of assistance that have come due"),
        schedule=jobs.Daily(datetime.time(4, 0)),
        run=services.reviews_schedule,
    )
    jobs.register_recurring_job(
        name="programmes.standards_adjust",
        label=_("Adjust the assistance new standards change"),
        schedule=jobs.Daily(datetime.time(1, 30)),
        run=services.standards_adjust_due,
    )
