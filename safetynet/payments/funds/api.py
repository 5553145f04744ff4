"""/api/v1/payments: the funds statistics of a year (the figures of /payments/funds/), the ledger
(paged, filtered), balances, the townships' reserve funds and their movements, and recording a
top-up, a return or a count of a township's reserve. All in the token owner's area: a township
outside it is 404. Money is a decimal string; the statistics are sums over the ledger alone."""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from safetynet.core.api import ERRORS, PageParams, Text, page_of
from safetynet.core.money import parse_yuan
from safetynet.payments import selectors as payment_selectors
from safetynet.payments import services
from safetynet.payments.funds import selectors
from safetynet.payments.funds.forms import this_year

router = Router(tags=["payments"])
Id = Field(None, ge=1, le=2**62)
LedgerKind = Literal[tuple(["", *(value for value, _label in selectors.LEDGER_KINDS)])]
Township = Path(..., pattern="^[0-9]{9}$", examples=["371302001"], description="The township's code")


def _reader(actor) -> None:
    if not selectors.may_read_funds(actor):
        raise PermissionDenied(_("Your role does not read payments."))


def _reserve_reader(actor) -> None:
    if not selectors.may_read_reserves(actor):
        raise PermissionDenied(_("Your role does not read reserve funds."))


def _money(value) -> str:
    return f"{value:.2f}"


# --- the funds statistics ------------------------------------------------------------------------


class YearQuery(Schema):
    year: int | None = Field(
        None,
        ge=selectors.FIRST_YEAR,
        le=selectors.LAST_YEAR,
        description="The year of the booking months; empty: this year",
    )


class ProgrammeAmount(Schema):
    programme: str
    name: str
    amount: str


class CountyAmount(Schema):
    county: str
    name: str
    amount: str


class MonthAmount(Schema):
    month: str = Field(examples=["2026-09"])
    amount: str


class CountyProgrammeAmount(Schema):
    county: str
    name: str
    programme: str
    programme_name: str
    amount: str


class FundAmount(Schema):
    fund: str
    name: str
    amount: str


class FundsOut(Schema):
    year: int
    total: str = Field(description="Paid in the year: payroll lines the bank paid and temporary aid paid")
    note: str
    by_programme: list[ProgrammeAmount]
    by_county: list[CountyAmount]
    by_month: list[MonthAmount]
    by_county_programme: list[CountyProgrammeAmount]
    by_fund: list[FundAmount]


def funds_note() -> str:
    return _(
        "The figures are sums over the ledger: payroll lines the bank paid and temporary aid paid by "
        "the townships, booked in the year."
    )


@router.get(
    "/payments/funds",
    response={200: FundsOut, **ERRORS},
    summary="Social assistance funds paid in a year: by programme, county, month and fund source",
)
def funds(request, query: Query[YearQuery]):
    _reader(request.auth)
    figures = selectors.funds_statistics(actor=request.auth, year=query.year or this_year())
    programmes = figures["programmes"]
    return {
        "year": figures["year"],
        "total": _money(figures["total"]),
        "note": funds_note(),
        "by_programme": [{**row, "amount": _money(row["amount"])} for row in figures["by_programme"]],
        "by_county": [{**row, "amount": _money(row["amount"])} for row in figures["by_county"]],
        "by_month": [
            {"month": f"{row['month']:%Y-%m}", "amount": _money(row["amount"])} for row in figures["by_month"]
        ],
        "by_county_programme": [
            {
                "county": row["county"],
                "name": row["name"],
                "programme": programme["programme"],
                "programme_name": programme["name"],
                "amount": _money(amount),
            }
            for row in figures["by_county_programme"]
            for programme, amount in zip(programmes, row["amounts"], strict=True)
        ],
        "by_fund": [{**row, "amount": _money(row["amount"])} for row in figures["by_fund"]],
    }


# --- the ledger ----------------------------------------------------------------------------------


