"""The funds pages' reads, on top of payments.selectors and scoped the same way: the year's funds
statistics labelled (programme names, county names, every month of the year, the county × programme
table), balances a page at a time, the ledger's filters, and each township's reserve fund.

Every figure here is a sum over the ledger (payments.models.LedgerEntry) or over the reserve
movements: nothing is counted from payroll lines or aid records, so anyone can reproduce them."""

import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from safetynet.core.scope import in_area
from safetynet.core.selectors import division_get, division_list, division_names
from safetynet.core.types import DivisionLevel, Role, User
from safetynet.payments import selectors
from safetynet.payments.models import FundSource, LedgerEntry, ReserveMovement
from safetynet.payments.services import RESERVE_ROLES
from safetynet.programmes.rules import PROGRAMME_NAMES

ZERO = Decimal("0.00")
# The years a statistic is asked for: money paid by this system, and a few years on.
FIRST_YEAR, LAST_YEAR = 2000, 2100
LEDGER_KINDS = LedgerEntry.Kind.choices
RESERVE_KINDS = ReserveMovement.Kind
# Entitled, paid by the bank, failed, re-issued and temporary aid paid: a balance's columns, and
# what is still owed (entitled less paid by the bank).
BALANCE_SUMS = {
    "entitled": LedgerEntry.Kind.ENTITLED,
    "paid": LedgerEntry.Kind.PAID,
    "failed": LedgerEntry.Kind.FAILED,
    "reissued": LedgerEntry.Kind.REISSUED,
    "aid_paid": LedgerEntry.Kind.AID_PAID,
}
BALANCE_GROUPS = {
    "programme": "programme",
    "county": "county_id",
    "month": "month",
    "household": "household_id",
}


def may_read_funds(actor: User) -> bool:
    return selectors.may_read_payments(actor)


def may_read_reserves(actor: User) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and actor.role in selectors.ACCOUNT_READERS


def may_count_reserve(actor: User) -> bool:
    """The county bureau, its finance officers and the township office count a township's reserve."""
    return may_read_reserves(actor) and actor.role in RESERVE_ROLES


def may_top_up_reserve(actor: User) -> bool:
    """Top-ups and returns are the county's (payments.services.reserve_record says so too)."""
    return may_count_reserve(actor) and actor.role != Role.TOWNSHIP_OFFICE


def programme_name(code: str) -> str:
    return str(PROGRAMME_NAMES.get(code, code))


def fund_name(code: str) -> str:
    return str(FundSource(code).label) if code in FundSource.values else code


def _programmes_in_order(codes) -> list[str]:
    """The programmes of the rows, in the order the rules name them (unknown codes last)."""
    known = [code for code in PROGRAMME_NAMES if code in codes]
    return known + sorted(set(codes) - set(known))


# --- the funds statistics ----------------------------------------------------------------------


def funds_statistics(*, actor: User, year: int) -> dict:
    """payments.selectors.funds_paid (paid by the bank and temporary aid paid, booked in `year`, in
    the actor's area) with names: by programme, by county, every month of the year (zero where
    nothing was paid), the county × programme table with its totals, by fund source, and the total."""
    paid = selectors.funds_paid(actor=actor, year=year)
    counties = division_names(row["county_id"] for row in paid["by_county"])
    programmes = _programmes_in_order({row["programme"] for row in paid["by_county_programme"]})
    by_month = {row["month"]: row["amount"] for row in paid["by_month"]}
    table = {}
    for row in paid["by_county_programme"]:
        table.setdefault(row["county_id"], {})[row["programme"]] = row["amount"]
    cross = [
        {
            "county": county,
            "name": counties.get(county, county),
            "amounts": [amounts.get(code, ZERO) for code in programmes],
            "total": sum(amounts.values(), ZERO),
        }
        for county, amounts in sorted(table.items())
    ]
    by_programme = {row["programme"]: row["amount"] for row in paid["by_programme"]}
    return {
        "year": year,
        "total": paid["total"],
        "programmes": [{"programme": code, "name": programme_name(code)} for code in programmes],
        "by_programme": [
            {"programme": code, "name": programme_name(code), "amount": by_programme[code]}
            for code in _programmes_in_order(by_programme)
        ],
        "by_county": [
            {
                "county": row["county_id"],
                "name": counties.get(row["county_id"], row["county_id"]),
                "amount": row["amount"],
            }
            for row in paid["by_county"]
        ],
        "by_month": [
            {"month": month, "amount": by_month.get(month, ZERO)}
            for month in (datetime.date(year, number, 1) for number in range(1, 13))
        ],
        "by_county_programme": cross,
        "programme_totals": [by_programme.get(code, ZERO) for code in programmes],
        "by_fund": [
            {"fund": row["fund"], "name": fund_name(row["fund"]), "amount": row["amount"]}
            for row in paid["by_fund"]
        ],
    }


