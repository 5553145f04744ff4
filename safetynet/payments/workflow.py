"""A county's monthly payroll as a kernel workflow: drafted (by the recurring job on the county's
day, or by a county officer), checked by another, approved by a third — no one takes two of the
three steps — then exported to the bank, reconciled with the bank's result and closed. A draft
may be sent back and drafted again; once approved, its lines are the ledger's entitlements."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safetynet.core.types import Role
from safetynet.core.workflows.selectors import last_step
from safetynet.core.workflows.table import (
    CALENDAR_DAYS,
    COUNTY,
    WORKING_DAYS,
    Limit,
    State,
    Transition,
    Workflow,
    roles,
)
from safetynet.payments import steps

CODE = "payments.payroll"
SUBJECT = "payments.run"
PAYROLL_ROLES = roles(Role.COUNTY_BUREAU, Role.FINANCE_OFFICER)
APPROVERS = roles(Role.COUNTY_BUREAU)
READERS = roles(Role.CITY_BUREAU, Role.COUNTY_BUREAU, Role.FINANCE_OFFICER, Role.AUDITOR)


def _run_url(case) -> str:
    return reverse("payments:run", args=[case.subject_id])


def _hands(case) -> dict[str, int | None]:
    """Who drafted (the opener, or whoever drafted it again) and who checked."""
    redraft = last_step(case, "redraft")
    drafted = redraft.actor_id if redraft is not None else case.opened_by_id
    checked = last_step(case, "check")
    return {"drafted": drafted, "checked": checked.actor_id if checked is not None else None}


def _not_the_maker(case, actor, data) -> str | None:
    if _hands(case)["drafted"] == actor.pk:
        return _("You drafted this payroll: another officer checks and approves it.")
    return None


def _not_the_checker(case, actor, data) -> str | None:
    if _hands(case)["checked"] == actor.pk:
        return _("You checked this payroll: a third officer approves it.")
    return None


PAYROLL = Workflow(
    code=CODE,
    label=_("Monthly payroll"),
    description=_(
        "A county's payroll for a month: drafted, checked by another officer, approved by a third, "
        "exported to the bank, reconciled with the bank's result and closed."
    ),
    initial="draft",
    states=[
        State("draft", _("Drafted, to check"), office=COUNTY, limit=Limit(2, WORKING_DAYS)),
        State("checked", _("Checked, to approve"), office=COUNTY, limit=Limit(2, WORKING_DAYS)),
        State("approved", _("Approved, to export"), office=COUNTY, limit=Limit(1, WORKING_DAYS)),
        State("exported", _("Sent to the bank, to reconcile"), office=COUNTY, limit=Limit(10, CALENDAR_DAYS)),
        State("reconciled", _("Reconciled, to close"), office=COUNTY, limit=Limit(5, WORKING_DAYS)),
        State("closed", _("Payroll closed"), final=True),
    ],
    transitions=[
        Transition(
            "redraft", _("Draft again"), ("draft",), "draft", roles=PAYROLL_ROLES, effect=steps.redraft
        ),
        Transition(
            "check", _("Checked"), ("draft",), "checked", roles=PAYROLL_ROLES, guards=(_not_the_maker,)
        ),
        Transition(
            "send_back",
            _("Send back to draft"),
            ("checked",),
            "draft",
            roles=PAYROLL_ROLES,
            reason_required=True,
        ),
        Transition(
            "approve",
            _("Approve"),
            ("checked",),
            "approved",
            roles=APPROVERS,
            guards=(_not_the_maker, _not_the_checker),
            effect=steps.approve,
        ),
        Transition(
            "export",
            _("Export to the bank"),
            ("approved",),
            "exported",
            roles=PAYROLL_ROLES,
            effect=steps.export,
        ),
        Transition(
            "reconcile",
            _("Reconcile with the bank's result"),
            ("exported", "reconciled"),
            "reconciled",
            roles=PAYROLL_ROLES,
            guards=(steps.result_given,),
        ),
        Transition(
            "close",
            _("Close"),
            ("reconciled",),
            "closed",
            roles=PAYROLL_ROLES,
            guards=(steps.nothing_awaits_the_bank,),
        ),
    ],
    subject_url=_run_url,
    readers=READERS,
)
