"""/api/v1/programmes/applications: hand one in, read the area's, record what the steps need (the
investigation, the data match, a spot-check, an appeal and its outcome, the self-care assessment);
staff's near relatives. The steps themselves go through the casework API (/api/v1/cases/{case_id}),
with the case's version: the one who acts second is told who acted first."""

import datetime
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from safetynet.core.api import ERRORS, Date, Text
from safetynet.programmes.applications import selectors, services, workflow

router = Router(tags=["applications"])
Programme = Literal["dibao", "edge", "tekun", "rigid"]
Id = Field(ge=1, le=2**62)


class ApplicationIn(Schema, extra="forbid"):
    household_id: int = Id
    programme: Programme
    channel: Literal["household", "proxy", "found"]
    person_id: int | None = Field(
        None, ge=1, le=2**62, description="The applicant; for 特困 the member it is for"
    )
    proxy: Text = Field("", max_length=60)
    run_id: int | None = Field(
        None, ge=1, le=2**62, description="The run that found the household (政策找人)"
    )
    reason: Text = Field("", max_length=500)


class ObjectionOut(Schema):
    received_at: datetime.datetime
    raised_by: str
    text: str
    settled: str


class AppealOut(Schema):
    id: int
    kind: str
    filed_on: Date
    body: str
    outcome: str
    outcome_on: Date | None
    arrears: str | None
    arrears_months: int | None
    version: int


class ApplicationOut(Schema):
    id: int
    programme: str
    household_id: int
    person_id: int
    applicant: str
    village: str
    channel: str
    proxy: str
    case_id: int
    version: int = Field(description="The application's own version (its records)")
    state: str
    state_label: str
    case_version: int = Field(description="Send it with a step through /api/v1/cases/{case_id}")
    due_at: datetime.datetime | None
    near_relative_of: list[str]
    missing_materials: str
    investigators: list[str]
    investigation_methods: list[str]
    findings: str
    match_results: dict[str, str]
    match_passes: bool | None
    opinion: str
    notice_from: Date | None
    notice_until: Date | None
    spot_check: bool
    spot_checked: str
    decision: str
    decided_at: datetime.datetime | None
    reasons: str
    amount: str | None = Field(description="Yuan a month: proposed with the opinion, fixed by the decision")
    benefit_from: Date | None
    explanation: dict = Field(description="The rule's explanation frozen at the decision")
    objections: list[ObjectionOut]
    appeals: list[AppealOut]


def _out(application, actor=None) -> dict:
    # Who objected is for the offices that settle it, not for every reader of the file.
    sees_objectors = actor is not None and actor.role in ("township_office", "county_bureau")
    flow = workflow.flow_of(application)
    case = application.case
    return {
        **{
            name: getattr(application, name)
            for name in (
                "programme",
                "household_id",
                "person_id",
                "channel",
                "proxy",
                "case_id",
                "near_relative_of",
                "missing_materials",
                "investigators",
                "investigation_methods",
                "findings",
                "match_results",
                "match_passes",
                "opinion",
                "notice_from",
                "notice_until",
                "spot_check",
                "spot_checked",
                "decision",
                "decided_at",
                "reasons",
                "benefit_from",
                "explanation",
            )
        },
        "id": application.pk,
        "version": application.version,
        "applicant": application.person.name,
        "village": application.village_id,
        "state": case.state,
        "state_label": str(flow.state(case.state).label),
        "case_version": case.version,
        "due_at": case.due_at if case.closed_at is None else None,
        "amount": None if application.amount is None else str(application.amount),
        "objections": [
            {
                "received_at": o.received_at,
                "raised_by": o.raised_by if sees_objectors else "",
                "text": o.text,
                "settled": o.settled,
            }
            for o in application.objections.all()
        ],
        "appeals": [
            {
                **{
                    n: getattr(a, n)
                    for n in (
                        "id",
                        "kind",
                        "filed_on",
                        "body",
                        "outcome",
                        "outcome_on",
                        "arrears_months",
                        "version",
                    )
                },
                "arrears": None if a.arrears is None else str(a.arrears),
            }
            for a in application.appeals.all()
        ],
    }


