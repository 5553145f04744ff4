"""/api/v1/care: the purchased-services contracts and service logs the caller reads (the bureaus by
area, a provider's staff their own provider's), and logging a service (a provider's staff; the same
`submission` key sent twice stores one log). Photos and signatures are added through the pages."""

import datetime
import uuid
from decimal import Decimal
from typing import Literal

from ninja import Field, Router, Schema, Status

from safetynet.care.purchase import selectors, services
from safetynet.core.api import ERRORS, Date, Text

router = Router(tags=["care"])
Kind = Literal["visiting_care", "counselling", "comfort", "errands"]


class ContractOut(Schema):
    id: int
    provider: str
    area: str
    title: str
    starts_on: Date
    ends_on: Date
    budget: Decimal
    kinds: list[str]
    state: str
    persons: int


class LogOut(Schema):
    id: int
    contract: int
    person: int
    person_name: str
    kind: str
    started_at: datetime.datetime
    ended_at: datetime.datetime
    place: str
    latitude: Decimal | None
    longitude: Decimal | None
    done: str
    logged_by: str


def _log(row) -> dict:
    return {
        "id": row.pk,
        "contract": row.contract_id,
        "person": row.person_id,
        "person_name": row.person.name,
        "kind": row.kind,
        "started_at": row.started_at,
        "ended_at": row.ended_at,
        "place": row.place,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "done": row.done,
        "logged_by": str(row.logged_by),
    }


@router.get(
    "/care/contracts",
    response={200: list[ContractOut], **ERRORS},
    summary="The service contracts you read (at most 1000)",
)
def contract_list(request):
    rows = selectors.contract_list(actor=request.auth).order_by("-starts_on", "-pk")[:1000]
    counts = selectors.covered_counts(contract_ids=[row.pk for row in rows])
    return [
        {
            "id": row.pk,
            "provider": row.provider.name,
            "area": row.area_id,
            "title": row.title,
            "starts_on": row.starts_on,
            "ends_on": row.ends_on,
            "budget": row.budget,
            "kinds": row.kinds,
            "state": row.state,
            "persons": counts.get(row.pk, 0),
        }
        for row in rows
    ]


@router.get(
    "/care/service-logs",
    response={200: list[LogOut], **ERRORS},
    summary="The service logs you read, newest first (at most 1000)",
)
def log_list(request):
    return [_log(row) for row in selectors.log_list(actor=request.auth)[:1000]]


class LogIn(Schema, extra="forbid"):
    person: int = Field(ge=1, le=2**62)
    kind: Kind
    started_at: datetime.datetime
    ended_at: datetime.datetime
    place: Text = Field(max_length=200)
    done: str = Field(max_length=1000)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    submission: uuid.UUID


@router.post(
    "/care/service-logs",
    response={201: LogOut, **ERRORS},
    summary="Log a service given to a person your provider covers (provider staff)",
)
def log_create(request, payload: LogIn):
    data = payload.dict()
    person, submission = data.pop("person"), data.pop("submission")
    log = services.service_log_create(actor=request.auth, person_id=person, data=data, submission=submission)
    return Status(201, _log(selectors.log_get(actor=request.auth, pk=log.pk)))

