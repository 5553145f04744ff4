"""An incident at an institution as a kernel workflow: opened when it is reported, counted from when it
occurred; the first report upward (初报) is due within the settings' hours (1 for a major incident,
24 for another by default), the written follow-up (续报) within 3 working days of that, then the
county bureau closes it. Overdue cases go up the ladder by the kernel's sweep (county → city).

An institution's own staff read and act on their institution's cases by its grant; a contracted
inspector reads them."""

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safetynet.core.scope import granted_ids, may_hold
from safetynet.core.types import Role
from safetynet.core.workflows.table import (
    ANY_STATE,
    COUNTY,
    HOURS,
    WORKING_DAYS,
    Evidence,
    Limit,
    State,
    Transition,
    Workflow,
    roles,
)

MAJOR = "institutions.incident_major"
ORDINARY = "institutions.incident"
SUBJECT = "institutions.incident"
GRANT_KIND = "institutions.institution"
FOLLOW_UP_DAYS = 3
CLOSE_DAYS = 5

REPORTERS = roles(Role.INSTITUTION_STAFF, Role.COUNTY_BUREAU)
COUNTY_ROLES = roles(Role.COUNTY_BUREAU)
READERS = roles(
    Role.CITY_BUREAU,
    Role.COUNTY_BUREAU,
    Role.TOWNSHIP_OFFICE,
    Role.AUDITOR,
    Role.INSTITUTION_STAFF,
    Role.INSPECTOR,
)


def first_report_hours(major: bool) -> int:
    if major:
        return int(getattr(settings, "SAFETYNET_INCIDENT_FIRST_REPORT_HOURS", 1))
    return int(getattr(settings, "SAFETYNET_INCIDENT_ORDINARY_REPORT_HOURS", 24))


def _incident_url(case) -> str:
    return reverse("institutions:safety_incident", args=[case.subject_id])


def granted_incident_cases(actor) -> Q:
    """The incident cases of the institutions granted to the actor (their staff, their inspector)."""
    from safetynet.institutions.models import Incident

    if not may_hold(actor, GRANT_KIND):
        return Q(pk__in=[])
    return Q(
        subject_kind=SUBJECT,
        subject_id__in=Incident.objects.filter(institution_id__in=granted_ids(actor, GRANT_KIND)).values(
            "pk"
        ),
    )


def incident_workflow(*, major: bool) -> Workflow:
    hours = first_report_hours(major)
    return Workflow(
        code=MAJOR if major else ORDINARY,
        label=_("Major safety incident at an institution")
        if major
        else _("Safety incident at an institution"),
        description=_(
            "An incident at an institution is first reported upward within the hours the rules set, "
            "counted from when it occurred, followed by a written report within 3 working days; the "
            "county bureau then closes it. Overdue cases are escalated."
        ),
        initial="reported",
        states=[
            State("reported", _("Recorded: to report upward"), office=COUNTY, limit=Limit(hours, HOURS)),
            State(
                "first_reported",
                _("Reported upward: written follow-up due"),
                office=COUNTY,
                limit=Limit(FOLLOW_UP_DAYS, WORKING_DAYS),
            ),
            State(
                "followed_up",
                _("Written follow-up in: to close"),
                office=COUNTY,
                limit=Limit(CLOSE_DAYS, WORKING_DAYS),
            ),
            State("closed", _("Closed"), final=True),
            State("withdrawn", _("Withdrawn"), final=True),
        ],
        transitions=[
            Transition(
                "report_first",
                _("First report made upward (初报)"),
                ("reported",),
                "first_reported",
                roles=REPORTERS,
            ),
            Transition(
                "follow_up",
                _("Written follow-up submitted (续报)"),
                ("first_reported",),
                "followed_up",
                roles=REPORTERS,
                evidence=(Evidence("pdf", _("the written report")),),
            ),
            Transition("close", _("Close"), ("followed_up",), "closed", roles=COUNTY_ROLES),
            Transition(
                "send_back",
                _("Send back: follow-up incomplete"),
                ("followed_up",),
                "first_reported",
                roles=COUNTY_ROLES,
                reason_required=True,
            ),
            Transition(
                "withdraw",
                _("Withdraw (recorded in error)"),
                (ANY_STATE,),
                "withdrawn",
                roles=COUNTY_ROLES,
                reason_required=True,
            ),
        ],
        subject_url=_incident_url,
        readers=READERS,
        granted=granted_incident_cases,
    )


def flows() -> list[Workflow]:
    return [incident_workflow(major=True), incident_workflow(major=False)]
