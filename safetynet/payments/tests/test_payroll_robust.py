"""A payroll that survives what happens to real systems: a process killed with SIGKILL in the middle
of drafting or of reading the bank's result leaves all of it or none of it, and the step taken again
gives what an uninterrupted one gives; a result file read twice, or by two officers at once, pays
once; a month drafted twice at once is drafted once; a failed line is re-issued once; and the ledger
and reserve funds are only ever added to.

The processes killed or run side by side work on the tests' own database: the PostgreSQL test
database as it is (the tests here commit: `transaction=True`), or, on SQLite, whose test database
lives in this process's memory, a file copy of it taken before and read back after."""

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Sum

from safetynet.core.models import Case
from safetynet.payments import services
from safetynet.payments.models import BankResult, LedgerEntry, PayrollLine, PayrollRun, ReserveMovement
from safetynet.payments.tests.conftest import NOVEMBER, OCTOBER, SEPTEMBER, approved
from safetynet.payments.tests.test_payroll import exported, result_csv

Line = PayrollLine
ROOT = Path(__file__).resolve().parents[3]
# What the fixture's September pays when nothing interrupts it (test_payroll): three lines of 1200
# yuan, 赵三's held for want of an account; at the bank 王一's 300 paid, 李二's 400 failed.
UNINTERRUPTED_DRAFT = {"lines": 3, "total": Decimal("1200.00"), "held": 1}
UNINTERRUPTED_RESULT = {"paid": 1, "failed": 1, "paid_total": Decimal("300.00"),
                        "failed_total": Decimal("400.00")}
pytestmark = pytest.mark.django_db
committing = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# --- processes on the tests' database -------------------------------------------------------------


@contextlib.contextmanager
def database_for_children(tmp_path: Path):
    """The environment a child process needs to work on the tests' database; on SQLite the database
    is copied to a file for them and read back, as they left it, when the block ends."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env |= {"SAFETYNET_DATA_DIR": str(tmp_path / "child-data"), "SAFETYNET_LOG_LEVEL": "ERROR",
            "PYTHONUNBUFFERED": "1"}
    if connection.vendor == "sqlite":
        path = tmp_path / "children.sqlite3"
        connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(path)) as copy:
            connection.connection.backup(copy)
        env["DATABASE_URL"] = f"sqlite:///{path}"
        yield env
        with contextlib.closing(sqlite3.connect(path)) as left:  # recovers what a killed child left
            left.backup(connection.connection)
    else:
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
        yield env


class Child:
    """A payroll step in a process of its own (payroll_child.py), read line by line."""

    def __init__(self, env: dict, step: str, args: dict, *, pause: str = "-", hold: float = 120,
                 sql_delay: float = 0):
        env = {**env, "PAYROLL_CHILD_SQL_DELAY": str(sql_delay)}
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "safetynet.payments.tests.payroll_child", step, pause, str(hold),
             json.dumps(args)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        # Whatever goes wrong, no child outlives a minute and a half.
        self.guard = threading.Timer(90, self.process.kill)
        self.guard.start()

    def next_line(self) -> str:
        line = self.process.stdout.readline().strip()
        while line == "STARTED":
            line = self.process.stdout.readline().strip()
        assert line, f"the child said nothing more; its errors:\n{self.process.stderr.read()[-3000:]}"
        return line

    def started(self) -> None:
        line = self.process.stdout.readline().strip()
        assert line == "STARTED", f"{line}; the child's errors:\n{self.process.stderr.read()[-3000:]}"

    def kill(self, *, must_be_running: bool = True) -> str:
        """SIGKILL; `killed`, or `finished` if it had ended already (allowed unless it must run)."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)
        self.guard.cancel()
        if must_be_running:
            assert self.process.returncode == -signal.SIGKILL
        return "killed" if self.process.returncode == -signal.SIGKILL else "finished"

    def outcome(self) -> tuple[str, object]:
        """DONE with what the step made, or REFUSED with the messages, once the child has ended."""
        line = self.next_line()
        while line == "PAUSED":
            line = self.next_line()
        self.process.wait(60)
        self.guard.cancel()
        word, _, data = line.partition(" ")
        return word, json.loads(data)


def draft_args(county, month=SEPTEMBER, actor="maker") -> dict:
    return {"actor": county[actor].pk, "county": "371302", "month": month.isoformat()}


