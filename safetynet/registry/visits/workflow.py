"""The problem a visit finds, as a kernel workflow: open on the township's desk for 5 working days
(the default rectification period for a general hazard, SPEC §6.4 G), reported fixed with a photo
of the repair, verified and closed by the township or the county — or sent back, or withdrawn as a
mistake with a reason. Overdue problems go up to the county by the kernel's sweep."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safetynet.core.types import Role
from safetynet.core.workflows.selectors import last_step
from safetynet.core.workflows.table import (
    ANY_STATE,
    TOWNSHIP,
    WORKING_DAYS,
    Evidence,
    Limit,
    State,
    Transition,
    Workflow,
    roles,
)
from safetynet.registry.rules import READ_ROLES

CODE = "registry.problem"
SUBJECT = "registry.problem"
# Who reports a fix: the village's field workers (and the township). Caregivers and service providers
# record visits that open problems (registry.visits.services.GRANTED_VISIT_ROLES) but do not report
# them fixed: they see only the persons granted to them, not the case pages of the area, and the
# photo of a repair they made reaches the case through the coordinator or grid worker who checks it
# — one more pair of eyes before the township verifies.
FIELD = roles(Role.GRID_WORKER, Role.VILLAGE_COORDINATOR)
OFFICES = roles(Role.TOWNSHIP_OFFICE, Role.COUNTY_BUREAU)


def _problem_url(case) -> str:
    return reverse("registry:problem_detail", args=[case.subject_id])


def _not_the_reporter(case, actor, data) -> str | None:
    """Whoever reported the fix does not verify it: four eyes on every closure."""
    reported = last_step(case, "report_fixed")
    if reported is not None and reported.actor_id == actor.pk:
        return _("You reported this fix yourself: another officer verifies it.")
    return None


PROBLEM = Workflow(
    code=CODE,
    label=_("Problem found on a visit"),
    description=_(
        "A hazard or need found in a home: fixed within its time limit, shown fixed by a photo, "
        "verified by the township. Overdue problems are escalated to the county."
    ),
    initial="open",
    states=[
        State("open", _("To be fixed"), office=TOWNSHIP, limit=Limit(5, WORKING_DAYS)),
        State("fixed", _("Fixed, to verify"), office=TOWNSHIP, limit=Limit(3, WORKING_DAYS)),
        State("closed", _("Closed"), final=True),
        State("withdrawn", _("Withdrawn"), final=True),
    ],
    transitions=[
        Transition(
            "report_fixed",
            _("Report fixed"),
            ("open",),
            "fixed",
            roles=FIELD | {Role.TOWNSHIP_OFFICE},
            evidence=(Evidence("photo", _("a photo of the repair")),),
        ),
        Transition("verify", _("Verify and close"), ("fixed",), "closed", roles=OFFICES,
                   guards=(_not_the_reporter,)),
        Transition(
            "send_back", _("Send back: not fixed"), ("fixed",), "open", roles=OFFICES, reason_required=True
        ),
        Transition(
            "withdraw",
            _("Withdraw (recorded in error)"),
            (ANY_STATE,),
            "withdrawn",
            roles=OFFICES,
            reason_required=True,
        ),
    ],
    subject_url=_problem_url,
    readers=READ_ROLES,
)
