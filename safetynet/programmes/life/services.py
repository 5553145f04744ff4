# ruff: noqa: S608  (the engine's statements are made from the rules, numbers and dates; never from input)
"""Writes of the life of an enrolment (SPEC §6.4 B): reviews — scheduled by a recurring job, or
started by a change, a death, an alert — with their home visit and the county's decision; the
decisions themselves, each with its written notice; the batch of adjustments a new standard makes;
the hand-over of a household's assistance to another county.

A changed amount is never written over an enrolment: it ends the day the change takes effect and
a new one, linked to it, begins that day — so each month is paid at one amount, by one county."""

import datetime
import time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safetynet.core.scope import in_area
from safetynet.core.services import ConflictError, change_record
from safetynet.core.types import ChangeAction, Role, User
from safetynet.core.workflows.services import case_open, case_transition
from safetynet.programmes.applications.services import checked_text, official, official_language
from safetynet.programmes.life import workflow
from safetynet.programmes.models import (
    Enrolment,
    EnrolmentDecision,
    RecoveryOrder,
    Review,
    Standard,
    StandardAdjustment,
    Transfer,
    WorkOffer,
)
from safetynet.programmes.rules import PROGRAMME_NAMES
from safetynet.programmes.selectors import first_of_next_month

# Who starts a review on a change: the village's coordinator (the family told them), the township,
# the county. Scheduled ones and those a death starts are opened by the system.
START_ROLES = {Role.VILLAGE_COORDINATOR, Role.TOWNSHIP_OFFICE, Role.COUNTY_BUREAU}
VISIT_ROLES = {Role.TOWNSHIP_OFFICE, Role.COUNTY_BUREAU}
DECIDING_ROLES = {Role.COUNTY_BUREAU}
TRANSFER_ROLES = {Role.COUNTY_BUREAU}
# The programmes paid month by month that a review looks at.
REVIEWED = ("dibao", "tekun", "edge", "rigid")
# Stable households once a year; unstable income or able-bodied members every six months; 特困
# once a year (审核确认办法 art. 31; 2020 reform opinion item 7).
STABLE_MONTHS, UNSTABLE_MONTHS = 12, 6
ABLE_BODIED = "01"  # registry.codes.LabourCapacity: fully able to work
DEATH_REVIEW_MONTHS = 3
PHASE_OUT_MONTHS = 6
# Reasons a user gives when starting a review; the scheduled ones, a death's and a standard's are the
# system's.
STARTED_FOR = (
    Review.Reason.REPORTED,
    Review.Reason.VISIT,
    Review.Reason.ALERT,
    Review.Reason.DEATH,
    Review.Reason.WORK,
    Review.Reason.REFUSALS,
    Review.Reason.FRAUD,
)
# What each outcome records.
DECISION_KIND = {
    Review.Outcome.CONTINUE: EnrolmentDecision.Kind.CONTINUED,
    Review.Outcome.ADJUST: EnrolmentDecision.Kind.ADJUSTED,
    Review.Outcome.SUSPEND: EnrolmentDecision.Kind.SUSPENDED,
    Review.Outcome.TERMINATE: EnrolmentDecision.Kind.TERMINATED,
    Review.Outcome.PHASE_OUT: EnrolmentDecision.Kind.PHASE_OUT,
    Review.Outcome.REDUCE: EnrolmentDecision.Kind.REDUCED,
}
MONEY_LIMIT = Decimal(100000)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month `months` after `day`'s month (the months of assistance are whole)."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day where it has no such day)."""
    first = add_months(day, months)
    last_day = (add_months(first, 1) - datetime.timedelta(days=1)).day
    return first.replace(day=min(day.day, last_day))


def months_before(day: datetime.date, months: int) -> datetime.date:
    return months_after(day, -months)


def _money(raw, *, field: str) -> Decimal:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
        if not value.is_finite() or value < 0 or value > MONEY_LIMIT or value.as_tuple().exponent < -2:
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(
            {field: _("Give the monthly amount in yuan, at most two decimal places, up to 100000.")}
        ) from None
    return value


def _programme_name(enrolment: Enrolment) -> str:
    return official(PROGRAMME_NAMES.get(enrolment.programme, enrolment.programme))


def _head_name(household) -> str:
    return household.head.name if household.head_id else official(gettext_lazy("the household"))


# --- the notice ------------------------------------------------------------------------------------------

APPEAL_WORDS = gettext_lazy(
    "If you disagree, you may apply for administrative reconsideration within 60 days of receiving "
    "this notice, or bring an administrative lawsuit within 6 months."
)
NOTICE_WORDS = {
    EnrolmentDecision.Kind.CONTINUED: gettext_lazy(
        "After review, your household's %(programme)s continues unchanged at %(after)s yuan a month."
    ),
    EnrolmentDecision.Kind.ADJUSTED: gettext_lazy(
        "After review, your household's %(programme)s is adjusted from %(before)s to %(after)s yuan a "
        "month from %(month)s."
    ),
    EnrolmentDecision.Kind.STANDARD: gettext_lazy(
        "The standard changed from %(old)s to %(new)s yuan: your household's %(programme)s is "
        "adjusted from %(before)s to %(after)s yuan a month from %(month)s."
    ),
    EnrolmentDecision.Kind.SUSPENDED: gettext_lazy(
        "After review, your household's %(programme)s is suspended from %(month)s."
    ),
    EnrolmentDecision.Kind.TERMINATED: gettext_lazy(
        "After review, your household's %(programme)s ends from %(month)s."
    ),
    EnrolmentDecision.Kind.PHASE_OUT: gettext_lazy(
        "Work has lifted your household's income above the standard: %(programme)s continues at "
        "%(after)s yuan a month until %(until)s and ends from then (phase-out)."
    ),
    EnrolmentDecision.Kind.REDUCED: gettext_lazy(
        "%(member)s refused suitable work three times without good reason: your household's "
        "%(programme)s is reduced from %(before)s to %(after)s yuan a month from %(month)s."
    ),
    EnrolmentDecision.Kind.TRANSFERRED_OUT: gettext_lazy(
        "Your household has moved to %(county)s: this county pays %(programme)s up to %(last)s; "
        "%(county)s pays it from %(month)s."
    ),
    EnrolmentDecision.Kind.TRANSFERRED_IN: gettext_lazy(
        "Your household has moved here: this county pays %(programme)s at %(after)s yuan a month from "
        "%(month)s."
    ),
}


