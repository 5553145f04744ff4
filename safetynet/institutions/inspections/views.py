"""Inspection and hazard pages: assign an inspection (/institutions/<id>/inspections/new/), the
inspections of the user's institutions, one inspection with its answers, photos and rectification
notice, the phone form that records it (kept on the phone and sent again when the connection drops),
the hazards with their cases, a major hazard's plan, and the safety statistics."""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.core.checklists import checklist_current, form_items
from safetynet.core.pages import attachment, call_service, finished, found
from safetynet.core.types import Role
from safetynet.core.workflows.table import workflow as workflow_of
from safetynet.core.workflows.views import case_context
from safetynet.institutions import selectors as institution_selectors
from safetynet.institutions.inspections import documents, selectors, services, workflow
from safetynet.institutions.inspections.checklists import CHECKLISTS
from safetynet.institutions.inspections.forms import AssignForm, CancelForm, HazardForm, PlanForm
from safetynet.institutions.inspections.selectors import ASSIGNED, CATEGORIES, DONE, GRADES, INSPECTION_STATES
from safetynet.registry.views.common import form_page

LIST_ROWS = 500


def with_state_labels(hazards) -> list:
    """The hazards, each with the words of its case's state and whether it is overdue."""
    rows, now = list(hazards), timezone.now()
    for hazard in rows:
        case = hazard.case
        hazard.state_label = workflow.HAZARD.state(case.state).label if case else ""
        hazard.overdue = bool(
            case and case.closed_at is None and (case.overdue_since or (case.due_at and case.due_at < now))
        )
    return rows


def _reader(user) -> None:
    if not institution_selectors.may_read_institutions(user):
        raise PermissionDenied(_("Your role does not read institutions."))


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


@require_http_methods(["GET", "POST"])
def inspection_assign(request, pk: int):
    user = request.user
    _reader(user)
    institution = found(institution_selectors.institution_get, actor=user, pk=pk)
    if not services.may_assign(user):
        raise PermissionDenied(_("Only the city and county bureaus assign inspections."))
    inspectors = selectors.inspectors_for(actor=user, institution=institution)
    running = selectors.safety_campaigns(actor=user, institution=institution)
    initial = {
        "due_on": timezone.localdate() + datetime.timedelta(days=7),
        "campaign": running[0].pk if running else None,
    }
    form = AssignForm(request.POST or None, initial=initial, inspectors=inspectors, campaigns=running)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = {u.pk: u for u in inspectors}
        outcome = call_service(
            lambda: services.inspection_assign(
                actor=user,
                institution=institution,
                data={
                    "inspector": chosen.get(data["inspector"]),
                    "checklist": data["checklist"],
                    "due_on": data["due_on"],
                    "campaign": next((c for c in running if c.pk == data["campaign"]), None),
                },
            ),
            form,
        )
        if outcome.ok:
            return finished(
                request,
                reverse("institutions:inspection_detail", args=[outcome.value.pk]),
                _("The inspection is assigned."),
            )
    return form_page(
        request,
        title=_("Assign an inspection of %(name)s") % {"name": institution.name},
        forms_=[form],
        action=request.get_full_path(),
        cancel_url=reverse("institutions:detail", args=[pk]),
    )


@require_GET
def inspection_list(request):
    user = request.user
    _reader(user)
    state = request.GET.get("state", "")
    state = state if state in dict(INSPECTION_STATES) else ""
    campaign = _int_param(request, "campaign")
    mine = request.GET.get("mine") == "1" or user.role == Role.INSPECTOR
    rows = list(selectors.inspection_list(actor=user, state=state, campaign=campaign, mine=mine)[:LIST_ROWS])
    titles = {code: title for code, (title, _items) in CHECKLISTS.items()}
    for row in rows:
        row.checklist_title = titles.get(row.checklist_code, row.checklist_code)
    return render(
        request,
        "institutions/inspection_list.html",
        {
            "rows": rows,
            "states": INSPECTION_STATES,
            "state": state,
            "mine": mine,
            "campaigns": selectors.safety_campaigns_all(actor=user),
            "campaign": campaign,
        },
    )


@require_GET
def inspection_detail(request, pk: int):
    user = request.user
    _reader(user)
    inspection = found(selectors.inspection_get, actor=user, pk=pk)
    hazards = with_state_labels(inspection.hazards.select_related("case").order_by("pk"))
    return render(
        request,
        "institutions/inspection_detail.html",
        {
            "inspection": inspection,
            "answers": selectors.inspection_answers(inspection),
            "photos": selectors.inspection_photos(actor=user, inspection=inspection),
            "hazards": hazards,
            "may_fill": inspection.state == ASSIGNED
            and services.may_inspect(user, inspection),
            "cancel_form": CancelForm(initial={"version": inspection.version})
            if inspection.state == ASSIGNED and services.may_assign(user)
            else None,
        },
    )


