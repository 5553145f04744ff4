"""/api/v1/programmes for assistance in payment: a household's assistance (each enrolment with the
county paying it, the decisions with their notices), recording an enrolment from a decision, reviews
(start one on a change, the home visit, the county's decision), the hand-over of a household to
another county and the receiving county's confirmation, and a new standard's adjustments. The same
services, selectors and scope as the pages; the kernel's steps without a record of their own go
through /api/v1/cases/{case_id}."""

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from safetynet.core.api import ERRORS, Date, Text
from safetynet.programmes.life import selectors, services, workflow
from safetynet.programmes.selectors import enrolment_get
from safetynet.registry.selectors import household_get

router = Router(tags=["assistance in payment"])
Id = Field(ge=1, le=2**62)
AMOUNT = Field(pattern=r"^[0-9]{1,6}(\.[0-9]{1,2})?$", examples=["650.00"])
Reason = Literal["reported", "visit", "alert", "death", "work", "refusals", "fraud"]
Outcome = Literal["continue", "adjust", "suspend", "terminate", "phase_out", "reduce"]


class EnrolmentOut(Schema):
    id: int
    programme: str
    person_id: int | None
    amount: str = Field(description="Yuan a month")
    since: Date
    until: Date | None = Field(description="The first day it no longer applies")
    county: str = Field(description="The county that pays it")
    previous_id: int | None = Field(description="The enrolment it continues")
    end_reason: str
    version: int


class DecisionOut(Schema):
    id: int
    kind: str
    enrolment_id: int
    successor_id: int | None
    effective: Date
    amount_before: str
    amount_after: str
    reasons: str
    notice: str
    decided_at: datetime.datetime


class AssistanceOut(Schema):
    household_id: int
    enrolments: list[EnrolmentOut]
    decisions: list[DecisionOut]


def _enrolment(row) -> dict:
    return {
        "id": row.pk,
        "programme": row.programme,
        "person_id": row.person_id,
        "amount": str(row.amount),
        "since": row.since,
        "until": row.until,
        "county": row.county_id,
        "previous_id": row.previous_id,
        "end_reason": row.end_reason,
        "version": row.version,
    }


def _decision(row) -> dict:
    return {
        "id": row.pk,
        "kind": row.kind,
        "enrolment_id": row.enrolment_id,
        "successor_id": row.successor_id,
        "effective": row.effective,
        "amount_before": str(row.amount_before),
        "amount_after": str(row.amount_after),
        "reasons": row.reasons,
        "notice": row.notice,
        "decided_at": row.decided_at,
    }


@router.get(
    "/households/{household_id}/assistance",
    response={200: AssistanceOut, **ERRORS},
    summary="A household's assistance in payment: each enrolment with the county paying it, the decisions",
)
def assistance(request, household_id: int):
    household = household_get(actor=request.auth, pk=household_id)
    found = selectors.household_assistance(household=household)
    return {
        "household_id": household.pk,
        "enrolments": [_enrolment(e) for e in found["enrolments"]],
        "decisions": [_decision(d) for d in found["decisions"]],
    }


class EnrolmentIn(Schema, extra="forbid"):
    programme: Literal["dibao", "edge", "tekun", "rigid"]
    since: Date
    amount: str = AMOUNT
    decision: Text = Field("", max_length=60)
    person_id: int | None = Field(None, ge=1, le=2**62, description="For 特困: the member who receives it")


@router.post(
    "/households/{household_id}/enrolments",
    response={201: EnrolmentOut, **ERRORS},
    summary="Record that a household receives a programme from a decision (the county bureau)",
)
def enrolment_start(request, payload: EnrolmentIn, household_id: int):
    from safetynet.programmes.services import enrolment_start as start
    from safetynet.registry.selectors import person_get

    household = household_get(actor=request.auth, pk=household_id)
    person = person_get(actor=request.auth, pk=payload.person_id) if payload.person_id else None
    enrolment = start(
        actor=request.auth,
        household=household,
        programme=payload.programme,
        since=payload.since,
        amount=payload.amount,
        decision=payload.decision,
        person=person,
    )
    return Status(201, _enrolment(enrolment))