def notice_text(
    kind: str,
    *,
    household,
    enrolment: Enrolment,
    effective: datetime.date,
    before,
    after,
    reasons: str,
    **extra,
) -> str:
    """The written notice (art. 32: a decrease or a stop with its reasons), in the bureau's language."""
    with official_language():
        values = {
            "programme": _programme_name(enrolment),
            "before": before,
            "after": after,
            "month": _("%(year)s-%(month)02d") % {"year": effective.year, "month": effective.month},
            **extra,
        }
        lines = [
            _("Notice to %(head)s:") % {"head": _head_name(household)},
            str(NOTICE_WORDS[kind]) % values,
        ]
        if reasons:
            lines.append(_("Reasons: %(reasons)s") % {"reasons": reasons})
        lines.append(str(APPEAL_WORDS))
        lines.append(_("Decided on %(day)s.") % {"day": timezone.localdate().isoformat()})
        return "\n".join(lines)


# --- enrolments changed by a decision ---------------------------------------------------------------------


def _continue_at(enrolment: Enrolment, *, since: datetime.date, amount: Decimal, reason: str) -> Enrolment:
    """End the enrolment on `since` and begin its successor at `amount` that day (the caller has
    locked it and checked who decides)."""
    Enrolment.objects.filter(pk=enrolment.pk).update(
        until=since, end_reason=reason[:200], version=F("version") + 1
    )
    return Enrolment.objects.create(
        household_id=enrolment.household_id,
        person_id=enrolment.person_id,
        programme=enrolment.programme,
        amount=amount,
        since=since,
        decision=enrolment.decision,
        decided_by=enrolment.decided_by,
        county_id=enrolment.county_id,
        previous=enrolment,
    )


def _end_at(enrolment: Enrolment, *, until: datetime.date, reason: str) -> None:
    Enrolment.objects.filter(pk=enrolment.pk).update(
        until=until, end_reason=reason[:200], version=F("version") + 1
    )


def overpaid(enrolment: Enrolment, *, since: datetime.date, until: datetime.date) -> Decimal:
    """What the programme paid the household for the months from `since` up to `until` (exclusive):
    each month at the amount of the enrolment of its chain that covered it (none: nothing)."""
    rows = list(
        Enrolment.objects.filter(
            Q(until__isnull=True) | Q(until__gt=since),
            household_id=enrolment.household_id,
            person_id=enrolment.person_id,
            programme=enrolment.programme,
            since__lt=until,
        ).order_by("-since")
    )
    total, month = Decimal(0), since
    while month < until:
        covering = next((r for r in rows if r.since <= month and (r.until is None or r.until > month)), None)
        total += covering.amount if covering else Decimal(0)
        month = add_months(month, 1)
    return total


# --- reviews ------------------------------------------------------------------------------------------------


