"""/api/v1/payroll-runs: the payroll runs of the caller's area, their lines, drafting a month,
the bank file and the bank's result; /api/v1/payee-accounts: the accounts payees are paid into
(numbers masked; whole for a finance officer who asks, logged). The steps of a run (check, approve,
export, close …) go through the kernel's /api/v1/cases/{id}/steps."""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile

from safetynet.core.api import ERRORS, Flag, PageParams, Text, page_of
from safetynet.core.privacy import Disclosure
from safetynet.payments import selectors, services
from safetynet.payments.forms import MAX_RESULT_BYTES
from safetynet.payments.workflow import PAYROLL, PAYROLL_ROLES

router = Router(tags=["payments"])
Id = Field(..., ge=1, le=2**62)
VersionNumber = Annotated[int, Field(ge=1, le=2**31)]
MonthText = Field(..., pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2026-12"])


class RunOut(Schema):
    id: int
    county: str
    month: str
    state: str
    state_label: str
    case_id: int
    case_version: int
    lines: int
    total: str
    changes: dict[str, int]
    drafted_at: datetime.datetime
    drafted_by: str | None


def _run_out(run) -> dict:
    return {
        "id": run.pk,
        "county": run.county_id,
        "month": f"{run.month:%Y-%m}",
        "state": run.case.state,
        "state_label": str(PAYROLL.state(run.case.state).label),
        "case_id": run.case_id,
        "case_version": run.case.version,
        "lines": run.lines,
        "total": str(run.total),
        "changes": run.changes,
        "drafted_at": run.drafted_at,
        "drafted_by": run.drafted_by.username if run.drafted_by else None,
    }


@router.get(
    "/payroll-runs",
    response={200: list[RunOut], **ERRORS},
    summary="Payroll runs of your area, latest month first (at most 500)",
)
def run_list(request):
    return [_run_out(run) for run in selectors.runs(actor=request.auth)[:500]]


class DraftIn(Schema, extra="forbid"):
    county: str = Field(..., pattern=r"^[0-9]{6}$")
    month: str = MonthText


@router.post(
    "/payroll-runs",
    response={201: RunOut, **ERRORS},
    summary="Draft a county's payroll for a month (once: a second is refused)",
)
def run_draft(request, payload: DraftIn):
    year, month = (int(part) for part in payload.month.split("-"))
    if not 2000 <= year <= 2100:
        from django.core.exceptions import ValidationError

        raise ValidationError({"month": _("Give a month between 2000 and 2100.")})
    run = services.payroll_draft(
        actor=request.auth, county=payload.county, month=datetime.date(year, month, 1)
    )
    return 201, _run_out(selectors.run_get(actor=request.auth, pk=run.pk))


@router.get("/payroll-runs/{payroll_id}", response={200: RunOut, **ERRORS}, summary="One payroll run")
def run_get(request, payroll_id: int):
    return _run_out(selectors.run_get(actor=request.auth, pk=payroll_id))


class LineOut(Schema):
    id: int
    reference: str
    kind: str
    part: str
    programme: str
    month: str
    enrolment: int | None
    household: int
    person: int | None
    payee_kind: str
    payee_name: str
    account: str = Field(description="Masked (whole to a finance officer who asks with unmask=true: logged)")
    amount: str
    previous_amount: str | None
    change: str
    reason: str
    decision: str
    standard: int | None
    fund: str
    status: str
    failure: str
    reissue_of: int | None
    aid_stage: int | None = Field(description="The temporary aid stage it pays (kind stage, or its re-issue)")


class LineQuery(PageParams):
    change: Literal["", "new", "same", "changed", "stopped", "reissued"] = ""
    status: Literal["", "pending", "held", "sent", "paid", "failed", "none"] = ""
    kind: Literal["", "regular", "arrears", "adjustment", "reissue", "stopped", "stage"] = ""
    unmask: Flag = False


@router.get(
    "/payroll-runs/{payroll_id}/lines",
    response={200: dict, **ERRORS},
    summary="A run's lines, a page at a time, with their sources and changes",
)
def run_lines(request, payroll_id: int, query: Query[LineQuery]):
    from safetynet.payments.banks import reference

    run = selectors.run_get(actor=request.auth, pk=payroll_id)
    disclosure = Disclosure(request.auth, channel="api", whole=query.unmask, batched=True)

    def out(line) -> dict:
        return {
            "id": line.pk,
            "reference": reference(line.pk),
            "kind": line.kind,
            "part": line.part,
            "programme": line.programme,
            "month": f"{line.month:%Y-%m}",
            "enrolment": line.enrolment_id,
            "household": line.household_id,
            "person": line.person_id,
            "payee_kind": line.payee_kind,
            "payee_name": line.payee_name,
            "account": disclosure.show(line.account)["number"] if line.account_id else "",
            "amount": str(line.amount),
            "previous_amount": None if line.previous_amount is None else str(line.previous_amount),
            "change": line.change,
            "reason": line.reason,
            "decision": line.decision,
            "standard": line.standard_id,
            "fund": line.fund,
            "status": line.status,
            "failure": line.failure,
            "reissue_of": line.reissue_of_id,
            "aid_stage": line.aid_instalment_id,
        }

    page = page_of(
        selectors.run_lines(
            actor=request.auth, run=run, change=query.change, status=query.status, kind=query.kind
        ),
        query,
        out,
    )
    disclosure.flush()
    return page


@router.get(
    "/payroll-runs/{payroll_id}/bank-file",
    response={200: None, **ERRORS},
    summary="The run's latest bank file (whole account numbers: logged)",
)
def run_bank_file(request, payroll_id: int):
    if request.auth.role not in PAYROLL_ROLES:
        raise PermissionDenied(_("Only the county's bureau and finance officers take the bank file."))
    run = selectors.run_get(actor=request.auth, pk=payroll_id)
    bank_file = selectors.bank_files(run).first()
    if bank_file is None:
        from django.http import Http404

        raise Http404(_("This payroll has not been exported yet."))
    bank_file = selectors.bank_file_get(actor=request.auth, pk=bank_file.pk)
    services.bank_file_taken(actor=request.auth, bank_file=bank_file)
    response = HttpResponse(bytes(bank_file.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{bank_file.name}"'
    return response


class ResultOut(Schema):
    id: int
    paid: int
    failed: int
    paid_total: str
    failed_total: str


@router.post(
    "/payroll-runs/{payroll_id}/results",
    response={201: ResultOut, **ERRORS},
    summary="Import the bank's result file for the run: all of it, or nothing with every problem listed",
)
def run_result(request, payroll_id: int, file: File[UploadedFile], version: Form[VersionNumber]):
    if file.size and file.size > MAX_RESULT_BYTES:
        from django.core.exceptions import ValidationError

        raise ValidationError({"file": _("The file is larger than 200 MB.")})
    selectors.run_get(actor=request.auth, pk=payroll_id)  # outside the area: not found, as for a read
    result = services.payroll_result_import(
        actor=request.auth,
        run_id=payroll_id,
        version=version,
        name=(file.name or "result")[:200],
        data=file.read(),
    )
    return 201, {
        "id": result.pk,
        "paid": result.paid,
        "failed": result.failed,
        "paid_total": str(result.paid_total),
        "failed_total": str(result.failed_total),
    }


class AccountOut(Schema):
    id: int
    holder_kind: str
    holder_name: str
    kind: str
    bank: str
    number: str
    unmasked: bool
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    closed_reason: str


class AccountQuery(Schema):
    holder_kind: Literal["person", "institution", "caregiver"]
    holder_id: int = Id
    unmask: Flag = False


def _account_out(account, disclosure: Disclosure) -> dict:
    shown = disclosure.show(account)
    return {
        "id": account.pk,
        "holder_kind": account.holder_kind,
        "holder_name": account.holder_name,
        "kind": account.kind,
        "bank": account.bank,
        "number": shown["number"],
        "unmasked": shown["unmasked"],
        "opened_at": account.opened_at,
        "closed_at": account.closed_at,
        "closed_reason": account.closed_reason,
    }


@router.get(
    "/payee-accounts",
    response={200: list[AccountOut], **ERRORS},
    summary="A payee's accounts, the one in use first, with their history",
)
def account_list(request, query: Query[AccountQuery]):
    disclosure = Disclosure(request.auth, channel="api", whole=query.unmask)
    rows = selectors.accounts(
        actor=request.auth, holder_kind=query.holder_kind, holder_id=query.holder_id, include_closed=True
    ).order_by("closed_at", "-opened_at")
    return [_account_out(account, disclosure) for account in rows[:100]]


class AccountIn(Schema, extra="forbid"):
    holder_kind: Literal["person", "institution", "caregiver"]
    holder_id: int = Id
    kind: Literal["one_card", "social_card", "bank_card", "corporate"]
    bank: Text = Field(..., max_length=16)
    number: Text = Field(..., max_length=40)
    holder_name: Text = Field("", max_length=100)
    reason: Text = Field("", max_length=200)


@router.post(
    "/payee-accounts",
    response={201: AccountOut, **ERRORS},
    summary="Record the account a payee is paid into from now (the one in use is replaced)",
)
def account_create(request, payload: AccountIn):
    account = services.account_open(actor=request.auth, **payload.dict())
    return 201, _account_out(account, Disclosure(request.auth, channel="api"))


class HouseholdPayeeOut(Schema):
    household_id: int
    person_id: int = Field(description="who is paid the household's benefits now")
    name: str
    named: bool = Field(description="false: the head, as without a named payee")
    reason: str
    since: datetime.datetime | None
    named_id: int | None = Field(description="the naming in force: send it back as `seen` to change it")


def _household_payee_out(household) -> dict:
    current = selectors.payee_in_force(selectors.household_payees(household_id=household.pk))
    return {
        "household_id": household.pk,
        "person_id": current.person_id if current else household.head_id,
        "name": current.person.name if current else household.head.name,
        "named": current is not None,
        "reason": current.reason if current else "",
        "since": current.since if current else None,
        "named_id": current.pk if current else None,
    }


def _household(request, household_id: int):
    from safetynet.registry.selectors import household_get

    if request.auth.role not in selectors.ACCOUNT_READERS:
        raise PermissionDenied(_("Your role does not read payments."))
    return household_get(actor=request.auth, pk=household_id)


@router.get(
    "/household-payees/{household_id}",
    response={200: HouseholdPayeeOut, **ERRORS},
    summary="Who is paid a household's benefits: the head, or the payee named instead (a guardian …)",
)
def household_payee_get(request, household_id: int):
    return _household_payee_out(_household(request, household_id))


class HouseholdPayeeIn(Schema, extra="forbid"):
    person_id: int | None = Field(None, ge=1, le=2**62, description="an adult in your area; null: the head")
    reason: Text = Field(..., max_length=200)
    seen: int | None = Field(None, ge=1, le=2**62, description="the named_id you read (null: none)")


@router.post(
    "/household-payees/{household_id}",
    response={200: HouseholdPayeeOut, **ERRORS},
    summary="Name who is paid the household's benefits from the next payroll (null: the head again)",
)
def household_payee_set(request, household_id: int, payload: HouseholdPayeeIn):
    household = _household(request, household_id)
    services.household_payee_set(actor=request.auth, household_id=household.pk, **payload.dict())
    return _household_payee_out(household)