class LedgerQuery(PageParams):
    kind: LedgerKind = Field(
        "", description="entitled, sent, paid, failed, reissued, aid_paid, recovery, recovered; empty: all"
    )
    month: str = Field("", pattern="^([0-9]{4}-[0-9]{2})?$", description="The booking month, YYYY-MM")
    household_id: int | None = Id
    run_id: int | None = Id


class LedgerEntryOut(Schema):
    id: int
    at: datetime.datetime
    kind: str
    kind_label: str
    amount: str
    month: str = Field(description="Booked in month, YYYY-MM")
    for_month: str = Field(description="The month the money is for, YYYY-MM")
    programme: str
    programme_name: str
    county: str
    area: str
    household_id: int | None
    person_id: int | None
    fund: str
    run_id: int | None
    line_id: int | None
    aid_payment_id: int | None
    decision: str
    note: str
    corrects: int | None


class LedgerPage(Schema):
    count: int
    more: bool
    page: int
    page_size: int
    items: list[LedgerEntryOut]


def _month(text: str) -> datetime.date | None:
    if not text:
        return None
    try:
        month = datetime.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise ValidationError({"month": _("Enter a month such as 2026-09.")}) from None
    if not selectors.FIRST_YEAR <= month.year <= selectors.LAST_YEAR:
        raise ValidationError({"month": _("Enter a month such as 2026-09.")})
    return month


def _entry(row) -> dict:
    return {
        "id": row.pk,
        "at": row.at,
        "kind": row.kind,
        "kind_label": row.get_kind_display(),
        "amount": _money(row.amount),
        "month": f"{row.month:%Y-%m}",
        "for_month": f"{row.for_month:%Y-%m}",
        "programme": row.programme,
        "programme_name": selectors.programme_name(row.programme),
        "county": row.county_id,
        "area": row.village_id,
        "household_id": row.household_id,
        "person_id": row.person_id,
        "fund": row.fund,
        "run_id": row.run_id,
        "line_id": row.line_id,
        "aid_payment_id": row.aid_payment_id,
        "decision": row.decision,
        "note": row.note,
        "corrects": row.corrects_id,
    }


@router.get(
    "/payments/ledger",
    response={200: LedgerPage, **ERRORS},
    summary="The ledger of your area, newest first: every movement of money, never changed",
)
def ledger(request, query: Query[LedgerQuery]):
    _reader(request.auth)
    entries = payment_selectors.ledger_entries(
        actor=request.auth,
        kind=query.kind,
        month=_month(query.month),
        household_id=query.household_id,
        run_id=query.run_id,
    )
    return page_of(entries, query, _entry)


# --- balances ------------------------------------------------------------------------------------


class BalanceQuery(PageParams):
    by: Literal["programme", "county", "month", "household"] = "programme"
    year: int | None = Field(
        None,
        ge=selectors.FIRST_YEAR,
        le=selectors.LAST_YEAR,
        description="The year of the booking months; empty: this year",
    )


class BalanceOut(Schema):
    key: str | None = Field(description="The programme, county code, month (YYYY-MM) or household id")
    label: str
    entitled: str
    paid: str
    failed: str
    reissued: str
    aid_paid: str
    owed: str = Field(description="Entitled less paid by the bank")


class BalanceTotal(Schema):
    entitled: str
    paid: str
    failed: str
    reissued: str
    aid_paid: str
    owed: str


class BalancePage(Schema):
    by: str
    year: int
    count: int
    page: int
    page_size: int
    items: list[BalanceOut]
    total: BalanceTotal


def _balance(row: dict) -> dict:
    return {name: _money(row[name]) for name in (*selectors.BALANCE_SUMS, "owed")}


