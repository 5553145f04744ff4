"""The funds pages: the year's statistics (/payments/funds/, and as .xlsx), the ledger
(/payments/ledger/), balances (/payments/balances/), and the townships' reserve funds
(/payments/reserves/, one township's movements with the forms that top it up, take money back
and count it). Everything is in the user's area; the statistics and balances are sums over the
ledger."""

from decimal import Decimal
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from safetynet.core.pages import call_service, finished, unreadable_query
from safetynet.payments import selectors as payment_selectors
from safetynet.payments import services
from safetynet.payments.funds import forms, selectors, workbook

PAGE_SIZE = 50
HUNDRED_MILLION, TEN_THOUSAND, CENT = Decimal(10**8), Decimal(10**4), Decimal("0.01")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _reader(user) -> None:
    if not selectors.may_read_funds(user):
        raise PermissionDenied(_("Your role does not read payments."))


def _reserve_reader(user) -> None:
    if not selectors.may_read_reserves(user):
        raise PermissionDenied(_("Your role does not read reserve funds."))


# --- the funds statistics ------------------------------------------------------------------------


def in_large_units(amount: Decimal) -> str:
    """1,300,000,000.00 as 13.00亿元, 56,000.00 as 5.60万元: as the bureau's briefings say it."""
    if abs(amount) >= HUNDRED_MILLION:
        return _("%(amount)s hundred million yuan") % {"amount": (amount / HUNDRED_MILLION).quantize(CENT)}
    if abs(amount) >= TEN_THOUSAND:
        return _("%(amount)s ten thousand yuan") % {"amount": (amount / TEN_THOUSAND).quantize(CENT)}
    return ""


def _figures(request) -> tuple[forms.YearForm, dict]:
    form = forms.YearForm(request.GET or None)
    return form, selectors.funds_statistics(actor=request.user, year=form.chosen_year())


@require_GET
def funds(request):
    _reader(request.user)
    if refused := unreadable_query(request):
        return refused
    form, figures = _figures(request)
    year = figures["year"]
    return render(
        request,
        "payments/funds/funds.html",
        {
            "may_read_funds": True,
            "form": form,
            "figures": figures,
            "year": year,
            "previous": year - 1,
            "next": year + 1,
            "words": in_large_units(figures["total"]),
            "first_year": forms.FIRST_YEAR,
            "last_year": forms.LAST_YEAR,
        },
    )


@require_GET
def funds_export(request):
    _reader(request.user)
    if refused := unreadable_query(request):
        return refused
    _form, figures = _figures(request)
    content = workbook.funds_workbook(figures, area=request.user.division.name)
    response = HttpResponse(content, content_type=XLSX)
    name = quote(workbook.funds_filename(figures["year"]))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


# --- the ledger and balances ---------------------------------------------------------------------


@require_GET
def ledger(request):
    _reader(request.user)
    if refused := unreadable_query(request):
        return refused
    form = forms.LedgerFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    entries = payment_selectors.ledger_entries(
        actor=request.user, **(form.filters() if form.is_bound and valid else {})
    )
    if not valid:
        entries = entries.none()  # filters that cannot be read: their errors, not the whole ledger
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/funds/ledger.html",
        {
            "may_read_funds": True,
            "form": form,
            "page": page,
            "rows": selectors.ledger_page_rows(page.object_list),
        },
    )


@require_GET
def balances(request):
    _reader(request.user)
    if refused := unreadable_query(request):
        return refused
    form = forms.BalanceForm(request.GET or None)
    by, year = form.chosen_by(), form.chosen_year()
    page = Paginator(selectors.balance_rows(actor=request.user, by=by, year=year), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "payments/funds/balances.html",
        {
            "may_read_funds": True,
            "form": form,
            "by": by,
            "year": year,
            "page": page,
            "rows": selectors.balance_labelled(page.object_list, by=by),
            "total": selectors.balance_total(actor=request.user, year=year),
        },
    )


# --- the reserve funds ---------------------------------------------------------------------------


@require_GET
def reserves(request):
    _reserve_reader(request.user)
    rows = selectors.reserve_table(actor=request.user)
    return render(
        request,
        "payments/funds/reserves.html",
        {
            "rows": rows,
            "may_read_funds": selectors.may_read_funds(request.user),
            "total": {
                key: sum((row[key] for row in rows), selectors.ZERO)
                for key in ("balance", "topped_up", "drawn", "returned")
            },
        },
    )


def _township(request, township: str):
    _reserve_reader(request.user)
    division = selectors.township_in_area(actor=request.user, code=township)
    if division is None:
        raise Http404(_("This record does not exist or is outside your area."))
    return division


def _reserve_page(request, division, *, move=None, count=None):
    user = request.user
    movements = selectors.reserve_movements(actor=user, township=division.code)
    page = Paginator(movements, PAGE_SIZE).get_page(request.GET.get("page"))
    may_move, may_count = selectors.may_top_up_reserve(user), selectors.may_count_reserve(user)
    return render(
        request,
        "payments/funds/reserve.html",
        {
            "township": division,
            "reserve": selectors.reserve_of(actor=user, township=division.code),
            "page": page,
            "move_form": (move or forms.ReserveMoveForm(auto_id="move_%s")) if may_move else None,
            "count_form": (count or forms.ReserveCountForm(auto_id="count_%s")) if may_count else None,
        },
    )


@require_GET
def reserve_detail(request, township: str):
    if refused := unreadable_query(request):
        return refused
    return _reserve_page(request, _township(request, township))


def _recorded(request, division, form, *, kind: str, **values):
    outcome = call_service(
        lambda: services.reserve_record(
            actor=request.user, township=division.code, kind=kind, note=form.cleaned_data["note"], **values
        ),
        form,
    )
    if not outcome.ok:
        return None
    movement = outcome.value
    if movement.counted is not None:
        message = _("Counted: %(counted)s yuan, %(difference)s yuan from the balance kept.") % {
            "counted": movement.counted,
            "difference": movement.amount,
        }
    else:
        message = _("Recorded: %(kind)s, %(amount)s yuan.") % {
            "kind": movement.get_kind_display(),
            "amount": abs(movement.amount),
        }
    return finished(request, reverse("payments_funds:reserve", args=[division.code]), message)


@require_POST
def reserve_move(request, township: str):
    division = _township(request, township)
    if not selectors.may_top_up_reserve(request.user):
        raise PermissionDenied(_("The county tops up and takes back a township's reserve."))
    form = forms.ReserveMoveForm(request.POST, auto_id="move_%s")
    if form.is_valid():
        done = _recorded(
            request, division, form, kind=form.cleaned_data["kind"], amount=form.cleaned_data["amount"]
        )
        if done is not None:
            return done
    return _reserve_page(request, division, move=form)


@require_POST
def reserve_count(request, township: str):
    division = _township(request, township)
    if not selectors.may_count_reserve(request.user):
        raise PermissionDenied(_("Your role does not keep reserve funds."))
    form = forms.ReserveCountForm(request.POST, auto_id="count_%s")
    if form.is_valid():
        done = _recorded(
            request,
            division,
            form,
            kind=selectors.RESERVE_KINDS.COUNTED,
            amount=None,
            counted=form.cleaned_data["counted"],
        )
        if done is not None:
            return done
    return _reserve_page(request, division, count=form)
