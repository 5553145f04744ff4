"""What each step of a payroll's workflow does to the run, as effects of the kernel's transitions
(payments.workflow): run inside the step's transaction, whether the step is taken from the run's
page, the case page or the API. A refusal here undoes the whole step."""

import hashlib
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from safetynet.core.services import unmask_log_select
from safetynet.payments import banks, drafting, ledger
from safetynet.payments.models import BankFile, LedgerEntry, PayrollLine, PayrollRun, PayrollSetting

Line = PayrollLine


def setting_of(county: str) -> PayrollSetting:
    return PayrollSetting.objects.filter(county_id=county).first() or PayrollSetting(
        county_id=county, bank=banks.DEFAULT_BANK, funds={}
    )


def run_locked(case) -> PayrollRun:
    return PayrollRun.objects.select_for_update(of=("self",)).get(pk=case.subject_id)


def fill(run: PayrollRun) -> None:
    """Work out and insert the run's lines; refused with the reasons if any line may not be paid."""
    draft = drafting.draft_lines(run, funds=setting_of(run.county_id).funds)
    if draft.stopped:
        raise ValidationError(draft.stopped[:50])
    drafting.insert_lines(run, draft)
    run.lines = len(draft.rows)
    run.total = draft.total
    run.changes = dict(draft.changes)
    run.save(update_fields=["lines", "total", "changes"])


def redraft(case, event) -> None:
    run = run_locked(case)
    Line.objects.filter(run=run).delete()
    fill(run)
    run.drafted_at, run.drafted_by = event.at, event.actor
    run.version += 1
    run.save(update_fields=["drafted_at", "drafted_by", "version"])


def approve(case, event) -> None:
    """The approved lines are the ledger's entitlements (re-issues: booked as re-issued)."""
    run = run_locked(case)
    ledger.book_run_lines(run=run, kind=LedgerEntry.Kind.ENTITLED, at=event.at, actor=event.actor)
    ledger.book_run_lines(run=run, kind=LedgerEntry.Kind.REISSUED, at=event.at, actor=event.actor)


def export(case, event) -> None:
    """The payment file in the county's bank's layout, the accounts whole in it (each logged as
    shown); the lines it holds are then with the bank."""
    run = run_locked(case)
    bank = banks.BANKS[setting_of(run.county_id).bank]
    rows = list(
        Line.objects.filter(run=run, status=Line.Status.PENDING)
        .order_by("pk")
        .values_list("pk", "payee_name", "account__number", "amount", "account_id")
    )
    content = banks.payment_file(
        bank,
        county=run.county_id,
        month=run.month,
        lines=[
            banks.FileLine(banks.reference(pk), name, number, amount) for pk, name, number, amount, _a in rows
        ],
    )
    Line.objects.filter(run=run, status=Line.Status.PENDING).update(status=Line.Status.SENT)
    ledger.book_run_lines(run=run, kind=LedgerEntry.Kind.SENT, at=event.at, actor=event.actor)
    unmask_log_select(
        actor=event.actor,
        subject_type="payeeaccount",
        ids=Line.objects.filter(run=run, status=Line.Status.SENT, account__isnull=False)
        .values_list("account_id", flat=True).order_by().distinct(),
        fields="number",
        channel="bank_file",
    )
    extension = {banks.FIXED: "txt"}.get(bank.layout, bank.layout)
    BankFile.objects.create(
        run=run,
        bank=bank.code,
        layout=bank.layout,
        name=f"payroll-{run.county_id}-{run.month:%Y%m}.{extension}",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        lines=len(rows),
        total=sum((row[3] for row in rows), Decimal("0.00")),
        made_at=event.at,
        made_by=event.actor,
    )


def result_given(case, actor, data) -> str | None:
    """A guard: the payroll is reconciled by importing the bank's result file, not by a click."""
    if not data.get("result"):
        return _("Import the bank's result file: that reconciles the payroll.")
    return None


def nothing_awaits_the_bank(case, actor, data) -> str | None:
    if Line.objects.filter(run_id=case.subject_id, status=Line.Status.SENT).exists():
        return _("Some lines await the bank's result: import it before closing.")
    return None
