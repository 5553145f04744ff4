"""The safety-records pages: an institution's records (trainings, plans and drills, night watches,
incidents), the overview of the user's institutions, each record with its photos and PDFs, the forms
that record them, and an incident's page with its case. Written by the institution's staff and the
county of its area; read by whoever reads the institution. Another area's records are not found."""

import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from safetynet.core.pages import call_service, finished, found, role_required
from safetynet.core.workflows.views import case_context
from safetynet.institutions.inspections.services import RAISING_ROLES
from safetynet.institutions.safety import forms as safety_forms
from safetynet.institutions.safety import selectors, services
from safetynet.institutions.selectors import institution_get
from safetynet.registry.views.common import form_page

reader_required = role_required(selectors.may_read, lambda: _("Your role does not read institutions."))


def _writer(user, institution) -> None:
    if not services.may_write(user, institution):
        raise PermissionDenied(
            _("Only the institution's own staff and the county bureau of its area record its safety records.")
        )


def _data(form, *skip) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k not in ("version", "photo", "document", *skip)}


@reader_required
@require_GET
def safety_overview(request):
    rows = selectors.overview(actor=request.user)
    return render(
        request,
        "institutions/safety/overview.html",
        {
            "rows": rows,
            "training_days": selectors.training_days(),
            "drill_days": selectors.drill_days(),
            "today": timezone.localdate(),
        },
    )


@reader_required
@require_GET
def safety_institution(request, pk: int):
    user = request.user
    institution = found(institution_get, actor=user, pk=pk)
    today = timezone.localdate()
    incidents = list(selectors.incidents(actor=user, institution_id=pk)[:50])
    for incident in incidents:
        incident.state_label = selectors.case_state_label(incident.case)
    return render(
        request,
        "institutions/safety/institution.html",
        {
            "institution": institution,
            "may_write": services.may_write(user, institution),
            "trainings": list(selectors.trainings(actor=user, institution_id=pk)[:20]),
            "training_days": selectors.training_days(),
            "plans": list(selectors.plans(actor=user, institution_id=pk)),
            "drills": list(selectors.drills(actor=user, institution_id=pk)[:20]),
            "drill_days": selectors.drill_days(),
            "watches": list(selectors.watch_nights(actor=user, institution_id=pk)[:14]),
            "missing_nights": selectors.missing_nights(institution=institution, today=today),
            "incidents": incidents,
        },
    )


def _new(request, pk: int, form_class, title: str, save, done: str, files=()):
    user = request.user
    institution = found(institution_get, actor=user, pk=pk)
    _writer(user, institution)
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = {name: form.cleaned_data.get(name) for name in files}
        outcome = call_service(lambda: save(user, institution, _data(form), uploads), form)
        if outcome.ok:
            return finished(request, reverse("institutions:safety_institution", args=[pk]), done)
    return form_page(
        request,
        title=title % {"name": institution.name},
        forms_=[form],
        action=request.get_full_path(),
        cancel_url=reverse("institutions:safety_institution", args=[pk]),
    )


@reader_required
@require_http_methods(["GET", "POST"])
def safety_training_new(request, pk: int):
    return _new(
        request,
        pk,
        safety_forms.TrainingForm,
        _("Record a training at %(name)s"),
        lambda user, inst, data, up: services.training_record(
            actor=user, institution_id=inst.pk, data=data, photo=up["photo"]
        ),
        _("The training is recorded."),
        files=("photo",),
    )


@reader_required
@require_http_methods(["GET", "POST"])
def safety_plan_new(request, pk: int):
    return _new(
        request,
        pk,
        safety_forms.PlanForm,
        _("Record an emergency plan of %(name)s"),
        lambda user, inst, data, up: services.plan_record(
            actor=user, institution_id=inst.pk, data=data, document=up["document"]
        ),
        _("The emergency plan is recorded."),
        files=("document",),
    )


@reader_required
@require_http_methods(["GET", "POST"])
def safety_watch_new(request, pk: int):
    return _new(
        request,
        pk,
        safety_forms.WatchForm,
        _("Record a night's watch at %(name)s"),
        lambda user, inst, data, up: services.watch_record(
            actor=user, institution_id=inst.pk, data=data, photo=up["photo"]
        ),
        _("The watch is recorded."),
        files=("photo",),
    )


@reader_required
@require_http_methods(["GET", "POST"])
def safety_incident_new(request, pk: int):
    return _new(
        request,
        pk,
        safety_forms.IncidentForm,
        _("Report an incident at %(name)s"),
        lambda user, inst, data, up: services.incident_report(actor=user, institution_id=inst.pk, data=data),
        _("The incident is recorded: report it upward in time."),
    )


def _record_page(
    request, *, record, institution, kind: str, title: str, facts: list, extra: dict | None = None
):
    """A record with its facts and its photos and PDFs; a POST adds one (by whoever may write it)."""
    user = request.user
    may_write = services.may_write(user, institution)
    form = safety_forms.RecordEvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        _writer(user, institution)
        if form.is_valid():
            outcome = call_service(
                lambda: services.record_evidence_add(
                    actor=user,
                    kind=kind,
                    record_id=record.pk,
                    evidence_kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                    note=form.cleaned_data["note"],
                ),
                form,
            )
            if outcome.ok:
                return finished(request, request.path, _("The file is added."))
    return render(
        request,
        "institutions/safety/record.html",
        {
            "institution": institution,
            "title": title,
            "facts": facts,
            "may_write": may_write,
            "form": form,
            "evidence": list(selectors.record_evidence(actor=user, kind=kind, record_id=record.pk)),
            **(extra or {}),
        },
        status=400 if request.method == "POST" else 200,
    )


