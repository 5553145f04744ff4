"""A county's monthly payroll from draft to close: lines with their sources and changes, three pairs
of hands, the bank file, the bank's result (all or nothing), failures re-issued once the account is
corrected, arrears and stopped lines, and the ledger that adds up."""

import csv
import datetime
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from conftest import user
from safetynet.core.models import Role, UnmaskLog
from safetynet.core.services import ConflictError
from safetynet.payments import banks, services
from safetynet.payments.models import BankFile, LedgerEntry, PayrollLine, PayrollRun
from safetynet.payments.tests.conftest import NOVEMBER, OCTOBER, SEPTEMBER, approved
from safetynet.programmes.models import AidPayment, Enrolment
from safetynet.programmes.services import enrolment_end, enrolment_start

pytestmark = pytest.mark.django_db
Line = PayrollLine


def exported(county, month):
    run = approved(county, month)
    bank_file = services.payroll_export(actor=county["checker"], run_id=run.pk, version=run.case.version)
    run.case.refresh_from_db()
    return run, bank_file


def result_csv(bank_file: BankFile, *, fail: dict | None = None, edit=None, encoding="gb18030") -> bytes:
    """The bank's answer to a CSV payment file: each line 成功, or 失败 with the reason in `fail`."""
    fail = fail or {}
    rows = list(csv.reader(io.StringIO(bytes(bank_file.content).decode(encoding))))
    out = []
    for row in rows:
        if row and row[0].isdigit() and len(row[0]) == 12:
            name = row[1]
            row = [*row, "失败", fail[name]] if name in fail else [*row, "成功", ""]
        out.append(row)
    if edit:
        out = edit(out)
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(out)
    return text.getvalue().encode(encoding)


def paid_in_ledger(**filters) -> Decimal:
    return LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAID, **filters).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal("0")


def test_a_month_goes_from_draft_to_close_and_the_ledger_adds_up(county):
    run = services.payroll_draft(actor=county["maker"], county="371302", month=SEPTEMBER)
    lines = {line.payee_name: line for line in Line.objects.filter(run=run)}
    assert {name: line.amount for name, line in lines.items()} == {
        "王一": Decimal("300.00"),
        "李二": Decimal("400.00"),
        "赵三": Decimal("500.00"),
    }
    assert all(
        line.change == Line.Change.NEW and line.decision and line.fund == "central" for line in lines.values()
    )
    assert lines["赵三"].status == Line.Status.HELD  # no account yet
    assert run.total == Decimal("1200.00") and run.changes["held"] == 1
    assert run.case.state == "draft"
    assert not LedgerEntry.objects.exists()  # a draft owes nothing yet

    run = services.payroll_step(
        actor=county["checker"], run_id=run.pk, step="check", version=run.case.version
    )
    run = services.payroll_step(
        actor=county["approver"], run_id=run.pk, step="approve", version=run.case.version
    )
    assert LedgerEntry.objects.filter(kind="entitled").aggregate(t=Sum("amount"))["t"] == Decimal("1200.00")

    bank_file = services.payroll_export(actor=county["checker"], run_id=run.pk, version=run.case.version)
    text = bytes(bank_file.content).decode("gb18030")
    assert "6228480000000000011" in text and "6228480000000000029" in text  # whole, in the file alone
    assert "赵三" not in text and bank_file.lines == 2 and bank_file.total == Decimal("700.00")
    assert text.splitlines()[-1] == "合计,2,,700.00"
    assert UnmaskLog.objects.filter(channel="bank_file", actor=county["checker"]).count() == 2

    run.case.refresh_from_db()
    result = services.payroll_result_import(
        actor=county["checker"],
        run_id=run.pk,
        version=run.case.version,
        name="result.csv",
        data=result_csv(bank_file, fail={"李二": "账户已销户"}),
    )
    assert (result.paid, result.failed, result.paid_total) == (1, 1, Decimal("300.00"))
    statuses = dict(Line.objects.filter(run=run).values_list("payee_name", "status"))
    assert statuses == {"王一": "paid", "李二": "failed", "赵三": "held"}
    assert Line.objects.get(run=run, payee_name="李二").failure == "账户已销户"
    assert paid_in_ledger() == Decimal("300.00")
    run.case.refresh_from_db()
    assert run.case.state == "reconciled"
    services.payroll_step(actor=county["maker"], run_id=run.pk, step="close", version=run.case.version)
    run.case.refresh_from_db()
    assert run.case.state == "closed"


