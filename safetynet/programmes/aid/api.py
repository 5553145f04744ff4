"""/api/v1/programmes/temporary-aid: the area's temporary aid, recording an emergency (a registered
person or a traveller) or an expenditure application, its payments (recorded as paid), the
paperwork, the referral to the county and its decision; /api/v1/programmes/heating-aid: the winter
heating aid batches. Steps without records of their own (accept, close, withdraw) go through the
casework API (/api/v1/cases/{case_id}) with the case's version. ID and phone numbers come masked;
`unmask=true` shows them whole to a role that may see them, and logs it."""

import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictInt

from safetynet.core.api import ERRORS, Date, Flag, Text
from safetynet.core.privacy import Disclosure
from safetynet.programmes.aid import selectors, services, workflow

router = Router(tags=["temporary aid"])
Id = Field(ge=1, le=2**62)
Version = Field(ge=1, le=2_000_000_000, description="The aid's version you read: 409 if another saved since")
# Money as text: the service reads it (1,234.50元 too) and refuses a wrong amount in words.
Money = Field(max_length=30, examples=["800.00"])


class AidPaymentOut(Schema):
    stage: int
    amount: str
    means: str
    from_reserve: bool
    note: str
    paid_at: datetime.datetime
    paid_by: str


class AidStageOut(Schema):
    id: int = Field(description="The stage's id (a payroll line's aid_stage)")
    stage: int
    month: str = Field(description="The payroll month that pays it (YYYY-MM)")
    amount: str
    paid: bool
    stopped: bool = Field(description="Stopped by the county before the payroll took it")


class AidOut(Schema):
    id: int
    kind: str
    cause: str
    area: str
    name: str
    id_number: str
    home_place: str
    phone: str
    registered_person: bool = Field(description="The person aided is registered (perhaps elsewhere)")
    household_id: int | None = Field(description="The household, when it is in your area")
    what: str
    reported_at: datetime.datetime
    approved_amount: str | None
    cap: str | None
    decided_by_county: bool
    paid_total: str
    paperwork_completed_at: datetime.datetime | None
    paperwork_late: bool = Field(description="Completed after its 5 days, or still not done past them")
    state: str
    state_label: str
    case_id: int
    case_version: int
    due_at: datetime.datetime | None
    version: int
    payments: list[AidPaymentOut]
    stages: list[AidStageOut] = Field(description="The stages the county's payroll pays, when it decided so")


def _out(aid, actor, disclosure: Disclosure) -> dict:
    from safetynet.core.scope import in_area

    shown = disclosure.show(aid)
    return {
        **{
            name: getattr(aid, name)
            for name in (
                "kind",
                "cause",
                "name",
                "home_place",
                "what",
                "reported_at",
                "decided_by_county",
                "paperwork_completed_at",
                "case_id",
                "version",
            )
        },
        "id": aid.pk,
        "area": aid.area_id,
        "id_number": shown["id_number"],
        "phone": shown["phone"],
        "registered_person": aid.person_id is not None,
        "household_id": aid.household_id
        if aid.household_id and in_area(actor, aid.household.village_id)
        else None,
        "approved_amount": None if aid.approved_amount is None else str(aid.approved_amount),
        "cap": None if aid.cap is None else str(aid.cap),
        "paid_total": str(aid.paid_total),
        "paperwork_late": selectors.is_late(aid),
        "state": aid.case.state,
        "state_label": str(workflow.flow_of(aid).state(aid.case.state).label),
        "case_version": aid.case.version,
        "due_at": aid.case.due_at if aid.case.closed_at is None else None,
        "payments": [
            {
                "stage": p.stage,
                "amount": str(p.amount),
                "means": p.means,
                "from_reserve": p.from_reserve,
                "note": p.note,
                "paid_at": p.paid_at,
                "paid_by": str(p.paid_by),
            }
            for p in selectors.payments_of(aid)
        ],
        "stages": [
            {
                "id": s.pk,
                "stage": s.stage,
                "month": f"{s.month:%Y-%m}",
                "amount": str(s.amount),
                "paid": s.payment_id is not None,
                "stopped": s.stopped_at is not None,
            }
            for s in selectors.instalments_of(aid)
        ],
    }


def _one(request, aid_id: int, unmask: bool = False) -> dict:
    actor = request.auth
    return _out(
        selectors.aid_get(actor=actor, pk=aid_id), actor, Disclosure(actor, channel="api", whole=unmask)
    )


class AidListQuery(Schema):
    kind: Literal["", "emergency", "expenditure"] = ""
    late: bool = False
    unmask: bool = False


