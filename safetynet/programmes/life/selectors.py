"""Reads of the life of an enrolment, scoped to the reader's area: reviews, the decisions and their
notices, transfers, and which county pays a household's assistance each month."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from safetynet.core.scope import scope_q
from safetynet.core.types import User
from safetynet.programmes.models import (
    Enrolment,
    EnrolmentDecision,
    RecoveryOrder,
    Review,
    Standard,
    Transfer,
)
from safetynet.registry.rules import may_read_registry

REASONS = Review.Reason.choices


def reviews(*, actor: User) -> QuerySet[Review]:
    if not may_read_registry(actor):
        return Review.objects.none()
    return Review.objects.filter(scope_q(actor, "village_id")).select_related(
        "case", "household__head", "enrolment", "person", "village"
    )


def review_get(*, actor: User, pk: int) -> Review:
    return reviews(actor=actor).get(pk=pk)


def review_list(*, actor: User, reason: str = "", open_only: bool = True, overdue_only: bool = False):
    rows = reviews(actor=actor)
    if reason:
        rows = rows.filter(reason=reason)
    if open_only:
        rows = rows.filter(case__closed_at__isnull=True)
    if overdue_only:
        rows = rows.filter(Q(due_on__lt=timezone.localdate()) | Q(case__overdue_since__isnull=False))
    return rows.order_by("due_on", "pk")


def decisions_of(*, review: Review) -> list[EnrolmentDecision]:
    return list(review.decisions.select_related("successor").order_by("decided_at", "pk"))


def recoveries_of(*, review: Review) -> list[RecoveryOrder]:
    return list(review.recoveries.all())


def decision_get(*, actor: User, pk: int) -> EnrolmentDecision:
    """A decision of a household in the actor's area (its notice to print)."""
    from safetynet.registry.selectors import household_get

    decision = EnrolmentDecision.objects.select_related("enrolment", "household").get(pk=pk)
    household_get(actor=actor, pk=decision.household_id)
    return decision


def household_assistance(*, household, actor: User | None = None) -> dict:
    """A household's assistance in payment, whole: every enrolment with the county that paid it, the
    decisions taken on it, its reviews (the caller has checked the household is in scope)."""
    enrolments = list(
        Enrolment.objects.filter(household=household)
        .select_related("person", "county")
        .order_by("programme", "person_id", "since", "pk")
    )
    decisions = list(EnrolmentDecision.objects.filter(household=household).order_by("-decided_at", "-pk"))
    open_reviews = {
        r.enrolment_id: r for r in Review.objects.filter(household=household, case__closed_at__isnull=True)
    }
    today = timezone.localdate()
    for enrolment in enrolments:
        enrolment.current = enrolment.since <= today and (enrolment.until is None or enrolment.until > today)
        enrolment.open_review = open_reviews.get(enrolment.pk)
    return {
        "enrolments": enrolments,
        "elsewhere": members_assistance_elsewhere(household=household, actor=actor) if actor else [],
        "decisions": decisions,
        "reviews": list(
            Review.objects.filter(household=household).select_related("case").order_by("-opened_at")
        ),
        "transfers": list(Transfer.objects.filter(household=household).select_related("case")),
    }


def monthly_payers(*, household_id: int, programme: str, months: list[datetime.date]) -> dict:
    """For each month (its first day), the enrolments of the household's programme that cover it,
    with the county paying each: one in a month, never two, where the hand-overs are right."""
    rows = list(
        Enrolment.objects.filter(household_id=household_id, programme=programme).values(
            "pk", "county_id", "amount", "since", "until", "person_id"
        )
    )
    return {
        month: [
            {"enrolment": r["pk"], "county": r["county_id"], "amount": r["amount"]}
            for r in rows
            if r["since"] <= month and (r["until"] is None or r["until"] > month)
        ]
        for month in months
    }


def transfers(*, actor: User) -> QuerySet[Transfer]:
    if not may_read_registry(actor):
        return Transfer.objects.none()
    return Transfer.objects.filter(scope_q(actor, "to_village_id")).select_related(
        "case", "household__head", "from_village", "to_village"
    )


def transfer_get(*, actor: User, pk: int) -> Transfer:
    return transfers(actor=actor).get(pk=pk)


def transfer_continued(transfer: Transfer) -> list[Enrolment]:
    """The enrolments the receiving county pays from the transfer's first month (continued there, or
    decided here to begin then)."""
    return list(
        Enrolment.objects.filter(
            pk__in=EnrolmentDecision.objects.filter(transfer=transfer).values("successor")
        ).select_related("person", "previous")
    )


def standards_with_adjustments(limit: int = 20) -> list[Standard]:
    """The approved values that change amounts, newest first, each with its adjustment runs: what the
    standards page shows the city bureau (standards are public policy: no area to scope)."""
    from safetynet.programmes.life.services import ADJUSTED_BY_STANDARDS

    rows = list(
        Standard.objects.filter(
            status=Standard.Status.APPROVED, kind__in=ADJUSTED_BY_STANDARDS, decided_at__isnull=False
        )
        .select_related("division")
        .prefetch_related("adjustments")
        .order_by("-valid_from", "-pk")[:limit]
    )
    for row in rows:
        row.runs = sorted(row.adjustments.all(), key=lambda run: run.ran_at, reverse=True)
    return rows


def work_offers(*, household) -> list:
    """The work offered to the household's members, latest first (the caller has checked the household
    is in scope)."""
    from safetynet.programmes.models import WorkOffer

    return list(
        WorkOffer.objects.filter(household=household)
        .select_related("person", "recorded_by")
        .order_by("-offered_on", "-pk")
    )


def members_assistance_elsewhere(*, household, actor: User) -> list[dict]:
    """What the household's present members received in the households of the actor's area they
    belonged to before (a split, a merge, a move between households keeps its history): each earlier
    household's enrolments during the member's time in it, and the member's own (特困) there."""
    from safetynet.registry.models import Household, Membership

    present = Membership.objects.filter(household=household, left_on__isnull=True).values("person_id")
    readable = Household.objects.filter(scope_q(actor, "village__code")).values("pk")
    before = list(
        Membership.objects.filter(person_id__in=present, left_on__isnull=False, household_id__in=readable)
        .exclude(household=household)
        .select_related("person")
    )
    rows = []
    for membership in before:
        for enrolment in Enrolment.objects.filter(
            Q(person__isnull=True) | Q(person_id=membership.person_id),
            Q(until__isnull=True) | Q(until__gt=membership.joined_on),
            household_id=membership.household_id,
            since__lt=membership.left_on,
        ).order_by("since"):
            rows.append(
                {
                    "member": membership.person.name,
                    "household_id": membership.household_id,
                    "joined_on": membership.joined_on,
                    "left_on": membership.left_on,
                    "enrolment": enrolment,
                }
            )
    return rows


def recovery_orders_to_book(*, booked) -> QuerySet:
    """Every recovery order not among `booked` (a subquery of order ids), as rows for the payments
    ledger: what is to be recovered, where, for which programme."""
    from django.db.models import F

    from safetynet.programmes.models import RecoveryOrder

    return RecoveryOrder.objects.exclude(pk__in=booked).values(
        "pk", "amount", "issued_at", "issued_by_id", "household_id", "reasons", "overpaid_from",
        village=F("household__village_id"), programme=F("review__enrolment__programme"))