class ReviewOut(Schema):
    id: int
    household_id: int
    enrolment_id: int
    programme: str
    person_id: int | None
    reason: str
    what: str
    due_on: Date = Field(description="To complete by (a death: 3 months after it)")
    village: str
    case_id: int
    case_version: int = Field(description="Send it with a step through /api/v1/cases/{case_id}")
    state: str
    state_label: str
    visitors: list[str]
    visited_on: Date | None
    findings: str
    outcome: str
    new_amount: str | None
    effective: Date | None
    reasons: str
    decided_at: datetime.datetime | None
    version: int
    decisions: list[DecisionOut]


def _review(row) -> dict:
    return {
        **{
            name: getattr(row, name)
            for name in (
                "household_id",
                "enrolment_id",
                "person_id",
                "reason",
                "what",
                "due_on",
                "case_id",
                "visitors",
                "visited_on",
                "findings",
                "outcome",
                "effective",
                "reasons",
                "decided_at",
                "version",
            )
        },
        "id": row.pk,
        "programme": row.enrolment.programme,
        "village": row.village_id,
        "case_version": row.case.version,
        "state": row.case.state,
        "state_label": str(workflow.REVIEW_FLOW.state(row.case.state).label),
        "new_amount": None if row.new_amount is None else str(row.new_amount),
        "decisions": [_decision(d) for d in selectors.decisions_of(review=row)],
    }


class ReviewQuery(Schema):
    reason: Literal[
        "", "scheduled", "reported", "visit", "alert", "death", "work", "refusals", "fraud", "standard"
    ] = ""
    open: bool = True
    late: bool = False


@router.get(
    "/reviews",
    response={200: list[ReviewOut], **ERRORS},
    summary="The reviews of your area, soonest due first (at most 500)",
)
def review_list(request, query: Query[ReviewQuery]):
    rows = selectors.review_list(
        actor=request.auth, reason=query.reason, open_only=query.open, overdue_only=query.late
    )
    return [_review(row) for row in rows[:500]]


@router.get("/reviews/{review_id}", response={200: ReviewOut, **ERRORS}, summary="One review")
def review_get(request, review_id: int):
    return _review(selectors.review_get(actor=request.auth, pk=review_id))


class ReviewIn(Schema, extra="forbid"):
    enrolment_id: int = Id
    reason: Reason
    what: Text = Field(max_length=500)
    person_id: int | None = Field(
        None, ge=1, le=2**62, description="The member concerned (a death, refused work)"
    )


@router.post(
    "/reviews",
    response={201: ReviewOut, **ERRORS},
    summary="Start a review of an enrolment on a change (village coordinator, township, county)",
)
def review_start(request, payload: ReviewIn):
    enrolment_get(actor=request.auth, pk=payload.enrolment_id)  # another area's enrolment: not found
    review = services.review_start(
        actor=request.auth,
        enrolment_id=payload.enrolment_id,
        reason=payload.reason,
        what=payload.what,
        person_id=payload.person_id,
    )
    return Status(201, _review(selectors.review_get(actor=request.auth, pk=review.pk)))


class VisitIn(Schema, extra="forbid"):
    version: int = Field(ge=1, le=1_000_000)
    visitors: list[Text] = Field(min_length=2, max_length=6)
    visited_on: Date
    findings: Text = Field(max_length=1000)


@router.post(
    "/reviews/{review_id}/visit",
    response={200: ReviewOut, **ERRORS},
    summary="The home visit: the file goes to the county with it (township, county)",
)
def review_visit(request, payload: VisitIn, review_id: int):
    selectors.review_get(actor=request.auth, pk=review_id)  # another area's review: not found
    services.review_visit_record(
        actor=request.auth,
        review_id=review_id,
        version=payload.version,
        visitors=payload.visitors,
        visited_on=payload.visited_on,
        findings=payload.findings,
    )
    return _review(selectors.review_get(actor=request.auth, pk=review_id))


class DecideIn(Schema, extra="forbid"):
    version: int = Field(ge=1, le=1_000_000)
    outcome: Outcome
    reasons: Text = Field("", max_length=500)
    amount: str | None = Field(
        None,
        pattern=r"^[0-9]{1,6}(\.[0-9]{1,2})?$",
        description="Yuan a month: for an adjustment or a reduced share",
    )
    effective: Date | None = Field(None, description="The first day of a month; by default next month")
    months: int | None = Field(None, ge=1, le=6, description="A phase-out's months")
    overpaid_from: Date | None = Field(None, description="Fraud: the first month paid without entitlement")