def result_args(county, run, tmp_path: Path, data: bytes) -> dict:
    path = tmp_path / "result.csv"
    path.write_bytes(data)
    run.case.refresh_from_db()
    return {"actor": county["checker"].pk, "run": run.pk, "version": run.case.version, "name": "回盘.csv",
            "file": str(path)}


# --- what a run must look like, interrupted or not ------------------------------------------------


def booked(run, kind) -> Decimal:
    return LedgerEntry.objects.filter(run_id=run.pk, kind=kind).aggregate(t=Sum("amount"))["t"] or Decimal(
        "0.00"
    )


def lines_total(run, **filters) -> Decimal:
    return Line.objects.filter(run=run, **filters).aggregate(t=Sum("amount"))["t"] or Decimal("0.00")


def assert_consistent(run) -> None:
    """The run's lines are what it says, and the ledger says what its lines say: each line booked
    as entitled once approved, as sent once sent, as paid or failed as the bank said."""
    run.refresh_from_db()
    run.case.refresh_from_db()
    assert Line.objects.filter(run=run).count() == run.lines
    assert lines_total(run) == run.total
    approved_yet = run.case.state not in ("draft", "checked")
    paying = lines_total(run, kind__in=["regular", "arrears", "adjustment"])
    assert booked(run, LedgerEntry.Kind.ENTITLED) == (paying if approved_yet else 0)
    assert booked(run, LedgerEntry.Kind.SENT) == lines_total(run, status__in=["sent", "paid", "failed"])
    assert booked(run, LedgerEntry.Kind.PAID) == lines_total(run, status="paid")
    assert booked(run, LedgerEntry.Kind.FAILED) == lines_total(run, status="failed")
    results = BankResult.objects.filter(run=run)
    assert (results.aggregate(t=Sum("paid_total"))["t"] or 0) == booked(run, LedgerEntry.Kind.PAID)
    assert (run.case.state == "reconciled") == results.exists()


def assert_nothing_drafted(month) -> None:
    assert not PayrollRun.objects.filter(county_id="371302", month=month).exists()
    assert not Line.objects.filter(run__month=month).exists()
    assert not Case.objects.filter(subject_kind="payments.run").exclude(
        subject_id__in=PayrollRun.objects.values("pk")
    ).exists()


# --- 1. killed with SIGKILL halfway ---------------------------------------------------------------


@committing
@pytest.mark.parametrize("pause", ["lines", "case"])
def test_a_draft_killed_halfway_leaves_nothing_and_drafting_again_pays_the_same(county, tmp_path, pause):
    with database_for_children(tmp_path) as env:
        child = Child(env, "draft", draft_args(county), pause=pause)
        assert child.next_line() == "PAUSED"  # its lines are written, not committed
        child.kill()
    # No run with half its lines, no case without its run, nothing in the ledger.
    assert_nothing_drafted(SEPTEMBER)
    assert not LedgerEntry.objects.exists()

    run = services.payroll_draft(actor=county["maker"], county="371302", month=SEPTEMBER)
    assert {"lines": run.lines, "total": run.total, "held": run.changes["held"]} == UNINTERRUPTED_DRAFT
    assert_consistent(run)


@committing
@pytest.mark.parametrize("pause", ["outcomes", "ledger", "transition"])
def test_a_result_import_killed_halfway_changes_nothing_and_reading_it_again_pays_once(
    county, tmp_path, pause
):
    run, bank_file = exported(county, SEPTEMBER)
    data = result_csv(bank_file, fail={"李二": "账户已销户"})
    sent_before = dict(Line.objects.filter(run=run).values_list("payee_name", "status"))
    assert sent_before == {"王一": "sent", "李二": "sent", "赵三": "held"}
    with database_for_children(tmp_path) as env:
        child = Child(env, "result", result_args(county, run, tmp_path, data), pause=pause)
        assert child.next_line() == "PAUSED"  # lines set paid/failed (and booked), not committed
        child.kill()
    # No line half settled, no result kept, still waiting for the bank; the ledger as the lines.
    assert dict(Line.objects.filter(run=run).values_list("payee_name", "status")) == sent_before
    assert not BankResult.objects.exists()
    assert not LedgerEntry.objects.filter(kind__in=["paid", "failed"]).exists()
    assert_consistent(run)
    assert run.case.state == "exported"

    # The same file read again is read (not "read already"), and pays what it would have.
    result = services.payroll_result_import(
        actor=county["checker"], run_id=run.pk, version=run.case.version, name="回盘.csv", data=data
    )
    figures = {key: getattr(result, key) for key in UNINTERRUPTED_RESULT}
    assert figures == UNINTERRUPTED_RESULT
    assert dict(Line.objects.filter(run=run).values_list("payee_name", "status")) == {
        "王一": "paid", "李二": "failed", "赵三": "held"}
    assert_consistent(run)