def test_no_one_takes_two_of_draft_check_and_approve(county):
    run = services.payroll_draft(actor=county["maker"], county="371302", month=SEPTEMBER)
    with pytest.raises(ValidationError, match="您生成的"):
        services.payroll_step(actor=county["maker"], run_id=run.pk, step="check", version=run.case.version)
    run = services.payroll_step(
        actor=county["checker"], run_id=run.pk, step="check", version=run.case.version
    )
    with pytest.raises(ValidationError):
        services.payroll_step(actor=county["maker"], run_id=run.pk, step="approve", version=run.case.version)
    with pytest.raises(PermissionDenied):  # a finance officer does not approve
        services.payroll_step(
            actor=county["checker"], run_id=run.pk, step="approve", version=run.case.version
        )
    with pytest.raises(ConflictError):  # a stale page
        services.payroll_step(actor=county["approver"], run_id=run.pk, step="approve", version=1)
    assert not LedgerEntry.objects.exists()
    services.payroll_step(actor=county["approver"], run_id=run.pk, step="approve", version=run.case.version)
    assert LedgerEntry.objects.filter(kind="entitled").count() == 3


def test_another_county_neither_drafts_nor_steps(county):
    other = user(Role.COUNTY_BUREAU, "371321")
    with pytest.raises(PermissionDenied):
        services.payroll_draft(actor=other, county="371302", month=SEPTEMBER)
    run = services.payroll_draft(actor=county["maker"], county="371302", month=SEPTEMBER)
    with pytest.raises(ObjectDoesNotExist):  # as absent as a payroll that does not exist
        services.payroll_step(actor=other, run_id=run.pk, step="check", version=run.case.version)
    grid = user(Role.GRID_WORKER, county["households"][0].village_id)
    with pytest.raises(PermissionDenied):
        services.payroll_draft(actor=grid, county="371302", month=OCTOBER)


def test_the_same_month_is_drafted_once(county):
    services.payroll_draft(actor=county["maker"], county="371302", month=SEPTEMBER)
    with pytest.raises(ValidationError, match="已"):
        services.payroll_draft(actor=county["approver"], county="371302", month=SEPTEMBER)
    assert PayrollRun.objects.count() == 1 and Line.objects.count() == 3


def test_a_month_is_never_paid_twice_even_past_the_code(county):
    run = approved(county, SEPTEMBER)
    line = Line.objects.filter(run=run).first()
    line.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()


def test_a_failed_line_is_paid_again_next_month_once_the_account_is_corrected(county):
    run, bank_file = exported(county, SEPTEMBER)
    services.payroll_result_import(
        actor=county["checker"],
        run_id=run.pk,
        version=run.case.version,
        name="r.csv",
        data=result_csv(bank_file, fail={"李二": "户名不符"}),
    )
    # October, the account not yet corrected: the failure waits.
    october = approved(county, OCTOBER)
    assert not Line.objects.filter(run=october, kind=Line.Kind.REISSUE).exists()
    assert october.changes["waiting_account"] == 2  # 李二's failure and 赵三's held line
    head = county["households"][1].head
    services.account_open(
        actor=county["township"],
        holder_kind="person",
        holder_id=head.pk,
        kind="bank_card",
        bank="psbc",
        number="6217000000000000077",
        reason="原账户户名不符",
    )
    november = services.payroll_draft(actor=county["maker"], county="371302", month=NOVEMBER)
    reissue = Line.objects.get(run=november, kind=Line.Kind.REISSUE)
    assert (reissue.payee_name, reissue.month, reissue.amount) == ("李二", SEPTEMBER, Decimal("400.00"))
    assert reissue.account.number == "6217000000000000077" and reissue.reason == "户名不符"
    assert november.changes["reissued"] == 1
    # Drafted again, it is still re-issued once.
    november = services.payroll_redraft(
        actor=county["approver"], run_id=november.pk, version=november.case.version
    )
    assert Line.objects.filter(kind=Line.Kind.REISSUE).count() == 1


