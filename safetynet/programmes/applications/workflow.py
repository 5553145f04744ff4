"""Applications as kernel workflows, step by step as SPEC §6.4 A (低保, and 低保边缘 and 刚性支出
which follow the same procedure) and C (特困) set them out, with the statute's time limits:

- the township accepts, or returns the application once with every missing material (art. 10);
- it starts the investigation within 3 working days of acceptance (art. 15);
- the county starts the data match within 3 working days of the request (art. 17); a match that
  shows the household ineligible is told to it, and it may object with evidence (art. 18);
- the township gives its opinion, posts it for 7 days, and re-investigates an objection (art. 19);
- the county decides within 10 working days (特困: 15, spot-checking at least 30 % of the files,
  art. 16); a rejection is notified in writing within 3 working days (art. 21);
- the whole: 30 working days from acceptance (低保, art. 22); the 特困 township opinion within 15
  working days of acceptance (art. 13).

The steps that carry records (the investigation, the data match, the decision) are taken through
the app's services, which fill the record and take the step together; the guards below refuse a
step whose record is missing, so the generic case page cannot skip one."""

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
from safetynet.core.workflows.table import workflow as workflow_table
from safetynet.registry.rules import READ_ROLES

LOW_INCOME = "programmes.application"
# Where the county has devolved the decision to its townships (the "devolved" standard): 20 working
# days in all, decided by the township (2022 notice).
DEVOLVED = "programmes.application_devolved"
TEKUN = "programmes.tekun_application"
SUBJECT = "programmes.application"
NOTICE_DAYS = 7  # 公示 (art. 19; 特困 art. 15)

TOWNSHIP_ROLES = roles(Role.TOWNSHIP_OFFICE)
COUNTY_ROLES = roles(Role.COUNTY_BUREAU)
# Who helps a household put its application together and hands it in: the village's coordinator.
HELPERS = roles(Role.VILLAGE_COORDINATOR, Role.TOWNSHIP_OFFICE)


def workflow_code(programme: str, *, devolved: bool = False) -> str:
    if programme == "tekun":
        return TEKUN
    return DEVOLVED if devolved else LOW_INCOME


def flow_of(application):
    return workflow_table(application.case.workflow)


def _application(case):
    from safetynet.programmes.models import Application

    return Application.objects.get(case=case)


def _url(case) -> str:
    return reverse("programmes:application", args=[case.subject_id])


# --- guards: a step whose record is missing is refused, in the user's words ----------------------------


def investigated(case, actor, data) -> str | None:
    application = _application(case)
    if len(application.investigators) < 2 or not application.investigated_at:
        return str(
            _(
                "Record the investigation first: at least two investigators, what they did and "
                "what they found (art. 16)."
            )
        )
    return None


def match_filled(case, actor, data) -> str | None:
    application = _application(case)
    if application.match_filled_at is None:
        return str(_("Fill in the data match first: what each department's records show (art. 17)."))
    return None


def match_passes(case, actor, data) -> str | None:
    refusal = investigated(case, actor, data) or match_filled(case, actor, data)
    if refusal:
        return refusal
    if _application(case).match_passes is False:
        return str(
            _(
                "The data match shows the household does not qualify: tell the household, who may "
                "object with evidence (art. 18)."
            )
        )
    return None


def match_failed(case, actor, data) -> str | None:
    refusal = match_filled(case, actor, data)
    if refusal:
        return refusal
    if _application(case).match_passes is not False:
        return str(_("The data match shows the household qualifies: give the township's opinion."))
    return None


def through_notice(case, actor, data) -> str | None:
    """Nobody is approved without the township's opinion and the public notice (arts. 19, 28): a file
    sent on because the match showed it does not qualify can only be rejected."""
    application = _application(case)
    if not application.opinion or "public_notice" not in case.entered:
        return str(
            _(
                "This file did not go through the township's opinion and the public notice: it can "
                "only be rejected, or sent back by the household's objection."
            )
        )
    return notice_over(case, actor, data)