def _locked_review(review_id, actor: User, version: int | None) -> Review:
    try:
        review = Review.objects.select_for_update(of=("self",)).select_related("case").get(pk=int(review_id))
    except (Review.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Review.DoesNotExist from None
    if not in_area(actor, review.village_id):
        raise Review.DoesNotExist  # another area's review is not found, never forbidden
    if version is not None and review.version != version:
        raise ConflictError(
            _("Someone else saved this review meanwhile: reload the page and look before saving again.")
        )
    return review


def _open_review(
    *,
    actor: User | None,
    enrolment: Enrolment,
    reason: str,
    what: str,
    person=None,
    due_on: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> Review:
    """A review and its case, on the township's desk (inside the caller's transaction)."""
    household = enrolment.household
    at = at or timezone.now()
    today = timezone.localtime(at).date()
    review = Review.objects.create(
        household=household,
        enrolment=enrolment,
        person=person if person is not None else enrolment.person,
        reason=reason,
        what=what,
        due_on=due_on or today + datetime.timedelta(days=30),
        village_id=household.village_id,
        opened_at=at,
    )
    with official_language():
        title = _("Review of %(programme)s: %(head)s (%(reason)s)") % {
            "programme": _programme_name(enrolment),
            "head": _head_name(household),
            "reason": Review.Reason(reason).label,
        }
    review.case = case_open(
        actor=actor,
        workflow_code=workflow.REVIEW,
        division_code=household.village_id,
        title=title,
        subject_kind=workflow.REVIEW_SUBJECT,
        subject_id=review.pk,
        at=at,
        reason=what,
    )
    review.save(update_fields=["case"])
    return review


def review_start(*, actor: User, enrolment_id, reason: str, what: str, person_id=None) -> Review:
    """Start a review of an enrolment on a change: reported by the family, found on a visit, raised by
    an alert, a death, work, refused work, fraud. Refused, changing nothing, while one is open."""
    from safetynet.programmes.selectors import enrolment_get
    from safetynet.registry.selectors import household_members

    if actor.role not in START_ROLES:
        raise PermissionDenied(
            _("Reviews are started by the village coordinator, the township or the county.")
        )
    try:
        enrolment = enrolment_get(actor=actor, pk=int(enrolment_id))
    except (TypeError, ValueError, OverflowError):
        raise Enrolment.DoesNotExist from None
    errors = {}
    if reason not in STARTED_FOR:
        errors["reason"] = _("Say what started the review.")
    try:
        what = checked_text(what, field="what", limit=500, required=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    person = None
    if person_id not in (None, ""):
        members = {m.person_id: m.person for m in household_members(household=enrolment.household)}
        try:
            person = members.get(int(person_id))
        except (TypeError, ValueError, OverflowError):
            person = None
        if person is None:
            errors["person"] = _("Choose a member of the household.")
    if (
        reason in (Review.Reason.DEATH, Review.Reason.REFUSALS)
        and person is None
        and not errors.get("reason")
    ):
        errors["person"] = _("Choose the member concerned.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("household__head")
            .get(pk=enrolment.pk)
        )
        if current.until is not None and current.until <= timezone.localdate():
            raise ValidationError(_("This assistance has ended: there is nothing to review."))
        if Review.objects.filter(enrolment=current, case__closed_at__isnull=True).exists():
            raise ValidationError(_("A review of this assistance is open already: add to it."))
        review = _open_review(actor=actor, enrolment=current, reason=reason, what=what, person=person)
        change_record(
            actor=actor,
            subject=current.household,
            entity=review,
            action=ChangeAction.CREATE,
            event="review_started",
            after={"reason": reason, "what": what},
        )
    return review


def review_visit_record(
    *, actor: User, review_id, version: int, visitors, visited_on, findings: str
) -> Review:
    """The township's home visit: at least two visitors, the day, what they found; the file goes to
    the county with it."""
    if actor.role not in VISIT_ROLES:
        raise PermissionDenied(_("The township or the county visits the household."))
    errors = {}
    names = [v.strip() for v in (visitors or []) if isinstance(v, str) and v.strip()]
    if len(names) < 2 or len(set(names)) < len(names) or any(len(n) > 30 for n in names) or len(names) > 6:
        errors["visitors"] = _("Name at least two different visitors (up to six, 30 characters each).")
    try:
        for name in names:
            checked_text(name, field="visitors", limit=30)
    except ValidationError as error:
        errors.update(error.message_dict)
    today = timezone.localdate()
    if (
        not isinstance(visited_on, datetime.date)
        or not today - datetime.timedelta(days=366) <= visited_on <= today
    ):
        errors["visited_on"] = _("Give the day of the visit: within the past year, not in the future.")
    try:
        findings = checked_text(findings, field="findings", limit=1000, required=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        review = _locked_review(review_id, actor, version)
        if review.case.state != "visit":
            raise ValidationError(_("The household has been visited for this review already."))
        review.visitors, review.visited_on, review.findings = names, visited_on, findings
        review.version += 1
        review.save()
        case_transition(
            actor=actor, case_id=review.case_id, transition="visited", version=review.case.version
        )
    return review


def review_decide(
    *,
    actor: User,
    review_id,
    version: int,
    outcome: str,
    reasons: str,
    amount=None,
    effective: datetime.date | None = None,
    months=None,
    overpaid_from=None,
) -> Review:
    """The county's decision: the outcome with its reasons, the amount where it changes, the month it
    takes effect; for fraud, from which month the household was paid without entitlement."""
    if actor.role not in DECIDING_ROLES:
        raise PermissionDenied(_("The county bureau decides a review."))
    errors = {}
    if outcome not in DECISION_KIND:
        errors["outcome"] = _("Choose the outcome.")
    try:
        reasons = checked_text(
            reasons, field="reasons", limit=500, required=outcome != Review.Outcome.CONTINUE
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    today = timezone.localdate()
    next_month = first_of_next_month(today)
    effective = effective or next_month
    if (
        not isinstance(effective, datetime.date)
        or effective.day != 1
        or not (add_months(today, -12) <= effective <= add_months(today, 12))
    ):
        errors["effective"] = _("It takes effect on the first day of a month, within a year of this one.")
    new_amount = None
    if outcome in (Review.Outcome.ADJUST, Review.Outcome.REDUCE):
        try:
            new_amount = _money(amount, field="amount")
        except ValidationError as error:
            errors.update(error.message_dict)
    phase_months = None
    if outcome == Review.Outcome.PHASE_OUT:
        try:
            phase_months = int(str(months))
            if not 1 <= phase_months <= PHASE_OUT_MONTHS:
                raise ValueError
        except (TypeError, ValueError):
            errors["months"] = _("A phase-out lasts 1 to 6 months.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        review = _locked_review(review_id, actor, version)
        if review.case.state != "decide":
            raise ValidationError(_("This review is not waiting for the county's decision."))
        enrolment = Enrolment.objects.select_for_update().get(pk=review.enrolment_id)
        if outcome != Review.Outcome.CONTINUE and effective <= enrolment.since:
            raise ValidationError(
                {
                    "effective": _("It takes effect after the assistance began (%(since)s).")
                    % {"since": enrolment.since.isoformat()}
                }
            )
        if (
            enrolment.until is not None
            and enrolment.until <= effective
            and outcome != Review.Outcome.CONTINUE
        ):
            raise ValidationError(
                {
                    "effective": _("The assistance has ended by then (%(until)s).")
                    % {"until": enrolment.until.isoformat()}
                }
            )
        if outcome == Review.Outcome.ADJUST and new_amount == enrolment.amount:
            raise ValidationError({"amount": _("That is the present amount: continue it unchanged instead.")})
        if outcome == Review.Outcome.REDUCE:
            if review.person_id is None:
                raise ValidationError(
                    {
                        "outcome": _(
                            "A member's share is reduced for the member the review "
                            "is about: start it for refused work, naming them."
                        )
                    }
                )
            if new_amount >= enrolment.amount:
                raise ValidationError(
                    {
                        "amount": _("A reduced share pays less than %(amount)s yuan.")
                        % {"amount": enrolment.amount}
                    }
                )
        if overpaid_from not in (None, ""):
            if review.reason != Review.Reason.FRAUD or outcome != Review.Outcome.TERMINATE:
                raise ValidationError(
                    {
                        "overpaid_from": _(
                            "What was paid without entitlement is recovered when "
                            "fraud terminates the assistance."
                        )
                    }
                )
            if (
                not isinstance(overpaid_from, datetime.date)
                or overpaid_from.day != 1
                or not enrolment_first_month(enrolment) <= overpaid_from < effective
            ):
                raise ValidationError(
                    {
                        "overpaid_from": _(
                            "Give the first month paid without entitlement: "
                            "a first of the month, after the assistance began "
                            "and before it ends."
                        )
                    }
                )
        review.outcome, review.reasons, review.effective = outcome, reasons, effective
        review.new_amount = new_amount
        review.decided_at, review.decided_by = timezone.now(), actor
        review.version += 1
        review.save()
        # Kept for the effect, which runs with the step.
        data = {"months": phase_months, "overpaid_from": overpaid_from.isoformat() if overpaid_from else None}
        tekun_stop = enrolment.programme == "tekun" and outcome == Review.Outcome.TERMINATE
        case_transition(
            actor=actor,
            case_id=review.case_id,
            version=review.case.version,
            data=data,
            transition="notify_termination" if tekun_stop else "decide",
            reason=reasons,
        )
    return review


def enrolment_first_month(enrolment: Enrolment) -> datetime.date:
    """The first month of the enrolment's chain (before any adjustment continued it)."""
    first = enrolment
    while first.previous_id is not None:
        first = Enrolment.objects.get(pk=first.previous_id)
    return first.since


def review_decided(case, event) -> None:
    """The step's effect: the decision with its notice, the enrolment ended or continued, and for
    fraud the recovery order."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("household__head", "person")
        .get(pk=case.subject_id)
    )
    enrolment = Enrolment.objects.select_for_update().get(pk=review.enrolment_id)
    data = next(
        (
            e.data
            for e in case.events.filter(
                kind="moved", transition__in=["decide", "notify_termination"]
            ).order_by("-at", "-pk")[:1]
        ),
        event.data,
    )
    outcome, effective = review.outcome, review.effective
    if event.transition == "terminate":
        # 特困: the 7 days of notice are over; it ends from the month after, at the earliest.
        effective = max(effective, first_of_next_month(timezone.localtime(event.at).date()))
    kind = DECISION_KIND[outcome]
    before, after, successor, extra = enrolment.amount, enrolment.amount, None, {}
    reason = str(Review.Reason(review.reason).label)
    with official_language():
        ended_because = _("review: %(outcome)s") % {"outcome": Review.Outcome(outcome).label}
    if outcome in (Review.Outcome.ADJUST, Review.Outcome.REDUCE):
        after = review.new_amount
        successor = _continue_at(enrolment, since=effective, amount=after, reason=ended_because)
        if review.person_id:
            extra["member"] = review.person.name
    elif outcome in (Review.Outcome.SUSPEND, Review.Outcome.TERMINATE):
        after = Decimal(0)
        _end_at(enrolment, until=effective, reason=ended_because)
    elif outcome == Review.Outcome.PHASE_OUT:
        until = add_months(effective, int(data.get("months") or 1))
        if enrolment.until is None or enrolment.until > until:
            _end_at(enrolment, until=until, reason=ended_because)
        extra["until"] = (until - datetime.timedelta(days=1)).isoformat()
    decision = EnrolmentDecision.objects.create(
        household=review.household,
        enrolment=enrolment,
        successor=successor,
        kind=kind,
        effective=effective,
        amount_before=before,
        amount_after=after,
        review=review,
        reasons=(review.reasons or reason)[:500],
        notice=notice_text(
            kind,
            household=review.household,
            enrolment=enrolment,
            effective=effective,
            before=before,
            after=after,
            reasons=review.reasons,
            **extra,
        ),
        decided_at=event.at,
        decided_by=event.actor,
    )
    if data.get("overpaid_from"):
        since = datetime.date.fromisoformat(data["overpaid_from"])
        total = overpaid(enrolment, since=since, until=effective)
        if total > 0:
            RecoveryOrder.objects.create(
                household=review.household,
                review=review,
                overpaid_from=since,
                overpaid_until=effective,
                amount=total,
                reasons=review.reasons,
                issued_at=event.at,
                issued_by=event.actor,
            )
    change_record(
        actor=event.actor,
        subject=review.household,
        entity=decision,
        action=ChangeAction.CREATE,
        event="decided",
        after={"kind": kind, "effective": effective.isoformat(), "before": str(before), "after": str(after)},
        reason=review.reasons,
    )


def termination_objected(case, event) -> None:
    """An objection to a 特困 termination: the decision is set aside and the household visited again."""
    Review.objects.filter(pk=case.subject_id).update(
        outcome="",
        decided_at=None,
        decided_by=None,
        visited_on=None,
        findings="",
        visitors=[],
        version=F("version") + 1,
    )


# --- work offered to able-bodied members -----------------------------------------------------------------

WORK_OFFER_ROLES = {Role.VILLAGE_COORDINATOR, Role.TOWNSHIP_OFFICE, Role.COUNTY_BUREAU}
REFUSALS_FOR_A_REVIEW = 3


def refusals_in_a_row(person_id: int) -> int:
    """How many times in a row, latest first, the person refused work without good reason."""
    count = 0
    for offer in WorkOffer.objects.filter(person_id=person_id).order_by("-offered_on", "-pk")[:10]:
        if offer.accepted or offer.good_reason:
            break
        count += 1
    return count


def work_offer_record(
    *, actor: User, household_id, person_id, offered: str, offered_on, accepted: bool, good_reason: str = ""
) -> WorkOffer:
    """Record work offered to a member and the answer. The third refusal in a row without good
    reason starts (or joins) the review of the household's 低保 for that member's share."""
    from safetynet.registry.selectors import household_get, household_members

    if actor.role not in WORK_OFFER_ROLES:
        raise PermissionDenied(
            _("Work offered is recorded by the village coordinator, the township or the county.")
        )
    try:
        household = household_get(actor=actor, pk=int(household_id))
    except (TypeError, ValueError, OverflowError):
        from safetynet.registry.models import Household

        raise Household.DoesNotExist from None
    errors = {}
    members = {m.person_id: m.person for m in household_members(household=household) if m.left_on is None}
    try:
        person = members.get(int(person_id))
    except (TypeError, ValueError, OverflowError):
        person = None
    if person is None:
        errors["person"] = _("Choose a member of the household.")
    try:
        offered = checked_text(offered, field="offered", limit=200, required=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        good_reason = checked_text(good_reason, field="good_reason", limit=200)
    except ValidationError as error:
        errors.update(error.message_dict)
    if accepted and good_reason:
        errors["good_reason"] = _("A reason is given only for a refusal.")
    today = timezone.localdate()
    if (
        not isinstance(offered_on, datetime.date)
        or not today - datetime.timedelta(days=366) <= offered_on <= today
    ):
        errors["offered_on"] = _(
            "Give the day the work was offered: within the past year, not in the future."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        offer = WorkOffer.objects.create(
            household=household,
            person=person,
            offered=offered,
            offered_on=offered_on,
            accepted=bool(accepted),
            good_reason=good_reason,
            recorded_at=timezone.now(),
            recorded_by=actor,
        )
        change_record(
            actor=actor,
            subject=household,
            entity=offer,
            action=ChangeAction.CREATE,
            event="offered",
            after={
                "person_name": person.name,
                "offered": offered,
                "offered_on": offered_on.isoformat(),
                "accepted": bool(accepted),
                "good_reason": good_reason,
            },
        )
        if not accepted and not good_reason and refusals_in_a_row(person.pk) >= REFUSALS_FOR_A_REVIEW:
            with official_language():
                what = _("%(name)s refused suitable work %(count)s times in a row without good reason.") % {
                    "name": person.name,
                    "count": REFUSALS_FOR_A_REVIEW,
                }
            for enrolment in Enrolment.objects.filter(
                Q(until__isnull=True) | Q(until__gt=today),
                household=household,
                programme="dibao",
                person__isnull=True,
            ).select_related("household__head"):
                pending = Review.objects.filter(enrolment=enrolment, case__closed_at__isnull=True).first()
                if pending is None:
                    _open_review(
                        actor=actor,
                        enrolment=enrolment,
                        reason=Review.Reason.REFUSALS,
                        what=what,
                        person=person,
                    )
                elif pending.person_id in (None, person.pk):
                    pending.what = f"{pending.what} {what}".strip()[:500]
                    pending.reason, pending.person = Review.Reason.REFUSALS, person
                    pending.save(update_fields=["what", "reason", "person"])
    return offer


# --- a death, a move: what follows in the registry ---------------------------------------------------------


def member_left_review(actor: User, membership) -> None:
    """A member left a household receiving assistance: the household's members changed (art. 30), so
    each assistance of the household, and the person's own 特困, is reviewed. A death is reviewed
    within 3 months of it; another departure (moved, married out, a split) within a month. A member
    entered by mistake and taken out again changed nothing."""
    from safetynet.registry.codes import LeaveReason

    if membership.leave_reason == LeaveReason.CORRECTION:
        return
    died = membership.leave_reason == LeaveReason.DECEASED
    open_ones = Enrolment.objects.filter(
        Q(person__isnull=True) | Q(person_id=membership.person_id),
        Q(until__isnull=True) | Q(until__gt=membership.left_on),
        household_id=membership.household_id,
        programme__in=REVIEWED,
    ).select_related("household__head")
    with official_language():
        if died:
            due_on = months_after(membership.left_on, DEATH_REVIEW_MONTHS)
            what = _("%(name)s died on %(day)s.") % {
                "name": membership.person.name,
                "day": membership.left_on.isoformat(),
            }
        else:
            due_on = timezone.localdate() + datetime.timedelta(days=30)
            what = _("%(name)s left the household on %(day)s (%(reason)s).") % {
                "name": membership.person.name,
                "day": membership.left_on.isoformat(),
                "reason": LeaveReason(membership.leave_reason).label if membership.leave_reason else "—",
            }
    reason = Review.Reason.DEATH if died else Review.Reason.REPORTED
    for enrolment in open_ones:
        pending = Review.objects.filter(enrolment=enrolment, case__closed_at__isnull=True)
        if pending.exists():
            # One review at a time: the open one takes the change in, and a death's deadline.
            for review in pending:
                review.what = f"{review.what} {what}".strip()[:500]
                if died:
                    review.reason, review.person_id, review.due_on = reason, membership.person_id, due_on
                review.save(update_fields=["what", "reason", "person", "due_on"])
            continue
        _open_review(
            actor=actor,
            enrolment=enrolment,
            reason=reason,
            what=what,
            person=membership.person,
            due_on=due_on,
        )


def follow_the_household(household_id: int, village_code: str) -> None:
    """A household moved to another village: its open reviews go with it."""
    from safetynet.core.workflows.services import cases_move_area

    reviews = list(Review.objects.filter(household_id=household_id).values_list("pk", flat=True))
    Review.objects.filter(pk__in=reviews).update(village_id=village_code)
    cases_move_area(subject_kind=workflow.REVIEW_SUBJECT, subject_ids=reviews, division_code=village_code)
    transfers = list(
        Transfer.objects.filter(household_id=household_id, case__closed_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    cases_move_area(subject_kind=workflow.TRANSFER_SUBJECT, subject_ids=transfers, division_code=village_code)


# --- scheduled reviews (a recurring job) ------------------------------------------------------------------


def reviews_due_sql(on: datetime.date) -> tuple[str, list]:
    """The open enrolments due for their periodic review on `on`: none open for them, and the last
    review (or, without one, the start of the enrolment) 12 months back — 6 where a household member
    of working age is fully able to work. One statement over the whole city."""
    able = (
        "EXISTS (SELECT 1 FROM registry_membership m JOIN registry_person p ON p.id = m.person_id "
        "WHERE m.household_id = e.household_id AND m.left_on IS NULL AND p.labour_capacity = %s "
        "AND p.birth_date > %s AND p.birth_date <= %s)"
    )
    # The same assistance: the household's programme, for 特困 the same person's, whichever of its
    # enrolments (an adjustment continues it in a new one).
    same = (
        "x.household_id = e.household_id AND x.programme = e.programme "
        "AND (x.person_id = e.person_id OR (x.person_id IS NULL AND e.person_id IS NULL))"
    )
    last = (
        "(SELECT DATE(MAX(r.opened_at)) FROM programmes_review r JOIN programmes_enrolment x "
        f"ON x.id = r.enrolment_id WHERE {same})"
    )
    first = f"(SELECT MIN(x.since) FROM programmes_enrolment x WHERE {same})"
    open_review = (
        "EXISTS (SELECT 1 FROM programmes_review r JOIN core_case c ON c.id = r.case_id "
        "WHERE r.enrolment_id = e.id AND c.closed_at IS NULL)"
    )
    stable_cut, unstable_cut = months_before(on, STABLE_MONTHS), months_before(on, UNSTABLE_MONTHS)
    # Of working age: 16 and under 60.
    oldest, youngest = months_before(on, 60 * 12), months_before(on, 16 * 12)
    sql = (
        f"SELECT e.id FROM programmes_enrolment e WHERE e.programme IN ({', '.join(['%s'] * len(REVIEWED))}) "
        f"AND e.since <= %s AND (e.until IS NULL OR e.until > %s) AND NOT {open_review} "
        f"AND COALESCE({last}, {first}) <= "
        f"CASE WHEN e.programme <> 'tekun' AND {able} THEN %s ELSE %s END "
        f"ORDER BY COALESCE({last}, {first}), e.id LIMIT %s"
    )
    return sql, [*REVIEWED, on, on, ABLE_BODIED, oldest, youngest, unstable_cut, stable_cut, REVIEWS_PER_RUN]


# The most periodic reviews one run opens, longest unreviewed first: a backlog (the first run over a
# registry taken over, the demo city) reaches the townships' desks over days, not in one morning.
REVIEWS_PER_RUN = 2000


def reviews_schedule(due_at: datetime.datetime | None = None) -> str:
    """The recurring job: open the periodic reviews that have come due. The enrolments due are found
    in one statement; each review's case is opened with it."""
    due_at = due_at or timezone.now()
    on = timezone.localtime(due_at).date()
    sql, params = reviews_due_sql(on)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        due = [row[0] for row in cursor.fetchall()]
    opened = 0
    with official_language():
        what = _("Periodic review")
    for chunk in range(0, len(due), 500):
        with transaction.atomic():
            for enrolment in Enrolment.objects.filter(pk__in=due[chunk : chunk + 500]).select_related(
                "household__head"
            ):
                _open_review(
                    actor=None,
                    enrolment=enrolment,
                    reason=Review.Reason.SCHEDULED,
                    what=what,
                    due_on=on + datetime.timedelta(days=30),
                    at=due_at,
                )
                opened += 1
    return _("%(count)s periodic reviews opened.") % {"count": opened}


# --- a new standard: adjustment decisions for every enrolment it affects ------------------------------

ADJUSTED_BY_STANDARDS = (
    "dibao",
    "tekun_basic_ratio",
    "tekun_care_full",
    "tekun_care_partial",
    "tekun_care_self",
    "addon_elderly",
    "addon_minor",
    "addon_severe_disability",
    "addon_serious_illness",
)


def standard_effective(standard: Standard) -> datetime.date:
    """Assistance is paid by the month: a value from the first of a month adjusts from that month,
    one from a later day from the next month."""
    day = standard.valid_from
    return day if day.day == 1 else first_of_next_month(day)


def _amount_changes(area: str, effective: datetime.date) -> tuple[dict, dict]:
    """Per household (低保) and per person (特困): the rule's amount on the household's facts as the
    registry holds them (as of the effective month, or today once it has passed), at the standards of
    the day before the effective month and at those of its first day. Only what the standards change:
    the facts are the same on both sides."""
    from safetynet.programmes.batch import eligibility_sql
    from safetynet.programmes.engine import extract, open_engine

    before = effective - datetime.timedelta(days=1)
    facts_on = max(effective, timezone.localdate())
    households_new = eligibility_sql(area=area, on=facts_on, vendor="duckdb", standards_on=effective)
    households_old = eligibility_sql(area=area, on=facts_on, vendor="duckdb", standards_on=before)
    persons_new = eligibility_sql(
        area=area, on=facts_on, vendor="duckdb", persons_of="tekun", standards_on=effective
    )
    persons_old = eligibility_sql(
        area=area, on=facts_on, vendor="duckdb", persons_of="tekun", standards_on=before
    )
    with open_engine(extract(area, through_django=connection.in_atomic_block)) as engine:
        households = engine.execute(
            f"SELECT n.household_id, o.q_dibao, o.amount_dibao, n.q_dibao, n.amount_dibao "
            f"FROM ({households_new}) n JOIN ({households_old}) o ON o.household_id = n.household_id "
            f"WHERE o.amount_dibao IS DISTINCT FROM n.amount_dibao OR o.q_dibao <> n.q_dibao"
        ).fetchall()
        persons = engine.execute(
            f"SELECT n.person_id, o.q, o.amount, n.q, n.amount "
            f"FROM ({persons_new}) n JOIN ({persons_old}) o ON o.person_id = n.person_id "
            f"WHERE o.amount IS DISTINCT FROM n.amount OR o.q <> n.q"
        ).fetchall()
    return (
        {h: (q_old, a_old, q_new, a_new) for h, q_old, a_old, q_new, a_new in households},
        {p: (q_old, a_old, q_new, a_new) for p, q_old, a_old, q_new, a_new in persons},
    )


def standard_adjust(*, actor: User | None, standard_id) -> StandardAdjustment:
    """The batch a new standard makes: every enrolment whose amount the rule changes with it is
    adjusted from the effective month — ended the day before and continued at the old amount plus
    the change the standard makes (one not begun by then takes the new amount in place) — each with
    its decision and notice. An enrolment the rule grants at one value and not the other is left for
    a review, never stopped or started by the batch. A run adjusts what no earlier run of the same
    standard did."""
    from safetynet.programmes.batch import as_yuan
    from safetynet.programmes.services import may_set_standards

    started = time.monotonic()
    # Standards are public policy: a number that names none is "not found" for everyone, and only
    # then is the right to adjust checked.
    try:
        standard = Standard.objects.get(pk=int(str(standard_id)))
    except (Standard.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Standard.DoesNotExist from None
    if actor is not None and not may_set_standards(actor):
        raise PermissionDenied(_("Only the city bureau adjusts assistance for a new standard."))
    if standard.status != Standard.Status.APPROVED:
        raise ValidationError(_("Only an approved standard adjusts assistance."))
    if standard.kind not in ADJUSTED_BY_STANDARDS:
        raise ValidationError(_("This standard does not change the amounts paid."))
    effective = standard_effective(standard)
    households, persons = _amount_changes(standard.division_id, effective)
    now = timezone.now()
    with official_language():
        ended_because = _("adjusted for the new standard from %(day)s") % {
            "day": standard.valid_from.isoformat()
        }
    previous = (
        Standard.objects.filter(
            kind=standard.kind,
            division=standard.division,
            urban_rural=standard.urban_rural,
            status=Standard.Status.APPROVED,
            valid_from__lt=standard.valid_from,
        )
        .order_by("-valid_from")
        .first()
    )
    old_value = previous.value_text if previous else "—"
    with transaction.atomic():
        Standard.objects.select_for_update().get(pk=standard.pk)  # one run of a standard at a time
        done = EnrolmentDecision.objects.filter(standard=standard)
        current = (
            (Q(until__isnull=True) | Q(until__gt=effective))
            & ~Q(pk__in=done.values("enrolment"))
            & ~Q(pk__in=done.filter(successor__isnull=False).values("successor"))
        )
        changes = []  # (enrolment, new amount)
        left = 0
        for table, per_person in ((households, False), (persons, True)):
            ids = list(table)
            for chunk in range(0, len(ids), 5000):
                part = ids[chunk : chunk + 5000]
                rows = (
                    Enrolment.objects.filter(current, programme="tekun", person_id__in=part)
                    if per_person
                    else Enrolment.objects.filter(
                        current, programme="dibao", person__isnull=True, household_id__in=part
                    )
                )
                for enrolment in rows.select_related("household__head"):
                    q_old, a_old, q_new, a_new = table[
                        enrolment.person_id if per_person else enrolment.household_id
                    ]
                    if not (q_old and q_new) or a_old is None or a_new is None:
                        left += 1
                        continue
                    delta = as_yuan(a_new) - as_yuan(a_old)
                    if delta:
                        changes.append((enrolment, max(enrolment.amount + delta, Decimal(0))))
        begun = [(e, amount) for e, amount in changes if e.since < effective]
        in_place = [(e, amount) for e, amount in changes if e.since >= effective]
        Enrolment.objects.filter(pk__in=[e.pk for e, _amount in begun]).update(
            until=effective, end_reason=ended_because[:200], version=F("version") + 1
        )
        successors = Enrolment.objects.bulk_create(
            [
                Enrolment(
                    household_id=e.household_id,
                    person_id=e.person_id,
                    programme=e.programme,
                    amount=amount,
                    since=effective,
                    until=e.until,
                    decision=e.decision,
                    decided_by=e.decided_by,
                    county_id=e.county_id,
                    previous_id=e.pk,
                )
                for e, amount in begun
            ]
        )
        for enrolment, amount in in_place:  # not begun when the standard changes: its amount is set anew
            Enrolment.objects.filter(pk=enrolment.pk).update(amount=amount, version=F("version") + 1)
        decider = actor or standard.decided_by
        EnrolmentDecision.objects.bulk_create(
            [
                EnrolmentDecision(
                    household_id=e.household_id,
                    enrolment=e,
                    successor=successor,
                    kind=EnrolmentDecision.Kind.STANDARD,
                    effective=max(effective, e.since),
                    amount_before=e.amount,
                    amount_after=amount,
                    standard=standard,
                    reasons=ended_because[:500],
                    notice=notice_text(
                        EnrolmentDecision.Kind.STANDARD,
                        household=e.household,
                        enrolment=e,
                        effective=max(effective, e.since),
                        before=e.amount,
                        after=amount,
                        reasons="",
                        old=old_value,
                        new=standard.value_text,
                    ),
                    decided_at=now,
                    decided_by=decider,
                )
                for (e, amount), successor in [
                    *zip(begun, successors, strict=True),
                    *((c, None) for c in in_place),
                ]
            ]
        )
        adjustment = StandardAdjustment.objects.create(
            standard=standard,
            effective=effective,
            adjusted=len(changes),
            left_for_review=left,
            ran_at=now,
            ran_by=actor,
            duration_ms=round((time.monotonic() - started) * 1000),
        )
        change_record(
            actor=decider,
            subject=standard,
            entity=adjustment,
            action=ChangeAction.CREATE,
            event="adjusted",
            after={"effective": effective.isoformat(), "adjusted": len(changes), "left_for_review": left},
        )
    return adjustment


# How long after its first month a standard's batch is still run by the daily job: the month's
# payments are made by the 10th.
CATCH_UP_DAYS = 31


def standards_adjust_due(due_at: datetime.datetime | None = None) -> str:
    """The recurring job: on a new value's first month, adjust what no earlier run did (all of it,
    or what was decided since the city bureau ran it when approving). Once per standard: a run on
    or after its first day ends its part."""
    today = timezone.localtime(due_at or timezone.now()).date()
    candidates = Standard.objects.filter(
        status=Standard.Status.APPROVED,
        kind__in=ADJUSTED_BY_STANDARDS,
        decided_at__isnull=False,
        valid_from__lte=today,
        valid_from__gt=today - datetime.timedelta(days=CATCH_UP_DAYS),
    ).order_by("valid_from", "pk")
    done = []
    for standard in candidates:
        effective = standard_effective(standard)
        if effective > today or standard.adjustments.filter(ran_at__date__gte=effective).exists():
            continue
        done.append(standard_adjust(actor=None, standard_id=standard.pk))
    return _("%(count)s standards applied; %(adjusted)s enrolments adjusted.") % {
        "count": len(done),
        "adjusted": sum(a.adjusted for a in done),
    }


# --- transfers between counties -------------------------------------------------------------------------


def transfer_hand_over(*, actor: User, household_id, village_code: str, note: str = "") -> Transfer:
    """A household moving to another county of the city: this county pays up to the end of this
    month, the other from the first of the next; the household moves now, and the other county
    confirms the amount at its standard. Refused, changing nothing, for a household with assistance
    decided but not begun (decide it first) or a transfer waiting to be confirmed."""
    from safetynet.core.selectors import division_names, divisions_by_code
    from safetynet.registry.selectors import household_get
    from safetynet.registry.services import household_hand_over

    if actor.role not in TRANSFER_ROLES:
        raise PermissionDenied(_("The county bureau hands a household over to another county."))
    try:
        household = household_get(actor=actor, pk=int(household_id))
    except (TypeError, ValueError, OverflowError):
        from safetynet.registry.models import Household

        raise Household.DoesNotExist from None
    errors = {}
    code = village_code.strip() if isinstance(village_code, str) else ""
    village = None
    if code.isascii() and code.isdigit() and len(code) == 12:
        village = divisions_by_code([code]).get(code)
    if village is None:
        errors["village"] = _("Give the code of the village or community the household moves to.")
    try:
        note = checked_text(note, field="note", limit=500)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    first_month = first_of_next_month(today)
    with transaction.atomic():
        if Transfer.objects.filter(household=household, case__closed_at__isnull=True).exists():
            raise ValidationError(_("A transfer of this household waits for the other county to confirm it."))
        paying = list(
            Enrolment.objects.select_for_update().filter(
                Q(until__isnull=True) | Q(until__gt=first_month), household=household, programme__in=REVIEWED
            )
        )
        from_village = household.village_id
        moved = household_hand_over(actor=actor, household_id=household.pk, village=village)
        transfer = Transfer.objects.create(
            household=moved,
            from_village_id=from_village,
            to_village=village,
            first_month=first_month,
            note=note,
            handed_over_at=timezone.now(),
            handed_over_by=actor,
        )
        to_county = division_names([village.code[:6]]).get(village.code[:6], village.code[:6])
        with official_language():
            ended_because = _("handed over to %(county)s") % {"county": to_county}
        last = first_month - datetime.timedelta(days=1)
        for enrolment in paying:
            if enrolment.since >= first_month:
                # Decided here, beginning in a month the other county pays (a new standard's
                # adjustment, a decision from next month): it begins there instead.
                Enrolment.objects.filter(pk=enrolment.pk).update(
                    county_id=village.code[:6], version=F("version") + 1
                )
                successor = enrolment
            else:
                _end_at(enrolment, until=first_month, reason=ended_because)
                successor = Enrolment.objects.create(
                    household=moved,
                    person_id=enrolment.person_id,
                    programme=enrolment.programme,
                    amount=enrolment.amount,
                    since=first_month,
                    until=enrolment.until,
                    decision=enrolment.decision,
                    decided_by=enrolment.decided_by,
                    county_id=village.code[:6],
                    previous=enrolment,
                )
            EnrolmentDecision.objects.create(
                household=moved,
                enrolment=enrolment,
                successor=successor,
                kind=EnrolmentDecision.Kind.TRANSFERRED_OUT,
                effective=first_month,
                amount_before=enrolment.amount,
                amount_after=enrolment.amount,
                transfer=transfer,
                reasons=ended_because[:500],
                notice=notice_text(
                    EnrolmentDecision.Kind.TRANSFERRED_OUT,
                    household=moved,
                    enrolment=enrolment,
                    effective=first_month,
                    before=enrolment.amount,
                    after=enrolment.amount,
                    reasons=note,
                    county=to_county,
                    last=f"{last.year}-{last.month:02d}",
                ),
                decided_at=transfer.handed_over_at,
                decided_by=actor,
            )
        with official_language():
            title = _("Taken over from another county: %(head)s") % {"head": _head_name(moved)}
        transfer.case = case_open(
            actor=actor,
            workflow_code=workflow.TRANSFER,
            division_code=village.code,
            title=title,
            subject_kind=workflow.TRANSFER_SUBJECT,
            subject_id=transfer.pk,
            reason=note,
        )
        transfer.save(update_fields=["case"])
    return transfer


def transfer_confirm(*, actor: User, transfer_id, version: int, amounts: dict) -> Transfer:
    """The receiving county confirms the amount of each assistance it now pays, at its standard, from
    the first month it pays (those have not begun yet, so the amount is set, not adjusted)."""
    if actor.role not in DECIDING_ROLES:
        raise PermissionDenied(_("The county bureau confirms a transfer."))
    with transaction.atomic():
        try:
            transfer = (
                Transfer.objects.select_for_update(of=("self",))
                .select_related("case")
                .get(pk=int(transfer_id))
            )
        except (Transfer.DoesNotExist, TypeError, ValueError, OverflowError):
            raise Transfer.DoesNotExist from None
        if not in_area(actor, transfer.to_village_id) or not in_area(actor, transfer.household.village_id):
            raise Transfer.DoesNotExist
        if transfer.case.version != version:
            raise ConflictError(_("Someone else confirmed this transfer meanwhile: reload the page."))
        continued = list(
            Enrolment.objects.select_for_update().filter(
                pk__in=EnrolmentDecision.objects.filter(transfer=transfer).values("successor")
            )
        )
        errors, fixed = {}, {}
        for enrolment in continued:
            raw = amounts.get(str(enrolment.pk), amounts.get(enrolment.pk))
            try:
                fixed[enrolment.pk] = _money(raw, field=f"amount_{enrolment.pk}")
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        case_transition(
            actor=actor,
            case_id=transfer.case_id,
            transition="confirm",
            version=version,
            data={"amount": {str(pk): str(value) for pk, value in fixed.items()}},
        )
    return transfer


def transfer_confirmed(case, event) -> None:
    transfer = Transfer.objects.select_related("household__head").get(pk=case.subject_id)
    amounts = event.data["amount"]
    for enrolment in Enrolment.objects.filter(pk__in=[int(pk) for pk in amounts]):
        amount = Decimal(amounts[str(enrolment.pk)])
        before = enrolment.amount
        Enrolment.objects.filter(pk=enrolment.pk).update(
            amount=amount, decided_by=event.actor, version=F("version") + 1
        )
        EnrolmentDecision.objects.create(
            household=transfer.household,
            enrolment=enrolment,
            kind=EnrolmentDecision.Kind.TRANSFERRED_IN,
            effective=transfer.first_month,
            amount_before=before,
            amount_after=amount,
            transfer=transfer,
            reasons=official(gettext_lazy("taken over from another county")),
            notice=notice_text(
                EnrolmentDecision.Kind.TRANSFERRED_IN,
                household=transfer.household,
                enrolment=enrolment,
                effective=transfer.first_month,
                before=before,
                after=amount,
                reasons="",
            ),
            decided_at=event.at,
            decided_by=event.actor,
        )


workflow.EFFECTS.update(
    {effect.__name__: effect for effect in (review_decided, termination_objected, transfer_confirmed)}
)