def test_a_held_line_is_paid_once_the_payee_has_an_account(county):
    approved(county, SEPTEMBER)
    services.account_open(
        actor=county["township"],
        holder_kind="person",
        holder_id=county["households"][2].head_id,
        kind="one_card",
        bank="rcb",
        number="6228480000000000037",
    )
    october = services.payroll_draft(actor=county["maker"], county="371302", month=OCTOBER)
    reissue = Line.objects.get(run=october, kind=Line.Kind.REISSUE)
    assert (reissue.payee_name, reissue.month, reissue.status) == ("赵三", SEPTEMBER, Line.Status.PENDING)


def test_a_late_decision_is_paid_as_arrears_and_an_ended_one_shows_stopped(
    county, make_household, lanshan_village
):
    approved(county, SEPTEMBER)
    late = make_household(
        lanshan_village, county["maker"], members=[("钱四", 1, "02", datetime.date(1955, 1, 1))]
    )
    enrolment_start(actor=county["maker"], household=late, programme="dibao", since=SEPTEMBER, amount="250")
    first = Enrolment.objects.get(household=county["households"][0])
    enrolment_end(
        actor=county["maker"], enrolment=first, version=first.version, until=OCTOBER, reason="收入超过标准"
    )
    october = services.payroll_draft(actor=county["maker"], county="371302", month=OCTOBER)
    rows = {(line.payee_name, line.kind, line.month): line for line in Line.objects.filter(run=october)}
    assert rows[("钱四", "arrears", SEPTEMBER)].amount == Decimal("250.00")
    assert rows[("钱四", "regular", OCTOBER)].change == Line.Change.NEW
    stopped = rows[("王一", "stopped", OCTOBER)]
    assert (stopped.amount, stopped.previous_amount, stopped.reason) == (
        Decimal("0"),
        Decimal("300.00"),
        "收入超过标准",
    )
    assert rows[("李二", "regular", OCTOBER)].change == Line.Change.SAME
    assert october.changes["arrears"] == 1 and october.changes["stopped"] == 1


def test_a_changed_amount_shows_last_months_and_a_back_dated_rise_pays_the_difference(county):
    approved(county, SEPTEMBER)
    old = Enrolment.objects.get(household=county["households"][1])
    enrolment_end(
        actor=county["maker"],
        enrolment=old,
        version=old.version,
        until=SEPTEMBER + datetime.timedelta(days=1),
        reason="调整保障金额",
    )
    enrolment_start(
        actor=county["maker"],
        household=county["households"][1],
        programme="dibao",
        since=SEPTEMBER + datetime.timedelta(days=1),
        amount="450",
    )
    # The new amount covers October on; September was paid at 400 by the old one.
    october = services.payroll_draft(actor=county["maker"], county="371302", month=OCTOBER)
    line = Line.objects.get(run=october, payee_name="李二", kind="regular")
    assert (line.amount, line.previous_amount, line.change) == (
        Decimal("450.00"),
        Decimal("400.00"),
        "changed",
    )


def test_a_draft_that_would_pay_a_negative_amount_is_stopped_with_the_reason(county):
    approved(county, SEPTEMBER)
    # A decision back-dated to September lowers 李二's amount below what September paid.
    old = Enrolment.objects.get(household=county["households"][1])
    Enrolment.objects.filter(pk=old.pk).update(until=SEPTEMBER + datetime.timedelta(days=1))
    Enrolment.objects.create(
        household=county["households"][1],
        programme="dibao",
        amount="100",
        since=SEPTEMBER,
        county_id="371302",
        previous=old,
    )
    Enrolment.objects.filter(pk=old.pk).update(since=datetime.date(2026, 8, 1), until=SEPTEMBER)
    with pytest.raises(ValidationError) as refused:
        services.payroll_draft(actor=county["maker"], county="371302", month=OCTOBER)
    assert "追回" in " ".join(refused.value.messages) or "recovery" in " ".join(refused.value.messages)
    assert not PayrollRun.objects.filter(month=OCTOBER).exists()


