"""An institution's hazard as a kernel workflow (SPEC §6.4 G). Found by an inspector and graded on
the spot: a general hazard is rectified by the institution within the settings' days (7 by default)
and shown rectified by a photo; a major one first gets a rectification plan (person responsible,
funds, measures, deadline) and is listed for supervision (挂牌督办) by the county or city bureau,
then due by the plan's deadline. Either way the inspector or the bureau verifies — on site or from
the evidence, said in the step's reason — and only then is it closed; whoever reported the fix does
not verify it. Overdue hazards go up to the city by the kernel's sweep. An institution's staff and
its inspector act on its hazards by their grants."""

import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safetynet.core.scope import granted_ids, may_hold
from safetynet.core.types import Role
from safetynet.core.workflows.selectors import last_step
from safetynet.core.workflows.table import (
    ANY_STATE,
    CALENDAR_DAYS,
    COUNTY,
    WORKING_DAYS,
    Evidence,
    Limit,
    State,
    Transition,
    Workflow,
    end_of_day,
    roles,
)
from safetynet.institutions.models import Hazard
from safetynet.institutions.selectors import GRANT_KIND, READ_ROLES

CODE = "institutions.hazard"
SUBJECT = "institutions.hazard"
INSPECTORS = roles(Role.INSPECTOR, Role.COUNTY_BUREAU, Role.CITY_BUREAU)
BUREAUS = roles(Role.COUNTY_BUREAU, Role.CITY_BUREAU)
RECTIFIERS = roles(Role.INSTITUTION_STAFF, Role.COUNTY_BUREAU)


def _hazard_url(case) -> str:
    return reverse("institutions:hazard_detail", args=[case.subject_id])


def granted_hazards(actor) -> Q:
    """The hazard cases of the institutions granted to the actor (its staff, its inspector)."""
    if not may_hold(actor, GRANT_KIND):
        return Q(pk__in=[])
    hazards = Hazard.objects.filter(institution_id__in=granted_ids(actor, GRANT_KIND)).values("pk")
    return Q(subject_kind=SUBJECT, subject_id__in=hazards)


def _hazard(case) -> Hazard:
    return Hazard.objects.select_for_update().get(pk=case.subject_id)


def _not_the_reporter(case, actor, data) -> str | None:
    """Four eyes on every closure: whoever reported the rectification does not verify it."""
    # The latest report of either kind: a hazard regraded to major was reported rectified twice.
    steps = (last_step(case, "report_rectified"), last_step(case, "report_major_rectified"))
    reports = [step for step in steps if step is not None]
    reported = max(reports, key=lambda step: (step.at, step.pk), default=None)
    if reported is not None and reported.actor_id == actor.pk:
        return _("You reported this rectification yourself: someone else verifies it.")
    return None


def _plan_recorded(case, actor, data) -> str | None:
    if not Hazard.objects.get(pk=case.subject_id).plan_recorded:
        return _("Record the rectification plan first: person responsible, measures and deadline.")
    return None


def _grade(value: str):
    def effect(case, event) -> None:
        hazard = _hazard(case)
        if hazard.grade != value:
            hazard.grade = value
            hazard.version += 1
            hazard.save(update_fields=["grade", "version"])

    return effect


def _due_by_plan(case, event) -> None:
    """Listed for supervision: due by the end of the plan's deadline."""
    hazard = _hazard(case)
    case.due_at = end_of_day(hazard.plan_deadline, timezone.get_current_timezone())
    case.due_provisional = False
    case.save(update_fields=["due_at", "due_provisional"])
    event.due_at = case.due_at
    event.save(update_fields=["due_at"])


HAZARD = Workflow(
    code=CODE,
    label=_("Institution hazard"),
    description=_(
        "A hazard found at an institution: a general one rectified within its days and shown by a "
        "photo; a major one planned, listed for supervision and rectified by its plan's deadline. "
        "Verified before it is closed; overdue hazards are escalated to the city."
    ),
    initial="found",
    states=[
        State("found", _("Found, to grade"), office=COUNTY, limit=Limit(1, CALENDAR_DAYS)),
        State(
            "rectifying",
            _("To rectify"),
            office=COUNTY,
            limit=Limit(settings.SAFETYNET_HAZARD_RECTIFY_DAYS, CALENDAR_DAYS),
        ),
        State("to_verify", _("Rectified, to verify"), office=COUNTY, limit=Limit(3, WORKING_DAYS)),
        State("planning", _("Major: rectification plan"), office=COUNTY, limit=Limit(5, WORKING_DAYS)),
        State("supervised", _("Major: under listed supervision"), office=COUNTY),
        State(
            "major_to_verify", _("Major: rectified, to verify"), office=COUNTY, limit=Limit(5, WORKING_DAYS)
        ),
        State("closed", _("Verified and closed"), final=True),
        State("withdrawn", _("Withdrawn"), final=True),
    ],
    transitions=[
        Transition(
            "grade_general",
            _("Grade as a general hazard"),
            ("found",),
            "rectifying",
            roles=INSPECTORS,
            effect=_grade(Hazard.Grade.GENERAL),
        ),
        Transition(
            "grade_major",
            _("Grade as a major hazard"),
            ("found",),
            "planning",
            roles=INSPECTORS,
            effect=_grade(Hazard.Grade.MAJOR),
        ),
        Transition(
            "regrade_major",
            _("Regrade as a major hazard"),
            ("rectifying",),
            "planning",
            roles=INSPECTORS,
            reason_required=True,
            effect=_grade(Hazard.Grade.MAJOR),
        ),
        Transition(
            "report_rectified",
            _("Report rectified"),
            ("rectifying",),
            "to_verify",
            roles=RECTIFIERS,
            evidence=(Evidence("photo", _("a photo of the rectification")),),
        ),
        Transition(
            "verify",
            _("Verify and close"),
            ("to_verify", "major_to_verify"),
            "closed",
            roles=INSPECTORS,
            reason_required=True,
            guards=(_not_the_reporter,),
        ),
        Transition(
            "send_back",
            _("Send back: not rectified"),
            ("to_verify",),
            "rectifying",
            roles=INSPECTORS,
            reason_required=True,
        ),
        Transition(
            "list_supervision",
            _("List for supervision (挂牌督办)"),
            ("planning",),
            "supervised",
            roles=BUREAUS,
            guards=(_plan_recorded,),
            effect=_due_by_plan,
        ),
        Transition(
            "report_major_rectified",
            _("Report rectified"),
            ("supervised",),
            "major_to_verify",
            roles=RECTIFIERS,
            evidence=(Evidence("photo", _("a photo of the rectification")),),
        ),
        Transition(
            "send_back_major",
            _("Send back: not rectified"),
            ("major_to_verify",),
            "supervised",
            roles=INSPECTORS,
            reason_required=True,
            effect=_due_by_plan,
        ),
        Transition(
            "withdraw",
            _("Withdraw (recorded in error)"),
            (ANY_STATE,),
            "withdrawn",
            roles=BUREAUS,
            reason_required=True,
        ),
    ],
    subject_url=_hazard_url,
    readers=READ_ROLES,
    granted=granted_hazards,
)

# The plan's deadline lies within this of the day it is recorded.
LONGEST_PLAN = datetime.timedelta(days=366)
