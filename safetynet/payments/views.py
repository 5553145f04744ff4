"""Payroll pages: the runs of the user's area (/payments/) with a form to draft a month, one run
(/payments/runs/<id>/) with what moved since last month, its lines, its steps (the kernel's case
panel), its bank files and the bank's results; a payee's accounts (/payments/accounts/…); the
county's payroll setting."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.core.pages import call_service, finished, found
from safetynet.core.privacy import Disclosure
from safetynet.core.selectors import division_list, division_names
from safetynet.core.types import DivisionLevel, Role
from safetynet.core.workflows.views import case_context
from safetynet.payments import selectors, services
from safetynet.payments.banks import BANKS
from safetynet.payments.forms import AccountForm, DraftForm, HouseholdPayeeForm, ResultForm, SettingForm
from safetynet.payments.workflow import PAYROLL, PAYROLL_ROLES
from safetynet.programmes.rules import PROGRAMME_NAMES

Line = selectors.Line
PayeeKind = selectors.PayeeKind
LINES_PER_PAGE = 100
CHANGES = [("", _("all")), *Line.Change.choices]
STATUSES = [("", _("all")), *Line.Status.choices]
KINDS = [("", _("all")), *Line.Kind.choices]


def _reader(user) -> None:
    if not selectors.may_read_payments(user):
        raise PermissionDenied(_("Your role does not read payments."))


def _counties(user) -> list[tuple[str, str]]:
    """The counties the user may draft for: its own, or every county of its area."""
    if user.role not in PAYROLL_ROLES:
        return []
    if len(user.division_id) >= 6:
        code = user.division_id[:6]
        return [(code, division_names([code]).get(code, code))]
    return [(d.code, d.name) for d in division_list(actor=user, level=DivisionLevel.COUNTY)]


@require_http_methods(["GET", "POST"])
def run_list(request):
    user = request.user
    _reader(user)
    counties = _counties(user)
    today = timezone.localdate()
    form = DraftForm(
        request.POST or None,
        counties=counties,
        initial={"month": today.replace(day=1), "county": counties[0][0] if counties else ""},
    )
    if request.method == "POST":
        if not counties:
            raise PermissionDenied(_("Only the county's bureau and finance officers draft its payroll."))
        if form.is_valid():
            outcome = call_service(
                lambda: services.payroll_draft(
                    actor=user, county=form.cleaned_data["county"], month=form.cleaned_data["month"]
                ),
                form,
            )
            if outcome.ok:
                return finished(
                    request,
                    reverse("payments:run", args=[outcome.value.pk]),
                    _("The payroll is drafted: check it."),
                )
    runs = list(selectors.runs(actor=user)[:300])
    names = division_names({run.county_id for run in runs})
    for run in runs:
        run.state_label = PAYROLL.state(run.case.state).label if run.case_id else ""
        run.county_name = names.get(run.county_id, run.county_id)
    return render(
        request,
        "payments/runs.html",
        {
            "runs": runs,
            "names": names,
            "form": form if counties else None,
            "may_set": user.role in (Role.COUNTY_BUREAU,) and len(user.division_id) == 6,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def run_detail(request, pk: int):
    user = request.user
    _reader(user)
    run = found(selectors.run_get, actor=user, pk=pk)
    change = _choice(request.GET.get("change", ""), CHANGES)
    status = _choice(request.GET.get("status", ""), STATUSES)
    kind = _choice(request.GET.get("kind", ""), KINDS)
    query = request.GET.get("q", "").strip()[:50]
    if "\x00" in query:
        query = ""
    lines = selectors.run_lines(actor=user, run=run, change=change, status=status, kind=kind, query=query)
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    disclosure = Disclosure(user, channel="page")
    rows = [(line, disclosure.show(line.account)["number"] if line.account_id else "") for line in page]
    summary = selectors.run_summary(run)
    for row in summary["by_programme"]:
        row["programme_label"] = PROGRAMME_NAMES.get(row["programme"], row["programme"])
        row["kind_label"] = Line.Kind(row["kind"]).label
    for row in summary["by_status"]:
        row["status_label"] = Line.Status(row["status"]).label
    state = run.case.state
    return render(
        request,
        "payments/run.html",
        {
            "run": run,
            "county_name": division_names([run.county_id]).get(run.county_id, run.county_id),
            "page": page,
            "rows": rows,
            "summary": summary,
            "changes": _change_words(run.changes),
            "filters": {"change": change, "status": status, "kind": kind, "q": query},
            "change_choices": CHANGES,
            "status_choices": STATUSES,
            "kind_choices": KINDS,
            "bank_files": list(selectors.bank_files(run)),
            "results": list(selectors.bank_results(run)),
            "result_form": ResultForm(initial={"version": run.case.version})
            if state in ("exported", "reconciled") and user.role in PAYROLL_ROLES
            else None,
            "bank": BANKS.get(getattr(selectors.setting_of(run.county_id), "bank", "") or "rcb"),
            "programme_names": PROGRAMME_NAMES,
            **case_context(request, run.case),
        },
    )


def _choice(value: str, choices) -> str:
    return value if value in {code for code, _label in choices} else ""


def _change_words(changes: dict) -> list[tuple[str, int]]:
    words = {
        "new": _("new"),
        "same": _("unchanged"),
        "changed": _("amount changed"),
        "stopped": _("stopped"),
        "arrears": _("arrears"),
        "adjustment": _("adjustments"),
        "reissued": _("re-issued"),
        "stage": _("temporary aid stages"),
        "payee_changed": _("paid to another payee"),
        "held": _("held: no account"),
        "waiting_account": _("failed or held, waiting for an account"),
    }
    return [(str(words[key]), changes[key]) for key in words if changes.get(key)]


@require_POST
def run_result(request, pk: int):
    user = request.user
    _reader(user)
    run = found(selectors.run_get, actor=user, pk=pk)
    form = ResultForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        outcome = call_service(
            lambda: services.payroll_result_import(
                actor=user,
                run_id=run.pk,
                version=form.cleaned_data["version"],
                name=upload.name,
                data=upload.read(),
            ),
            form,
        )
        if outcome.ok:
            result = outcome.value
            return finished(
                request,
                reverse("payments:run", args=[run.pk]),
                _("The bank's result is read: %(paid)s paid, %(failed)s failed.")
                % {"paid": result.paid, "failed": result.failed},
            )
    return render(request, "payments/result_refused.html", {"run": run, "form": form}, status=400)


@require_GET
def bank_file_download(request, pk: int):
    user = request.user
    if user.role not in PAYROLL_ROLES:
        raise PermissionDenied(_("Only the county's bureau and finance officers take the bank file."))
    bank_file = found(selectors.bank_file_get, actor=user, pk=pk)
    services.bank_file_taken(actor=user, bank_file=bank_file)
    response = HttpResponse(bytes(bank_file.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{bank_file.name}"'
    return response


# --- accounts --------------------------------------------------------------------------------------------

HOLDERS = {"person": PayeeKind.PERSON, "institution": PayeeKind.INSTITUTION, "caregiver": PayeeKind.CAREGIVER}


@require_http_methods(["GET", "POST"])
def payee_accounts(request, pk: int, holder: str):
    holder_id = pk
    user = request.user
    if holder not in HOLDERS or user.role not in selectors.ACCOUNT_READERS:
        raise Http404(_("This record does not exist or is outside your area."))
    payee = selectors.payee_get(actor=user, holder_kind=holder, holder_id=holder_id)
    if payee is None:
        raise Http404(_("This record does not exist or is outside your area."))
    form = AccountForm(request.POST or None, initial={"holder_name": payee["name"]})
    may_record = user.role in services.ACCOUNT_ROLES
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied(_("Your role does not record payee accounts."))
        if form.is_valid():
            data = form.cleaned_data
            outcome = call_service(
                lambda: services.account_open(
                    actor=user,
                    holder_kind=holder,
                    holder_id=holder_id,
                    kind=data["kind"],
                    bank=data["bank"],
                    number=data["number"],
                    holder_name=data["holder_name"],
                    reason=data["reason"],
                ),
                form,
            )
            if outcome.ok:
                return finished(request, request.path, _("The account is recorded."))
    whole = request.GET.get("whole") == "1"
    disclosure = Disclosure(user, channel="page", whole=whole)
    accounts = list(
        selectors.accounts(actor=user, holder_kind=holder, holder_id=holder_id, include_closed=True)
    )
    rows = [(account, disclosure.show(account)) for account in accounts]
    return render(
        request,
        "payments/accounts.html",
        {
            "payee": payee,
            "holder": holder,
            "rows": rows,
            "form": form if may_record else None,
            "may_reveal": any(shown["may_reveal"] for _a, shown in rows),
            "whole": whole,
            "banks": {code: bank.name for code, bank in BANKS.items()},
            "lines": list(selectors.payee_lines(actor=user, ref=f"{HOLDERS[holder]}:{holder_id}")[:24]),
        "may_read_runs": selectors.may_read_payments(user),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def waiting_list(request):
    """Failed and held payments of the user's area, each waiting for its payee's account."""
    user = request.user
    if user.role not in selectors.ACCOUNT_READERS:
        raise PermissionDenied(_("Your role does not read payments."))
    lines = selectors.waiting_for_account(actor=user)
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "payments/waiting.html", {"page": page, "programme_names": PROGRAMME_NAMES,
                                                     "may_read_runs": selectors.may_read_payments(user)})


# --- the county's setting -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def payroll_setting(request):
    user = request.user
    if user.role != Role.COUNTY_BUREAU or len(user.division_id) != 6:
        raise PermissionDenied(_("Only the county's bureau sets its payroll."))
    county = user.division_id
    setting = selectors.setting_of(county)
    initial = {"draft_day": 5, "bank": "rcb", "fund_dibao": "central", "fund_tekun": "central"}
    if setting is not None:
        initial = {
            "version": setting.version,
            "draft_day": setting.draft_day,
            "bank": setting.bank,
            "fund_dibao": setting.funds.get("dibao", "central"),
            "fund_tekun": setting.funds.get("tekun", "central"),
        }
    form = SettingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = call_service(
            lambda: services.payroll_setting_save(
                actor=user,
                county=county,
                draft_day=data["draft_day"],
                bank=data["bank"],
                funds={"dibao": data["fund_dibao"], "tekun": data["fund_tekun"]},
                version=data["version"],
            ),
            form,
        )
        if outcome.ok:
            return finished(request, reverse("payments:runs"), _("The payroll setting is saved."))
    return render(
        request, "payments/setting.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


@require_http_methods(["GET", "POST"])
def household_payee(request, pk: int):
    """Who is paid the household's benefits (the head, or a guardian or another adult member named
    with a reason), its history, and the form to change it."""
    from safetynet.registry.selectors import household_get, household_members

    user = request.user
    if user.role not in selectors.ACCOUNT_READERS:
        raise Http404(_("This record does not exist or is outside your area."))
    household = found(household_get, actor=user, pk=pk)
    history = selectors.household_payees(household_id=household.pk)
    current = selectors.payee_in_force(history)
    members = [m.person for m in household_members(household=household).select_related("person")]
    people = [(person.pk, person.name) for person in members
              if person.pk == household.head_id or selectors.may_be_payee(person)]
    if current and current.person_id not in dict(people):  # a guardian outside the household
        people.append((current.person_id, current.person.name))
    form = HouseholdPayeeForm(request.POST or None, people=people,
                              initial={"person": current.person_id if current else household.head_id,
                                       "version": current.pk if current else None})
    may_change = user.role in services.PAYEE_ROLES
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied(_("Your role does not name a household's payee."))
        if form.is_valid():
            data = form.cleaned_data
            outcome = call_service(
                lambda: services.household_payee_set(
                    actor=user, household_id=household.pk, person_id=data["person"], reason=data["reason"],
                    seen=data["version"],
                ),
                form,
            )
            if outcome.ok:
                return finished(request, request.path, _("The household's payee is recorded."))
    return render(
        request,
        "payments/household_payee.html",
        {"household": household, "current": current, "history": history,
         "form": form if may_change else None},
        status=400 if request.method == "POST" else 200,
    )