def self_care_assessed(case, actor, data) -> str | None:
    """特困: the care tier the amount pays is set by the six-item assessment (art. 21), made for this
    application or since it was handed in."""
    from safetynet.programmes.applications.selectors import assessed_since

    application = _application(case)
    if application.programme == "tekun" and not assessed_since(application):
        return str(_("Assess the applicant's self-care ability first: it sets the care the amount pays."))
    return None


def report_answered(case, actor, data) -> str | None:
    from safetynet.programmes.models import SelfCareReport

    if not SelfCareReport.objects.filter(pk=case.subject_id, assessment__isnull=False).exists():
        return str(_("Record the six-item assessment: it answers the report."))
    return None


def redecided_on_appeal(case, actor, data) -> str | None:
    if not data.get("appeal"):
        return str(
            _("A rejection is changed only by the outcome of an appeal: record it on the application.")
        )
    return None


def notice_over(case, actor, data) -> str | None:
    application = _application(case)
    today = timezone.localdate()
    if application.notice_until is None or today <= application.notice_until:
        return str(
            _("The public notice runs until %(day)s: the file goes to the county after it ends.")
            % {"day": application.notice_until.isoformat() if application.notice_until else "—"}
        )
    if application.objections.filter(settled="").exists():
        return str(_("An objection to the notice is not settled: re-investigate it first."))
    return None


def county_may_decide(case, actor, data) -> str | None:
    from safetynet.programmes.applications.selectors import (
        complained_about,
        county_visited,
        near_relatives_now,
    )

    application = _application(case)
    relatives = near_relatives_now(application)
    if relatives and not county_visited(application):
        return str(
            _(
                "A member is a near relative of %(staff)s: the county visits the household itself "
                "before approving (art. 20)."
            )
            % {"staff": "、".join(relatives)}
        )
    if complained_about(application) and not county_visited(application):
        return str(_("A report was made about this household: the county visits it itself before approving."))
    if application.spot_check and not application.spot_checked:
        return str(_("This file was chosen for the county's spot-check: record the spot-check first."))
    return None


# name → effect: filled by applications.services when it is imported (programmes.hooks imports it
# with the tables), so that this table, which the services read, does not import them.
EFFECTS: dict = {}


def _effect(name: str):
    """The services' effect of that name, looked up when the step is taken."""

    def run(case, event):
        return EFFECTS[name](case, event)

    return run


def _states(
    *, review_days: int, opinion_days: int, overall_to_decision: bool, decided_by: str = COUNTY
) -> list[State]:
    """The states, each with its own limit and the statute's overall one it also keeps: for 低保 30
    working days from acceptance to the decision, which the county may extend to 45 with a recorded
    reason (art. 22); for 特困 15 working days from acceptance to the township's opinion (art. 13)."""
    overall = Limit(opinion_days, since="accepted", extendable=overall_to_decision)
    later = overall if overall_to_decision else None  # after the opinion: 低保's overall limit only
    return [
        State("submitted", _("Submitted: to accept"), office=TOWNSHIP, limit=Limit(3)),
        State("returned", _("Returned: materials missing"), office=TOWNSHIP),
        State(
            "accepted",
            _("Accepted: investigation to start"),
            office=TOWNSHIP,
            limit=Limit(3),
            overall=overall,
        ),
        State("investigating", _("Investigating"), office=TOWNSHIP, limit=overall),
        State("match_requested", _("Data match requested"), office=COUNTY, limit=Limit(3), overall=overall),
        State("matched", _("Data matched"), office=TOWNSHIP, limit=overall),
        State(
            "told_ineligible", _("Told the match shows it does not qualify"), office=TOWNSHIP, limit=overall
        ),
        State(
            "opinion", _("Township opinion given: to post"), office=TOWNSHIP, limit=Limit(2), overall=later
        ),
        # Seven days of notice from the day after posting (Civil Code art. 201); on the eighth the
        # file goes on.
        State(
            "public_notice",
            _("On public notice"),
            office=TOWNSHIP,
            limit=Limit(NOTICE_DAYS + 1, CALENDAR_DAYS),
            overall=later,
        ),
        State(
            "reinvestigation",
            _("Re-investigating an objection"),
            office=TOWNSHIP,
            limit=Limit(15),
            overall=later,
        ),
        # Named for the county; where it has devolved the decision, the township's desk holds it.
        State(
            "county_review",
            _("County review") if decided_by == COUNTY else _("Township decision"),
            office=decided_by,
            limit=Limit(review_days),
            overall=later,
        ),
        State("approved", _("Approved"), final=True),
        State("rejected", _("Rejected: written notice to give"), office=decided_by, limit=Limit(3)),
        State("rejection_notified", _("Rejected and notified"), final=True),
        State("approved_on_appeal", _("Approved on appeal"), final=True),
        State("terminated", _("Ended: the household did not cooperate"), final=True),
        State("withdrawn", _("Withdrawn by the household"), final=True),
    ]


