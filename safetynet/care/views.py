"""特困 care pages: the KPIs of the user's area (/care/), the 特困 persons with their support mode
(/care/persons/), one person's care — surveys, placement, agreements, each step a form on that page —
and the beds and queues (/care/placements/)."""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from safetynet.care import selectors, services
from safetynet.care.figures import care_figures
from safetynet.care.forms import (
    AdmitForm,
    AgreementForm,
    DischargeForm,
    EndForm,
    ReplaceForm,
    SignForm,
    SurveyForm,
    WithdrawForm,
)
from safetynet.core.campaigns.selectors import campaigns
from safetynet.core.pages import call_service, finished, found
from safetynet.core.selectors import staff_list
from safetynet.core.types import Role
from safetynet.core.workflows.selectors import evidence_of

LIST_ROWS = 500
SHOWS = ("", "waiting", "placed", "home", "missing", "unsurveyed")


def _reader(user) -> None:
    if not selectors.may_read_care(user):
        raise PermissionDenied(_("Your role does not read 特困 care."))


@require_GET
def care_home(request):
    _reader(request.user)
    return render(request, "care/home.html", care_figures(request.user))


@require_GET
def person_list(request):
    _reader(request.user)
    show = request.GET.get("show", "")
    show = show if show in SHOWS else ""
    rows = list(selectors.persons(actor=request.user, show=show)[:LIST_ROWS])
    return render(request, "care/persons.html", {"rows": rows, "show": show})


# A township has a few dozen such accounts; a county some hundreds (the lists are for the form's choices).
PEOPLE_LISTED = 1000


def _people(actor):
    """The caregivers' logins and the officers who may look in on a person, of the actor's area."""
    caregivers = list(staff_list(actor=actor, role=Role.CAREGIVER)[:PEOPLE_LISTED])
    officers = list(
        staff_list(actor=actor).filter(
            role__in=[Role.VILLAGE_COORDINATOR, Role.TOWNSHIP_OFFICE, Role.GRID_WORKER]
        )[:PEOPLE_LISTED]
    )
    return caregivers, officers


def _person_context(request, enrolment, **forms) -> dict:
    actor, person_id = request.user, enrolment.person_id
    placements = list(selectors.person_placements(actor=actor, person_id=person_id))
    agreements = list(selectors.person_agreements(actor=actor, person_id=person_id))
    surveys = list(selectors.person_surveys(actor=actor, person_id=person_id))
    today = timezone.localdate()
    may_write = services.may_write(actor)
    open_placement = next((p for p in placements if p.state in ("waiting", "placed")), None)
    in_force = next((a for a in agreements if a.state in ("draft", "signed")), None)
    caregivers, officers = _people(actor) if may_write else ((), ())
    context = {
        "enrolment": enrolment,
        "person": enrolment.person,
        "placements": placements,
        "agreements": agreements,
        "surveys": surveys,
        "open_placement": open_placement,
        "in_force": in_force,
        "may_write": may_write,
        "evidence": list(
            evidence_of(actor=actor, subject_kind="care.agreement", subject_ids=[a.pk for a in agreements])
        )
        + list(evidence_of(actor=actor, subject_kind="care.survey", subject_ids=[s.pk for s in surveys])),
    }
    if may_write:
        running = _running_campaigns(actor, enrolment)
        context["survey_form"] = forms.get("survey_form") or SurveyForm(
            initial={
                "surveyed_on": today,
                "consent_by": "person",
                "submission": uuid.uuid4(),
                "campaign": running[0].pk if running else None,
            },
            campaigns=running,
        )
        if open_placement and open_placement.state == "waiting":
            # The homes of the person's own county first: most are placed near home.
            county = enrolment.household.village_id[:6]
            free = sorted(
                (i for i in selectors.occupancy() if i.free > 0),
                key=lambda i: (not i.division_id.startswith(county), i.division_id, i.name),
            )
            context["admit_form"] = forms.get("admit_form") or AdmitForm(
                initial={"version": open_placement.version, "admitted_on": today}, institutions=free
            )
            context["withdraw_form"] = WithdrawForm(initial={"version": open_placement.version})
        if open_placement and open_placement.state == "placed":
            context["discharge_form"] = DischargeForm(
                initial={"version": open_placement.version, "discharged_on": today}
            )
        if not in_force and not (open_placement and open_placement.state == "placed"):
            context["agreement_form"] = forms.get("agreement_form") or AgreementForm(
                initial={"starts_on": today, "ends_on": today.replace(year=today.year + 1)},
                caregivers=caregivers,
                officers=officers,
            )
        if in_force and in_force.state == "draft":
            context["sign_form"] = SignForm(initial={"version": in_force.version, "signed_on": today})
        if in_force:
            context["end_form"] = EndForm(initial={"version": in_force.version, "ended_on": today})
        if in_force and in_force.state == "signed":
            context["replace_form"] = forms.get("replace_form") or ReplaceForm(
                initial={
                    "version": in_force.version,
                    "starts_on": today,
                    "ends_on": today.replace(year=today.year + 1),
                },
                caregivers=caregivers,
                officers=officers,
                prefix="next",
            )
    return context


