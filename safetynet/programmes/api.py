"""/api/v1 for the programmes: standards (read; schedule, approve, reject), a household's
eligibility explained, and what-if — the same services, selectors and scope as the pages."""

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from safetynet.core.api import ERRORS, Date, Text
from safetynet.programmes import selectors, services, whatif
from safetynet.programmes.facts import household_explanation
from safetynet.programmes.standards import KINDS
from safetynet.registry.selectors import household_get

router = Router(tags=["programmes"])

CODE = Field(pattern="^[0-9]{4,6}$", examples=["371302"])
NUMBER = Field(pattern=r"^[0-9]{1,7}(\.[0-9]{1,4})?$", examples=["800"])


class StandardOut(Schema):
    id: int
    kind: str
    label: str
    unit: str
    division: str
    urban_rural: str
    valid_from: Date
    value: str
    status: str
    source: str
    version: int


class StandardIn(Schema, extra="forbid"):
    kind: str = Field(max_length=32, pattern="^[a-z_]+$")
    division: str = CODE
    urban_rural: str = Field("", pattern="^(urban|rural)?$")
    valid_from: Date
    value: str = NUMBER
    note: Text = Field("", max_length=200)


class Decision(Schema, extra="forbid"):
    version: int = Field(ge=1, le=1_000_000)
    reason: Text = Field("", max_length=500)


def _standard_out(row) -> dict:
    kind = KINDS.get(row.kind)
    return {"id": row.pk, "kind": row.kind, "label": str(kind.label if kind else row.kind),
            "unit": str(kind.unit if kind else ""), "division": row.division_id,
            "urban_rural": row.urban_rural,
            "valid_from": row.valid_from, "value": row.value_text, "status": row.status,
            "source": row.source, "version": row.version}


@router.get("/standards", response={200: list[StandardOut], **ERRORS}, summary="Standards and their history")
def standard_list(request):
    return [_standard_out(row) for row in selectors.standards_list()]


@router.post("/standards", response={201: StandardOut, **ERRORS},
             summary="Schedule a new value of a standard (city bureau; another officer approves it)")
def standard_schedule(request, payload: StandardIn):
    row = services.standard_schedule(actor=request.auth, kind=payload.kind, division_code=payload.division,
                                     urban_rural=payload.urban_rural, valid_from=payload.valid_from,
                                     value=payload.value, note=payload.note)
    return Status(201, _standard_out(row))


@router.post("/standards/{standard_id}/approve", response={200: StandardOut, **ERRORS},
             summary="Approve a scheduled standard (another officer than the one who scheduled it)")
def standard_approve(request, standard_id: int, payload: Decision):
    row = services.standard_approve(actor=request.auth, pk=standard_id, version=payload.version)
    return _standard_out(row)


@router.post("/standards/{standard_id}/reject", response={200: StandardOut, **ERRORS},
             summary="Reject a scheduled standard, with the reason")
def standard_reject(request, standard_id: int, payload: Decision):
    return _standard_out(services.standard_reject(actor=request.auth, pk=standard_id, version=payload.version,
                                                  reason=payload.reason))


class ConditionOut(Schema):
    code: str
    label: str
    expression: str
    readable: str
    holds: bool


class PersonResultOut(Schema):
    person: int
    name: str
    qualifies: bool
    receiving: bool
    amount: str | None
    facts: dict[str, str | None]
    conditions: list[ConditionOut]


class ResultOut(Schema):
    programme: str
    version: str
    qualifies: bool
    receiving: bool
    amount: str | None = Field(description="Yuan a month; for temporary assistance the most, once.")
    once: bool
    conditions: list[ConditionOut]
    persons: list[PersonResultOut] = Field([], description="For a programme decided per member (特困).")


class ExplanationOut(Schema):
    on: Date
    facts: dict[str, str | None]
    standard_id: int | None
    results: list[ResultOut]


class OnDay(Schema):
    on: Date | None = None


@router.get("/households/{household_id}/eligibility", response={200: ExplanationOut, **ERRORS},
            summary="A household's eligibility explained: every condition and figure, and the versions")
def household_eligibility(request, household_id: int, query: Query[OnDay]):
    household = household_get(actor=request.auth, pk=household_id)
    on = query.on or timezone.localdate()
    explained = household_explanation(actor=request.auth, household=household, on=on)
    standard = explained["standards"]["standard"]
    def text(values: dict) -> dict:
        return {name: None if value is None else str(value) for name, value in values.items()}

    def result(found: dict) -> dict:
        return {**found, "amount": None if found["amount"] is None else str(found["amount"]),
                "receiving": found.get("receiving", found["enrolment"] is not None),
                "conditions": [{**c, "label": str(c["label"])} for c in found["conditions"]]}

    return {"on": on, "facts": text(explained["facts"]), "standard_id": standard.pk if standard else None,
            "results": [{**result(r), "persons": [
                {**result(p), "person": p["person"].pk, "name": p["person"].name, "facts": text(p["facts"])}
                for p in r.get("persons", [])]} for r in explained["results"]]}


class WhatIfQuery(Schema):
    area: str = CODE
    residence: str = Field(pattern="^(urban|rural)$")
    value: str = NUMBER
    starting: Date


class TownshipOut(Schema):
    code: str
    name: str
    newly_households: int
    newly_persons: int
    lost_households: int
    lost_persons: int
    extra_month: int
    extra_year: int


class WhatIfOut(Schema):
    area: str
    residence: str
    value: str
    starting: Date
    townships: list[TownshipOut]
    totals: dict[str, int]


@router.get("/what-if", response={200: WhatIfOut, **ERRORS},
            summary="What a new minimum living standard would do, by township (nothing changes)")
def what_if(request, query: Query[WhatIfQuery]):
    result = whatif.standard_what_if(actor=request.auth, area_code=query.area, residence=query.residence,
                                     value=query.value, starting=query.starting)
    return {**result, "area": result["area"].code, "value": result["value_text"]}
