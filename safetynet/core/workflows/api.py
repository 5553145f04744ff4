"""Casework in /api/v1: the caller's work desk, one case with the steps the caller may take and its
history, taking a step (409 when someone acted first, saying who and when), the inbox. Deadlines
carry `provisional` as on the pages."""

import datetime
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from safetynet.core.api import ERRORS, Text
from safetynet.core.workflows import selectors
from safetynet.core.workflows.services import case_extend, case_transition
from safetynet.core.workflows.table import workflow

router = Router(tags=["casework"])
MAX_EVIDENCE = 20
EvidenceId = Annotated[int, Field(ge=1, le=2**62)]


class DeskRowOut(Schema):
    kind: str
    title: str
    url: str
    due_at: datetime.datetime | None
    provisional: bool = Field(description="reckoned over a year of the calendar not entered yet")
    state: str
    escalated_to: str
    overdue: bool


class DeskOut(Schema):
    counts: dict[str, int] = Field(description="overdue, today, coming")
    overdue: list[DeskRowOut]
    today: list[DeskRowOut]
    coming: list[DeskRowOut]


class StepOut(Schema):
    code: str
    label: str
    evidence_required: list[str] = Field(description="kinds of evidence it needs: photo, signature, pdf")
    reason_required: bool


class EventOut(Schema):
    at: datetime.datetime
    kind: str
    transition: str
    from_state: str
    to_state: str
    actor: str
    reason: str
    evidence: dict[str, list[int]]


class CaseOut(Schema):
    id: int
    workflow: str
    title: str
    state: str
    state_label: str
    version: int
    due_at: datetime.datetime | None
    due_provisional: bool
    overdue_since: datetime.datetime | None
    escalated_to: str
    closed_at: datetime.datetime | None
    steps: list[StepOut] = Field(description="the steps the caller may take now")
    events: list[EventOut]


class StepIn(Schema, extra="forbid"):
    transition: Text = Field(max_length=40)
    version: int = Field(ge=1, le=2_000_000_000, description="the version the caller read")
    reason: Text = Field("", max_length=500)
    evidence: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(default_factory=list,
                                                                  max_length=MAX_EVIDENCE,
                                description="ids of evidence uploaded to this case and not yet used")


class NoticeOut(Schema):
    id: int
    at: datetime.datetime
    text: str
    case_id: int | None
    read: bool


def _case_out(request, case) -> dict:
    flow = workflow(case.workflow)
    steps = [] if case.closed_at else [
        {"code": move.code, "label": str(move.label), "evidence_required": [e.kind for e in move.evidence],
         "reason_required": move.reason_required}
        for move in flow.moves_from(case.state) if request.auth.role in move.roles]
    events = [{"at": e.at, "kind": e.kind, "transition": e.transition, "from_state": e.from_state,
               "to_state": e.to_state, "actor": str(e.actor) if e.actor else _("the system"),
               "reason": e.reason, "evidence": e.evidence or {}} for e in selectors.case_events(case)]
    return {"id": case.pk, "workflow": case.workflow, "title": case.title, "state": case.state,
            "state_label": str(flow.state(case.state).label), "version": case.version, "due_at": case.due_at,
            "due_provisional": case.due_provisional, "overdue_since": case.overdue_since,
            "escalated_to": case.escalated_to, "closed_at": case.closed_at, "steps": steps, "events": events}


@router.get("/desk", response={200: DeskOut, **ERRORS}, summary="The caller's work desk")
def desk(request):
    shown = selectors.desk(actor=request.auth)
    return {"counts": shown.counts, "overdue": [vars(r) for r in shown.overdue],
            "today": [vars(r) for r in shown.today], "coming": [vars(r) for r in shown.coming]}


@router.get("/cases/{case_id}", response={200: CaseOut, **ERRORS}, summary="A case, its steps and history")
def case_get(request, case_id: int):
    return _case_out(request, selectors.case_get(actor=request.auth, pk=case_id))


@router.post("/cases/{case_id}/steps", response={200: CaseOut, **ERRORS}, summary="Take a step of a case")
def case_step(request, case_id: int, payload: StepIn):
    case = selectors.case_get(actor=request.auth, pk=case_id)
    moved = case_transition(actor=request.auth, case_id=case.pk, transition=payload.transition,
                            version=payload.version, reason=payload.reason, evidence=payload.evidence)
    return _case_out(request, moved)


class ExtensionIn(Schema, extra="forbid"):
    version: int = Field(ge=1, le=2_000_000_000, description="the version the caller read")
    amount: int = Field(ge=1, le=365, description="units (working days) added to the extendable limits")
    reason: Text = Field(max_length=500)


@router.post("/cases/{case_id}/extension", response={200: CaseOut, **ERRORS},
             summary="Extend a case's statutory time limit, with the reason (the roles its workflow names)")
def case_extension(request, case_id: int, payload: ExtensionIn):
    case = selectors.case_get(actor=request.auth, pk=case_id)
    extended = case_extend(actor=request.auth, case_id=case.pk, version=payload.version,
                           amount=payload.amount, reason=payload.reason)
    return _case_out(request, extended)


@router.get("/inbox", response={200: list[NoticeOut], **ERRORS}, summary="The caller's notices, newest first")
def inbox(request):
    return [{"id": n.pk, "at": n.at, "text": selectors.notice_text(n), "case_id": n.case_id,
             "read": n.read_at is not None} for n in selectors.notices(actor=request.auth)[:200]]