@committing
@pytest.mark.parametrize("step", ["draft", "result"])
def test_killed_at_random_moments_again_and_again_a_step_is_all_or_nothing(county, tmp_path, step):
    """The step started again and again, each time killed at a random moment after it started (its
    statements slowed so that the moments fall before, inside and after its transaction), until one
    is let run to its end: after each kill the run is whole or untouched, and the end is the same."""
    rng = random.Random(f"payroll-{step}")  # the same moments each run: a failure can be replayed
    if step == "result":
        run, bank_file = exported(county, SEPTEMBER)
        data = result_csv(bank_file, fail={"李二": "账户已销户"})
    outcomes = []
    for attempt in range(6):
        with database_for_children(tmp_path) as env:
            args = draft_args(county) if step == "draft" else result_args(county, run, tmp_path, data)
            child = Child(env, step, args, sql_delay=0.02)
            child.started()
            if attempt < 5:
                time.sleep(rng.uniform(0, 1.5))
                outcomes.append(child.kill(must_be_running=False))
            else:  # the last is let run: it takes the step, or is told it was taken already
                outcomes.append(child.outcome()[0])
        if step == "draft":
            drafted = PayrollRun.objects.filter(county_id="371302", month=SEPTEMBER).first()
            if drafted is None:
                assert_nothing_drafted(SEPTEMBER)
            else:
                assert_consistent(drafted)
                assert (drafted.lines, drafted.total) == (UNINTERRUPTED_DRAFT["lines"],
                                                          UNINTERRUPTED_DRAFT["total"])
        else:
            statuses = set(Line.objects.filter(run=run).values_list("status", flat=True))
            assert statuses in ({"sent", "held"}, {"paid", "failed", "held"}), statuses
            assert BankResult.objects.count() == (statuses != {"sent", "held"})
            assert_consistent(run)
    assert outcomes[-1] in ("DONE", "REFUSED") and "killed" in outcomes, outcomes
    if step == "draft":
        run = PayrollRun.objects.get(county_id="371302", month=SEPTEMBER)
        assert run.changes["held"] == UNINTERRUPTED_DRAFT["held"]
    result = BankResult.objects.filter(run=run).first() if step == "result" else None
    if step == "result":
        assert {key: getattr(result, key) for key in UNINTERRUPTED_RESULT} == UNINTERRUPTED_RESULT
    assert_consistent(run)


@committing
def test_a_child_left_to_finish_drafts_what_the_tests_own_process_would(county, tmp_path):
    """The other side of the tests above: the same child, not killed, commits its draft."""
    with database_for_children(tmp_path) as env:
        word, made = Child(env, "draft", draft_args(county)).outcome()
    assert word == "DONE", made
    run = PayrollRun.objects.get(pk=made["run"])
    assert (run.lines, run.total) == (UNINTERRUPTED_DRAFT["lines"], UNINTERRUPTED_DRAFT["total"])
    assert_consistent(run)


# --- 2. idempotence: nothing paid twice ------------------------------------------------------------


def test_the_same_result_file_read_twice_is_refused_the_second_time_and_nothing_changes(county):
    run, bank_file = exported(county, SEPTEMBER)
    data = result_csv(bank_file, fail={"李二": "账户已销户"})
    services.payroll_result_import(
        actor=county["checker"], run_id=run.pk, version=run.case.version, name="回盘.csv", data=data
    )
    run.case.refresh_from_db()
    ledger_before = list(LedgerEntry.objects.order_by("pk").values_list("pk", "kind", "amount"))
    lines_before = list(Line.objects.order_by("pk").values_list("pk", "status", "failure"))
    version = run.case.version
    with pytest.raises(ValidationError) as refused:
        services.payroll_result_import(
            actor=county["checker"], run_id=run.pk, version=version, name="回盘(1).csv", data=data
        )
    assert refused.value.messages == ["这个回盘文件已经导入过。"]
    assert list(LedgerEntry.objects.order_by("pk").values_list("pk", "kind", "amount")) == ledger_before
    assert list(Line.objects.order_by("pk").values_list("pk", "status", "failure")) == lines_before
    assert BankResult.objects.count() == 1
    run.case.refresh_from_db()
    assert run.case.version == version
    assert_consistent(run)