@router.get(
    "/payments/balances",
    response={200: BalancePage, **ERRORS},
    summary="Entitled, paid, failed, re-issued, temporary aid paid and owed, by programme, county, "
    "month or household",
)
def balances(request, query: Query[BalanceQuery]):
    _reader(request.auth)
    year = query.year or this_year()
    rows = selectors.balance_rows(actor=request.auth, by=query.by, year=year)
    start = (query.page - 1) * query.page_size
    shown = selectors.balance_labelled(rows[start : start + query.page_size], by=query.by)
    return {
        "by": query.by,
        "year": year,
        "count": rows.count(),
        "page": query.page,
        "page_size": query.page_size,
        "items": [
            {**_balance(row), "key": None if row["key"] is None else str(row["key"]), "label": row["label"]}
            for row in shown
        ],
        "total": _balance(selectors.balance_total(actor=request.auth, year=year)),
    }


# --- the reserve funds ---------------------------------------------------------------------------


class ReserveOut(Schema):
    township: str
    name: str
    balance: str
    topped_up: str
    drawn: str = Field(description="Paid out for emergency aid, in all")
    draws: int
    returned: str
    counted_at: datetime.datetime | None = Field(description="When it was last counted")


def _reserve(row: dict) -> dict:
    return {
        key: _money(value) if key in ("balance", "topped_up", "drawn", "returned") else value
        for key, value in row.items()
    }


@router.get(
    "/payments/reserves",
    response={200: list[ReserveOut], **ERRORS},
    summary="Each township's reserve fund (备用金) in your area",
)
def reserves(request):
    _reserve_reader(request.auth)
    return [_reserve(row) for row in selectors.reserve_table(actor=request.auth)]


class MovementOut(Schema):
    id: int
    kind: str
    kind_label: str
    amount: str = Field(
        description="Signed: a top-up adds; a draw and a return take away; a count its difference"
    )
    counted: str | None
    aid_payment_id: int | None
    note: str
    at: datetime.datetime
    by: str


class MovementPage(Schema):
    count: int
    more: bool
    page: int
    page_size: int
    balance: str
    items: list[MovementOut]


def _movement(row) -> dict:
    return {
        "id": row.pk,
        "kind": row.kind,
        "kind_label": row.get_kind_display(),
        "amount": _money(row.amount),
        "counted": None if row.counted is None else _money(row.counted),
        "aid_payment_id": row.aid_payment_id,
        "note": row.note,
        "at": row.at,
        "by": str(row.actor) if row.actor_id else "",
    }


def _township(actor, township: str) -> str:
    _reserve_reader(actor)
    if selectors.township_in_area(actor=actor, code=township) is None:
        raise Http404
    return township


@router.get(
    "/payments/reserves/{township}/movements",
    response={200: MovementPage, **ERRORS},
    summary="A township's reserve fund: its balance and movements, newest first",
)
def reserve_movements(request, query: Query[PageParams], township: str = Township):
    township = _township(request.auth, township)
    page = page_of(selectors.reserve_movements(actor=request.auth, township=township), query, _movement)
    return {**page, "balance": _money(selectors.reserve_of(actor=request.auth, township=township)["balance"])}


class MovementIn(Schema, extra="forbid"):
    kind: Literal["top_up", "returned", "counted"] = Field(
        description="top_up and returned: the county's (county bureau, finance officer); counted: the "
        "township office too"
    )
    amount: str | None = Field(
        None, max_length=30, examples=["5000.00"], description="A top-up or a return, in yuan, above zero"
    )
    counted: str | None = Field(
        None, max_length=30, examples=["4200.00"], description="A count: the money found, in yuan"
    )
    note: Text = Field("", max_length=200, description="Needed when a count differs from the balance")


def _yuan(value, field: str):
    try:
        return parse_yuan(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


@router.post(
    "/payments/reserves/{township}/movements",
    response={201: MovementOut, **ERRORS},
    summary="Top up a township's reserve, take money back, or record a count of it",
)
def reserve_record(request, payload: MovementIn, township: str = Township):
    township = _township(request.auth, township)
    movement = services.reserve_record(
        actor=request.auth,
        township=township,
        kind=payload.kind,
        amount=_yuan(payload.amount, "amount"),
        counted=_yuan(payload.counted, "counted"),
        note=payload.note,
    )
    return Status(201, _movement(movement))
