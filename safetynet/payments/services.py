"""Every write of payments: accounts, a county's payroll setting, the payroll run's steps (draft,
check, approve, export, reconcile, close), temporary aid booked as paid and the townships'
reserve funds. Each is one transaction: a run killed halfway leaves nothing of that step."""

import datetime
import hashlib
from collections import Counter
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.live.publish import live_publish
from safetynet.core.money import parse_yuan
from safetynet.core.scope import in_area, in_scope
from safetynet.core.services import ConflictError, change_record, snapshot, unmask_log_many
from safetynet.core.text import normalise, text_checked
from safetynet.core.types import Role, User
from safetynet.core.workflows.services import case_open, case_transition
from safetynet.institutions.selectors import institution_area, institution_name
from safetynet.payments import banks, ledger, steps
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
from safetynet.payments.selectors import may_be_payee
from safetynet.payments.workflow import CODE, PAYROLL_ROLES, SUBJECT
from safetynet.registry.selectors import person_area, person_name

Line = PayrollLine
ACCOUNT_ROLES = frozenset({Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE, Role.FINANCE_OFFICER})
RESERVE_ROLES = frozenset({Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE, Role.FINANCE_OFFICER})
PAYEE_ROLES = frozenset({Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE})


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


# --- accounts -------------------------------------------------------------------------------------


def _holder(holder_kind: str, holder_id: int) -> tuple[str | None, str]:
    """Where the holder is and its name (None: no such holder)."""
    if holder_kind == PayeeKind.PERSON:
        return person_area(holder_id), person_name(holder_id)
    if holder_kind == PayeeKind.INSTITUTION:
        return institution_area(holder_id), institution_name(holder_id)
    if holder_kind == PayeeKind.CAREGIVER:
        from safetynet.care.selectors import agreement_holder

        return agreement_holder(holder_id)
    return None, ""


def holder_area(holder_kind: str, holder_id) -> str | None:
    """Where a payee (a person, an institution, a caregiver's agreement) is now, for scope checks."""
    return _holder(holder_kind, int(holder_id))[0]


def account_open(
    *,
    actor: User,
    holder_kind: str,
    holder_id: int,
    kind: str,
    bank: str,
    number: str,
    holder_name: str = "",
    reason: str = "",
    at: datetime.datetime | None = None,
) -> PayeeAccount:
    """Record the account a payee is paid into from now; the one open before is closed (kept, with
    the reason). A failed payment waits for this: the next run pays it again to the new account."""
    if actor.role not in ACCOUNT_ROLES:
        raise PermissionDenied(_("Your role does not record payee accounts."))
    errors: dict = {}
    area, name = _holder(holder_kind, holder_id)
    if area is None:
        raise ValidationError(_("There is no such payee."))
    if not in_area(actor, area):
        raise PermissionDenied(_("This payee is outside your area."))
    if kind not in PayeeAccount.Kind.values:
        errors["kind"] = [_("Choose the kind of account.")]
    if bank not in banks.BANKS:
        errors["bank"] = [_("Choose a bank from the list.")]
    number = normalise(number).replace("-", "") if isinstance(number, str) else ""
    if not number.isascii() or not number.isdigit() or not 8 <= len(number) <= 32:
        errors["number"] = [_("An account number is 8 to 32 digits.")]
    holder_name = text_checked(
        errors, "holder_name", holder_name or name, limit=100, label=_("the account holder"), required=True
    )
    reason = text_checked(errors, "reason", reason, limit=200, label=_("the reason"))
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    field = {
        PayeeKind.PERSON: "person_id",
        PayeeKind.INSTITUTION: "institution_id",
        PayeeKind.CAREGIVER: "agreement_id",
    }[holder_kind]
    with transaction.atomic():
        current = (
            PayeeAccount.objects.select_for_update()
            .filter(closed_at__isnull=True, **{field: holder_id})
            .first()
        )
        if current is not None and current.number == number and current.bank == bank and current.kind == kind:
            raise ValidationError({"number": [_("This account is already the one paid into.")]})
        if current is not None:
            current.closed_at, current.closed_reason = at, reason or _("replaced by a new account")
            current.save(update_fields=["closed_at", "closed_reason"])
        account = PayeeAccount.objects.create(
            holder_kind=holder_kind,
            holder_name=holder_name,
            kind=kind,
            bank=bank,
            number=number,
            area_id=area,
            opened_at=at,
            opened_by=actor,
            **{field: holder_id},
        )
        change_record(
            actor=actor,
            subject=account,
            entity=account,
            action="create",
            after=snapshot(account, ["holder_name", "kind", "bank", "number"]),
            reason=reason,
            event="opened",
        )
    return account


