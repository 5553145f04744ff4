"""Temporary aid (临时救助) as kernel workflows, with the time limits of the 2018 opinion and
Shandong's measures:

- **emergency** (急难型, 先行救助): reported → the township pays first within 24 hours, up to its cap
  (the `temp_township_cap` standard), from its reserve fund, without the economic check, the
  democratic appraisal or the public notice → the paperwork (who registered it, why, how much,
  signatures) completed within 5 days of that payment → further stages of the same approval →
  closed. Above the cap the township refers it to the county, which decides case by case (一事一议)
  within 3 working days, and the township pays within 24 hours of that decision.
- **expenditure** (支出型): submitted → accepted → investigated → decided by the township up to
  its cap (else referred to the county) → paid → closed, or rejected.

The steps that carry records (the payment, the paperwork, the decision, the investigation) are
taken through programmes.aid.services, which fill the record and take the step together; the
guards below refuse those steps on the generic case page, so that none is skipped."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safetynet.core.types import Role
from safetynet.core.workflows.table import (
    CALENDAR_DAYS,
    COUNTY,
    HOURS,
    TOWNSHIP,
    Limit,
    State,
    Transition,
    Workflow,
    roles,
)
from safetynet.core.workflows.table import workflow as workflow_table
from safetynet.registry.rules import READ_ROLES

EMERGENCY = "programmes.temporary_aid_emergency"
EXPENDITURE = "programmes.temporary_aid_expenditure"
SUBJECT = "programmes.temporary_aid"
FIRST_AID_HOURS = 24
PAPERWORK_DAYS = 5

TOWNSHIP_ROLES = roles(Role.TOWNSHIP_OFFICE)
COUNTY_ROLES = roles(Role.COUNTY_BUREAU)
# Who records an emergency or an application: the township, and the county (where it happened in a
# place with no township office at hand: the county pays first too).
RECORDING_ROLES = roles(Role.TOWNSHIP_OFFICE, Role.COUNTY_BUREAU)
# A stage paid through the county's payroll is recorded when the bank's result is read, by whoever
# reads it: the county bureau or its finance officer.
PAYROLL_ROLES = roles(Role.FINANCE_OFFICER)


def _url(case) -> str:
    return reverse("programmes:aid", args=[case.subject_id])


def flow_of(aid):
    return workflow_table(aid.case.workflow)


def by_service(case, actor, data) -> str | None:
    """A step that carries a record is taken with its form (the payment, the paperwork, the
    decision, the investigation), never as a plain step."""
    if not data.get("recorded"):
        return str(
            _("Take this step with its own form on the temporary aid's page: it records what it needs.")
        )
    return None


def no_stages_waiting(case, actor, data) -> str | None:
    """An aid is not closed while stages of it wait for the payroll (the county stops them first)."""
    from safetynet.programmes.models import AidInstalment

    if AidInstalment.objects.filter(
        aid_id=case.subject_id, payment__isnull=True, stopped_at__isnull=True
    ).exists():
        return str(
            _("Stages of this aid still wait for the payroll: they are paid first, or the county stops them.")
        )
    return None


# The steps taken by the services with their records (hidden from the generic step form).
OWN_FORMS = frozenset(
    {
        "pay_first",
        "complete_paperwork",
        "county_decide",
        "county_decide_stages",
        "investigate",
        "decide",
        "refer_county",
        "pay",
    }
)

# Decided by the county to be paid in monthly stages through its payroll: no one is due to pay it by
# hand, so the state has no time limit (the payroll's own day is the clock).
PAYROLL_STAGES = State(
    "payroll_stages", _("Decided by the county: paid in monthly stages through its payroll"), office=COUNTY
)


def _county_decides_stages(target_label):
    return Transition(
        "county_decide_stages",
        target_label,
        ("county_review",),
        "payroll_stages",
        roles=COUNTY_ROLES,
        guards=(by_service,),
    )

EMERGENCY_FLOW = Workflow(
    code=EMERGENCY,
    label=_("Temporary aid, emergency type (paid first)"),
    description=_(
        "The township pays first within 24 hours of the report, up to its cap and from its reserve "
        "fund, and completes the paperwork within 5 days; above the cap the county decides case by case."
    ),
    initial="reported",
    states=[
        State(
            "reported",
            _("Reported: to pay within 24 hours"),
            office=TOWNSHIP,
            limit=Limit(FIRST_AID_HOURS, HOURS),
        ),
        State(
            "county_review",
            _("Above the cap: the county decides case by case"),
            office=COUNTY,
            limit=Limit(3),
        ),
        State(
            "county_approved",
            _("Decided by the county: to pay within 24 hours"),
            office=TOWNSHIP,
            limit=Limit(FIRST_AID_HOURS, HOURS),
        ),
        State(
            "first_aid_paid",
            _("Paid first: paperwork to complete within 5 days"),
            office=TOWNSHIP,
            limit=Limit(PAPERWORK_DAYS, CALENDAR_DAYS),
        ),
        PAYROLL_STAGES,
        State("paperwork_completed", _("Paperwork completed: further stages may be paid"), office=TOWNSHIP),
        State("closed", _("Closed"), final=True),
        State("refused", _("Refused by the county"), final=True),
        State("withdrawn", _("Withdrawn: no aid needed"), final=True),
    ],
    transitions=[
        Transition(
            "pay_first",
            _("Pay first (先行救助)"),
            ("reported", "county_approved", "payroll_stages"),
            "first_aid_paid",
            roles=TOWNSHIP_ROLES | COUNTY_ROLES | PAYROLL_ROLES,
            guards=(by_service,),
        ),
        Transition(
            "refer_county",
            _("Above the cap: refer to the county"),
            ("reported",),
            "county_review",
            roles=TOWNSHIP_ROLES,
            guards=(by_service,),
        ),
        Transition(
            "county_decide",
            _("The county decides case by case (一事一议)"),
            ("county_review",),
            "county_approved",
            roles=COUNTY_ROLES,
            guards=(by_service,),
        ),
        _county_decides_stages(_("The county decides case by case: paid in stages through its payroll")),
        Transition(
            "county_refuse",
            _("The county refuses"),
            ("county_review",),
            "refused",
            roles=COUNTY_ROLES,
            reason_required=True,
        ),
        Transition(
            "complete_paperwork",
            _("Complete the paperwork"),
            ("first_aid_paid",),
            "paperwork_completed",
            roles=TOWNSHIP_ROLES | COUNTY_ROLES,
            guards=(by_service,),
        ),
        Transition(
            "close",
            _("Close"),
            ("paperwork_completed", "payroll_stages"),
            "closed",
            roles=TOWNSHIP_ROLES | COUNTY_ROLES,
            guards=(no_stages_waiting,),
        ),
        Transition(
            "withdraw",
            _("Withdraw: no aid needed"),
            ("reported", "county_review", "county_approved"),
            "withdrawn",
            roles=TOWNSHIP_ROLES | COUNTY_ROLES,
            reason_required=True,
        ),
    ],
    subject_url=_url,
    readers=READ_ROLES,
)

EXPENDITURE_FLOW = Workflow(
    code=EXPENDITURE,
    label=_("Temporary aid, expenditure type"),
    description=_(
        "Application, acceptance, investigation; the township decides up to its cap and the county "
        "above it; then paid and closed."
    ),
    initial="submitted",
    states=[
        State("submitted", _("Submitted: to accept"), office=TOWNSHIP, limit=Limit(3)),
        State("accepted", _("Accepted: to investigate"), office=TOWNSHIP, limit=Limit(5)),
        State("investigated", _("Investigated: to decide"), office=TOWNSHIP, limit=Limit(5)),
        State("county_review", _("Above the cap: the county decides"), office=COUNTY, limit=Limit(5)),
        State("approved", _("Approved: to pay"), office=TOWNSHIP, limit=Limit(5)),
        PAYROLL_STAGES,
        State("paid", _("Paid"), office=TOWNSHIP),
        State("closed", _("Closed"), final=True),
        State("rejected", _("Rejected"), final=True),
    ],
    transitions=[
        Transition("accept", _("Accept"), ("submitted",), "accepted", roles=TOWNSHIP_ROLES),
        Transition(
            "investigate",
            _("Record the investigation"),
            ("accepted",),
            "investigated",
            roles=TOWNSHIP_ROLES,
            guards=(by_service,),
        ),
        Transition(
            "decide", _("Approve"), ("investigated",), "approved", roles=TOWNSHIP_ROLES, guards=(by_service,)
        ),
        Transition(
            "refer_county",
            _("Above the cap: refer to the county"),
            ("investigated",),
            "county_review",
            roles=TOWNSHIP_ROLES,
            guards=(by_service,),
        ),
        Transition(
            "county_decide",
            _("The county approves"),
            ("county_review",),
            "approved",
            roles=COUNTY_ROLES,
            guards=(by_service,),
        ),
        _county_decides_stages(_("The county approves: paid in stages through its payroll")),
        Transition(
            "reject",
            _("Reject (say why)"),
            ("submitted", "accepted", "investigated", "county_review"),
            "rejected",
            roles=TOWNSHIP_ROLES | COUNTY_ROLES,
            reason_required=True,
        ),
        Transition(
            "pay",
            _("Pay"),
            ("approved", "payroll_stages"),
            "paid",
            roles=TOWNSHIP_ROLES | COUNTY_ROLES | PAYROLL_ROLES,
            guards=(by_service,),
        ),
        Transition(
            "close",
            _("Close"),
            ("paid", "payroll_stages"),
            "closed",
            roles=TOWNSHIP_ROLES | COUNTY_ROLES,
            guards=(no_stages_waiting,),
        ),
    ],
    subject_url=_url,
    readers=READ_ROLES,
)

FLOWS = (EMERGENCY_FLOW, EXPENDITURE_FLOW)
