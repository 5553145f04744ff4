"""The institution pages: the list of the user's institutions with their heating and CO-alarm
coverage, one institution, recording and changing one."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from safetynet.core.pages import call_service, finished, found
from safetynet.core.selectors import division_get, division_path
from safetynet.institutions import selectors, services
from safetynet.institutions.forms import InstitutionForm
from safetynet.institutions.inspections import selectors as inspection_selectors
from safetynet.institutions.inspections import services as inspection_services
from safetynet.institutions.inspections.views import with_state_labels
from safetynet.registry.views.common import form_page


def _reader(user) -> None:
    if not selectors.may_read_institutions(user):
        raise PermissionDenied(_("Your role does not read institutions."))


@require_GET
def institution_list(request):
    user = request.user
    _reader(user)
    kind = request.GET.get("kind", "")
    kind = kind if kind in dict(selectors.KIND_CHOICES) else ""
    heating = request.GET.get("heating", "")
    heating = heating if heating in dict(selectors.HEATING_CHOICES) else ""
    unguarded = request.GET.get("unguarded") == "1"
    rows = list(selectors.institution_list(actor=user, kind=kind, heating=heating, unguarded=unguarded)[:500])
    return render(
        request,
        "institutions/list.html",
        {
            "rows": rows,
            "kinds": selectors.KIND_CHOICES,
            "heatings": selectors.HEATING_CHOICES,
            "kind": kind,
            "heating": heating,
            "unguarded": unguarded,
            "coverage": selectors.coverage(actor=user),
            "may_record": user.role in services.RECORDING_ROLES,
        },
    )


@require_GET
def institution_detail(request, pk: int):
    user = request.user
    _reader(user)
    institution = found(selectors.institution_get, actor=user, pk=pk)
    return render(
        request,
        "institutions/detail.html",
        {
            "institution": institution,
            "place": "·".join(d.name for d in division_path(institution.division_id) if d.level != "city"),
            "may_edit": user.role in services.RECORDING_ROLES or user.role == "institution_staff",
            "may_assign": inspection_services.may_assign(user),
            "may_raise": user.role in inspection_services.RAISING_ROLES,
            "inspections": list(
                inspection_selectors.institution_inspections(actor=user, institution=institution)[:20]
            ),
            "hazards": with_state_labels(
                inspection_selectors.institution_hazards(actor=user, institution=institution)[:50]
            ),
        },
    )


def _data(form) -> dict:
    return {name: value for name, value in form.cleaned_data.items() if name not in ("version", "division")}


@require_http_methods(["GET", "POST"])
def institution_create(request):
    user = request.user
    if user.role not in services.RECORDING_ROLES:
        raise PermissionDenied(_("Institutions are recorded by the county or the city bureau."))
    form = InstitutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["division"]
        division = division_get(actor=user, code=code) if code.isascii() and code.isdigit() else None
        outcome = call_service(
            lambda: services.institution_create(actor=user, division=division, data=_data(form)), form
        )
        if outcome.ok:
            return finished(
                request,
                reverse("institutions:detail", args=[outcome.value.pk]),
                _("The institution is recorded."),
            )
    return form_page(
        request,
        title=_("Record an institution"),
        forms_=[form],
        action=request.get_full_path(),
        cancel_url=reverse("institutions:list"),
    )


@require_http_methods(["GET", "POST"])
def institution_edit(request, pk: int):
    user = request.user
    _reader(user)
    institution = found(selectors.institution_get, actor=user, pk=pk)
    staff_only = user.role == "institution_staff"
    if user.role not in services.RECORDING_ROLES and not staff_only:
        raise PermissionDenied(_("Your role does not change institutions."))
    initial = {name: getattr(institution, name) for name in services.FIELDS} | {
        "version": institution.version
    }
    form = InstitutionForm(request.POST or None, initial=initial, staff_only=staff_only, editing=True)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(
            lambda: services.institution_update(
                actor=user,
                institution_id=institution.pk,
                version=form.cleaned_data.get("version") or 0,
                data=_data(form),
            ),
            form,
        )
        if outcome.ok:
            return finished(request, reverse("institutions:detail", args=[pk]), _("Saved."))
    return form_page(
        request,
        title=_("Change %(name)s") % {"name": institution.name},
        forms_=[form],
        action=request.get_full_path(),
        cancel_url=reverse("institutions:detail", args=[pk]),
    )