# The states before a decision: the household may withdraw, and the county end a file for
# non-cooperation, only while nothing is decided.
UNDECIDED = (
    "submitted",
    "returned",
    "accepted",
    "investigating",
    "match_requested",
    "matched",
    "told_ineligible",
    "opinion",
    "public_notice",
    "reinvestigation",
    "county_review",
)


def _transitions(deciders=COUNTY_ROLES) -> list[Transition]:
    """The steps; `deciders`: who approves and rejects (the county, or the township where the county
    has devolved it)."""
    return [
        Transition(
            "return",
            _("Return: materials missing (say all of them at once)"),
            ("submitted",),
            "returned",
            roles=TOWNSHIP_ROLES,
            reason_required=True,
            effect=_effect("materials_missing"),
        ),
        Transition(
            "resubmit", _("Hand in again with the materials"), ("returned",), "submitted", roles=HELPERS
        ),
        Transition("accept", _("Accept"), ("submitted",), "accepted", roles=TOWNSHIP_ROLES),
        Transition(
            "start", _("Start the investigation"), ("accepted",), "investigating", roles=TOWNSHIP_ROLES
        ),
        Transition(
            "request_match",
            _("Ask the county for the data match"),
            ("investigating",),
            "match_requested",
            roles=TOWNSHIP_ROLES,
        ),
        Transition(
            "matched",
            _("Data match filled in"),
            ("match_requested",),
            "matched",
            roles=COUNTY_ROLES,
            guards=(match_filled,),
        ),
        Transition(
            "tell_ineligible",
            _("Tell the household the match shows it does not qualify"),
            ("matched",),
            "told_ineligible",
            roles=TOWNSHIP_ROLES,
            reason_required=True,
            guards=(match_failed,),
        ),
        Transition(
            "object",
            _("The household objects with evidence: check again"),
            ("told_ineligible",),
            "investigating",
            roles=TOWNSHIP_ROLES,
            reason_required=True,
            effect=_effect("checked_again"),
        ),
        Transition(
            "forward_ineligible",
            _("No objection: send to the county to decide"),
            ("told_ineligible",),
            "county_review",
            roles=TOWNSHIP_ROLES,
            effect=_effect("review_begins"),
        ),
        Transition(
            "opinion",
            _("Give the township's opinion"),
            ("matched",),
            "opinion",
            roles=TOWNSHIP_ROLES,
            guards=(match_passes,),
            reason_required=True,
            effect=_effect("opinion_given"),
        ),
        Transition(
            "publish",
            _("Post the public notice (7 days)"),
            ("opinion",),
            "public_notice",
            roles=TOWNSHIP_ROLES,
            effect=_effect("notice_posted"),
        ),
        Transition(
            "objection",
            _("An objection was raised"),
            ("public_notice",),
            "reinvestigation",
            roles=TOWNSHIP_ROLES,
            reason_required=True,
            effect=_effect("objection_raised"),
        ),
        Transition(
            "reopinion",
            _("Objection settled: give the opinion again"),
            ("reinvestigation",),
            "opinion",
            roles=TOWNSHIP_ROLES,
            reason_required=True,
            effect=_effect("objections_settled"),
        ),
        Transition(
            "no_objection",
            _("Notice over without objection: send to the county"),
            ("public_notice",),
            "county_review",
            roles=TOWNSHIP_ROLES,
            guards=(notice_over,),
            effect=_effect("review_begins"),
        ),
        Transition(
            "approve",
            _("Approve"),
            ("county_review",),
            "approved",
            roles=deciders,
            guards=(match_passes, through_notice, county_may_decide, self_care_assessed),
            effect=_effect("approved"),
        ),
        Transition(
            "reject",
            _("Reject (say why)"),
            ("county_review",),
            "rejected",
            roles=deciders,
            reason_required=True,
            effect=_effect("rejected"),
        ),
        Transition(
            "notify",
            _("Written notice of the rejection given"),
            ("rejected",),
            "rejection_notified",
            roles=deciders | TOWNSHIP_ROLES,
        ),
        # Taken by the appeal's outcome (services.appeal_decide), never on its own: see the guard.
        Transition(
            "redecide",
            _("Approved on appeal"),
            ("rejected",),
            "approved_on_appeal",
            roles=COUNTY_ROLES,
            guards=(redecided_on_appeal,),
        ),
        Transition(
            "terminate",
            _("End: the household does not cooperate (art. 29)"),
            UNDECIDED,
            "terminated",
            roles=deciders | COUNTY_ROLES,
            reason_required=True,
        ),
        Transition(
            "withdraw",
            _("The household withdraws"),
            UNDECIDED,
            "withdrawn",
            roles=TOWNSHIP_ROLES,
            reason_required=True,
        ),
    ]