def payee_changed() -> str:
    return _("Someone else changed the household's payee meanwhile. Reload the page.")


def household_payee_set(
    *,
    actor: User,
    household_id: int,
    person_id: int | None,
    reason: str,
    seen: int | None,
    at: datetime.datetime | None = None,
) -> HouseholdPayee | None:
    """Name who is paid the household's benefits from the next payroll: a guardian or another adult
    in the actor's area instead of the head; `person_id` None (or the head) pays the head again.
    `seen` is the row in force the caller read (None: the head): if someone changed it meanwhile,
    the caller is told and nothing changes."""
    from safetynet.registry.selectors import household_get, person_get

    if actor.role not in PAYEE_ROLES:
        raise PermissionDenied(_("Your role does not name a household's payee."))
    household = household_get(actor=actor, pk=household_id)  # DoesNotExist outside the area
    errors: dict = {}
    reason = text_checked(errors, "reason", reason, limit=200, label=_("the reason"), required=True)
    person = None
    if person_id is not None and person_id != household.head_id:
        try:
            person = person_get(actor=actor, pk=person_id)
        except ObjectDoesNotExist:
            errors["person"] = [_("There is no such person in your area.")]
        else:
            if not may_be_payee(person):
                errors["person"] = [_("A payee is an adult: %(name)s is under 18.") % {"name": person.name}]
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    try:
        with transaction.atomic():
            current = (HouseholdPayee.objects.select_for_update().select_related("person")
                       .filter(household=household, ended_at__isnull=True).first())
            if (current.pk if current else None) != seen:
                raise ConflictError(payee_changed())
            paid_now = current.person_id if current else household.head_id
            if paid_now == (person.pk if person else household.head_id):
                raise ValidationError({"person": [_("This person is already the one paid.")]})
            if current is not None:
                current.ended_at, current.ended_by = at, actor
                current.save(update_fields=["ended_at", "ended_by"])
            payee = None
            if person is not None:
                payee = HouseholdPayee.objects.create(
                    household=household, person=person, reason=reason, since=at, set_by=actor
                )
            change_record(
                actor=actor,
                subject=household,
                entity=payee or current,
                action="create" if payee else "update",
                before={"payee": current.person.name} if current else {"payee": household.head.name},
                after={"payee": person.name if person else household.head.name},
                reason=reason,
                event="named" if payee else "ended",
            )
    except IntegrityError:  # two namings at once, the first of the household's: one wins
        raise ConflictError(payee_changed()) from None
    live_publish(areas=[household.village_id])
    return payee


def accounts_bulk_open(rows: list[dict], *, at: datetime.datetime, actor: User | None = None) -> int:
    """Accounts recorded as a set (the demo city's, which it starts with: no history per row). Each
    row: holder_kind with its person_id, institution_id or agreement_id, holder_name, kind, bank,
    number and area_id. Checked as a set first — a kind, bank or number no form would take, or a
    holder given twice — and refused whole with the rows' reasons; a holder that has an open
    account already is refused by the database, and nothing is written."""
    field = {
        PayeeKind.PERSON: "person_id",
        PayeeKind.INSTITUTION: "institution_id",
        PayeeKind.CAREGIVER: "agreement_id",
    }
    errors, holders = [], set()
    for index, row in enumerate(rows, 1):
        number = row.get("number")
        holder = (row.get("holder_kind"), row.get(field.get(row.get("holder_kind"), ""), None))
        if holder[0] not in field or holder[1] is None:
            errors.append(_("Row %(row)s: name whose account it is.") % {"row": index})
        elif holder in holders:
            errors.append(_("Row %(row)s: this holder has an account in the rows already.") % {"row": index})
        holders.add(holder)
        if row.get("kind") not in PayeeAccount.Kind.values or row.get("bank") not in banks.BANKS:
            errors.append(
                _("Row %(row)s: choose the kind of account and a bank from the list.") % {"row": index}
            )
        if not (isinstance(number, str) and number.isascii() and number.isdigit() and 8 <= len(number) <= 32):
            errors.append(_("Row %(row)s: an account number is 8 to 32 digits.") % {"row": index})
    if errors:
        raise ValidationError(errors[:200])
    with transaction.atomic():
        PayeeAccount.objects.bulk_create(
            [PayeeAccount(opened_at=at, opened_by=actor, **row) for row in rows], batch_size=2000
        )
    return len(rows)


