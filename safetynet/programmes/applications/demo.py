"""The demo city's applications (issue 11, item 8): in every township that has demo logins, a handful
of 低保 applications (and one for 特困) handed in by the village coordinator over the last weeks and
taken by the township and the county through the same services the pages use, each stopped at a
different step — so that every state is there, some near their deadline and a few overdue, on the
desks of the village, the township and the county.

Written through the services (a few dozen cases, not a population-scale job): each step at its own
moment in the past, so the deadlines are the statute's from those moments on the official calendar."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.demo import DemoContext, not_after_now
from safetynet.core.scope import subtree_q
from safetynet.core.types import Role
from safetynet.core.workflows.services import case_transition
from safetynet.programmes.applications import complaints, services
from safetynet.programmes.models import Application, Enrolment

# Where each demo application stops, and how many days ago it was handed in. The township walks the
# ones further on faster; the old ones still at an early step are overdue.
PLANS = (
    ("submitted", 1),
    ("submitted", 9),
    ("returned", 6),
    ("accepted", 2),
    ("investigating", 8),
    ("match_requested", 3),
    ("match_requested", 12),
    ("matched", 10),
    ("told_ineligible", 15),
    ("opinion", 12),
    ("public_notice", 14),
    ("reinvestigation", 20),
    ("county_review", 22),
    ("county_review", 36),
    ("approved", 30),
    ("rejection_notified", 34),
    ("withdrawn", 11),
)
PER_TOWNSHIP = 4  # applications per demo township (the plans are dealt out over the townships in turn)
INVESTIGATORS = ("王建国", "李秀英", "张伟", "刘芳", "陈静", "杨磊")
NO_RECORDS = dict.fromkeys(services.MATCH_SOURCES, "无记录")
# The steps from submission, in order, each the township's or the county's, with the day it is taken
# on (days after submission).
PATH = ("accept", "start", "request_match", "matched", "opinion", "publish", "no_objection")


def build_applications(context: DemoContext) -> str | None:
    if abs((timezone.localdate() - context.clock.as_of).days) > 7:
        return _(
            "No applications in progress: their deadlines run from today, and the demo's day is not today."
        )
    logins = sorted(context.users.items())
    city = context.users.get("city")
    if city is not None:
        # The city ran the rules over itself this morning: its hits (qualifying, receiving nothing)
        # are on the coordinators' lists, for them to help apply — 政策找人.
        from safetynet.programmes.services import eligibility_run

        eligibility_run(actor=city, area_code=city.division_id, on=timezone.localdate())
    townships = [user for _name, user in logins if user.role == Role.TOWNSHIP_OFFICE]
    coordinators = {
        user.division_id[:9]: user for _name, user in logins if user.role == Role.VILLAGE_COORDINATOR
    }
    counties = {
        user.division_id: user
        for name, user in logins
        if user.role == Role.COUNTY_BUREAU and not name.endswith("2")
    }
    rng = context.rng("programmes.applications")
    pools = []
    for township in townships:
        coordinator = coordinators.get(township.division_id)
        county = counties.get(township.division_id[:6])
        if coordinator is None or county is None:
            continue
        # From the whole township (the coordinator hands in those of its village, the township the
        # rest). The households the city's run found qualifying go to the plans that end in an
        # approval (the rule must favour them), those of the coordinator's own village last: they
        # stay on its list of 政策找人 hits where the plans allow. The others go to the rest.
        households = _households(township.division_id, limit=PER_TOWNSHIP * 10)
        rng.shuffle(households)
        favoured = _qualifying({h.pk for h in households})
        likely = sorted(
            (h for h in households if h.pk in favoured), key=lambda h: h.village_id != coordinator.division_id
        )
        others = [h for h in households if h.pk not in favoured]
        pools.append((township, coordinator, county, likely, others))
    made = 0
    for township, coordinator, _county, _likely, _others in pools:
        # A near relative of the coordinator, declared: the household's next application is flagged.
        relative = _households(coordinator.division_id, limit=1, keep_for=coordinator.division_id)
        if relative:
            try:
                with transaction.atomic():
                    services.near_relative_declare(
                        actor=coordinator, person_id=relative[0].head_id, relation=_("cousin")
                    )
                    services.application_start(
                        actor=township, household_id=relative[0].pk, programme="dibao", channel="household"
                    )
                made += 1
            except ValidationError:
                pass  # declared already (a city built again over this one): nothing more to show
    # Each plan goes to the next township that has a household for it, round the townships, so that
    # every step is there however few households a township has.
    turn = 0
    for _round in range(max(1, len(pools) * PER_TOWNSHIP // len(PLANS))):
        for target, days_ago in PLANS:
            for attempt in range(len(pools)):
                township, coordinator, county, likely, others = pools[(turn + attempt) % len(pools)]
                if _place(rng, target, days_ago, likely, others, coordinator, township, county):
                    made += 1
                    break
            turn += 1
    for _township, coordinator, county, _likely, _others in pools:
        tekun = _tekun_candidate(coordinator.division_id)
        if tekun is not None:
            try:
                with transaction.atomic():
                    services.application_start(
                        actor=coordinator,
                        household_id=tekun[0],
                        programme="tekun",
                        channel="found",
                        person_id=tekun[1],
                    )
                made += 1
            except ValidationError:
                pass
        # A report about one of the township's households, sent to the township to check.
        about = Application.objects.filter(village_id=coordinator.division_id).order_by("pk").first()
        if about is not None:
            with transaction.atomic():
                complaint = complaints.complaint_receive(
                    actor=county,
                    kind=rng.choice(["real_name", "hotline"]),
                    complainant=_("a neighbour"),
                    contact="",
                    text=_("Says the family runs a shop and has a car."),
                    household_id=about.household_id,
                )
                case_transition(
                    actor=county, case_id=complaint.case_id, transition="send", version=complaint.case.version
                )
    states = dict.fromkeys(s for s, _days in PLANS)
    return _("%(count)s applications in progress and decided, over %(states)s states.") % {
        "count": made,
        "states": len(states),
    }


def _place(rng, target, days_ago, likely, others, coordinator, township, county) -> bool:
    """Walk one plan on the first household of the pool that takes it (a decision needs one the rule
    favours: the next candidate when one is not)."""
    first, then = (likely, others) if target == "approved" else (others, likely)
    while first or then:
        household = (first or then).pop()
        try:
            with transaction.atomic():
                _walk(rng, household, target, days_ago, coordinator, township, county)
        except ValidationError:
            continue
        return True
    return False


def _households(village: str, *, limit: int, keep_for: str = "") -> list:
    """Households of the area receiving nothing and not applying; those the city's run found in the
    village `keep_for` are left for its coordinator to find (政策找人)."""
    from safetynet.programmes.models import EligibilityResult
    from safetynet.registry.models import Household

    receiving = Enrolment.objects.filter(until__isnull=True).values("household_id")
    applied = Application.objects.values("household_id")
    hits = EligibilityResult.objects.filter(qualifies=True, enrolled=False, village_id=keep_for).values(
        "household_id"
    )
    return list(
        Household.objects.filter(subtree_q("village_id", village), status="active", head__isnull=False)
        .exclude(pk__in=receiving)
        .exclude(pk__in=applied)
        .exclude(pk__in=hits)
        .order_by("pk")[:limit]
    )


def _qualifying(household_ids: set) -> set:
    from safetynet.programmes.models import EligibilityResult

    return set(
        EligibilityResult.objects.filter(
            household_id__in=household_ids, programme="dibao", qualifies=True
        ).values_list("household_id", flat=True)
    )


def _tekun_candidate(village: str) -> tuple[int, int] | None:
    from safetynet.registry.models import Membership

    receiving = Enrolment.objects.filter(programme="tekun", until__isnull=True).values("person_id")
    applied = Application.objects.values("household_id")
    older = datetime.date(timezone.localdate().year - 70, 1, 1)
    row = (
        Membership.objects.filter(
            subtree_q("household__village_id", village),
            left_on__isnull=True,
            person__birth_date__lt=older,
            household__status="active",
        )
        .exclude(person_id__in=receiving)
        .exclude(household_id__in=applied)
        .order_by("pk")
        .values_list("household_id", "person_id")
        .first()
    )
    return row


def _walk(rng, household, target: str, days_ago: int, coordinator, township, county) -> None:
    now = timezone.now()
    start = now - datetime.timedelta(days=days_ago, hours=rng.randrange(0, 5))
    helper = coordinator if household.village_id == coordinator.division_id else township
    application = services.application_start(
        actor=helper,
        household_id=household.pk,
        programme="dibao",
        channel=rng.choice(["found", "household", "household"]),
        at=start,
    )
    moment = start
    if target == "submitted":
        return
    if target == "returned":
        _step(
            township,
            application,
            "return",
            moment + datetime.timedelta(days=1),
            _("Household register booklet; the bank card of the applicant; the signed authorisation."),
        )
        return
    if target == "withdrawn":
        _step(township, application, "accept", moment + datetime.timedelta(hours=20))
        _step(
            township,
            application,
            "withdraw",
            moment + datetime.timedelta(days=3),
            _("The household found work and withdrew."),
        )
        return
    day = 0
    for transition in PATH:
        day += 1
        moment = not_after_now(start + datetime.timedelta(days=day * max(1, days_ago // 12), hours=1))
        if transition == "matched":
            case = application.case
            case.refresh_from_db()
            services.match_fill(
                actor=county,
                application_id=application.pk,
                version=case.version,
                results=NO_RECORDS,
                passes=target != "told_ineligible",
                at=moment,
            )
            if target == "matched":
                return
            services.investigation_record(
                actor=township,
                application_id=application.pk,
                investigators=rng.sample(INVESTIGATORS, 2),
                methods=["home_visit", "neighbours"],
                findings=_("Lives on a small pension; no vehicle, no business."),
            )
            if target == "told_ineligible":
                _step(
                    township,
                    application,
                    "tell_ineligible",
                    moment,
                    _("The data match shows a car registered to a member."),
                )
                return
            continue
        if transition == "no_objection" and target == "reinvestigation":
            _step(
                township, application, "objection", moment, _("A neighbour says the son works in the city.")
            )
            return
        if transition == "no_objection":
            # The notice began days ago: it is over when the file goes on.
            application.refresh_from_db()
            if application.notice_until is None or application.notice_until >= timezone.localdate():
                return
        _step(
            township,
            application,
            transition,
            moment,
            _("Meets the conditions; proposed for inclusion.") if transition == "opinion" else "",
        )
        application.case.refresh_from_db()
        if application.case.state == target:
            return
    if target == "county_review":
        return
    decided_at = not_after_now(moment + datetime.timedelta(days=2))
    if target == "approved":
        _step(county, application, "approve", decided_at)
    elif target == "rejection_notified":
        _step(
            county,
            application,
            "reject",
            decided_at,
            _("Income over the standard once the son's support is counted."),
        )
        _step(county, application, "notify", not_after_now(decided_at + datetime.timedelta(days=1)))


def _step(actor, application, transition: str, at: datetime.datetime, reason: str = "") -> None:
    case = application.case
    case.refresh_from_db()
    case_transition(
        actor=actor,
        case_id=case.pk,
        transition=transition,
        version=case.version,
        reason=reason,
        at=not_after_now(at),
    )
