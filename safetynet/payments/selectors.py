"""Reads of payments on a user's behalf, each scoped to the user's area: runs and their lines,
accounts (masked unless the finance officer asks to see one whole: logged), the ledger, balances,
the funds statistics, the townships' reserve funds.

The funds statistics are sums over the ledger alone — paid payroll lines and temporary aid paid by
the townships — so they can be reproduced from it by anyone."""

import datetime
from decimal import Decimal

from django.db.models import Count, F, Max, Q, QuerySet, Sum

from safetynet.core.privacy import Disclosure
from safetynet.core.scope import in_area, scope_q
from safetynet.core.types import Role, User
from safetynet.payments.models import (
    BankFile,
    BankResult,
    HouseholdPayee,
    LedgerEntry,
    PayeeAccount,
    PayeeKind,
    PayrollLine,
    PayrollRun,
    PayrollSetting,
    ReserveMovement,
)
from safetynet.payments.workflow import READERS

Line = PayrollLine
PAID_KINDS = (LedgerEntry.Kind.PAID, LedgerEntry.Kind.AID_PAID)
ACCOUNT_READERS = frozenset(
    {Role.CITY_BUREAU, Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE, Role.FINANCE_OFFICER, Role.AUDITOR}
)


__all__ = ["Line", "PayeeKind"]  # the choices the pages name


def may_read_payments(actor: User) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and actor.role in READERS


def _check(actor: User) -> None:
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    if not may_read_payments(actor):
        raise PermissionDenied(_("Your role does not read payments."))


def runs(*, actor: User) -> QuerySet[PayrollRun]:
    _check(actor)
    return PayrollRun.objects.filter(scope_q(actor, "county_id")).select_related(
        "case", "county", "drafted_by"
    )


def run_get(*, actor: User, pk: int) -> PayrollRun:
    return runs(actor=actor).get(pk=pk)


def run_lines(
    *, actor: User, run: PayrollRun, change: str = "", status: str = "", kind: str = "", query: str = ""
) -> QuerySet[PayrollLine]:
    """The run's lines (the caller has the run through `run_get`), filtered as the checker asks."""
    rows = Line.objects.filter(run=run).select_related("account", "village")
    if change:
        rows = rows.filter(change=change)
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if query:
        # A household number is a short ASCII number: a 20-digit one (or "²") names none, and
        # must not reach the database as an integer it cannot hold.
        number = query.isascii() and query.isdigit() and len(query) <= 15
        rows = rows.filter(Q(payee_name__contains=query) | Q(household_id=int(query) if number else None))
    return rows.order_by("pk")


def run_summary(run: PayrollRun) -> dict:
    """By programme and kind: lines and amounts; by status: lines and amounts."""
    rows = Line.objects.filter(run=run)
    return {
        "by_programme": list(
            rows.exclude(kind=Line.Kind.STOPPED)
            .values("programme", "kind")
            .annotate(lines=Count("pk"), amount=Sum("amount"))
            .order_by("programme", "kind")
        ),
        "by_status": list(
            rows.values("status").annotate(lines=Count("pk"), amount=Sum("amount")).order_by("status")
        ),
        "by_fund": list(
            rows.exclude(kind=Line.Kind.STOPPED)
            .values("fund")
            .annotate(amount=Sum("amount"))
            .order_by("fund")
        ),
    }


def bank_files(run: PayrollRun) -> QuerySet[BankFile]:
    return BankFile.objects.filter(run=run).defer("content").select_related("made_by")


def bank_file_get(*, actor: User, pk: int) -> BankFile:
    _check(actor)
    return BankFile.objects.filter(scope_q(actor, "run__county_id")).select_related("run").get(pk=pk)


def bank_results(run: PayrollRun) -> QuerySet[BankResult]:
    return BankResult.objects.filter(run=run).select_related("imported_by")


def setting_of(county: str) -> PayrollSetting | None:
    return PayrollSetting.objects.filter(county_id=county).first()


def payroll_desk(actor: User) -> int:
    """Runs of the actor's area waiting for a step (the desk counts them)."""
    if not may_read_payments(actor):
        return 0
    return runs(actor=actor).exclude(case__state="closed").count()


# --- accounts -------------------------------------------------------------------------------------