class ListQuery(Schema):
    state: str = Field("", pattern="^[a-z_]{0,40}$")
    programme: Literal["", "dibao", "edge", "tekun", "rigid"] = ""
    open: bool = True


@router.get(
    "/applications",
    response={200: list[ApplicationOut], **ERRORS},
    summary="The applications of your area, soonest due first (at most 500)",
)
def application_list(request, query: Query[ListQuery]):
    rows = selectors.application_list(
        actor=request.auth, state=query.state, programme=query.programme, open_only=query.open
    )
    return [_out(row, request.auth) for row in rows[:500]]


@router.post(
    "/applications",
    response={201: ApplicationOut, **ERRORS},
    summary="Hand in an application for a household (village coordinator or township)",
)
def application_start(request, payload: ApplicationIn):
    application = services.application_start(
        actor=request.auth,
        household_id=payload.household_id,
        programme=payload.programme,
        channel=payload.channel,
        person_id=payload.person_id,
        proxy=payload.proxy,
        run_id=payload.run_id,
        reason=payload.reason,
    )
    return Status(201, _out(selectors.application_get(actor=request.auth, pk=application.pk), request.auth))


@router.get(
    "/applications/{application_id}",
    response={200: ApplicationOut, **ERRORS},
    summary="One application with its records, its state and the case to take steps on",
)
def application_get(request, application_id: int):
    return _out(selectors.application_get(actor=request.auth, pk=application_id), request.auth)


class InvestigationIn(Schema, extra="forbid"):
    investigators: list[Text] = Field(min_length=2, max_length=6, examples=[["李明", "王芳"]])
    methods: list[Literal["home_visit", "neighbours", "letters"]] = Field(
        min_length=1, max_length=3, examples=[["home_visit"]]
    )
    findings: Text = Field(max_length=1000)
    version: int | None = Field(
        None,
        ge=1,
        le=2_000_000_000,
        description="The application's version you read: refused (409) if another saved since",
    )


def _get(request, application_id: int):
    return selectors.application_get(actor=request.auth, pk=application_id)


@router.post(
    "/applications/{application_id}/investigation",
    response={200: ApplicationOut, **ERRORS},
    summary="The township's investigation: at least two investigators, a home visit, the findings",
)
def investigation_record(request, application_id: int, payload: InvestigationIn):
    _get(request, application_id)
    services.investigation_record(
        actor=request.auth,
        application_id=application_id,
        investigators=payload.investigators,
        methods=payload.methods,
        findings=payload.findings,
        version=payload.version,
    )
    return _out(_get(request, application_id), request.auth)


class MatchIn(Schema, extra="forbid"):
    version: int = Field(ge=1, le=2_000_000_000, description="The case's version")
    passes: bool
    results: dict[str, Text] = Field(
        description="What each department's records show (无记录 when none): "
        + ", ".join(services.MATCH_SOURCES)
    )


@router.post(
    "/applications/{application_id}/data-match",
    response={200: ApplicationOut, **ERRORS},
    summary="The county's data match, filled by hand; returns the file to the township",
)
def match_fill(request, application_id: int, payload: MatchIn):
    _get(request, application_id)
    services.match_fill(
        actor=request.auth,
        application_id=application_id,
        version=payload.version,
        results=payload.results,
        passes=payload.passes,
    )
    return _out(_get(request, application_id), request.auth)


class FindingIn(Schema, extra="forbid"):
    finding: Text = Field(max_length=500)
    version: int | None = Field(
        None, ge=1, le=2_000_000_000, description="The application's version you read"
    )


@router.post(
    "/applications/{application_id}/spot-check",
    response={200: ApplicationOut, **ERRORS},
    summary="The county's spot-check of a 特困 file chosen for it",
)
def spot_check(request, application_id: int, payload: FindingIn):
    _get(request, application_id)
    services.spot_check_record(
        actor=request.auth, application_id=application_id, finding=payload.finding, version=payload.version
    )
    return _out(_get(request, application_id), request.auth)