@require_POST
def inspection_cancel(request, pk: int):
    user = request.user
    _reader(user)
    inspection = found(selectors.inspection_get, actor=user, pk=pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        outcome = call_service(
            lambda: services.inspection_cancel(
                actor=user,
                inspection=inspection,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            ),
            form,
        )
        if outcome.ok:
            return finished(
                request,
                reverse("institutions:inspection_detail", args=[pk]),
                _("The inspection is called off."),
            )
    back = reverse("institutions:inspection_detail", args=[pk])
    return render(request, "core/case_refused.html", {"form": form, "back": back}, status=400)


def _parse_time(value: str):
    if not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError({"inspected_at": _("Give the date and time of the inspection.")}) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _read_post(request) -> dict:
    post, files = request.POST, request.FILES
    try:
        submission = uuid.UUID(post.get("submission", ""))
    except ValueError:
        raise ValidationError(_("The form is incomplete: open it again.")) from None
    photos = {}
    for key in files:
        if key.startswith("photo_"):
            sent = files.getlist(key)
            if len(sent) > 1:
                raise ValidationError({key: _("One photo per item.")})
            photos[key.removeprefix("photo_")] = sent[0]
    return {
        "answers": {key.removeprefix("item_"): post.getlist(key) for key in post if key.startswith("item_")},
        "photos": photos,
        "extra_photos": files.getlist("photos"),
        "note": post.get("note", ""),
        "inspected_at": _parse_time(post.get("inspected_at", "")),
        "submission": submission,
    }


@require_http_methods(["GET", "POST"])
def inspection_fill(request, pk: int):
    """The phone form. The page is kept by the service worker and a form sent without a connection
    waits in the phone's outbox (core/outbox.js), sent again under its one-time key: the answers
    are saved once, whenever the connection comes back."""
    user = request.user
    _reader(user)
    inspection = found(selectors.inspection_get, actor=user, pk=pk)
    detail = reverse("institutions:inspection_detail", args=[pk])
    if request.method == "POST":
        earlier = selectors.inspection_already_sent(
            actor=user, inspection=inspection, submission=request.POST.get("submission", "")
        )
        if earlier is not None:
            return finished(request, detail, _("This inspection was saved already; it was not saved twice."))
    if not services.may_inspect(user, inspection):
        if request.method == "POST":
            raise PermissionDenied(_("This inspection is assigned to someone else."))
        return finished(request, detail, _("This inspection is assigned to someone else."))
    if inspection.state != ASSIGNED:
        return finished(request, detail, _("This inspection has been recorded or called off already."))
    template = checklist_current(inspection.checklist_code)
    errors: dict = {}
    given: dict = {}
    sent = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        given = {
            k.removeprefix("item_"): request.POST.getlist(k) for k in request.POST if k.startswith("item_")
        }
        try:
            done = services.inspection_record(actor=user, inspection=inspection, **_read_post(request))
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        else:
            count = done.hazards.count()
            message = (
                _("The inspection is recorded.")
                if not count
                else _("The inspection is recorded; %(count)s hazards were raised with their deadlines.")
                % {"count": count}
            )
            return finished(request, detail, message)
    return render(
        request,
        "institutions/inspection_form.html",
        {
            "inspection": inspection,
            "template": template,
            "items": form_items(template, given, errors),
            "errors": errors,
            "general_errors": [
                message
                for key, messages in errors.items()
                if not key.startswith(("item_", "photo_"))
                for message in messages
            ],
            "submission": sent.get("submission") or uuid.uuid4(),
            "sent": sent,
            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
        status=400 if errors else 200,
    )


@require_GET
def inspection_notice(request, pk: int, fmt: str):
    user = request.user
    _reader(user)
    inspection = found(selectors.inspection_get, actor=user, pk=pk)
    if inspection.state != DONE or not inspection.hazards.exists():
        raise PermissionDenied(_("Only an inspection that found hazards has a rectification notice."))
    return attachment(documents.rectification_notice_document(actor=user, inspection=inspection, fmt=fmt))


@require_GET
def hazard_list(request):
    user = request.user
    _reader(user)
    grade = request.GET.get("grade", "")
    grade = grade if grade in dict(GRADES) else ""
    category = request.GET.get("category", "")
    category = category if category in dict(CATEGORIES) else ""
    status = request.GET.get("status", "open")
    status = status if status in ("open", "overdue", "closed", "supervised", "all") else "open"
    campaign = _int_param(request, "campaign")
    rows = with_state_labels(
        selectors.hazard_list(actor=user, grade=grade, category=category, status=status, campaign=campaign)[
            :LIST_ROWS
        ]
    )
    return render(
        request,
        "institutions/hazard_list.html",
        {
            "rows": rows,
            "grades": GRADES,
            "categories": CATEGORIES,
            "grade": grade,
            "category": category,
            "status": status,
            "campaigns": selectors.safety_campaigns_all(actor=user),
            "campaign": campaign,
        },
    )


@require_GET
def hazard_detail(request, pk: int):
    user = request.user
    _reader(user)
    hazard = found(selectors.hazard_get, actor=user, pk=pk)
    photos = (
        selectors.inspection_photos(actor=user, inspection=hazard.inspection) if hazard.inspection_id else []
    )
    photos = [p for p in photos if not hazard.item or p.note in ("", _item_label(hazard))]
    may_plan = hazard.case.state == "planning" and user.role in services.PLANNING_ROLES
    return render(
        request,
        "institutions/hazard_detail.html",
        {
            "hazard": hazard,
            "photos": photos,
            "plan_form": PlanForm(
                initial={
                    "version": hazard.version,
                    "plan_owner": hazard.plan_owner,
                    "plan_funds": hazard.plan_funds,
                    "plan_measures": hazard.plan_measures,
                    "plan_deadline": hazard.plan_deadline,
                }
            )
            if may_plan
            else None,
            **case_context(request, hazard.case),
        },
    )


def _item_label(hazard) -> str:
    inspection = hazard.inspection
    if inspection is None or inspection.checklist is None:
        return ""
    return next((item["label"] for item in inspection.checklist.items if item["code"] == hazard.item), "")


@require_POST
def hazard_plan(request, pk: int):
    user = request.user
    _reader(user)
    hazard = found(selectors.hazard_get, actor=user, pk=pk)
    form = PlanForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        outcome = call_service(
            lambda: services.hazard_plan_record(
                actor=user, hazard=hazard, version=data["version"], data=data
            ),
            form,
        )
        if outcome.ok:
            return finished(
                request,
                reverse("institutions:hazard_detail", args=[pk]),
                _("The rectification plan is recorded."),
            )
    back = reverse("institutions:hazard_detail", args=[pk])
    return render(request, "core/case_refused.html", {"form": form, "back": back}, status=400)


@require_http_methods(["GET", "POST"])
def hazard_new(request, pk: int):
    """A hazard found otherwise than on an inspection's checklist (a drill, a report, a call)."""
    user = request.user
    _reader(user)
    institution = found(institution_selectors.institution_get, actor=user, pk=pk)
    if user.role not in services.RAISING_ROLES:
        raise PermissionDenied(_("Hazards are recorded by inspectors and the bureaus."))
    # Opened from a drill's problem: the problem's words offered as the description.
    offered = request.GET.get("description", "")[:300]
    form = HazardForm(request.POST or None, initial={"description": offered, "category": "other"})
    if request.method == "POST" and form.is_valid():
        outcome = call_service(
            lambda: services.hazard_raise(actor=user, institution=institution, **form.cleaned_data), form
        )
        if outcome.ok:
            return finished(
                request,
                reverse("institutions:hazard_detail", args=[outcome.value.pk]),
                _("The hazard is recorded with its deadline."),
            )
    return form_page(
        request,
        title=_("Record a hazard at %(name)s") % {"name": institution.name},
        forms_=[form],
        action=request.get_full_path(),
        cancel_url=reverse("institutions:detail", args=[pk]),
    )


@require_GET
def statistics(request):
    user = request.user
    if not selectors.may_read_statistics(user):
        raise PermissionDenied(_("Your role does not read the safety statistics."))
    campaigns = selectors.safety_campaigns_all(actor=user)
    chosen = _int_param(request, "campaign")
    campaign = next((c for c in campaigns if c.pk == chosen), None)
    return render(
        request,
        "institutions/statistics.html",
        {
            "figures": selectors.statistics(actor=user, campaign=campaign),
            "campaigns": campaigns,
            "campaign": campaign,
            "flow": workflow_of(workflow.CODE),
        },
    )
