"""/api/v1/institutions: the institutions the caller reads (the offices by area; staff and inspectors
by grant), one institution, recording one (county or city bureau) and changing it (the offices every
field, the institution's staff its heating and CO alarms) with the version read."""

import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from safetynet.core.api import ERRORS, Date, Text
from safetynet.core.selectors import division_get
from safetynet.institutions import selectors, services

router = Router(tags=["institutions"])
Kind = Literal["elderly_public", "elderly_private", "child_welfare", "mental_health", "rescue_station"]
Heating = Literal["central", "gas", "coal", "electric", "solar", "wood", "none"]
Count = Field(0, ge=0, le=100_000)


class InstitutionOut(Schema):
    id: int
    name: str
    kind: str
    division: str
    address: str
    operator: str
    head: str
    phone: str
    licence_number: str
    licence_valid_until: Date | None
    beds: int
    residents: int
    staff: int
    heating: str
    co_alarms: int
    co_rooms_heated: int
    co_rooms_covered: int
    co_last_tested: Date | None
    co_guarded: bool = Field(description="Every room heated by fuel has a CO alarm")
    fire_facilities: str
    active: bool
    created_at: datetime.datetime
    version: int


def _out(row) -> dict:
    return {
        **{name: getattr(row, name) for name in services.FIELDS},
        "id": row.pk,
        "division": row.division_id,
        "co_guarded": row.co_guarded,
        "created_at": row.created_at,
        "version": row.version,
    }


class ListQuery(Schema):
    kind: Literal[
        "", "elderly_public", "elderly_private", "child_welfare", "mental_health", "rescue_station"
    ] = ""
    heating: Literal["", "central", "gas", "coal", "electric", "solar", "wood", "none"] = ""
    unguarded: bool = False


@router.get(
    "/institutions",
    response={200: list[InstitutionOut], **ERRORS},
    summary="The institutions you read (at most 1000)",
)
def institution_list(request, query: Query[ListQuery]):
    rows = selectors.institution_list(
        actor=request.auth, kind=query.kind, heating=query.heating, unguarded=query.unguarded
    )
    return [_out(row) for row in rows[:1000]]


@router.get(
    "/institutions/{institution_id}", response={200: InstitutionOut, **ERRORS}, summary="One institution"
)
def institution_get(request, institution_id: int):
    return _out(selectors.institution_get(actor=request.auth, pk=institution_id))


class InstitutionIn(Schema, extra="forbid"):
    division: str = Field(pattern="^([0-9]{9}|[0-9]{12})$", examples=["371302001"])
    name: Text = Field(max_length=100)
    kind: Kind
    address: Text = Field(max_length=200)
    operator: Text = Field("", max_length=100)
    head: Text = Field("", max_length=50)
    phone: Text = Field("", max_length=20)
    licence_number: Text = Field("", max_length=50)
    licence_valid_until: Date | None = None
    beds: int = Count
    residents: int = Count
    staff: int = Count
    heating: Heating = "none"
    co_alarms: int = Count
    co_rooms_heated: int = Count
    co_rooms_covered: int = Count
    co_last_tested: Date | None = None
    fire_facilities: Text = Field("", max_length=300)
    active: bool = True


@router.post(
    "/institutions",
    response={201: InstitutionOut, **ERRORS},
    summary="Record an institution (county or city bureau)",
)
def institution_create(request, payload: InstitutionIn):
    data = payload.dict()
    division = division_get(actor=request.auth, code=data.pop("division"))
    institution = services.institution_create(actor=request.auth, division=division, data=data)
    return Status(201, _out(selectors.institution_get(actor=request.auth, pk=institution.pk)))


class InstitutionChange(Schema, extra="forbid"):
    version: int = Field(ge=1, le=1_000_000)
    name: Text | None = Field(None, max_length=100)
    kind: Kind | None = None
    address: Text | None = Field(None, max_length=200)
    operator: Text | None = Field(None, max_length=100)
    head: Text | None = Field(None, max_length=50)
    phone: Text | None = Field(None, max_length=20)
    licence_number: Text | None = Field(None, max_length=50)
    licence_valid_until: Date | None = None
    beds: int | None = Field(None, ge=0, le=100_000)
    residents: int | None = Field(None, ge=0, le=100_000)
    staff: int | None = Field(None, ge=0, le=100_000)
    heating: Heating | None = None
    co_alarms: int | None = Field(None, ge=0, le=100_000)
    co_rooms_heated: int | None = Field(None, ge=0, le=100_000)
    co_rooms_covered: int | None = Field(None, ge=0, le=100_000)
    co_last_tested: Date | None = None
    fire_facilities: Text | None = Field(None, max_length=300)
    active: bool | None = None


@router.patch(
    "/institutions/{institution_id}",
    response={200: InstitutionOut, **ERRORS},
    summary="Change an institution's facts (the offices; its staff: heating and CO alarms)",
)
def institution_update(request, institution_id: int, payload: InstitutionChange):
    selectors.institution_get(actor=request.auth, pk=institution_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    services.institution_update(actor=request.auth, institution_id=institution_id, version=version, data=data)
    return _out(selectors.institution_get(actor=request.auth, pk=institution_id))
