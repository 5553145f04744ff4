"""The demo city's payments: an account for most payees (a few have none: their lines are held),
each county's payroll setting (the three bank layouts among them), and the payrolls of the year so
far — in 兰山区 and 沂南县 every month from January, elsewhere the last few months — each drafted
by the county's officer, checked by the city's finance officer, approved by the county's second
officer, exported, reconciled with a bank result that fails a few lines (a wrong account, an
account closed), most of those accounts corrected so that the next month pays them again, and
closed. This month is drafted in every county but 兰山区, left for the walk: lanshan drafts,
finance checks, lanshan2 approves, lanshan exports and imports the bank's result; last month's
failure there, its account corrected since, is re-issued in that draft. The townships that paid
emergency aid from their reserve fund had it topped up, and one counted it.

Written through the payroll services, as the officers would, each step at its moment by the demo
clock; the accounts in one insert (the demo starts with them)."""

import csv
import datetime
import io
import random
from decimal import Decimal

from django.db.models import Min, Q, Sum
from django.utils.translation import gettext as _

from safetynet.core.demo import HISTORY_START, DemoContext, demo_date_changes, not_after_now
from safetynet.core.types import Role
from safetynet.payments import banks, services
from safetynet.payments.drafting import next_month, previous_month

# The county left for the walk: its current month is not drafted.
WALK_COUNTY = "371302"
# Each county's bank, in turn (兰山区 first: its CSV is the walk's file), so all three layouts show.
BANK_ROTATION = ("psbc", "rcb", "icbc")
# Some counties charge a programme to another fund than drafting's default.
OTHER_FUNDS = {"tekun": "provincial", "edge": "city", "rigid": "city"}
# 兰山区 and 沂南县 have paid through the system all year; the other counties since a few months ago
# (every payroll step is a service call: a whole year everywhere would make the demo slow to build).
FULL_YEAR_COUNTIES = {WALK_COUNTY, "371321"}
OTHER_COUNTIES_MONTHS = 4
DRAFT_DAY = 5
# Days of the month each step of a month's payroll is taken on (the draft on DRAFT_DAY).
STEP_DAYS = {"check": 6, "approve": 7, "export": 8, "result": 12, "close": 14}
CORRECTED_FROM, CORRECTED_TO = 15, 25  # accounts corrected after the bank's result, before next draft
NO_ACCOUNT_SHARE = 0.02  # payees whose account is not known yet: their lines are held
FAILING_SHARE = 0.01  # lines of a month's file that fail at the bank (at least one now and then)
MIN_FAILING = 0.3  # a small county's file fails a line about every third month
CORRECTED_SHARE = 0.7  # failed accounts corrected within the month; the rest later, or not yet
RESERVE_TOP_UP = Decimal("20000.00")
# The bank's words in its result file (the bank's data, not the system's).
FAILURES = ("账号错误", "账户已销户")
HOLDER_FIELDS = {"person": "person_id", "institution": "institution_id", "caregiver": "agreement_id"}
# UnionPay card numbers begin with 62; the first six digits name the bank.
CARD_PREFIXES = {"rcb": "623059", "psbc": "621799", "icbc": "622202", "ccb": "621700"}


class Numbers:
    """Account numbers: UnionPay-like, 16 or 19 digits with a Luhn check digit, none twice."""

    def __init__(self, rng: random.Random):
        self.rng, self.used = rng, set()

    def new(self, bank: str) -> str:
        length = 16 if self.rng.random() < 0.15 else 19
        while True:
            body = CARD_PREFIXES.get(bank, "621000") + "".join(
                str(self.rng.randrange(10)) for _i in range(length - 7)
            )
            number = body + luhn_digit(body)
            if number not in self.used:
                self.used.add(number)
                return number


