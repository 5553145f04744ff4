"""/api/v1 for the programmes: standards (read; schedule, approve, reject), a household's
eligibility explained, runs of the rules over an area (start, list, by township, the households of
each list) and what-if — the same services, selectors and scope as the pages."""

from typing import Literal

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from safetynet.core.api import ERRORS, Date, Text
from safetynet.programmes import selectors, services, whatif
from safetynet.programmes.facts import explanation_data, household_explanation
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
    return explanation_data(explained)


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


# --- runs of the rules over an area ------------------------------------------------------------------

class RunIn(Schema, extra="forbid"):
    area: str = CODE
    on: Date


class RunOut(Schema):
    id: int
    area: str
    area_name: str
    as_of: Date
    started_by: str
    started_at: str
    duration_ms: int
    households: int
    rules: dict[str, str] = Field(description="The version of each programme's rule the run used.")
    standards: list[dict] = Field(description="The 低保 standards in force, per county and residence.")
    counts: dict[str, dict[str, int]] = Field(description="Per programme: households that qualify "
                                              "(qualifies), of them receiving nothing (not_enrolled), and "
                                              "receiving it without qualifying (no_longer).")


class TownshipCountsOut(Schema):
    code: str
    name: str
    counts: dict[str, dict[str, int]]


class RunDetailOut(RunOut):
    townships: list[TownshipCountsOut]


class RunHouseholdsQuery(Schema):
    programme: str = Field(pattern="^[a-z_]{1,16}$", examples=["dibao"])
    township: str = Field(pattern="^[0-9]{9}$", examples=["371302001"])
    kind: Literal["qualifies", "not_enrolled", "no_longer"] = "qualifies"


class RunHouseholdOut(Schema):
    household_id: int
    village: str
    head: str
    address: str
    amount: str | None = Field(description="Yuan a month, as the rule gives it; none when unknown.")


def _run_out(run) -> dict:
    return {"id": run.pk, "area": run.area_id, "area_name": run.area.name, "as_of": run.as_of,
            "started_by": run.started_by.username, "started_at": run.started_at.isoformat(),
            "duration_ms": run.duration_ms, "households": run.households,
            "rules": {code: str(version) for code, version in run.rules.items()},
            "standards": run.standards, "counts": run.counts}


@router.get("/eligibility-runs", response={200: list[RunOut], **ERRORS},
            summary="The runs of the rules over areas in your own, newest first (the last 100)")
def eligibility_run_list(request):
    return [_run_out(run) for run in selectors.eligibility_runs(actor=request.auth)[:100]]


@router.post("/eligibility-runs", response={201: RunDetailOut, **ERRORS},
             summary="Run every programme's rule over an area as of a day and keep the run "
                     "(county bureau: its county; city bureau: the city or a county)")
def eligibility_run_start(request, payload: RunIn):
    run = services.eligibility_run(actor=request.auth, area_code=payload.area, on=payload.on)
    return Status(201, {**_run_out(run), "townships": selectors.eligibility_by_township(run=run)})


@router.get("/eligibility-runs/{run_id}", response={200: RunDetailOut, **ERRORS},
            summary="A run, with its counts per township")
def eligibility_run_get(request, run_id: int):
    run = selectors.eligibility_run_get(actor=request.auth, pk=run_id)
    return {**_run_out(run), "townships": selectors.eligibility_by_township(run=run)}


@router.get("/eligibility-runs/{run_id}/households", response={200: list[RunHouseholdOut], **ERRORS},
            summary="The households of a township on one of a run's lists: qualifying, qualifying but "
                    "receiving nothing (政策找人), or receiving without qualifying (at most 2,000)")
def eligibility_run_households(request, run_id: int, query: Query[RunHouseholdsQuery]):
    run = selectors.eligibility_run_get(actor=request.auth, pk=run_id)
    if query.programme not in run.rules:
        raise Http404
    rows = selectors.eligibility_households(actor=request.auth, run=run, programme=query.programme,
                                            township=query.township, kind=query.kind)
    return [{**row, "amount": None if row["amount"] is None else str(row["amount"])} for row in rows]