@committing
def test_two_officers_reading_the_same_result_at_once_apply_it_once(county, tmp_path):
    """The first holds its transaction open, its lines settled; the second, started meanwhile, waits
    for it (the run's row lock; SQLite's write lock) and is then refused: someone acted meanwhile
    (SQLite, whose waiting transaction reads everything afresh), or the file was read already
    (PostgreSQL, where the run's row is read afresh after the lock but its case as it was)."""
    run, bank_file = exported(county, SEPTEMBER)
    data = result_csv(bank_file, fail={"李二": "账户已销户"})
    with database_for_children(tmp_path) as env:
        args = result_args(county, run, tmp_path, data)
        first = Child(env, "result", args, pause="outcomes", hold=2)
        assert first.next_line() == "PAUSED"
        second = Child(env, "result", args)
        outcomes = [first.outcome(), second.outcome()]
    assert outcomes[0][0] == "DONE", outcomes
    assert outcomes[1][0] == "REFUSED", outcomes
    assert outcomes[1][1] in (["其他人刚刚处理了这个发放名册。请刷新页面。"], ["这个回盘文件已经导入过。"])
    assert BankResult.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="paid").count() == 1
    assert LedgerEntry.objects.filter(kind="failed").count() == 1
    assert_consistent(run)


@committing
def test_the_same_month_drafted_by_two_officers_at_once_is_drafted_once(county, tmp_path):
    """The first holds its transaction open, its lines inserted; the second waits for it and is
    told the month is drafted already (PostgreSQL: by the unique constraint it ran into)."""
    with database_for_children(tmp_path) as env:
        first = Child(env, "draft", draft_args(county), pause="lines", hold=2)
        assert first.next_line() == "PAUSED"
        second = Child(env, "draft", draft_args(county, actor="approver"))
        outcomes = [first.outcome(), second.outcome()]
    assert outcomes[0][0] == "DONE", outcomes
    word, messages = outcomes[1]
    assert word == "REFUSED" and messages[0].startswith("2026-09的发放名册已经生成"), outcomes
    run = PayrollRun.objects.get(county_id="371302", month=SEPTEMBER)
    assert run.pk == outcomes[0][1]["run"] and run.lines == UNINTERRUPTED_DRAFT["lines"]
    assert Line.objects.count() == UNINTERRUPTED_DRAFT["lines"]
    assert Case.objects.filter(subject_kind="payments.run").count() == 1
    assert_consistent(run)


def test_drafting_a_drafted_month_again_is_refused_with_the_reason(county):
    run = services.payroll_draft(actor=county["maker"], county="371302", month=SEPTEMBER)
    with pytest.raises(ValidationError) as refused:
        services.payroll_draft(actor=county["approver"], county="371302", month=SEPTEMBER)
    assert refused.value.messages == ["2026-09的发放名册已经生成：请打开它；在草稿状态下可以在那里重新生成。"]
    # Past the code, the database itself refuses a second run of the county's month.
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollRun.objects.create(county_id="371302", month=SEPTEMBER, drafted_at=run.drafted_at)
    assert PayrollRun.objects.count() == 1 and Line.objects.count() == UNINTERRUPTED_DRAFT["lines"]


def correct_account(county, household: int, number: str) -> None:
    services.account_open(
        actor=county["township"], holder_kind="person", holder_id=county["households"][household].head_id,
        kind="bank_card", bank="psbc", number=number, reason="原账户已销户",
    )