@router.get(
    "/temporary-aid",
    response={200: list[AidOut], **ERRORS},
    summary="The temporary aid of your area, newest first (at most 500)",
)
def aid_list(request, query: Query[AidListQuery]):
    disclosure = Disclosure(request.auth, channel="api", whole=query.unmask, batched=True)
    rows = [
        _out(row, request.auth, disclosure)
        for row in selectors.aid_list(actor=request.auth, kind=query.kind, late=query.late)[:500]
    ]
    disclosure.flush()
    return rows


class AidEmergencyIn(Schema, extra="forbid"):
    area: str = Field(
        pattern="^([0-9]{9}|[0-9]{12})$",
        examples=["371302001"],
        description="The village or township where it happened",
    )
    cause: Literal["fire", "traffic", "accident", "illness", "hardship"]
    what: Text = Field(max_length=1000, examples=["家中失火"])
    person_id: int | None = Field(None, ge=1, le=2**62, description="A registered person of your area")
    name: Text = Field("", max_length=50, description="A traveller: the name they give")
    id_number: Text = Field("", max_length=18)
    home_place: Text = Field("", max_length=100)
    phone: Text = Field("", max_length=20)
    reported_at: datetime.datetime | None = Field(None, description="Empty: now")


@router.post(
    "/temporary-aid/emergencies",
    response={201: AidOut, **ERRORS},
    summary="Record an emergency where it happened (township or county): pay within 24 hours",
)
def emergency_report(request, payload: AidEmergencyIn):
    aid = services.emergency_report(
        actor=request.auth,
        area_code=payload.area,
        cause=payload.cause,
        what=payload.what,
        person_id=payload.person_id,
        name=payload.name,
        id_number=payload.id_number,
        home_place=payload.home_place,
        phone=payload.phone,
        reported_at=payload.reported_at,
    )
    return Status(201, _one(request, aid.pk))


class AidExpenditureIn(Schema, extra="forbid"):
    household_id: int = Id
    cause: Literal["medical", "education", "living"]
    what: Text = Field(max_length=1000, examples=["住院自付费用"])
    person_id: int | None = Field(None, ge=1, le=2**62)


@router.post(
    "/temporary-aid/applications",
    response={201: AidOut, **ERRORS},
    summary="An expenditure-type application for a household",
)
def expenditure_apply(request, payload: AidExpenditureIn):
    aid = services.expenditure_apply(
        actor=request.auth,
        household_id=payload.household_id,
        cause=payload.cause,
        what=payload.what,
        person_id=payload.person_id,
    )
    return Status(201, _one(request, aid.pk))


@router.get(
    "/temporary-aid/{aid_id}",
    response={200: AidOut, **ERRORS},
    summary="One temporary aid with its payments and its case",
)
def aid_get(request, aid_id: int, unmask: Flag = False):
    return _one(request, aid_id, unmask)


class AidPaymentIn(Schema, extra="forbid"):
    version: int = Version
    amount: Text = Money
    means: Literal["cash", "bank", "in_kind"]
    from_reserve: bool = False
    note: Text = Field("", max_length=200)
    approved_amount: Text | None = Field(
        None,
        max_length=30,
        description="The first emergency payment: the township's approval in all, at most its cap",
    )
    paid_at: datetime.datetime | None = None


@router.post(
    "/temporary-aid/{aid_id}/payments",
    response={200: AidOut, **ERRORS},
    summary="A payment, recorded as paid: the first pays the emergency first; stages within the approval",
)
def aid_pay(request, aid_id: int, payload: AidPaymentIn):
    selectors.aid_get(actor=request.auth, pk=aid_id)
    services.aid_pay(
        actor=request.auth,
        aid_id=aid_id,
        version=payload.version,
        amount=payload.amount,
        means=payload.means,
        from_reserve=payload.from_reserve,
        note=payload.note,
        approved_amount=payload.approved_amount,
        paid_at=payload.paid_at,
    )
    return _one(request, aid_id)


class AidPaperworkIn(Schema, extra="forbid"):
    version: int = Version
    registrar: Text = Field(max_length=50, examples=["王登记"])
    signatories: list[Text] = Field(min_length=1, max_length=10, examples=[["李受助", "王登记"]])
    note: Text = Field("", max_length=500)


@router.post(
    "/temporary-aid/{aid_id}/paperwork",
    response={200: AidOut, **ERRORS},
    summary="The emergency's paperwork, within 5 days of the first payment (late: marked)",
)
def paperwork_complete(request, aid_id: int, payload: AidPaperworkIn):
    selectors.aid_get(actor=request.auth, pk=aid_id)
    services.paperwork_complete(
        actor=request.auth,
        aid_id=aid_id,
        version=payload.version,
        registrar=payload.registrar,
        signatories=payload.signatories,
        note=payload.note,
    )
    return _one(request, aid_id)


class AidAmountIn(Schema, extra="forbid"):
    version: int = Version
    amount: Text = Money
    reason: Text = Field("", max_length=500, examples=["房屋烧毁，需安置"])