@pytest.mark.parametrize(
    "problem", ["unknown", "duplicate", "total", "amount", "account", "county", "month", "status", "empty"]
)
def test_a_wrong_result_file_is_refused_whole_and_changes_nothing(county, problem):
    run, bank_file = exported(county, SEPTEMBER)

    def edit(rows):
        details = [i for i, row in enumerate(rows) if row and row[0].isdigit() and len(row[0]) == 12]
        if problem == "unknown":
            rows[details[0]][0] = "000000999999"
        elif problem == "duplicate":
            rows.insert(details[0], list(rows[details[0]]))
        elif problem == "total":
            rows[-1][3] = "9999.00"
        elif problem == "amount":
            rows[details[0]][3] = "1.00"
        elif problem == "account":
            rows[details[0]][2] = "6228480000000009999"
        elif problem == "county":
            rows[0][1] = "371321"
        elif problem == "month":
            rows[0][3] = "202608"
        elif problem == "status":
            rows[details[0]][4] = "maybe"
        elif problem == "empty":
            rows = [rows[0], rows[1], ["合计", "0", "", "0.00"]]
        return rows

    with pytest.raises(ValidationError) as refused:
        services.payroll_result_import(
            actor=county["checker"],
            run_id=run.pk,
            version=run.case.version,
            name="r.csv",
            data=result_csv(bank_file, edit=edit),
        )
    assert refused.value.messages
    assert set(Line.objects.filter(run=run).exclude(status="held").values_list("status", flat=True)) == {
        "sent"
    }
    assert not LedgerEntry.objects.filter(kind__in=["paid", "failed"]).exists()
    run.case.refresh_from_db()
    assert run.case.state == "exported"


def test_the_same_result_file_is_read_once_and_a_close_waits_for_the_bank(county):
    run, bank_file = exported(county, SEPTEMBER)
    data = result_csv(bank_file)
    with pytest.raises(ValidationError):  # the bank has not answered yet
        services.payroll_step(actor=county["maker"], run_id=run.pk, step="close", version=run.case.version)
    services.payroll_result_import(
        actor=county["checker"], run_id=run.pk, version=run.case.version, name="r.csv", data=data
    )
    run.case.refresh_from_db()
    with pytest.raises(ValidationError):
        services.payroll_result_import(
            actor=county["checker"], run_id=run.pk, version=run.case.version, name="r.csv", data=data
        )
    assert paid_in_ledger() == Decimal("700.00")


@pytest.mark.parametrize("bank", ["rcb", "icbc", "ccb"])
def test_every_layout_round_trips_through_the_banks_result(county, bank):
    services.payroll_setting_save(actor=county["maker"], county="371302", draft_day=5, bank=bank)
    run, bank_file = exported(county, SEPTEMBER)
    layout = banks.BANKS[bank]
    if layout.layout == banks.FIXED:
        records = bytes(bank_file.content).split(b"\r\n")
        body = b"\r\n".join(r + (b"S" if r.startswith(b"D") else b"") for r in records)
    elif layout.layout == banks.XLSX:
        from openpyxl import Workbook, load_workbook

        sheet = load_workbook(io.BytesIO(bytes(bank_file.content))).worksheets[0]
        book = Workbook()
        out = book.active
        for row in sheet.iter_rows(values_only=True):
            row = list(row)
            while row and row[-1] is None:
                row.pop()
            out.append(row + (["成功", ""] if str(row[0]).isdigit() and len(str(row[0])) == 12 else []))
        data = io.BytesIO()
        book.save(data)
        body = data.getvalue()
    else:
        body = result_csv(bank_file, encoding=layout.encoding)
    result = services.payroll_result_import(
        actor=county["checker"], run_id=run.pk, version=run.case.version, name="r", data=body
    )
    assert result.paid == 2 and paid_in_ledger() == Decimal("700.00")
    assert set(Line.objects.filter(run=run, status="paid").values_list("account__number", flat=True)) == {
        "6228480000000000029",
        "6228480000000000011",
    }


def test_the_account_history_is_kept_and_bad_numbers_are_refused(county):
    head = county["households"][0].head
    with pytest.raises(ValidationError):
        services.account_open(
            actor=county["township"],
            holder_kind="person",
            holder_id=head.pk,
            kind="one_card",
            bank="rcb",
            number="62284800000000000\x0011",
        )
    with pytest.raises(ValidationError):
        services.account_open(
            actor=county["township"],
            holder_kind="person",
            holder_id=head.pk,
            kind="one_card",
            bank="rcb",
            number="1" * 40,
        )
    with pytest.raises(ValidationError):
        services.account_open(
            actor=county["township"],
            holder_kind="person",
            holder_id=head.pk,
            kind="one_card",
            bank="nobank",
            number="6228480000000000055",
        )
    with pytest.raises(PermissionDenied):
        services.account_open(
            actor=user(Role.COUNTY_BUREAU, "371321"),
            holder_kind="person",
            holder_id=head.pk,
            kind="one_card",
            bank="rcb",
            number="6228480000000000055",
        )
    new = services.account_open(
        actor=county["township"],
        holder_kind="person",
        holder_id=head.pk,
        kind="bank_card",
        bank="psbc",
        number="6228 4800 0000 0000 055",
        reason="换卡",
    )
    assert new.number == "6228480000000000055"
    from safetynet.payments.models import PayeeAccount

    history = list(
        PayeeAccount.objects.filter(person=head).order_by("opened_at").values_list("number", "closed_reason")
    )
    assert history == [("6228480000000000011", "换卡"), ("6228480000000000055", "")]