def test_a_failed_line_is_re_issued_once_whatever_is_drafted_after(county):
    run, bank_file = exported(county, SEPTEMBER)
    services.payroll_result_import(
        actor=county["checker"], run_id=run.pk, version=run.case.version, name="r.csv",
        data=result_csv(bank_file, fail={"李二": "账户已销户"}),
    )
    failed = Line.objects.get(run=run, status="failed")
    correct_account(county, 1, "6217000000000000077")
    october = services.payroll_draft(actor=county["maker"], county="371302", month=OCTOBER)
    # Drafted again twice, still one re-issue.
    for _ in range(2):
        october = services.payroll_redraft(actor=county["maker"], run_id=october.pk,
                                           version=october.case.version)
    assert Line.objects.filter(reissue_of=failed).count() == 1
    services.payroll_step(actor=county["checker"], run_id=october.pk, step="check",
                          version=october.case.version)
    october.case.refresh_from_db()
    services.payroll_step(actor=county["approver"], run_id=october.pk, step="approve",
                          version=october.case.version)
    # The account corrected once more before November: the failure is not paid a second time.
    correct_account(county, 1, "6217000000000000085")
    november = services.payroll_draft(actor=county["maker"], county="371302", month=NOVEMBER)
    assert not Line.objects.filter(run=november, kind=Line.Kind.REISSUE, reissue_of=failed).exists()
    assert Line.objects.filter(reissue_of=failed).count() == 1
    assert LedgerEntry.objects.filter(kind="reissued", amount=failed.amount).count() == 1
    # And past the code, the database refuses a second re-issue of the same line.
    reissue = Line.objects.get(reissue_of=failed)
    reissue.pk, reissue.run = None, november
    with pytest.raises(IntegrityError), transaction.atomic():
        reissue.save()


# --- 3. the ledger and the reserve funds are only added to ------------------------------------------

APPEND_ONLY = ("payments_ledgerentry", "payments_reservemovement")


def test_a_payrolls_whole_life_never_updates_nor_deletes_a_ledger_or_reserve_row(county):
    """Every statement of September drafted, checked, approved, exported, read back, reconciled and
    closed, October re-issuing its failure, and a township's reserve topped up, drawn and counted."""
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        run, bank_file = exported(county, SEPTEMBER)
        services.payroll_result_import(
            actor=county["checker"], run_id=run.pk, version=run.case.version, name="r.csv",
            data=result_csv(bank_file, fail={"李二": "账户已销户"}),
        )
        run.case.refresh_from_db()
        services.payroll_step(actor=county["maker"], run_id=run.pk, step="close", version=run.case.version)
        correct_account(county, 1, "6217000000000000077")
        october = approved(county, OCTOBER)
        october_file = services.payroll_export(actor=county["checker"], run_id=october.pk,
                                               version=october.case.version)
        october.case.refresh_from_db()
        services.payroll_result_import(actor=county["checker"], run_id=october.pk,
                                       version=october.case.version, name="r10.csv",
                                       data=result_csv(october_file))
        township = county["township"].division_id
        services.reserve_record(actor=county["maker"], township=township, kind="top_up", amount="1000")
        services.reserve_record(actor=county["maker"], township=township, kind="returned", amount="200")
        services.reserve_record(actor=county["township"], township=township, kind="counted", amount=None,
                                counted="790",
                                note="短款10元")
    normalised = [" ".join(sql.split()).lower().replace('"', "") for sql in statements]
    changing = [
        sql for sql in normalised
        if any(sql.startswith((f"update {table}", f"delete from {table}"))  # noqa: S608
               for table in APPEND_ONLY)
    ]
    assert changing == []
    # The watch saw the rows go in: September's and October's bookings, the reserve's movements.
    assert sum(sql.startswith("insert into payments_ledgerentry") for sql in normalised) >= 6
    assert sum(sql.startswith("insert into payments_reservemovement") for sql in normalised) == 3
    assert LedgerEntry.objects.filter(kind="reissued").count() == 1
    assert Line.objects.get(kind="reissue").status == "paid"
    assert services.reserve_balance(township) == Decimal("790.00")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_postgresql_refuses_to_update_or_delete_a_ledger_or_reserve_row(county):
    approved(county, SEPTEMBER)
    services.reserve_record(actor=county["maker"], township=county["township"].division_id, kind="top_up",
                            amount="1000")
    entry, movement = LedgerEntry.objects.first(), ReserveMovement.objects.first()
    for table, pk in (("payments_ledgerentry", entry.pk), ("payments_reservemovement", movement.pk)):
        for sql in (f"UPDATE {table} SET amount = amount + 1 WHERE id = %s",  # noqa: S608
                    f"DELETE FROM {table} WHERE id = %s"):  # noqa: S608
            with pytest.raises(DatabaseError, match="only added"), transaction.atomic(), \
                    connection.cursor() as cursor:
                cursor.execute(sql, [pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == entry.amount
    assert ReserveMovement.objects.get(pk=movement.pk).amount == movement.amount