def _enrolment(request, pk: int):
    _reader(request.user)
    enrolment = selectors.person_care(actor=request.user, person_id=pk)
    if enrolment is None:
        raise Http404(_("There is no 特困 person of your area with this number."))
    return enrolment


@require_GET
def person_detail(request, pk: int):
    enrolment = _enrolment(request, pk)
    return render(request, "care/person.html", _person_context(request, enrolment))


def _refused(request, form, pk: int):
    return render(
        request,
        "core/case_refused.html",
        {"form": form, "back": reverse("care:person", args=[pk])},
        status=400,
    )


def _step(request, form, person_id: int, call, message: str):
    """A step taken from the person's page: the form's data to the service, back to the page with
    `message` when it is done, or the refusal with its reasons."""
    if form.is_valid():
        outcome = call_service(lambda: call(form.cleaned_data), form)
        if outcome.ok:
            return _done(request, person_id, message)
    return _refused(request, form, person_id)


def _done(request, pk: int, message: str):
    return finished(request, reverse("care:person", args=[pk]), message)


def _running_campaigns(actor, enrolment) -> list:
    """The drives in force today covering the person (the willingness survey is one: 集中供养意愿摸排)."""
    today = timezone.localdate()
    village = enrolment.household.village_id
    in_force = campaigns(actor=actor).filter(starts_on__lte=today, ends_on__gte=today).order_by("-starts_on")
    return [c for c in in_force if village.startswith(c.area_id)]


@require_POST
def survey_new(request, pk: int):
    enrolment = _enrolment(request, pk)
    running = _running_campaigns(request.user, enrolment)
    form = SurveyForm(request.POST, request.FILES, campaigns=running)
    if form.is_valid():
        data = dict(form.cleaned_data)
        evidence, submission = data.pop("evidence"), data.pop("submission")
        data["campaign"] = next((c for c in running if c.pk == data.get("campaign")), None)
        outcome = call_service(
            lambda: services.survey_record(
                actor=request.user,
                person_id=enrolment.person_id,
                data=data,
                evidence=evidence,
                submission=submission,
            ),
            form,
        )
        if outcome.ok:
            message = (
                _("The survey is recorded; the person waits for a bed.")
                if outcome.value.willing
                else _("The survey is recorded.")
            )
            return _done(request, pk, message)
    return _refused(request, form, pk)


def _placement(request, pk: int):
    _reader(request.user)
    return found(selectors.placement_get, actor=request.user, pk=pk)


@require_POST
def placement_admit(request, pk: int):
    placement = _placement(request, pk)
    form = AdmitForm(request.POST, institutions=selectors.occupancy())
    return _step(
        request,
        form,
        placement.person_id,
        lambda data: services.placement_admit(
            actor=request.user, placement_id=placement.pk, version=data["version"], data=data
        ),
        _("The person is admitted."),
    )


@require_POST
def placement_discharge(request, pk: int):
    placement = _placement(request, pk)
    form = DischargeForm(request.POST)
    return _step(
        request,
        form,
        placement.person_id,
        lambda data: services.placement_discharge(
            actor=request.user, placement_id=placement.pk, version=data["version"], data=data
        ),
        _("The discharge is recorded."),
    )