# --- the ledger and balances ---------------------------------------------------------------------


def ledger_page_rows(rows) -> list[dict]:
    """Ledger entries (one page of them) with the names a reader wants beside the codes."""
    rows = list(rows)
    names = division_names({row.county_id for row in rows} | {row.village_id for row in rows})
    return [
        {
            "entry": row,
            "kind": row.get_kind_display(),
            "programme": programme_name(row.programme),
            "fund": fund_name(row.fund),
            "county": names.get(row.county_id, row.county_id),
            "area": names.get(row.village_id, row.village_id),
        }
        for row in rows
    ]


def balance_rows(*, actor: User, by: str, year: int) -> QuerySet:
    """The year's balances (booking months) grouped `by` programme, county, month or household:
    one row per group with `key` and each of BALANCE_SUMS, in the order of the key. A queryset, so
    that a page of households is one page of the database's answer."""
    group = BALANCE_GROUPS[by]
    return (
        selectors.ledger_entries(actor=actor)
        .filter(month__year=year)
        .values(group)
        .annotate(**{name: Sum("amount", filter=Q(kind=kind)) for name, kind in BALANCE_SUMS.items()})
        .order_by(group)
    )


def balance_total(*, actor: User, year: int) -> dict:
    sums = (
        selectors.ledger_entries(actor=actor)
        .filter(month__year=year)
        .aggregate(**{name: Sum("amount", filter=Q(kind=kind)) for name, kind in BALANCE_SUMS.items()})
    )
    return _balance(sums)


def _balance(row: dict) -> dict:
    values = {name: selectors.yuan(row.get(name)) for name in BALANCE_SUMS}
    return {**values, "owed": values["entitled"] - values["paid"]}


def balance_labelled(rows, *, by: str) -> list[dict]:
    """Rows of `balance_rows` (a page of them) with their key and its label, and what is owed."""
    rows = list(rows)
    group = BALANCE_GROUPS[by]
    names = division_names(row[group] for row in rows) if by == "county" else {}
    out = []
    for row in rows:
        key = row[group]
        if by == "programme":
            label = programme_name(key)
        elif by == "county":
            label = names.get(key, key)
        elif by == "month":
            label, key = f"{key:%Y-%m}", f"{key:%Y-%m}"
        else:
            label = "" if key is None else str(key)
        out.append({"key": key, "label": label, **_balance(row)})
    return out


# --- the reserve funds --------------------------------------------------------------------------


def township_in_area(*, actor: User, code: str):
    """The township of `code` when it is one in the actor's area; None otherwise."""
    if not (isinstance(code, str) and len(code) == 9 and code.isascii() and code.isdigit()):
        return None
    if not in_area(actor, code):
        return None
    division = division_get(actor=actor, code=code)
    return division if division is not None and division.level == DivisionLevel.TOWNSHIP else None


def reserve_table(*, actor: User) -> list[dict]:
    """Every township of the actor's area with its reserve fund: balance, topped up, drawn (as a
    positive sum), returned, the last count — zero for a township that has had none."""
    if not may_read_reserves(actor):
        return []
    sums = {row["township_id"]: row for row in selectors.reserves(actor=actor)}
    townships = {
        division.code: division.name
        for division in division_list(actor=actor, level=DivisionLevel.TOWNSHIP).only("code", "name")
    }
    names = {**division_names(set(sums) - set(townships)), **townships}
    out = []
    for code in sorted(set(townships) | set(sums)):
        out.append({"township": code, "name": names.get(code, code), **_reserve(sums.get(code, {}))})
    return out


def reserve_of(*, actor: User, township: str) -> dict:
    """One township's reserve (the caller has checked it is in the actor's area)."""
    rows = selectors.reserves(actor=actor, township=township)
    return _reserve(rows[0] if rows else {})


def _reserve(row: dict) -> dict:
    return {
        "balance": row.get("balance") or ZERO,
        "topped_up": row.get("topped_up") or ZERO,
        "drawn": ZERO - (row.get("drawn") or ZERO),
        "draws": row.get("draws") or 0,
        "returned": ZERO - (row.get("returned") or ZERO),
        "counted_at": row.get("counted_at"),
    }


def reserve_movements(*, actor: User, township: str) -> QuerySet:
    return selectors.reserve_movements(actor=actor, township=township)
