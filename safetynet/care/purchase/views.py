"""Purchased-services pages (/care/providers/, /care/contracts/, /care/my-persons/, /care/service-logs/):
the bureaus' providers, contracts and rates; a provider's worker's persons and the phone form that
logs a service. A record outside the user's reach is "not found" before any role is refused."""

import uuid

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.care.purchase import forms, selectors, services
from safetynet.core.pages import call_service, finished, found, role_required
from safetynet.core.scope import in_area
from safetynet.core.selectors import division_list, staff_list
from safetynet.core.types import Role
from safetynet.registry.selectors import person_get

opener_required = role_required(
    selectors.may_open_purchase, lambda: _("Your role has no access to purchased care services.")
)
reader_required = role_required(
    selectors.may_read_purchase, lambda: _("Your role does not read purchased care services.")
)


@reader_required
@require_GET
def provider_list(request):
    actor = request.user
    return render(
        request,
        "care/purchase/provider_list.html",
        {
            "rows": selectors.provider_rates(actor=actor),
            "coverage": selectors.coverage_for(actor=actor),
            "may_record": services.may_write_providers(actor),
            "may_contract": services.may_write_contracts(actor),
        },
    )


@reader_required
@require_http_methods(["GET", "POST"])
def provider_new(request):
    if not services.may_write_providers(request.user):
        raise PermissionDenied(_("Service providers are recorded by the city and county bureaus."))
    form = forms.ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(
            lambda: services.provider_create(actor=request.user, data=form.cleaned_data), form
        )
        if outcome.ok:
            return finished(
                request,
                reverse("care:purchase_provider_detail", args=[outcome.value.pk]),
                _("The service provider is recorded."),
            )
    return render(
        request,
        "care/purchase/form.html",
        {
            "form": form,
            "title": _("Record a service provider"),
            "submit": _("Save"),
            "cancel_url": reverse("care:purchase_provider_list"),
        },
        status=400 if form.errors else 200,
    )


def _staff_form(actor, provider, data=None):
    taken = {row.user_id for row in selectors.provider_staff(provider=provider)}
    users = [u for u in staff_list(actor=actor, role=Role.SERVICE_PROVIDER) if u.pk not in taken]
    return forms.StaffForm(data, users=users)


@opener_required
@require_GET
def provider_detail(request, pk: int):
    actor = request.user
    provider = found(selectors.provider_get, actor=actor, pk=pk)
    rates = next((row for row in selectors.provider_rates(actor=actor) if row.pk == provider.pk), None)
    may_write = services.may_write_providers(actor) and in_area(actor, provider.division_id)
    return render(
        request,
        "care/purchase/provider_detail.html",
        {
            "provider": provider,
            "rates": rates,
            "contracts": selectors.contract_list(actor=actor, provider=provider),
            "staff": selectors.provider_staff(provider=provider)
            if selectors.may_read_purchase(actor)
            else [],
            "staff_form": _staff_form(actor, provider) if may_write else None,
            "may_contract": services.may_write_contracts(actor),
        },
    )


@reader_required
@require_POST
def provider_staff_add(request, pk: int):
    actor = request.user
    provider = found(selectors.provider_get, actor=actor, pk=pk)
    if not services.may_write_providers(actor):
        raise PermissionDenied(_("Only the bureau that recorded this provider changes it."))
    form = _staff_form(actor, provider, request.POST)
    url = reverse("care:purchase_provider_detail", args=[provider.pk])
    if form.is_valid():
        user = staff_list(actor=actor).filter(pk=form.cleaned_data["user"]).first()
        outcome = call_service(
            lambda: services.provider_staff_add(actor=actor, provider=provider, user=user), form
        )
        if outcome.ok:
            return finished(request, url, _("The account now works for this provider."))
    return render(
        request,
        "care/purchase/form.html",
        {"form": form, "title": _("Add a user account"), "submit": _("Add"), "cancel_url": url},
        status=400,
    )