def _day(value) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, datetime.date) else "—"


@reader_required
@require_http_methods(["GET", "POST"])
def safety_training(request, pk: int):
    training = found(selectors.training_get, actor=request.user, pk=pk)
    facts = [
        (_("held on"), _day(training.held_on)),
        (_("topic"), training.get_topic_display()),
        (_("trainer"), training.trainer),
        (_("number of attendees"), training.attendee_count),
        (_("attendees (names)"), training.attendees or "—"),
        (_("note"), training.note or "—"),
    ]
    return _record_page(
        request,
        record=training,
        institution=training.institution,
        kind=selectors.TRAINING,
        title=_("Training of %(day)s") % {"day": _day(training.held_on)},
        facts=facts,
    )


@reader_required
@require_http_methods(["GET", "POST"])
def safety_plan(request, pk: int):
    plan = found(selectors.plan_get, actor=request.user, pk=pk)
    facts = [
        (_("scenarios"), "、".join(plan.scenario_labels())),
        (_("approved on"), _day(plan.approved_on)),
        (_("review due"), _day(plan.review_due)),
        (_("last drill"), _day(plan.last_drill)),
    ]
    extra = {"plan": plan, "drills": list(selectors.drills(actor=request.user, plan_id=plan.pk)[:50])}
    return _record_page(
        request,
        record=plan,
        institution=plan.institution,
        kind=selectors.PLAN,
        title=plan.title,
        facts=facts,
        extra=extra,
    )


@reader_required
@require_http_methods(["GET", "POST"])
def safety_plan_edit(request, pk: int):
    user = request.user
    plan = found(selectors.plan_get, actor=user, pk=pk)
    _writer(user, plan.institution)
    initial = {
        "title": plan.title,
        "scenarios": plan.scenarios,
        "approved_on": plan.approved_on,
        "review_due": plan.review_due,
        "version": plan.version,
    }
    form = safety_forms.PlanForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(
            lambda: services.plan_update(
                actor=user, plan_id=plan.pk, version=form.cleaned_data.get("version") or 0, data=_data(form)
            ),
            form,
        )
        if outcome.ok:
            return finished(request, reverse("institutions:safety_plan", args=[pk]), _("Saved."))
    return form_page(
        request,
        title=_("Change %(name)s") % {"name": plan.title},
        forms_=[form],
        action=request.get_full_path(),
        cancel_url=reverse("institutions:safety_plan", args=[pk]),
    )


@reader_required
@require_http_methods(["GET", "POST"])
def safety_drill_new(request, pk: int):
    user = request.user
    plan = found(selectors.plan_get, actor=user, pk=pk)
    _writer(user, plan.institution)
    form = safety_forms.DrillForm(
        request.POST or None, request.FILES or None, initial={"scenario": (plan.scenarios or [""])[0]}
    )
    if request.method == "POST" and form.is_valid():
        outcome = call_service(
            lambda: services.drill_record(
                actor=user, plan_id=plan.pk, data=_data(form), photo=form.cleaned_data.get("photo")
            ),
            form,
        )
        if outcome.ok:
            return finished(
                request, reverse("institutions:safety_plan", args=[pk]), _("The drill is recorded.")
            )
    return form_page(
        request,
        title=_("Record a drill of %(name)s") % {"name": plan.title},
        forms_=[form],
        action=request.get_full_path(),
        cancel_url=reverse("institutions:safety_plan", args=[pk]),
    )


@reader_required
@require_http_methods(["GET", "POST"])
def safety_drill(request, pk: int):
    drill = found(selectors.drill_get, actor=request.user, pk=pk)
    facts = [
        (_("emergency plan"), drill.plan.title),
        (_("held on"), _day(drill.held_on)),
        (_("scenario"), drill.get_scenario_display()),
        (_("residents evacuated"), drill.residents_evacuated),
        (_("time to evacuate (seconds)"), drill.evacuation_seconds),
    ]
    extra = {
        "problems": services.drill_problems(drill),
        "plan": drill.plan,
        # Each problem a drill found may be recorded as a hazard, rectified to a verified closure.
        "may_raise_hazards": request.user.role in RAISING_ROLES,
    }
    return _record_page(
        request,
        record=drill,
        institution=drill.plan.institution,
        kind=selectors.DRILL,
        title=_("Drill of %(day)s") % {"day": _day(drill.held_on)},
        facts=facts,
        extra=extra,
    )


@reader_required
@require_http_methods(["GET", "POST"])
def safety_watch(request, pk: int):
    watch = found(selectors.watch_get, actor=request.user, pk=pk)
    facts = [
        (_("night of"), _day(watch.night)),
        (_("person on duty"), watch.on_duty),
        (_("leader on duty"), watch.leader),
        (_("rounds made"), watch.rounds),
        (_("times of the rounds"), watch.round_times or "—"),
        (_("handover done"), _("yes") if watch.handover_done else _("no")),
        (_("note"), watch.note or "—"),
    ]
    return _record_page(
        request,
        record=watch,
        institution=watch.institution,
        kind=selectors.WATCH,
        title=_("Watch of the night of %(day)s") % {"day": _day(watch.night)},
        facts=facts,
    )


@reader_required
@require_GET
def safety_incident(request, pk: int):
    incident = found(selectors.incident_get, actor=request.user, pk=pk)
    context = case_context(request, incident.case) if incident.case_id else {}
    return render(request, "institutions/safety/incident.html", {"incident": incident, **context})
