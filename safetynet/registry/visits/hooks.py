"""What household visits add to the kernel and the shared pages: the problem workflow, the visit
checklist, the visits falling due on the work desk, the household page's card, the reaction to a
cold-wave warning, the campaign measures (called from registry.hooks.register)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safetynet.core import hooks
from safetynet.core.checklists import register_checklist
from safetynet.core.selectors import division_names
from safetynet.core.workflows.table import register_evidence_subject, register_workflow
from safetynet.registry import rules
from safetynet.registry.visits import checklist, selectors, services, workflow


def with_state_labels(problems) -> list:
    """The problems, each with the words of its case's state."""
    rows = list(problems)
    for problem in rows:
        problem.state_label = workflow.PROBLEM.state(problem.case.state).label if problem.case_id else ""
    return rows


def visits_panel(actor, household) -> dict:
    visits = selectors.household_visits(actor=actor, household=household)
    problems = selectors.household_problems(actor=actor, household=household)
    return {
        "household": household,
        "visits": list(visits[:10]),
        "may_visit": services.may_visit(actor),
        "problems": with_state_labels(problems.filter(case__closed_at__isnull=True)),
    }


def visits_due_items(actor, until) -> list[hooks.DeskItem]:
    items = []
    for due in selectors.visits_due(actor=actor, until=until):
        household = due.household
        head = household.head.name if household.head_id else ""
        items.append(
            hooks.DeskItem(
                kind=_("Household visit"),
                title=f"{head} · {household.address}" if head else household.address,
                url=reverse("registry:visit_new", args=[household.pk]),
                due_at=due.due_at,
                note=due.reason,
            )
        )
    return items


def cold_wave_entered(warning) -> list[str]:
    """A cold wave: the county's high-risk households are due a visit within the rule's hours (the
    desks show them from now on); say how many."""
    count = selectors.high_risk_households(warning.county_id)
    if not count:
        return []
    county = division_names([warning.county_id]).get(warning.county_id, warning.county_id)
    return [
        _("%(count)s high-risk households of %(county)s are due a visit by %(time)s.")
        % {
            "count": count,
            "county": county,
            "time": timezone.localtime(warning.starts_at).strftime("%Y-%m-%d %H:%M")
            + _(" plus the rule's hours"),
        }
    ]


def register() -> None:
    register_workflow(workflow.PROBLEM)
    register_evidence_subject("registry.visit", rules.READ_ROLES)
    register_checklist(
        code=checklist.CODE, title=gettext_lazy("Household visit checklist"), items=checklist.ITEMS
    )
    hooks.register_desk_source(name="registry.visits_due", items=visits_due_items, roles=selectors.DUE_ROLES)
    hooks.register_household_panel(
        name="registry.visits",
        template="registry/_visits_panel.html",
        context=visits_panel,
        allowed=rules.may_read_registry,
        order=20,
    )
    hooks.register_weather_listener(name="registry.cold_wave_visits", entered=cold_wave_entered)
    hooks.register_menu_item(
        name="registry.problems",
        label=gettext_lazy("Problems"),
        url_name="registry:problem_list",
        allowed=rules.may_read_registry,
        order=30,
    )
    hooks.register_campaign_measure(
        code="registry.households_visited",
        label=gettext_lazy("Households visited"),
        count=selectors.households_visited,
    )
    hooks.register_campaign_measure(
        code="registry.problems_found",
        label=gettext_lazy("Problems found on visits"),
        count=selectors.problems_found,
    )
    hooks.register_campaign_measure(
        code="registry.problems_solved",
        label=gettext_lazy("Problems solved"),
        count=selectors.problems_solved,
    )
