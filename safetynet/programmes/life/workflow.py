"""The life of an enrolment as kernel workflows (SPEC §6.4 B, and C for a 特困 termination):

- a review: the township visits the household at home and reports what it found; the county decides
  within 10 working days — continue, adjust, suspend, terminate, phase out or reduce a member's
  share — and the decision is notified in writing with its reasons (art. 32). A 特困 person is
  told 7 days before a termination takes effect, and may object (特困认定办法 art. 25);
- a transfer: the county a household moved to confirms, within 10 working days, the amount it
  pays at its own standard from the first month it pays.

The steps that carry records (the visit, the decision) are taken through life.services, which fill
the record and take the step together; the guards refuse a step whose record is missing, so the
generic case page cannot skip one."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safetynet.core.types import Role
from safetynet.core.workflows.table import (
    CALENDAR_DAYS,
    COUNTY,
    TOWNSHIP,
    Limit,
    State,
    Transition,
    Workflow,
    roles,
)
from safetynet.registry.rules import READ_ROLES

REVIEW = "programmes.review"
REVIEW_SUBJECT = "programmes.review"
TRANSFER = "programmes.transfer"
TRANSFER_SUBJECT = "programmes.transfer"
TERMINATION_NOTICE_DAYS = 7

TOWNSHIP_ROLES = roles(Role.TOWNSHIP_OFFICE)
COUNTY_ROLES = roles(Role.COUNTY_BUREAU)

# name → effect, filled by life.services when imported (as for the applications' table).
EFFECTS: dict = {}


def _effect(name: str):
    def run(case, event):
        return EFFECTS[name](case, event)

    return run


def _review(case):
    from safetynet.programmes.models import Review

    return Review.objects.get(pk=case.subject_id)


def visited(case, actor, data) -> str | None:
    review = _review(case)
    if len(review.visitors) < 2 or review.visited_on is None or not review.findings:
        return str(_("Record the home visit first: at least two visitors, the day and what they found."))
    return None


def outcome_recorded(case, actor, data) -> str | None:
    if not _review(case).outcome:
        return str(_("Decide through the review's page: the outcome, the amount and the reasons go with it."))
    return None


def notice_over(case, actor, data) -> str | None:
    review = _review(case)
    ends = review.decided_at and timezone.localtime(review.decided_at).date() + datetime.timedelta(
        days=TERMINATION_NOTICE_DAYS
    )
    if ends is None or timezone.localdate() <= ends:
        return str(
            _("The person is told 7 days before the termination: it takes effect after %(day)s.")
            % {"day": ends.isoformat() if ends else "—"}
        )
    return None


REVIEW_FLOW = Workflow(
    code=REVIEW,
    label=_("Review of assistance in payment"),
    description=_(
        "The township visits the household and reports what it found; the county decides within 10 "
        "working days and notifies the decision in writing with its reasons. A person in extreme "
        "poverty is told 7 days before a termination takes effect."
    ),
    initial="visit",
    states=[
        State("visit", _("To visit the household"), office=TOWNSHIP, limit=Limit(15)),
        State("decide", _("County to decide"), office=COUNTY, limit=Limit(10)),
        State(
            "termination_notice",
            _("Termination notified: 7 days before it takes effect"),
            office=COUNTY,
            limit=Limit(TERMINATION_NOTICE_DAYS + 1, CALENDAR_DAYS),
        ),
        State("decided", _("Decided and notified"), final=True),
        State("terminated", _("Terminated after the notice"), final=True),
    ],
    transitions=[
        Transition(
            "visited",
            _("Home visit done: send to the county"),
            ("visit",),
            "decide",
            roles=TOWNSHIP_ROLES | COUNTY_ROLES,
            guards=(visited,),
        ),
        Transition(
            "decide",
            _("Decide"),
            ("decide",),
            "decided",
            roles=COUNTY_ROLES,
            guards=(outcome_recorded,),
            effect=_effect("review_decided"),
        ),
        Transition(
            "notify_termination",
            _("Notify the termination (7 days)"),
            ("decide",),
            "termination_notice",
            roles=COUNTY_ROLES,
            guards=(outcome_recorded,),
        ),
        Transition(
            "object",
            _("The person objects: investigate again"),
            ("termination_notice",),
            "visit",
            roles=COUNTY_ROLES | TOWNSHIP_ROLES,
            reason_required=True,
            effect=_effect("termination_objected"),
        ),
        Transition(
            "terminate",
            _("Notice over: terminate"),
            ("termination_notice",),
            "terminated",
            roles=COUNTY_ROLES,
            guards=(notice_over,),
            effect=_effect("review_decided"),
        ),
    ],
    subject_url=lambda case: reverse("programmes:review", args=[case.subject_id]),
    readers=READ_ROLES,
)


def amount_confirmed(case, actor, data) -> str | None:
    if data.get("amount") is None:
        return str(_("Confirm through the transfer's page: the amount goes with it."))
    return None


TRANSFER_FLOW = Workflow(
    code=TRANSFER,
    label=_("Assistance handed over from another county"),
    description=_(
        "The household moved here from another county, which paid up to the month before the first "
        "month shown: the county confirms within 10 working days the amount it pays at its own standard."
    ),
    initial="to_confirm",
    states=[
        State("to_confirm", _("To confirm the amount"), office=COUNTY, limit=Limit(10)),
        State("confirmed", _("Confirmed"), final=True),
    ],
    transitions=[
        Transition(
            "confirm",
            _("Confirm the amount"),
            ("to_confirm",),
            "confirmed",
            roles=COUNTY_ROLES,
            guards=(amount_confirmed,),
            effect=_effect("transfer_confirmed"),
        ),
    ],
    subject_url=lambda case: reverse("programmes:transfer", args=[case.subject_id]),
    readers=READ_ROLES,
)