LOW_INCOME_FLOW = Workflow(
    code=LOW_INCOME,
    label=_("Application for minimum living security (also near-minimum and rigid-expense)"),
    description=_(
        "From the application to the county's decision within 30 working days of acceptance: "
        "investigation by two, data match, township opinion, 7 days of public notice, county "
        "review within 10 working days, a rejection notified in writing within 3."
    ),
    initial="submitted",
    states=_states(review_days=10, opinion_days=30, overall_to_decision=True),
    transitions=_transitions(),
    subject_url=_url,
    readers=READ_ROLES,
    extension_roles=COUNTY_ROLES,
    max_extension=15,
)

DEVOLVED_FLOW = Workflow(
    code=DEVOLVED,
    label=_("Application for minimum living security, decided by the township"),
    description=_(
        "Where the county has devolved the decision: from the application to the township's decision "
        "within 20 working days of acceptance; the county still does the data match."
    ),
    initial="submitted",
    states=_states(review_days=10, opinion_days=20, overall_to_decision=True, decided_by=TOWNSHIP),
    transitions=_transitions(deciders=TOWNSHIP_ROLES),
    subject_url=_url,
    readers=READ_ROLES,
    extension_roles=TOWNSHIP_ROLES,
    max_extension=25,
)

APPLICATION_FLOWS = (LOW_INCOME, DEVOLVED, TEKUN)

TEKUN_FLOW = Workflow(
    code=TEKUN,
    label=_("Application for extreme poverty assistance"),
    description=_(
        "The township's opinion within 15 working days of acceptance, 7 days of public notice, "
        "the county's review within 15 working days with a spot-check of at least 30 percent of the "
        "files, a rejection notified in writing within 3."
    ),
    initial="submitted",
    states=_states(review_days=15, opinion_days=15, overall_to_decision=False),
    transitions=_transitions(),
    subject_url=_url,
    readers=READ_ROLES,
)

# A reported change of a 特困 person's self-care ability: the county re-assesses within 10 working
# days of the report (art. 23).
SELF_CARE_CHANGE = "programmes.self_care_change"
SELF_CARE_SUBJECT = "programmes.self_care_report"
SELF_CARE_FLOW = Workflow(
    code=SELF_CARE_CHANGE,
    label=_("Reported change of self-care ability"),
    description=_("The county re-assesses the person within 10 working days of the report."),
    initial="reported",
    states=[
        State("reported", _("Reported: to re-assess"), office=COUNTY, limit=Limit(10)),
        State("assessed", _("Re-assessed"), final=True),
    ],
    transitions=[
        Transition(
            "assess",
            _("Re-assess (six items)"),
            ("reported",),
            "assessed",
            roles=COUNTY_ROLES,
            guards=(report_answered,),
        )
    ],
    subject_url=lambda case: reverse("programmes:self_care_report", args=[case.subject_id]),
    readers=READ_ROLES,
)
