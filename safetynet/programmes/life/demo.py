"""The demo city's assistance in payment (issue 12): in a township of each county, a member of a
household receiving 低保 has died, and the review it opened waits for the township's visit; another
household's review has been decided, its notice ready to print; 兰山区 has handed a household over
to 沂南县, which is to confirm its amount; and the periodic reviews that have come due are on the
townships' desks (the daily job's first run, capped).

Written through the services, as a user would: a few cases per township, not a population-scale job."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.demo import DemoContext
from safetynet.core.scope import subtree_q
from safetynet.core.types import Role
from safetynet.programmes.life import services
from safetynet.programmes.models import Enrolment, Review

SENDING, RECEIVING = "371302", "371321"  # 兰山区 → 沂南县


def _receiving_dibao(township: str, *, members: int = 1, exclude=()) -> list[Enrolment]:
    """Open 低保 enrolments of the township's households with at least `members` current members."""
    from safetynet.registry.models import Household

    households = (
        Household.objects.filter(subtree_q("village_id", township))
        .annotate(current=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        .filter(current__gte=members)
        .values("pk")
    )
    return list(
        Enrolment.objects.filter(
            household_id__in=households, programme="dibao", person__isnull=True, until__isnull=True
        )
        .exclude(household_id__in=exclude)
        .select_related("household")
        .order_by("household_id")[:5]
    )


def build_enrolment_life(context: DemoContext) -> str | None:
    from safetynet.registry import services as registry
    from safetynet.registry.models import Membership

    if abs((timezone.localdate() - context.clock.as_of).days) > 7:
        return _("No reviews in progress: their deadlines run from today, and the demo's day is not today.")
    logins = sorted(context.users.items())
    townships = [user for _name, user in logins if user.role == Role.TOWNSHIP_OFFICE]
    counties = {
        user.division_id: user
        for name, user in logins
        if user.role == Role.COUNTY_BUREAU and not name.endswith("2")
    }
    today = timezone.localdate()
    deaths = decided = handed = 0
    used: set[int] = set()
    # The first demo township of each county: a few cases, not one in every township.
    firsts = {}
    for township in townships:
        firsts.setdefault(township.division_id[:6], township)
    for township in firsts.values():
        county = counties.get(township.division_id[:6])
        if county is None:
            continue
        # A death three weeks ago: the review it opened is on the township's desk.
        for enrolment in _receiving_dibao(township.division_id, members=2, exclude=used):
            member = (
                Membership.objects.filter(household_id=enrolment.household_id, left_on__isnull=True)
                .exclude(person_id=enrolment.household.head_id)
                .order_by("pk")
                .first()
            )
            died = today - datetime.timedelta(days=20)
            if member is None or member.joined_on > died:
                continue
            try:
                with transaction.atomic():
                    registry.member_remove(actor=township, membership=member, left_on=died, reason="deceased")
            except ValidationError:
                continue
            used.add(enrolment.household_id)
            deaths += 1
            break
        # A review started on the family's report, visited and decided: its notice to print.
        for enrolment in _receiving_dibao(township.division_id, exclude=used):
            try:
                with transaction.atomic():
                    review = services.review_start(
                        actor=township,
                        enrolment_id=enrolment.pk,
                        reason="reported",
                        what=_("The family reported a new pension."),
                    )
                    review = services.review_visit_record(
                        actor=township,
                        review_id=review.pk,
                        version=review.version,
                        visitors=["王建国", "李秀英"],
                        visited_on=today - datetime.timedelta(days=2),
                        findings=_("A pension of 100 yuan a month since last month; nothing else changed."),
                    )
                    services.review_decide(
                        actor=county,
                        review_id=review.pk,
                        version=review.version,
                        outcome="adjust",
                        amount=max(enrolment.amount - 100, 0) or 1,
                        reasons=_("A new pension of 100 yuan a month."),
                    )
            except ValidationError:
                continue
            used.add(enrolment.household_id)
            decided += 1
            break
    # 兰山区 hands a household over to a village of 沂南县 with households.
    sending = counties.get(SENDING)
    target = next((code for code in context.villages if code.startswith(RECEIVING)), None)
    if sending is not None and target is not None and RECEIVING in counties:
        township = next((t for t in townships if t.division_id.startswith(SENDING)), None)
        for enrolment in _receiving_dibao(township.division_id if township else SENDING, exclude=used):
            try:
                with transaction.atomic():
                    services.transfer_hand_over(
                        actor=sending,
                        household_id=enrolment.household_id,
                        village_code=target,
                        note=_("Hukou moved with the family."),
                    )
            except ValidationError:
                continue
            handed += 1
            break
    services.reviews_schedule()
    periodic = Review.objects.filter(reason=Review.Reason.SCHEDULED).count()
    return _(
        "%(deaths)s reviews after a death, %(decided)s decided with a notice, %(handed)s household "
        "handed over to another county, %(periodic)s periodic reviews due."
    ) % {"deaths": deaths, "decided": decided, "handed": handed, "periodic": periodic}