@require_POST
def placement_withdraw(request, pk: int):
    placement = _placement(request, pk)
    form = WithdrawForm(request.POST)
    return _step(
        request,
        form,
        placement.person_id,
        lambda data: services.placement_withdraw(
            actor=request.user, placement_id=placement.pk, version=data["version"], reason=data["reason"]
        ),
        _("The person no longer waits for a bed."),
    )


def _agreement_data(form, actor, prefix_data: dict) -> dict:
    caregivers, officers = _people(actor)
    by_pk = {u.pk: u for u in [*caregivers, *officers]}
    data = dict(prefix_data)
    data["caregiver_user"] = by_pk.get(data.get("caregiver_user")) if data.get("caregiver_user") else None
    data["visiting_officer"] = (
        by_pk.get(data.get("visiting_officer")) if data.get("visiting_officer") else None
    )
    return data


@require_POST
def agreement_new(request, pk: int):
    enrolment = _enrolment(request, pk)
    caregivers, officers = _people(request.user)
    form = AgreementForm(request.POST, caregivers=caregivers, officers=officers)
    if form.is_valid():
        data = _agreement_data(form, request.user, form.cleaned_data)
        outcome = call_service(
            lambda: services.agreement_draft(actor=request.user, person_id=enrolment.person_id, data=data),
            form,
        )
        if outcome.ok:
            return _done(request, pk, _("The care agreement is drawn up: have it signed."))
    return _refused(request, form, pk)


def _agreement(request, pk: int):
    _reader(request.user)
    return found(selectors.agreement_get, actor=request.user, pk=pk)


@require_POST
def agreement_sign(request, pk: int):
    agreement = _agreement(request, pk)
    form = SignForm(request.POST, request.FILES)
    return _step(
        request,
        form,
        agreement.person_id,
        lambda data: services.agreement_sign(
            actor=request.user,
            agreement_id=agreement.pk,
            version=data["version"],
            signed_on=data["signed_on"],
            signature=data["signature"],
        ),
        _("The care agreement is signed."),
    )


@require_POST
def agreement_end(request, pk: int):
    agreement = _agreement(request, pk)
    form = EndForm(request.POST)
    return _step(
        request,
        form,
        agreement.person_id,
        lambda data: services.agreement_end(
            actor=request.user, agreement_id=agreement.pk, version=data["version"], data=data
        ),
        _("The care agreement is ended."),
    )


@require_POST
def caregiver_replace(request, pk: int):
    agreement = _agreement(request, pk)
    caregivers, officers = _people(request.user)
    form = ReplaceForm(request.POST, caregivers=caregivers, officers=officers, prefix="next")
    if form.is_valid():
        data = _agreement_data(form, request.user, form.cleaned_data)
        version, evaluation = data.pop("version"), data.pop("evaluation")
        outcome = call_service(
            lambda: services.caregiver_replace(
                actor=request.user,
                agreement_id=agreement.pk,
                version=version,
                evaluation=evaluation,
                data=data,
            ),
            form,
        )
        if outcome.ok:
            return _done(
                request,
                agreement.person_id,
                _("The caregiver is replaced: the new agreement is drawn up, to be signed."),
            )
    return _refused(request, form, agreement.person_id)


@require_GET
def placement_overview(request):
    _reader(request.user)
    return render(
        request,
        "care/placements.html",
        {
            "waiting": selectors.waiting_by_county(actor=request.user),
            "institutions": selectors.occupancy(area=request.user.division_id),
            "queue": list(
                selectors.placements(actor=request.user)
                .filter(state="waiting")
                .order_by("requested_on", "pk")[:LIST_ROWS]
            ),
        },
    )


@require_GET
def resident_list(request):
    """An institution's staff: the 特困 persons living there (nothing of who waits, nor of anyone
    else); the offices: those placed from their area, wherever."""
    if not selectors.may_read_residents(request.user):
        raise PermissionDenied(_("Your role does not read 特困 care."))
    return render(
        request, "care/residents.html", {"rows": list(selectors.residents(actor=request.user)[:LIST_ROWS])}
    )
