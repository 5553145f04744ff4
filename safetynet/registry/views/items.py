"""A household's income, assets, rigid expenses and supporters: one set of pages for four kinds of item."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from safetynet.registry import forms, selectors, services
from safetynet.registry.views.common import (
    call_service,
    finished,
    form_page,
    found,
    household_url,
    writer_view,
)

# --- income, assets, expenses ---------------------------------------------------------------------

@dataclass(frozen=True)
class ItemKind:
    """One kind of household item: its form, selector, services and where it shows on the page."""

    form: type
    get: Callable
    create: Callable
    update: Callable
    delete: Callable
    section: str
    add_title: str
    edit_title: str


# The keys are also the URL names' prefixes: income_add, asset_edit, expense_delete …
ITEM_KINDS = {
    "income": ItemKind(
        forms.IncomeForm, selectors.income_item_get, services.income_item_create, services.income_item_update,
        services.income_item_delete, "income", gettext_lazy("Add an income item"),
        gettext_lazy("Edit the income item"),
    ),
    "asset": ItemKind(
        forms.AssetForm, selectors.asset_item_get, services.asset_item_create, services.asset_item_update,
        services.asset_item_delete, "assets", gettext_lazy("Add an asset"), gettext_lazy("Edit the asset"),
    ),
    "expense": ItemKind(
        forms.ExpenseForm, selectors.expense_get, services.expense_create, services.expense_update,
        services.expense_delete, "expenses", gettext_lazy("Add a rigid expense"),
        gettext_lazy("Edit the rigid expense"),
    ),
    "supporter": ItemKind(
        forms.SupporterForm, selectors.supporter_get, services.supporter_create, services.supporter_update,
        services.supporter_delete, "supporters", gettext_lazy("Add a supporter"),
        gettext_lazy("Edit the supporter"),
    ),
}


@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def item_add(request, pk: int, kind: str):
    spec = ITEM_KINDS[kind]
    household = found(selectors.household_get, actor=request.user, pk=pk)
    form = spec.form(request.POST or None, actor=request.user, household=household)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(lambda: spec.create(
            actor=request.user, household=household, data=form.service_data(),
        ), form)
        if outcome.ok:
            return finished(request, household_url(pk, spec.section), _("Saved."))
    return form_page(request, title=str(spec.add_title), forms_=[form],
                     action=reverse(f"registry:{kind}_add", args=[pk]),
                     cancel_url=household_url(pk, spec.section))


@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def item_edit(request, pk: int, kind: str):
    spec = ITEM_KINDS[kind]
    item = found(spec.get, actor=request.user, pk=pk)
    form = spec.form(request.POST or None, instance=item, actor=request.user, household=item.household)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(lambda: spec.update(
            actor=request.user, item=item, version=form.seen_version, data=form.service_data(),
        ), form)
        if outcome.ok:
            return finished(request, household_url(item.household_id, spec.section), _("Saved."))
    return form_page(request, title=str(spec.edit_title), forms_=[form],
                     action=reverse(f"registry:{kind}_edit", args=[pk]),
                     cancel_url=household_url(item.household_id, spec.section))


@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def item_delete(request, pk: int, kind: str):
    spec = ITEM_KINDS[kind]
    item = found(spec.get, actor=request.user, pk=pk)
    form = forms.ConfirmForm(request.POST or None, initial={"version": item.version})
    if request.method == "POST" and form.is_valid():
        outcome = call_service(lambda: spec.delete(actor=request.user, item=item,
                                                 version=form.cleaned_data["version"]), form)
        if outcome.ok:
            return finished(request, household_url(item.household_id, spec.section), _("Deleted."))
    return form_page(
        request, title=_("Delete: %(item)s") % {"item": item_label(item)}, forms_=[form],
        intro=_("The household's history keeps what it was."), submit=_("Delete"),
        action=reverse(f"registry:{kind}_delete", args=[pk]),
        cancel_url=household_url(item.household_id, spec.section),
    )


def item_label(item) -> str:
    model = item._meta.model_name
    if model == "incomeitem":
        return f"{item.get_category_display()} {item.amount}"
    if model == "assetitem":
        return f"{item.get_asset_type_display()} {item.value}"
    if model == "rigidexpense":
        return f"{item.get_expense_type_display()} {item.amount}"
    if model == "supporter":
        return str(item)
    return str(item)