@reader_required
@require_http_methods(["GET", "POST"])
def contract_new(request):
    actor = request.user
    if not services.may_write_contracts(actor):
        raise PermissionDenied(_("Service contracts are signed by the county bureau."))
    providers = list(selectors.provider_list(actor=actor).filter(active=True))
    areas = list(division_list(actor=actor, level="county")) + list(
        division_list(actor=actor, level="township")
    )
    initial = {"provider": request.GET.get("provider"), "starts_on": timezone.localdate()}
    form = forms.ContractForm(request.POST or None, initial=initial, providers=providers, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        provider = next(p for p in providers if p.pk == data.pop("provider"))
        outcome = call_service(
            lambda: services.contract_create(actor=actor, provider=provider, data=data), form
        )
        if outcome.ok:
            return finished(
                request,
                reverse("care:purchase_contract_detail", args=[outcome.value.pk]),
                _("The service contract is recorded."),
            )
    return render(
        request,
        "care/purchase/form.html",
        {
            "form": form,
            "title": _("Record a service contract"),
            "submit": _("Save"),
            "cancel_url": reverse("care:purchase_provider_list"),
        },
        status=400 if form.errors else 200,
    )


def _contract_page(request, contract, *, person_form=None, status=200):
    actor = request.user
    may_write = services.may_write_contracts(actor) and in_area(actor, contract.area_id)
    active = contract.state == contract.State.ACTIVE
    candidates = selectors.contract_candidates(actor=actor, contract=contract) if may_write and active else []
    return render(
        request,
        "care/purchase/contract_detail.html",
        {
            "contract": contract,
            "kinds": [label for value, label in forms.ServiceKind.choices if value in contract.kinds],
            "persons": selectors.contract_persons(actor=actor, contract=contract),
            "logs": selectors.log_list(actor=actor).filter(contract=contract)[:50],
            "may_write": may_write and active,
            "person_form": person_form or (forms.PersonForm(candidates=candidates) if candidates else None),
            "end_form": forms.EndForm(initial={"version": contract.version}),
        },
        status=status,
    )


@opener_required
@require_GET
def contract_detail(request, pk: int):
    return _contract_page(request, found(selectors.contract_get, actor=request.user, pk=pk))


def _contract_writer(request, pk: int):
    contract = found(selectors.contract_get, actor=request.user, pk=pk)
    if not services.may_write_contracts(request.user):
        raise PermissionDenied(_("Only the county bureau of the contract's area changes it."))
    return contract


@opener_required
@require_POST
def contract_person_add(request, pk: int):
    actor = request.user
    contract = _contract_writer(request, pk)
    candidates = selectors.contract_candidates(actor=actor, contract=contract)
    form = forms.PersonForm(request.POST, candidates=candidates)
    if form.is_valid():
        outcome = call_service(
            lambda: services.contract_person_add(
                actor=actor, contract=contract, person_id=form.cleaned_data["person"]
            ),
            form,
        )
        if outcome.ok:
            return finished(
                request,
                reverse("care:purchase_contract_detail", args=[contract.pk]),
                _("The person is covered by the contract."),
            )
    return _contract_page(request, contract, person_form=form, status=400)


@opener_required
@require_POST
def contract_person_remove(request, pk: int):
    actor = request.user
    contract = _contract_writer(request, pk)
    try:
        person_id = int(request.POST.get("person", ""))
    except ValueError:
        person_id = 0
    form = forms.EndForm()
    outcome = call_service(
        lambda: services.contract_person_remove(actor=actor, contract=contract, person_id=person_id), form
    )
    if outcome.ok:
        return finished(
            request,
            reverse("care:purchase_contract_detail", args=[contract.pk]),
            _("The person is no longer covered by the contract."),
        )
    return render(
        request,
        "care/purchase/form.html",
        {
            "form": form,
            "title": contract.title,
            "submit": None,
            "cancel_url": reverse("care:purchase_contract_detail", args=[contract.pk]),
        },
        status=400,
    )


@opener_required
@require_POST
def contract_end(request, pk: int):
    actor = request.user
    contract = _contract_writer(request, pk)
    form = forms.EndForm(request.POST)
    if form.is_valid():
        outcome = call_service(
            lambda: services.contract_end(
                actor=actor, contract=contract, version=form.cleaned_data["version"]
            ),
            form,
        )
        if outcome.ok:
            return finished(
                request,
                reverse("care:purchase_contract_detail", args=[contract.pk]),
                _("The contract has ended."),
            )
    return render(
        request,
        "care/purchase/form.html",
        {
            "form": form,
            "title": contract.title,
            "submit": None,
            "cancel_url": reverse("care:purchase_contract_detail", args=[contract.pk]),
        },
        status=400,
    )


@opener_required
@require_GET
def my_persons(request):
    actor = request.user
    if not selectors.is_provider_user(actor):
        raise PermissionDenied(_("This list is for the staff of a contracted service provider."))
    return render(
        request,
        "care/purchase/my_persons.html",
        {
            "rows": selectors.my_persons(actor=actor),
            "provider": services.provider_of(actor),
            "logs": selectors.log_list(actor=actor).filter(logged_by=actor)[:20],
        },
    )


@opener_required
@require_http_methods(["GET", "POST"])
def log_new(request, pk: int):
    actor = request.user
    if not selectors.is_provider_user(actor):
        found(person_get, actor=actor, pk=pk)  # someone else's person: not found, before the role
        raise PermissionDenied(_("Services are logged by the staff of a contracted service provider."))
    covered = found(selectors.my_person_get, actor=actor, person_id=pk)
    kinds = sorted({kind for kind in covered.contract.kinds})
    if request.method == "POST":
        earlier = (
            selectors.log_list(actor=actor)
            .filter(logged_by=actor, submission=_uuid(request.POST.get("submission")))
            .first()
        )
        if earlier is not None:
            return finished(
                request,
                reverse("care:purchase_log_detail", args=[earlier.pk]),
                _("This service was logged already; it was not logged twice."),
            )
    form = forms.LogForm(
        request.POST or None,
        request.FILES or None,
        kinds=kinds,
        initial={
            "submission": uuid.uuid4(),
            "started_at": timezone.localtime(),
            "ended_at": timezone.localtime(),
            "kind": kinds[0] if kinds else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        submission, photo, signature = data.pop("submission"), data.pop("photo"), data.pop("signature")
        outcome = call_service(
            lambda: services.service_log_create(
                actor=actor,
                person_id=pk,
                data=data,
                submission=submission,
                photo=photo or None,
                signature=signature or None,
            ),
            form,
        )
        if outcome.ok:
            return finished(
                request,
                reverse("care:purchase_log_detail", args=[outcome.value.pk]),
                _("The service is logged."),
            )
    return render(
        request,
        "care/purchase/log_form.html",
        {"form": form, "covered": covered},
        status=400 if form.errors else 200,
    )


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@opener_required
@require_GET
def log_detail(request, pk: int):
    log = found(selectors.log_get, actor=request.user, pk=pk)
    return render(
        request,
        "care/purchase/log_detail.html",
        {"log": log, "evidence": selectors.log_evidence(actor=request.user, log=log)},
    )