def accounts(
    *, actor: User, holder_kind: str = "", holder_id: int | None = None, include_closed: bool = False
) -> QuerySet[PayeeAccount]:
    if actor.role not in ACCOUNT_READERS:
        return PayeeAccount.objects.none()
    rows = PayeeAccount.objects.filter(scope_q(actor, "area_id"))
    if holder_kind and holder_id is not None:
        field = {"person": "person_id", "institution": "institution_id", "caregiver": "agreement_id"}[
            holder_kind
        ]
        rows = rows.filter(**{field: holder_id})
    if not include_closed:
        rows = rows.filter(closed_at__isnull=True)
    return rows.select_related("opened_by")


def payee_get(*, actor: User, holder_kind: str, holder_id: int) -> dict | None:
    """A payee in the actor's area: its name, where it is and the page it has (None: absent or
    outside the area)."""
    from django.urls import reverse

    from safetynet.care.selectors import agreement_holder
    from safetynet.institutions.selectors import institution_area, institution_name
    from safetynet.registry.selectors import person_area, person_name

    if holder_kind == "person":
        area, name = person_area(holder_id), person_name(holder_id)
        url = reverse("registry:person_detail", args=[holder_id])
    elif holder_kind == "institution":
        area, name = institution_area(holder_id), institution_name(holder_id)
        url = reverse("institutions:detail", args=[holder_id])
    elif holder_kind == "caregiver":
        (area, name), url = agreement_holder(holder_id), ""
    else:
        return None
    if area is None or not in_area(actor, area):
        return None
    return {"name": name, "area": area, "url": url}


def payee_lines(*, actor: User, ref: str) -> QuerySet[PayrollLine]:
    """What was paid (or tried) to a payee, latest first."""
    return (Line.objects.filter(scope_q(actor, "village_id"), payee_ref=ref).exclude(kind=Line.Kind.STOPPED)
            .select_related("run").order_by("-run__month", "-pk"))


def waiting_for_account(*, actor: User) -> QuerySet[PayrollLine]:
    """Lines that failed at the bank or were held for want of an account and are not yet paid
    again: each waits for its payee's account to be recorded or corrected."""
    if actor.role not in ACCOUNT_READERS:
        return Line.objects.none()
    waiting = [Line.Status.FAILED, Line.Status.HELD]
    return (Line.objects.filter(scope_q(actor, "village_id"), status__in=waiting, reissue__isnull=True)
            .select_related("run", "village").order_by("village_id", "payee_name", "month"))


def waiting_count(actor: User) -> int:
    return waiting_for_account(actor=actor).count()


def household_payments(*, actor: User, household_id: int) -> list[PayrollLine]:
    """The household's payroll lines, latest months first (the household page checked the scope)."""
    return list(Line.objects.filter(household_id=household_id).exclude(kind=Line.Kind.STOPPED)
                .select_related("run", "account").order_by("-run__month", "-pk")[:24])


ADULT_AGE = 18


def may_be_payee(person) -> bool:
    """A household's payee named instead of the head is an adult."""
    from safetynet.core.masking import age_in_years

    return (age_in_years(person.birth_date) or 0) >= ADULT_AGE


def payee_in_force(named: list[HouseholdPayee]) -> HouseholdPayee | None:
    """The naming in force among `household_payees` (None: the head is paid)."""
    return named[0] if named and named[0].ended_at is None else None


def household_payees(*, household_id: int) -> list[HouseholdPayee]:
    """Who was named to be paid the household's benefits instead of the head, the one in force
    first, then the past (the household page checked the scope)."""
    return list(HouseholdPayee.objects.filter(household_id=household_id).select_related("person", "set_by")
                .order_by(F("ended_at").desc(nulls_first=True), "-since", "-pk")[:20])


def account_get(*, actor: User, pk: int) -> PayeeAccount:
    return accounts(actor=actor, include_closed=True).get(pk=pk)


def account_shown(disclosure: Disclosure, account: PayeeAccount) -> dict:
    """The account's number masked, or whole for a finance officer who asked (logged)."""
    return disclosure.show(account)


# --- the ledger -----------------------------------------------------------------------------------