def account_numbers_shown(*, actor: User, accounts: list[PayeeAccount], channel: str) -> None:
    """Log that these accounts were shown whole (a finance officer's page, a bank file)."""
    unmask_log_many(actor=actor, shown=[("payeeaccount", a.pk, "number") for a in accounts], channel=channel)


def bank_file_taken(*, actor: User, bank_file: BankFile) -> None:
    """A bank file holds whole account numbers: whoever takes it again is logged."""
    unmask_log_many(actor=actor, shown=[("bankfile", bank_file.pk, "number")], channel="bank_file")


# --- the county's payroll setting -----------------------------------------------------------------


def payroll_setting_save(
    *,
    actor: User,
    county: str,
    draft_day: int,
    bank: str,
    funds: dict | None = None,
    version: int | None = None,
) -> PayrollSetting:
    if (
        actor.role not in (Role.COUNTY_BUREAU, Role.CITY_BUREAU)
        or not in_area(actor, county)
        or len(county) != 6
    ):
        raise PermissionDenied(_("Only the county's bureau sets its payroll."))
    errors = {}
    if not isinstance(draft_day, int) or not 1 <= draft_day <= 28:
        errors["draft_day"] = [_("The payroll is drafted on a day from 1 to 28.")]
    if bank not in banks.BANKS:
        errors["bank"] = [_("Choose a bank from the list.")]
    from safetynet.payments.models import FundSource

    funds = funds or {}
    if any(source not in FundSource.values for source in funds.values()):
        errors["funds"] = [_("Charge each programme to central, provincial, city or county funds.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        setting = PayrollSetting.objects.select_for_update().filter(county_id=county).first()
        if setting is None:
            return PayrollSetting.objects.create(
                county_id=county, draft_day=draft_day, bank=bank, funds=funds
            )
        if version is not None and setting.version != version:
            raise ConflictError(_("Someone else changed the payroll setting meanwhile. Reload the page."))
        setting.draft_day, setting.bank, setting.funds = draft_day, bank, funds
        setting.version += 1
        setting.save()
    return setting


# --- drafting -------------------------------------------------------------------------------------


def payroll_draft(
    *, actor: User | None, county: str, month: datetime.date, at: datetime.datetime | None = None
) -> PayrollRun:
    """Draft the county's payroll for the month: its lines with their sources and the changes from
    last month. Refused if the month is drafted already (the database refuses a second), or if a
    line would pay a negative amount or more than its decision allows (the reasons are given)."""
    if actor is not None and (actor.role not in PAYROLL_ROLES or not in_area(actor, county)):
        raise PermissionDenied(_("Only the county's bureau and finance officers draft its payroll."))
    if len(county) != 6 or month.day != 1:
        raise ValidationError(_("A payroll is drafted for a county and a month."))
    at = at or timezone.now()
    if month > first_of_month(timezone.localtime(at).date()):
        raise ValidationError(_("A month is paid when it has come, not before."))
    with transaction.atomic():
        if PayrollRun.objects.filter(county_id=county, month=month).exists():
            raise ValidationError(
                _(
                    "The payroll for %(month)s is drafted already: open it, or draft it again "
                    "there while it is a draft."
                )
                % {"month": f"{month:%Y-%m}"}
            )
        earlier = PayrollRun.objects.filter(
            county_id=county, month__lt=month, case__state__in=["draft", "checked"]
        )
        if earlier.exists():
            raise ValidationError(_("Last month's payroll is not approved yet: approve it first."))
        if PayrollRun.objects.filter(county_id=county, month__gt=month).exists():
            raise ValidationError(
                _("A later month is drafted already: an earlier one is paid as arrears there.")
            )
        aid_payments_book()
        recoveries_book()
        try:
            with transaction.atomic():
                run = PayrollRun.objects.create(
                    county_id=county, month=month, drafted_at=at, drafted_by=actor
                )
        except IntegrityError:
            raise ValidationError(
                _("The payroll for %(month)s is drafted already.") % {"month": f"{month:%Y-%m}"}
            ) from None
        steps.fill(run)
        run.case = case_open(
            actor=actor,
            workflow_code=CODE,
            division_code=county,
            subject_kind=SUBJECT,
            subject_id=run.pk,
            at=at,
            title=_("Payroll %(month)s") % {"month": f"{month:%Y-%m}"},
        )
        run.save(update_fields=["case"])
    return run


def _run_for_step(actor: User, run_id: int) -> PayrollRun:
    run = PayrollRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or not in_area(actor, run.county_id):  # as absent as one that does not exist
        raise PayrollRun.DoesNotExist(_("There is no such payroll, or it is outside your area."))
    # The case is read after the lock (not joined into the locking query, where PostgreSQL would
    # give it as the statement began): one who waited for another's step sees that step's version.
    return run


def payroll_redraft(*, actor: User, run_id: int, version: int, reason: str = "") -> PayrollRun:
    """Draft again while it is a draft (the registry or a decision changed meanwhile): its lines are
    worked out anew. Whoever drafts it again is its maker."""
    return payroll_step(actor=actor, run_id=run_id, step="redraft", version=version, reason=reason)


def payroll_step(*, actor: User, run_id: int, step: str, version: int, reason: str = "",
                 at: datetime.datetime | None = None) -> PayrollRun:
    """Draft again, check, send back, approve, export or close (payments.workflow: what each step
    does is its effect there). Returns the run as it is after the step. `at`: when (now; the demo
    city's history gives its own moments)."""
    if step not in ("redraft", "check", "send_back", "approve", "export", "close"):
        raise ValidationError(_("Unknown step."))
    at = at or timezone.now()
    with transaction.atomic():
        run = _run_for_step(actor, run_id)
        case_transition(actor=actor, case_id=run.case_id, transition=step, version=version, reason=reason,
                        at=at)
    return PayrollRun.objects.select_related("case").get(pk=run.pk)


# --- the bank file --------------------------------------------------------------------------------


def payroll_export(*, actor: User, run_id: int, version: int,
                   at: datetime.datetime | None = None) -> BankFile:
    """Export the approved run to its bank: the payment file (payments.steps.export)."""
    run = payroll_step(actor=actor, run_id=run_id, step="export", version=version, at=at)
    live_publish(areas=[run.county_id])
    return BankFile.objects.filter(run=run).latest("made_at", "pk")


# --- the bank's result ----------------------------------------------------------------------------

RESULTS_TABLE = "payments_result_import"


def payroll_result_import(
    *,
    actor: User,
    run_id: int,
    version: int,
    name: str,
    data: bytes,
    at: datetime.datetime | None = None,
) -> BankResult:
    """Read the bank's result for the run: each sent line paid or failed with its reason. A file
    with unknown, repeated or foreign lines, amounts or accounts that differ from what was sent, or
    totals that do not add up is refused whole with every problem listed, and nothing changes."""
    if not data:
        raise ValidationError(_("The file is empty."))
    at = at or timezone.now()
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        run = _run_for_step(actor, run_id)
        if run.case.state not in ("exported", "reconciled"):
            raise ValidationError(_("A bank's result is read for a payroll sent to the bank."))
        if run.case.version != version:
            raise ConflictError(_("Someone else acted on this payroll meanwhile. Reload the page."))
        if BankResult.objects.filter(run=run, sha256=digest).exists():
            raise ValidationError(_("This result file was read already."))
        bank = banks.BANKS[steps.setting_of(run.county_id).bank]
        result = banks.read_result(bank, data)
        errors = list(result.errors)
        if result.county is not None and result.county != run.county_id:
            errors.append(
                _("The file is for county %(county)s, not this payroll's.") % {"county": result.county}
            )
        if result.month is not None and result.month != f"{run.month:%Y%m}":
            errors.append(_("The file is for month %(month)s, not this payroll's.") % {"month": result.month})
        sent = {
            banks.reference(pk): (pk, number, amount)
            for pk, number, amount in Line.objects.filter(run=run, status=Line.Status.SENT).values_list(
                "pk", "account__number", "amount"
            )
        }
        settled = set(
            Line.objects.filter(run=run, status__in=[Line.Status.PAID, Line.Status.FAILED]).values_list(
                "pk", flat=True
            )
        )
        seen = Counter(line.ref for line in result.lines)
        outcomes = []
        for line in result.lines:
            where = _("line %(row)s (reference %(ref)s)") % {"row": line.row, "ref": line.ref[:20]}
            if seen[line.ref] > 1:
                errors.append(_("%(where)s: the reference appears more than once.") % {"where": where})
                continue
            match = sent.get(line.ref)
            if match is None:
                known = line.ref.isdigit() and int(line.ref) in settled
                errors.append(
                    (
                        _("%(where)s: already settled by an earlier result.")
                        if known
                        else _("%(where)s: no line of this payroll was sent with this reference.")
                    )
                    % {"where": where}
                )
                continue
            pk, number, amount = match
            if line.account != number:
                errors.append(_("%(where)s: the account is not the one it was sent to.") % {"where": where})
            if line.amount != amount:
                errors.append(_("%(where)s: the amount is not the amount sent.") % {"where": where})
            if line.paid is None:
                errors.append(_("%(where)s: say 成功 or 失败.") % {"where": where})
            elif not line.paid and not line.reason:
                errors.append(_("%(where)s: a failure needs its reason.") % {"where": where})
            outcomes.append((pk, line.paid, line.reason[:200], line.amount))
        total = sum((line.amount or 0 for line in result.lines), Decimal("0.00"))
        if result.count is not None and result.count != len(result.lines):
            errors.append(
                _("The file says %(said)s lines but holds %(held)s.")
                % {"said": result.count, "held": len(result.lines)}
            )
        if result.total is not None and result.total != total:
            errors.append(
                _("The file's total %(said)s is not the sum of its lines, %(sum)s.")
                % {"said": result.total, "sum": total}
            )
        if not result.lines and not errors:
            errors.append(_("The file holds no result lines."))
        if errors:
            raise ValidationError(errors[:200])
        _apply_outcomes(run, outcomes)
        ledger.book_run_lines(
            run=run,
            kind=LedgerEntry.Kind.PAID,
            at=at,
            actor=actor,
            where="l.status = 'paid' AND l.id IN (SELECT line_id FROM payments_result_import)",
        )
        ledger.book_run_lines(
            run=run,
            kind=LedgerEntry.Kind.FAILED,
            at=at,
            actor=actor,
            where="l.status = 'failed' AND l.id IN (SELECT line_id FROM payments_result_import)",
        )
        _drop_results_table()
        _aid_stages_paid(run, actor, at)
        paid = [o for o in outcomes if o[1]]
        failed = [o for o in outcomes if not o[1]]
        bank_result = BankResult.objects.create(
            run=run,
            name=name[:200],
            sha256=digest,
            paid=len(paid),
            failed=len(failed),
            paid_total=sum((o[3] for o in paid), Decimal("0.00")),
            failed_total=sum((o[3] for o in failed), Decimal("0.00")),
            imported_at=at,
            imported_by=actor,
        )
        case_transition(
            actor=actor,
            case_id=run.case_id,
            transition="reconcile",
            version=version,
            reason=_("%(paid)s paid, %(failed)s failed") % {"paid": len(paid), "failed": len(failed)},
            data={"result": bank_result.pk},
            at=at,
        )
        run.version += 1
        run.save(update_fields=["version"])
    return bank_result


def _aid_stages_paid(run: PayrollRun, actor: User, at: datetime.datetime) -> None:
    """The temporary aid stages this result paid are recorded on their aids as paid (by the bank,
    through this payroll), once each."""
    from safetynet.programmes.aid.services import aid_instalments_paid

    stages = Line.objects.filter(run=run, status=Line.Status.PAID, aid_instalment__isnull=False,
                                 aid_instalment__payment__isnull=True).values_list("aid_instalment_id", "pk")
    note = _("payroll %(month)s, line %(line)s")
    aid_instalments_paid(actor=actor, paid=[
        (stage, at, note % {"month": f"{run.month:%Y-%m}", "line": banks.reference(line)})
        for stage, line in stages])


def _apply_outcomes(run: PayrollRun, outcomes: list[tuple]) -> None:
    """Set each line's outcome through a temporary table joined in one UPDATE (a million lines are
    one statement, not a million)."""
    with connection.cursor() as cursor:
        _drop_results_table(cursor)
        cursor.execute(
            f"CREATE TEMPORARY TABLE {RESULTS_TABLE} (line_id bigint PRIMARY KEY, "
            "status varchar(8) NOT NULL, failure varchar(200) NOT NULL)"
        )
        cursor.executemany(
            f"INSERT INTO {RESULTS_TABLE} VALUES (%s, %s, %s)",  # noqa: S608
            [
                (pk, "paid" if paid else "failed", "" if paid else reason)
                for pk, paid, reason, _amount in outcomes
            ],
        )
        cursor.execute(
            f"UPDATE {Line._meta.db_table} SET status = r.status, failure = r.failure "  # noqa: S608
            f"FROM {RESULTS_TABLE} r WHERE {Line._meta.db_table}.id = r.line_id "
            f"AND {Line._meta.db_table}.run_id = %s",
            [run.pk],
        )


def _drop_results_table(cursor=None) -> None:
    if cursor is None:
        with connection.cursor() as own:
            own.execute(f"DROP TABLE IF EXISTS {RESULTS_TABLE}")
    else:
        cursor.execute(f"DROP TABLE IF EXISTS {RESULTS_TABLE}")


# --- temporary aid and the reserve funds ----------------------------------------------------------


def aid_payments_book() -> int:
    """Book every temporary aid payment not yet in the ledger as paid (it was, by the township),
    and each one from a township's reserve fund as drawn from it: never paid again by a payroll.
    Set-based and idempotent: the ledger and the reserve refuse a payment booked twice, and two
    bookings at once (two counties drafting, the nightly job) skip what the other booked instead of
    failing (ON CONFLICT DO NOTHING on the one-booking-per-payment constraints)."""
    from safetynet.programmes.aid.selectors import aid_payments_to_book

    rows = list(
        aid_payments_to_book(
            booked=LedgerEntry.objects.filter(aid_payment_id__isnull=False).values("aid_payment_id")
        )
    )
    if not rows:
        return 0
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                at=row["paid_at"],
                kind=LedgerEntry.Kind.AID_PAID,
                amount=row["amount"],
                month=first_of_month(timezone.localtime(row["paid_at"]).date()),
                for_month=first_of_month(timezone.localtime(row["paid_at"]).date()),
                programme="temporary",
                county_id=row["area"][:6],
                village_id=row["area"],
                household_id=row["household"],
                person_id=row["person"],
                fund="county",
                aid_payment_id=row["pk"],
                decision=_("temporary aid #%(id)s, stage %(stage)s")
                % {"id": row["aid_id"], "stage": row["stage"]},
                note=row["means"],
            )
            for row in rows
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    ReserveMovement.objects.bulk_create(
        [
            ReserveMovement(
                township_id=row["area"][:9],
                kind=ReserveMovement.Kind.DRAWN,
                amount=-row["amount"],
                aid_payment_id=row["pk"],
                at=row["paid_at"],
                note=_("temporary aid #%(id)s") % {"id": row["aid_id"]},
            )
            for row in rows
            if row["from_reserve"] and len(row["area"]) >= 9
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return len(rows)


def recoveries_book() -> int:
    """Book every recovery order programmes issued (an overpayment found by a review) as a
    recovery in the ledger, once: what the household owes back, named by its order."""
    from safetynet.programmes.life.selectors import recovery_orders_to_book

    rows = list(recovery_orders_to_book(booked=LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.RECOVERY, recovery_id__isnull=False).values("recovery_id")))
    LedgerEntry.objects.bulk_create([
        LedgerEntry(at=row["issued_at"], kind=LedgerEntry.Kind.RECOVERY, amount=row["amount"],
                    month=first_of_month(timezone.localtime(row["issued_at"]).date()),
                    for_month=first_of_month(row["overpaid_from"]), programme=row["programme"] or "",
                    county_id=row["village"][:6], village_id=row["village"], household_id=row["household_id"],
                    fund="county", recovery_id=row["pk"], actor_id=row["issued_by_id"],
                    decision=_("recovery order #%(id)s") % {"id": row["pk"]}, note=row["reasons"][:200])
        for row in rows], batch_size=2000, ignore_conflicts=True)
    return len(rows)


def reserve_record(
    *,
    actor: User,
    township: str,
    kind: str,
    amount,
    counted=None,
    note: str = "",
    at: datetime.datetime | None = None,
) -> ReserveMovement:
    """A top-up from the county, a return to it, or a count of the township's reserve: a count
    records the difference between the money found and the balance kept (zero when they agree)."""
    if actor.role not in RESERVE_ROLES:
        raise PermissionDenied(_("Your role does not keep reserve funds."))
    if len(township) != 9 or not in_scope(actor, township):
        raise PermissionDenied(_("This township is outside your area."))
    if (
        kind in (ReserveMovement.Kind.TOP_UP, ReserveMovement.Kind.RETURNED)
        and actor.role == Role.TOWNSHIP_OFFICE
    ):
        raise PermissionDenied(_("The county tops up and takes back a township's reserve."))
    errors: dict = {}
    note = text_checked(errors, "note", note, limit=200, label=_("the note"))
    with transaction.atomic():
        aid_payments_book()
        # Two clerks at once would read the same balance (and return it twice, or count it twice):
        # the township's movements are locked first, so the second waits and reads the first's.
        list(ReserveMovement.objects.select_for_update().filter(township_id=township).order_by("pk")
             .values_list("pk", flat=True))
        balance = reserve_balance(township)
        if kind == ReserveMovement.Kind.COUNTED:
            found = parse_yuan(counted)
            if found is None or found < 0:
                errors["counted"] = [_("Give the money counted, in yuan.")]
                raise ValidationError(errors)
            value, counted_value = found - balance, found
            if value and not note:
                errors["note"] = [_("The count differs from the balance: say why.")]
        elif kind in (ReserveMovement.Kind.TOP_UP, ReserveMovement.Kind.RETURNED):
            given = parse_yuan(amount)
            if given is None or given <= 0:
                errors["amount"] = [_("Give an amount above zero, in yuan.")]
                raise ValidationError(errors)
            if kind == ReserveMovement.Kind.RETURNED and given > balance:
                errors["amount"] = [_("The reserve holds only %(balance)s yuan.") % {"balance": balance}]
            value, counted_value = (given if kind == ReserveMovement.Kind.TOP_UP else -given), None
        else:
            raise ValidationError(_("Unknown kind of movement."))
        if errors:
            raise ValidationError(errors)
        return ReserveMovement.objects.create(
            township_id=township,
            kind=kind,
            amount=value,
            counted=counted_value,
            note=note,
            at=at or timezone.now(),
            actor=actor,
        )


def reserve_balance(township: str) -> Decimal:
    return ReserveMovement.objects.filter(township_id=township).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal("0.00")


# --- the recurring job ----------------------------------------------------------------------------


def payrolls_draft_due(now: datetime.datetime | None = None) -> str:
    """Draft this month's payroll of each county whose drafting day it is (or has passed) and that
    has none yet. A county whose draft is refused keeps its reasons in the job's report."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    month = first_of_month(today)
    done, refused = 0, []
    for setting in PayrollSetting.objects.filter(draft_day__lte=today.day).exclude(
        county_id__in=PayrollRun.objects.filter(month=month).values("county_id")
    ):
        try:
            payroll_draft(actor=None, county=setting.county_id, month=month, at=now)
            done += 1
        except ValidationError as error:
            refused.append(f"{setting.county_id}: {'; '.join(error.messages)[:300]}")
    booked = aid_payments_book()
    recoveries_book()
    return "; ".join([f"drafted {done}", f"aid payments booked {booked}", *refused])[:2000]