class AppealIn(Schema, extra="forbid"):
    kind: Literal["reconsideration", "lawsuit"]
    filed_on: Date
    body: Text = Field(max_length=100, description="The reviewing government or the court")


@router.post(
    "/applications/{application_id}/appeals",
    response={201: ApplicationOut, **ERRORS},
    summary="Record an administrative reconsideration or lawsuit against the decision (county)",
)
def appeal_file(request, application_id: int, payload: AppealIn):
    _get(request, application_id)
    services.appeal_file(
        actor=request.auth,
        application_id=application_id,
        kind=payload.kind,
        filed_on=payload.filed_on,
        body=payload.body,
    )
    return Status(201, _out(_get(request, application_id), request.auth))


class AppealOutcomeIn(Schema, extra="forbid"):
    version: int = Field(ge=1, le=2_000_000_000, description="The pending appeal's version")
    outcome: Literal["upheld", "redecided"]
    outcome_on: Date
    note: Text = Field("", max_length=500)


@router.post(
    "/applications/{application_id}/appeal-outcome",
    response={200: ApplicationOut, **ERRORS},
    summary="The pending appeal's outcome; re-decided approves a rejection with the months owed",
)
def appeal_decide(request, application_id: int, payload: AppealOutcomeIn):
    application = _get(request, application_id)
    pending = application.appeals.filter(outcome="").first()
    if pending is None:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError(_("There is no pending appeal."))
    services.appeal_decide(
        actor=request.auth,
        appeal_id=pending.pk,
        version=payload.version,
        outcome=payload.outcome,
        outcome_on=payload.outcome_on,
        note=payload.note,
    )
    return _out(_get(request, application_id), request.auth)


class SelfCareIn(Schema, extra="forbid"):
    cannot: list[Literal["eating", "dressing", "bed", "toilet", "walking", "bathing"]] = Field(max_length=6)
    reason: Text = Field("", max_length=200)


class SelfCareOut(Schema):
    person_id: int
    lost: int
    level: int
    assessed_on: Date


@router.post(
    "/applications/{application_id}/self-care-assessment",
    response={201: SelfCareOut, **ERRORS},
    summary="The six-item self-care assessment of the 特困 applicant: it sets the care tier",
)
def self_care(request, application_id: int, payload: SelfCareIn):
    application = _get(request, application_id)
    assessment = services.self_care_assess(
        actor=request.auth,
        person_id=application.person_id,
        cannot=payload.cannot,
        reason=payload.reason,
        application_id=application.pk,
    )
    return Status(
        201,
        {
            "person_id": assessment.person_id,
            "lost": assessment.lost,
            "level": assessment.level,
            "assessed_on": assessment.assessed_on,
        },
    )


class NearRelativeIn(Schema, extra="forbid"):
    person_id: int = Id
    relation: Text = Field(max_length=30)


class NearRelativeOut(Schema):
    person_id: int
    name: str
    relation: str
    declared_at: datetime.datetime


@router.get(
    "/near-relatives", response={200: list[NearRelativeOut], **ERRORS}, summary="Your declared near relatives"
)
def near_relative_list(request):
    return [
        {
            "person_id": r.person_id,
            "name": r.person.name,
            "relation": r.relation,
            "declared_at": r.declared_at,
        }
        for r in selectors.near_relatives_of(actor=request.auth)
    ]


@router.post(
    "/near-relatives",
    response={201: NearRelativeOut, **ERRORS},
    summary="Declare a registered person of your area as your near relative (备案)",
)
def near_relative_declare(request, payload: NearRelativeIn):
    row = services.near_relative_declare(
        actor=request.auth, person_id=payload.person_id, relation=payload.relation
    )
    return Status(
        201,
        {
            "person_id": row.person_id,
            "name": row.person.name,
            "relation": row.relation,
            "declared_at": row.declared_at or timezone.now(),
        },
    )


# --- reports and complaints ----------------------------------------------------------------------------