def ledger_entries(
    *,
    actor: User,
    household_id: int | None = None,
    run_id: int | None = None,
    kind: str = "",
    month: datetime.date | None = None,
) -> QuerySet[LedgerEntry]:
    _check(actor)
    rows = LedgerEntry.objects.filter(scope_q(actor, "village_id"))
    if household_id is not None:
        rows = rows.filter(household_id=household_id)
    if run_id is not None:
        rows = rows.filter(run_id=run_id)
    if kind:
        rows = rows.filter(kind=kind)
    if month is not None:
        rows = rows.filter(month=month)
    return rows.order_by("-at", "-pk")


def balances(*, actor: User, by: str, year: int) -> list[dict]:
    """Entitled, paid by the bank, failed, re-issued and temporary aid paid, and what is still
    owed (entitled less paid by the bank), grouped `by` programme, county, month, household or
    person, over the year's booking months."""
    group = {
        "programme": "programme",
        "county": "county_id",
        "month": "month",
        "household": "household_id",
        "person": "person_id",
    }[by]
    sums = {
        "entitled": LedgerEntry.Kind.ENTITLED,
        "paid": LedgerEntry.Kind.PAID,
        "failed": LedgerEntry.Kind.FAILED,
        "reissued": LedgerEntry.Kind.REISSUED,
        "aid_paid": LedgerEntry.Kind.AID_PAID,
    }
    rows = (
        ledger_entries(actor=actor)
        .filter(month__year=year)
        .values(group)
        .annotate(**{name: Sum("amount", filter=Q(kind=kind)) for name, kind in sums.items()})
        .order_by(group)
    )
    out = []
    for row in rows:
        values = {name: yuan(row[name]) for name in sums}
        out.append({"key": row[group], **values, "owed": values["entitled"] - values["paid"]})
    return out


# --- the funds statistics -------------------------------------------------------------------------


def funds_paid(*, actor: User, year: int) -> dict:
    """Paid in the year (booking month) from the ledger: by programme, by county, by month, and the
    year's total — payroll lines the bank paid and temporary aid paid by the townships."""
    _check(actor)
    paid = LedgerEntry.objects.filter(scope_q(actor, "village_id"), kind__in=PAID_KINDS, month__year=year)
    total = yuan(paid.aggregate(total=Sum("amount"))["total"])

    def by(*fields) -> list[dict]:
        rows = paid.values(*fields).annotate(amount=Sum("amount")).order_by(*fields)
        return [{**row, "amount": yuan(row["amount"])} for row in rows]

    return {"year": year, "total": total, "by_programme": by("programme"), "by_county": by("county_id"),
            "by_month": by("month"), "by_county_programme": by("county_id", "programme"),
            "by_fund": by("fund")}


def yuan(value) -> Decimal:
    """A sum of money as yuan and fen (SQLite gives a sum of whole amounts back as an integer)."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


# --- reserve funds --------------------------------------------------------------------------------


def reserves(*, actor: User, township: str | None = None) -> list[dict]:
    """Each township's reserve fund in the actor's area (or the one `township`): balance, topped up,
    drawn and returned (signed sums: draws and returns are negative), the number of draws, and when
    it was last counted."""
    if actor.role not in ACCOUNT_READERS:
        return []
    rows = ReserveMovement.objects.filter(scope_q(actor, "township_id"))
    if township is not None:
        rows = rows.filter(township_id=township)
    rows = (
        rows.values("township_id")
        .annotate(
            balance=Sum("amount"),
            topped_up=Sum("amount", filter=Q(kind=ReserveMovement.Kind.TOP_UP)),
            drawn=Sum("amount", filter=Q(kind=ReserveMovement.Kind.DRAWN)),
            draws=Count("pk", filter=Q(kind=ReserveMovement.Kind.DRAWN)),
            returned=Sum("amount", filter=Q(kind=ReserveMovement.Kind.RETURNED)),
            counted_at=Max("at", filter=Q(kind=ReserveMovement.Kind.COUNTED)),
        )
        .order_by("township_id")
    )
    money = ("balance", "topped_up", "drawn", "returned")
    return [{**row, **{name: yuan(row[name]) for name in money}} for row in rows]


def reserve_movements(*, actor: User, township: str) -> QuerySet[ReserveMovement]:
    if actor.role not in ACCOUNT_READERS:
        return ReserveMovement.objects.none()
    return (
        ReserveMovement.objects.filter(scope_q(actor, "township_id"), township_id=township)
        .select_related("actor")
        .order_by("-at", "-pk")
    )