class AidCountyDecisionIn(AidAmountIn):
    stages: StrictInt = Field(
        0, ge=0, le=12, description="0: the township pays; 1–12: monthly stages through the county's payroll"
    )


@router.post(
    "/temporary-aid/{aid_id}/referral",
    response={200: AidOut, **ERRORS},
    summary="The township refers an aid above its cap to the county",
)
def aid_refer(request, aid_id: int, payload: AidAmountIn):
    selectors.aid_get(actor=request.auth, pk=aid_id)
    services.aid_refer_county(
        actor=request.auth,
        aid_id=aid_id,
        version=payload.version,
        amount=payload.amount,
        reason=payload.reason,
    )
    return _one(request, aid_id)


@router.post(
    "/temporary-aid/{aid_id}/county-decision",
    response={200: AidOut, **ERRORS},
    summary="The county's case-by-case decision (一事一议) on an aid above the township's cap",
)
def aid_county_decide(request, aid_id: int, payload: AidCountyDecisionIn):
    selectors.aid_get(actor=request.auth, pk=aid_id)
    services.aid_county_decide(
        actor=request.auth,
        aid_id=aid_id,
        version=payload.version,
        amount=payload.amount,
        reason=payload.reason,
        stages=payload.stages,
    )
    return _one(request, aid_id)


class AidStagesStopIn(Schema, extra="forbid"):
    version: int = Version
    reason: Text = Field(max_length=500, examples=["受助人已死亡"])


@router.post(
    "/temporary-aid/{aid_id}/stages/stop",
    response={200: AidOut, **ERRORS},
    summary="The county stops the stages the payroll has not taken yet, with the reason",
)
def aid_stages_stop(request, aid_id: int, payload: AidStagesStopIn):
    selectors.aid_get(actor=request.auth, pk=aid_id)
    services.aid_stages_stop(
        actor=request.auth, aid_id=aid_id, version=payload.version, reason=payload.reason
    )
    return _one(request, aid_id)


class AidFindingsIn(Schema, extra="forbid"):
    version: int = Version
    findings: Text = Field(max_length=1000, examples=["入户核实"])


@router.post(
    "/temporary-aid/{aid_id}/investigation",
    response={200: AidOut, **ERRORS},
    summary="The township's investigation of an expenditure-type application",
)
def aid_investigate(request, aid_id: int, payload: AidFindingsIn):
    selectors.aid_get(actor=request.auth, pk=aid_id)
    services.expenditure_investigate(
        actor=request.auth, aid_id=aid_id, version=payload.version, findings=payload.findings
    )
    return _one(request, aid_id)


@router.post(
    "/temporary-aid/{aid_id}/decision",
    response={200: AidOut, **ERRORS},
    summary="The township's decision on an expenditure-type application, up to its cap",
)
def aid_decide(request, aid_id: int, payload: AidAmountIn):
    selectors.aid_get(actor=request.auth, pk=aid_id)
    services.expenditure_decide(
        actor=request.auth,
        aid_id=aid_id,
        version=payload.version,
        amount=payload.amount,
        reason=payload.reason,
    )
    return _one(request, aid_id)


class AidHeatingOut(Schema):
    id: int
    season: int
    area: str
    programmes: list[str]
    on: Date
    amount: str
    granted: int
    decided_at: datetime.datetime


class AidHeatingIn(Schema, extra="forbid"):
    area: str = Field(pattern="^[0-9]{4,12}$", examples=["371302"])
    season: int = Field(ge=2022, le=2100, examples=[2026])
    programmes: list[Literal["dibao", "tekun", "edge"]] = Field(
        min_length=1, max_length=3, examples=[["dibao", "tekun"]]
    )
    on: Date
    amount: Text = Money


def _heating_out(batch) -> dict:
    return {
        "id": batch.pk,
        "season": batch.season,
        "area": batch.area_id,
        "programmes": batch.programmes,
        "on": batch.on,
        "amount": str(batch.amount),
        "granted": batch.granted,
        "decided_at": batch.decided_at,
    }


@router.get(
    "/heating-aid",
    response={200: list[AidHeatingOut], **ERRORS},
    summary="The heating aid batches of your area",
)
def heating_list(request):
    return [_heating_out(b) for b in selectors.heating_batches(actor=request.auth)[:500]]


@router.post(
    "/heating-aid",
    response={201: AidHeatingOut, **ERRORS},
    summary="Grant a winter's heating aid to every household of an area receiving the programmes",
)
def heating_grant(request, payload: AidHeatingIn):
    batch = services.heating_aid_grant(
        actor=request.auth,
        area_code=payload.area,
        season=payload.season,
        programmes=payload.programmes,
        on=payload.on,
        amount=payload.amount,
    )
    return Status(201, _heating_out(batch))