def test_amounts_are_paid_in_whole_yuan_rounded_half_up(county, make_household, lanshan_village):
    household = make_household(
        lanshan_village, county["maker"], members=[("孙五", 1, "02", datetime.date(1950, 1, 1))]
    )
    enrolment_start(
        actor=county["maker"], household=household, programme="dibao", since=SEPTEMBER, amount="333.50"
    )
    run = services.payroll_draft(actor=county["maker"], county="371302", month=SEPTEMBER)
    assert Line.objects.get(run=run, payee_name="孙五").amount == Decimal("334.00")
    assert run.total == Decimal("1534.00")


def test_temporary_aid_paid_by_a_township_is_booked_paid_once_and_drawn_from_its_reserve(county):
    from safetynet.payments.models import ReserveMovement
    from safetynet.programmes.aid.services import aid_pay, emergency_report

    village = county["households"][0].village_id
    aid = emergency_report(
        actor=county["township"],
        area_code=village,
        cause="fire",
        what="房屋失火",
        person_id=county["households"][0].head_id,
    )
    services.reserve_record(actor=county["maker"], township=village[:9], kind="top_up", amount="5000")
    aid_pay(
        actor=county["township"],
        aid_id=aid.pk,
        version=aid.version,
        amount="800",
        means="cash",
        from_reserve=True,
    )
    assert services.aid_payments_book() == 1
    assert services.aid_payments_book() == 0
    # Two bookings at once (two counties drafting): the later one read the payment as not yet
    # booked; it skips it instead of failing the other county's draft, and books nothing twice.
    with mock.patch.object(AidPayment.objects, "exclude", lambda **_ignored: AidPayment.objects.all()):
        services.aid_payments_book()
    booked = LedgerEntry.objects.get(kind="aid_paid")
    assert (booked.amount, booked.programme, booked.county_id) == (Decimal("800.00"), "temporary", "371302")
    assert services.reserve_balance(village[:9]) == Decimal("4200.00")
    assert ReserveMovement.objects.filter(kind="drawn").count() == 1
    # A count that differs says why; one that agrees needs no word.
    with pytest.raises(ValidationError):
        services.reserve_record(
            actor=county["township"], township=village[:9], kind="counted", amount=None, counted="4100"
        )
    services.reserve_record(
        actor=county["township"], township=village[:9], kind="counted", amount=None, counted="4200"
    )
    with pytest.raises(PermissionDenied):  # the township does not top itself up
        services.reserve_record(actor=county["township"], township=village[:9], kind="top_up", amount="100")
    with pytest.raises(ValidationError):
        services.reserve_record(actor=county["maker"], township=village[:9], kind="returned", amount="99999")
    assert services.reserve_balance(village[:9]) == Decimal("4200.00")


def test_a_recovery_order_is_booked_in_the_ledger_once(county):
    from django.utils import timezone

    from safetynet.programmes.models import RecoveryOrder, Review

    enrolment = Enrolment.objects.get(household=county["households"][0])
    review = Review.objects.create(
        household=county["households"][0],
        enrolment=enrolment,
        reason="reported",
        due_on=OCTOBER,
        village_id=county["households"][0].village_id,
        opened_at=timezone.now(),
    )
    order = RecoveryOrder.objects.create(
        household=county["households"][0],
        review=review,
        overpaid_from=SEPTEMBER,
        overpaid_until=OCTOBER,
        amount="300",
        reasons="隐瞒收入",
        issued_at=timezone.now(),
        issued_by=county["maker"],
    )
    assert services.recoveries_book() == 1 and services.recoveries_book() == 0
    entry = LedgerEntry.objects.get(kind="recovery")
    assert (entry.recovery_id, entry.amount, entry.programme, entry.for_month) == (
        order.pk,
        Decimal("300.00"),
        "dibao",
        SEPTEMBER,
    )