class ComplaintIn(Schema, extra="forbid"):
    kind: Literal["real_name", "hotline"]
    complainant: Text = Field("", max_length=60)
    contact: Text = Field("", max_length=20)
    household_id: int | None = Field(None, ge=1, le=2**62)
    area: str = Field("", pattern="^[0-9]{0,12}$")
    text: Text = Field(max_length=1000)


class ComplaintOut(Schema):
    id: int
    kind: str
    received_at: datetime.datetime
    complainant: str = Field(description="Shown to the county bureau only; others get an empty string")
    contact: str
    household_id: int | None
    area: str
    text: str
    case_id: int
    state: str
    case_version: int
    due_at: datetime.datetime | None
    substantiated: bool | None
    findings: str
    answer: str
    answered_at: datetime.datetime | None


def _complaint_out(request, complaint) -> dict:
    sees = request.auth.role == "county_bureau"
    case = complaint.case
    return {
        "id": complaint.pk,
        "kind": complaint.kind,
        "received_at": complaint.received_at,
        "complainant": complaint.complainant if sees else "",
        "contact": complaint.contact if sees else "",
        "household_id": complaint.household_id,
        "area": complaint.area_id,
        "text": complaint.text,
        "case_id": complaint.case_id,
        "state": case.state,
        "case_version": case.version,
        "due_at": case.due_at if case.closed_at is None else None,
        "substantiated": complaint.substantiated,
        "findings": complaint.findings,
        "answer": complaint.answer,
        "answered_at": complaint.answered_at,
    }


@router.get(
    "/complaints",
    response={200: list[ComplaintOut], **ERRORS},
    summary="Real-name reports and 12349 complaints about your area (the last 500)",
)
def complaint_list(request):
    return [
        _complaint_out(request, c) for c in selectors.complaints(actor=request.auth).order_by("-pk")[:500]
    ]


@router.post(
    "/complaints",
    response={201: ComplaintOut, **ERRORS},
    summary="Record a report or complaint (county bureau or township): about a household or an area",
)
def complaint_receive(request, payload: ComplaintIn):
    from safetynet.programmes.applications import complaints

    made = complaints.complaint_receive(
        actor=request.auth,
        kind=payload.kind,
        complainant=payload.complainant,
        contact=payload.contact,
        text=payload.text,
        household_id=payload.household_id,
        area_code=payload.area,
    )
    return Status(201, _complaint_out(request, selectors.complaint_get(actor=request.auth, pk=made.pk)))


class FindingsIn(Schema, extra="forbid"):
    version: int = Field(ge=1, le=2_000_000_000, description="The case's version")
    substantiated: bool
    findings: Text = Field(max_length=1000)


@router.post(
    "/complaints/{complaint_id}/findings",
    response={200: ComplaintOut, **ERRORS},
    summary="What the check found (township or county); the case goes back to the county",
)
def complaint_findings(request, complaint_id: int, payload: FindingsIn):
    from safetynet.programmes.applications import complaints

    selectors.complaint_get(actor=request.auth, pk=complaint_id)
    complaints.complaint_findings(
        actor=request.auth,
        pk=complaint_id,
        version=payload.version,
        substantiated=payload.substantiated,
        findings=payload.findings,
    )
    return _complaint_out(request, selectors.complaint_get(actor=request.auth, pk=complaint_id))


class AnswerIn(Schema, extra="forbid"):
    version: int = Field(ge=1, le=2_000_000_000, description="The case's version")
    answer: Text = Field(max_length=1000)


@router.post(
    "/complaints/{complaint_id}/answer",
    response={200: ComplaintOut, **ERRORS},
    summary="The county's written answer; the case closes",
)
def complaint_answer(request, complaint_id: int, payload: AnswerIn):
    from safetynet.programmes.applications import complaints

    selectors.complaint_get(actor=request.auth, pk=complaint_id)
    complaints.complaint_answer(
        actor=request.auth, pk=complaint_id, version=payload.version, answer=payload.answer
    )
    return _complaint_out(request, selectors.complaint_get(actor=request.auth, pk=complaint_id))