@router.post(
    "/reviews/{review_id}/decision",
    response={200: ReviewOut, **ERRORS},
    summary="The county's decision, with its notice (county bureau)",
)
def review_decide(request, payload: DecideIn, review_id: int):
    selectors.review_get(actor=request.auth, pk=review_id)
    services.review_decide(
        actor=request.auth,
        review_id=review_id,
        version=payload.version,
        outcome=payload.outcome,
        reasons=payload.reasons,
        amount=Decimal(payload.amount) if payload.amount is not None else None,
        effective=payload.effective,
        months=payload.months,
        overpaid_from=payload.overpaid_from,
    )
    return _review(selectors.review_get(actor=request.auth, pk=review_id))


class TransferOut(Schema):
    id: int
    household_id: int
    from_village: str
    to_village: str
    first_month: Date = Field(description="The first month the receiving county pays")
    note: str
    handed_over_at: datetime.datetime
    case_id: int
    case_version: int
    state: str
    continued: list[EnrolmentOut]


def _transfer(row) -> dict:
    return {
        "id": row.pk,
        "household_id": row.household_id,
        "from_village": row.from_village_id,
        "to_village": row.to_village_id,
        "first_month": row.first_month,
        "note": row.note,
        "handed_over_at": row.handed_over_at,
        "case_id": row.case_id,
        "case_version": row.case.version,
        "state": row.case.state,
        "continued": [_enrolment(e) for e in selectors.transfer_continued(row)],
    }


class HandOverIn(Schema, extra="forbid"):
    village: str = Field(pattern="^[0-9]{12}$", examples=["371321101201"])
    note: Text = Field("", max_length=500)


class HandedOverOut(Schema):
    id: int
    household_id: int
    to_village: str
    first_month: Date


@router.post(
    "/households/{household_id}/hand-over",
    response={201: HandedOverOut, **ERRORS},
    summary="Hand a household over to another county of the city: this county pays up to this month",
)
def hand_over(request, payload: HandOverIn, household_id: int):
    transfer = services.transfer_hand_over(
        actor=request.auth, household_id=household_id, village_code=payload.village, note=payload.note
    )
    # The household is the other county's now: what this one may read of it is the hand-over itself.
    return Status(
        201,
        {
            "id": transfer.pk,
            "household_id": transfer.household_id,
            "to_village": transfer.to_village_id,
            "first_month": transfer.first_month,
        },
    )


@router.get(
    "/transfers/{transfer_id}",
    response={200: TransferOut, **ERRORS},
    summary="A household taken over from another county",
)
def transfer_get(request, transfer_id: int):
    return _transfer(selectors.transfer_get(actor=request.auth, pk=transfer_id))


class ConfirmIn(Schema, extra="forbid"):
    version: int = Field(ge=1, le=1_000_000, description="The case's version")
    amounts: dict[str, str] = Field(description="Enrolment id → yuan a month, for each continued here")


@router.post(
    "/transfers/{transfer_id}/confirmation",
    response={200: TransferOut, **ERRORS},
    summary="Confirm the amounts this county pays at its standard (county bureau)",
)
def transfer_confirm(request, payload: ConfirmIn, transfer_id: int):
    selectors.transfer_get(actor=request.auth, pk=transfer_id)
    services.transfer_confirm(
        actor=request.auth, transfer_id=transfer_id, version=payload.version, amounts=payload.amounts
    )
    return _transfer(selectors.transfer_get(actor=request.auth, pk=transfer_id))


class AdjustmentOut(Schema):
    standard_id: int
    effective: Date
    adjusted: int
    left_for_review: int
    duration_ms: int


@router.post(
    "/standards/{standard_id}/adjustments",
    response={201: AdjustmentOut, **ERRORS},
    summary="Adjust the assistance an approved standard changes, from its month (city bureau)",
)
def standard_adjust(request, standard_id: int):
    run = services.standard_adjust(actor=request.auth, standard_id=standard_id)
    return Status(
        201,
        {
            "standard_id": run.standard_id,
            "effective": run.effective,
            "adjusted": run.adjusted,
            "left_for_review": run.left_for_review,
            "duration_ms": run.duration_ms,
        },
    )