def luhn_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char) * (2 if index % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return str((10 - total % 10) % 10)


def history_months(as_of: datetime.date) -> list[datetime.date]:
    """The months paid before the clock's: January of its year to last month (at least last month)."""
    current = as_of.replace(day=1)
    first = min(current.replace(month=1), previous_month(current))
    first = max(first, HISTORY_START)
    months, month = [], first
    while month < current:
        months.append(month)
        month = next_month(month)
    return months


def result_file(bank: banks.Bank, content: bytes, failures: dict[str, str]) -> bytes:
    """The bank's result for a payment file it was given: each payment line as it was sent followed
    by 成功, or 失败 and the reason (S or F then the reason in fixed width), header and trailer kept.
    `failures`: reason by line reference; every other line was paid."""
    if bank.layout == banks.FIXED:
        out = []
        for record in content.split(b"\r\n"):
            if record[:1] == b"D":
                reason = failures.get(record[1:13].decode())
                record += b"S" if reason is None else b"F" + reason.encode(bank.encoding)
            out.append(record)
        return b"\r\n".join(out)
    if bank.layout == banks.CSV:
        rows = list(csv.reader(io.StringIO(content.decode(bank.encoding))))
    else:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        rows = [["" if cell is None else str(cell) for cell in row] for row in book.worksheets[0].values]
    answered = []
    for row in rows:
        if not row or row[0] in ("县区", "合计"):
            answered.append(row)
        elif row[0] == "参考号":
            answered.append([*row, "状态", "原因"])
        else:
            reason = failures.get(row[0])
            answered.append([*row, "成功", ""] if reason is None else [*row, "失败", reason])
    if bank.layout == banks.CSV:
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerows(answered)
        return text.getvalue().encode(bank.encoding)
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("代发结果")
    for row in answered:
        sheet.append([str(value) for value in row])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _version(run) -> int:
    """The version of the run's case now (each step moves it on)."""
    from safetynet.payments.models import PayrollRun

    return PayrollRun.objects.filter(pk=run.pk).values_list("case__version", flat=True).get()


class _City:
    """What the builder carries from month to month: the clock, the officers, the accounts."""

    def __init__(self, context: DemoContext, officers: dict, finance):
        self.context, self.clock, self.rng = context, context.clock, context.rng("payments")
        self.officers, self.finance = officers, finance
        self.numbers = Numbers(self.rng)
        self.banks: dict[str, str] = {}
        self.broken: dict[int, str] = {}  # account id → what the bank says of it
        self.late: dict[datetime.date, list[dict]] = {}  # accounts recorded after that month's payroll

    def at(self, day: datetime.date) -> datetime.datetime:
        return not_after_now(self.clock.moment(self.rng, day))


def build_payments(context: DemoContext) -> str | None:
    from safetynet.payments.models import PayeeAccount, PayrollRun

    if PayrollRun.objects.exists() or PayeeAccount.objects.exists():
        return None  # a city built again keeps its payments
    officers: dict[str, list] = {}
    for _name, user in sorted(context.users.items()):
        if user.role == Role.COUNTY_BUREAU and len(user.division_id) == 6:
            officers.setdefault(user.division_id, []).append(user)
    officers = {county: users for county, users in officers.items() if len(users) >= 2}
    finance = context.users.get("finance")
    if not officers or finance is None or finance.role != Role.FINANCE_OFFICER:
        return None
    city = _City(context, officers, finance)
    months = history_months(city.clock.as_of)
    current = city.clock.as_of.replace(day=1)
    first = months[0] if months else current
    _settings(city, first)
    # A county with no one to pay (a small demo city) runs no payroll.
    paying = sorted(_accounts(city, months + [current], first) & set(officers))
    for county in paying:
        paid = months if county in FULL_YEAR_COUNTIES else months[-OTHER_COUNTIES_MONTHS:]
        for index, month in enumerate(paid):
            _month(city, county, month, last=index == len(paid) - 1)
            if county == WALK_COUNTY:
                _late_accounts(city, month)
    for county in paying:
        if county != WALK_COUNTY:
            maker = officers[county][0]
            day = current.replace(day=min(DRAFT_DAY, city.clock.as_of.day))
            services.payroll_draft(actor=maker, county=county, month=current, at=city.at(day))
    _reserves(city, first)
    _notices_read(city)
    return _summary(city, (months[-1] if months else current).year)


def _settings(city: _City, first: datetime.date) -> None:
    for index, county in enumerate(sorted(city.officers)):
        bank = BANK_ROTATION[index % len(BANK_ROTATION)]
        city.banks[county] = bank
        services.payroll_setting_save(
            actor=city.officers[county][0],
            county=county,
            # 兰山区's own day is late in the month, so the drafting job leaves this month to the walk.
            draft_day=28 if county == WALK_COUNTY else DRAFT_DAY,
            bank=bank,
            funds=OTHER_FUNDS if index % 4 == 3 else {},
        )


def _accounts(city: _City, months: list[datetime.date], first: datetime.date) -> set[str]:
    """An open account for every payee of the year's months — the head of each household paid a
    programme, each 特困 person, the institutions they live in, the caregivers of signed agreements
    — but a few persons, whose lines are held. One of 兰山区's gets an account mid-year: the months
    held are then paid again."""
    from safetynet.care.selectors import agreements as care_agreements
    from safetynet.care.selectors import care_payees
    from safetynet.institutions.selectors import care_institutions
    from safetynet.programmes.models import Enrolment

    rng = city.rng
    payees: dict[tuple, dict] = {}  # (holder kind, holder id) → the account's row but its number
    enrolments = Enrolment.objects.filter(
        Q(until__isnull=True) | Q(until__gt=months[0]),
        county_id__in=list(city.officers),
        amount__gt=0,
        since__lte=months[-1],
    )
    heads = enrolments.filter(Q(person__isnull=True) | ~Q(programme="tekun")).values_list(
        "county_id", "household__head_id", "household__head__name", "household__head__area_id", "since"
    )
    tekun = enrolments.filter(programme="tekun", person__isnull=False).values_list(
        "county_id", "person_id", "person__name", "person__area_id", "since"
    )
    for county, person, name, area, since in [*heads.order_by(), *tekun.order_by()]:
        payee = payees.setdefault(("person", person), {"name": name, "area": area, "county": county})
        payee["since"] = min(since, payee.get("since", since))
    institutions, agreements = set(), {}
    for month in months:
        for row in care_payees(on=month):
            if row["institution"]:
                institutions.add(row["institution"])
            if row["agreement"]:
                agreements[row["agreement"]] = row["caregiver"]
    city_login = city.context.users.get("city")
    for agreement, area, name in (
        care_agreements(actor=city_login)
        .filter(pk__in=list(agreements))
        .values_list("pk", "division_id", "caregiver_name")
        if city_login is not None
        else []
    ):
        payees[("caregiver", agreement)] = {"name": name, "area": area, "county": area[:6]}
    for pk, name, area in (
        care_institutions().filter(pk__in=institutions).values_list("pk", "name", "division_id")
    ):
        payees[("institution", pk)] = {"name": name, "area": area, "county": area[:6]}

    persons_by_county: dict[str, list] = {}
    for key, payee in sorted(payees.items()):
        if key[0] == "person":
            persons_by_county.setdefault(payee["county"], []).append(key)
    without: set[tuple] = set()
    late: list[tuple] = []
    for county, keys in sorted(persons_by_county.items()):
        count = round(len(keys) * NO_ACCOUNT_SHARE)
        if county == WALK_COUNTY:
            # Two paid since the year began: one has no account yet, the other brings it mid-year.
            keys = [key for key in keys if payees[key]["since"] <= months[0]] or keys
            count = max(count, 2)
        chosen = rng.sample(keys, min(count, len(keys)))
        without.update(chosen)
        if county == WALK_COUNTY and len(chosen) >= 2 and len(months) >= 3:
            late.append(chosen[0])
    rows = []
    for (kind, holder), payee in sorted(payees.items()):
        if (kind, holder) in without:
            continue
        rows.append(_account_row(city, kind, holder, payee))
    opened = max(first - datetime.timedelta(days=1), city.clock.history_start)
    services.accounts_bulk_open(rows, at=city.at(opened), actor=None)
    if late:
        city.late[months[len(months) // 2]] = [_account_row(city, *key, payees[key]) for key in late]
    return set(persons_by_county)


def _late_accounts(city: _City, month: datetime.date) -> None:
    """Accounts that came late, recorded by the county's officer after the month's payroll: the
    months held for want of them are paid in the next."""
    for row in city.late.pop(month, []):
        at = city.at(month.replace(day=CORRECTED_TO))
        account = services.account_open(
            actor=city.officers[WALK_COUNTY][0],
            holder_kind=row["holder_kind"],
            holder_id=row[HOLDER_FIELDS[row["holder_kind"]]],
            kind=row["kind"],
            bank=row["bank"],
            number=row["number"],
            reason=_("The payee brought the passbook of the one-card account."),
            at=at,
        )
        demo_date_changes(entity_type="payeeaccount", entity_ids=[account.pk], at=at)


def _account_row(city: _City, kind: str, holder: int, payee: dict) -> dict:
    county_bank = city.banks.get(payee["county"], banks.DEFAULT_BANK)
    if kind == "institution":
        account_kind, bank = "corporate", county_bank
    else:
        draw = city.rng.random()
        account_kind, bank = (
            ("one_card", county_bank)
            if draw < 0.8
            else ("social_card", county_bank)
            if draw < 0.9
            else ("bank_card", city.rng.choice(sorted(banks.BANKS)))
        )
    return {
        "holder_kind": kind,
        HOLDER_FIELDS[kind]: holder,
        "holder_name": (payee["name"] or "")[:100],
        "kind": account_kind,
        "bank": bank,
        "number": city.numbers.new(bank),
        "area_id": payee["area"],
    }


def _month(city: _City, county: str, month: datetime.date, *, last: bool) -> None:
    """One county's payroll for a month of the year so far, from the draft to the close, with the
    bank failing a few lines and the officer correcting most of their accounts afterwards."""
    from safetynet.payments.models import BankFile, PayrollLine

    maker, approver = city.officers[county][:2]
    rng = city.rng
    run = services.payroll_draft(
        actor=maker, county=county, month=month, at=city.at(month.replace(day=DRAFT_DAY))
    )
    for step, actor in (("check", city.finance), ("approve", approver)):
        services.payroll_step(
            actor=actor,
            run_id=run.pk,
            step=step,
            version=_version(run),
            at=city.at(month.replace(day=STEP_DAYS[step])),
        )
    if not PayrollLine.objects.filter(run=run, status=PayrollLine.Status.PENDING).exists():
        return  # nothing to send (every payee without an account): approved, and no more
    bank_file = services.payroll_export(
        actor=maker, run_id=run.pk, version=_version(run), at=city.at(month.replace(day=STEP_DAYS["export"]))
    )
    sent = list(
        PayrollLine.objects.filter(run=run, status=PayrollLine.Status.SENT)
        .order_by("pk")
        .values_list("pk", "account_id", "payee_ref")
    )
    holders = {account: ref for _pk, account, ref in sent}
    # New failures among persons' and caregivers' accounts (an institution's is not closed on it).
    fresh = sorted({a for _pk, a, ref in sent if not ref.startswith("institution") and a not in city.broken})
    count = int(max(len(sent) * FAILING_SHARE, MIN_FAILING) + rng.random())
    if last and county == WALK_COUNTY:
        count = max(count, 1)
    for account in rng.sample(fresh, min(count, len(fresh))):
        city.broken[account] = rng.choice(FAILURES)
    failures = {banks.reference(pk): city.broken[a] for pk, a, _ref in sent if a in city.broken}
    bank = banks.BANKS[city.banks[county]]
    content = BankFile.objects.filter(pk=bank_file.pk).values_list("content", flat=True).get()
    extension = {banks.FIXED: "txt"}.get(bank.layout, bank.layout)
    services.payroll_result_import(
        actor=maker,
        run_id=run.pk,
        version=_version(run),
        name=f"result-{county}-{month:%Y%m}.{extension}",
        data=result_file(bank, bytes(content), failures),
        at=city.at(month.replace(day=STEP_DAYS["result"])),
    )
    services.payroll_step(
        actor=maker,
        run_id=run.pk,
        step="close",
        version=_version(run),
        at=city.at(month.replace(day=STEP_DAYS["close"])),
    )
    _correct(city, county, maker, month, holders, last=last)


def _correct(city: _City, county: str, maker, month: datetime.date, holders: dict, *, last: bool) -> None:
    """The officer records a new account for most payees whose payment failed (the rest wait: the
    bank's answer is slow, the payee away): their failed lines are paid again next month."""
    from safetynet.core.scope import in_area
    from safetynet.payments.models import PayeeAccount

    rng = city.rng
    # A payee who has moved to another county since (a household transferred) has the new account
    # recorded there, not by this county's officer.
    mine = sorted(
        account
        for account in city.broken
        if account in holders and in_area(maker, services.holder_area(*holders[account].split(":")))
    )
    corrected = [a for a in mine if rng.random() < CORRECTED_SHARE]
    if last and county == WALK_COUNTY and mine and not corrected:
        corrected = mine[:1]
    for account in corrected:
        old = PayeeAccount.objects.get(pk=account)
        kind, holder = holders[account].split(":")
        day = month.replace(day=rng.randint(CORRECTED_FROM, CORRECTED_TO))
        at = city.at(day)
        new = services.account_open(
            actor=maker,
            holder_kind=kind,
            holder_id=int(holder),
            kind=old.kind,
            bank=old.bank,
            number=city.numbers.new(old.bank),
            reason=_("The bank returned the payment: %(reason)s.") % {"reason": city.broken[account]},
            at=at,
        )
        demo_date_changes(entity_type="payeeaccount", entity_ids=[new.pk], at=at)
        del city.broken[account]


def _reserves(city: _City, first: datetime.date) -> None:
    """A top-up of each township's reserve fund that paid emergency aid (at the year's start, or
    before its first payment), the payments booked as drawn from it, and one township's count."""
    from safetynet.payments.models import ReserveMovement

    services.aid_payments_book()
    drawn = (
        ReserveMovement.objects.filter(kind=ReserveMovement.Kind.DRAWN)
        .values("township_id")
        .annotate(first=Min("at"))
        .order_by("township_id")
    )
    townships = {u.division_id: u for u in city.context.users.values() if u.role == Role.TOWNSHIP_OFFICE}
    counted = False
    for row in drawn:
        township = row["township_id"]
        officers = city.officers.get(township[:6])
        if not officers:
            continue
        day = min(first.replace(day=3), (row["first"] - datetime.timedelta(days=1)).date())
        services.reserve_record(
            actor=officers[0],
            township=township,
            kind=ReserveMovement.Kind.TOP_UP,
            amount=RESERVE_TOP_UP,
            note=_("The reserve fund for emergency aid, for the year."),
            at=city.at(day),
        )
        office = townships.get(township)
        if office is not None and not counted:
            services.reserve_record(
                actor=office,
                township=township,
                kind=ReserveMovement.Kind.COUNTED,
                amount=None,
                counted=services.reserve_balance(township),
                at=city.at(city.clock.as_of),
            )
            counted = True


def _notices_read(city: _City) -> None:
    """The officers read long ago of the payrolls they closed since."""
    from safetynet.core.workflows.selectors import notices
    from safetynet.core.workflows.services import notices_mark_read
    from safetynet.payments.workflow import CODE

    for users in city.officers.values():
        for user in users:
            old = notices(actor=user).filter(case__workflow=CODE, case__state="closed")
            notices_mark_read(actor=user, ids=list(old.values_list("pk", flat=True)))


def _summary(city: _City, year: int) -> str:
    from safetynet.payments.models import LedgerEntry, PayrollLine, PayrollRun
    from safetynet.payments.selectors import yuan

    paid = yuan(
        LedgerEntry.objects.filter(
            kind__in=[LedgerEntry.Kind.PAID, LedgerEntry.Kind.AID_PAID], month__year=year
        ).aggregate(total=Sum("amount"))["total"]
    )
    reissued = PayrollLine.objects.filter(
        kind=PayrollLine.Kind.REISSUE, reissue_of__status=PayrollLine.Status.FAILED
    ).count()
    waiting = PayrollLine.objects.filter(status=PayrollLine.Status.FAILED, reissue__isnull=True).count()
    return _(
        "Payments: %(runs)s payroll runs, %(paid)s yuan paid in %(year)s, %(reissued)s failed lines "
        "re-issued, %(waiting)s still to be."
    ) % {
        "runs": PayrollRun.objects.count(),
        "paid": paid,
        "year": year,
        "reissued": reissued,
        "waiting": waiting,
    }
