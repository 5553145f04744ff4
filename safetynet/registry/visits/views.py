"""Visit pages: record a visit on a phone (/registry/households/<id>/visits/new/), read one, print it
as DOCX or PDF; a problem's page (its case: steps, evidence, history); the open problems of the
area; the visiting rules the city bureau sets."""

import datetime
import uuid

from django import forms
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from safetynet.core.campaigns.selectors import campaigns
from safetynet.core.checklists import checklist_current, form_items
from safetynet.core.pages import attachment, call_service, finished, found, role_required
from safetynet.core.types import CampaignKind, Role
from safetynet.core.workflows.views import case_context
from safetynet.registry import codes, rules
from safetynet.registry.selectors import household_members
from safetynet.registry.visits import checklist, documents, selectors, services
from safetynet.registry.visits.hooks import with_state_labels

reader_required = role_required(
    rules.may_read_registry, lambda: _("Your role has no access to the registry.")
)


def _visit_campaigns(actor, household) -> list:
    day = timezone.localdate()
    return [
        c
        for c in campaigns(actor=actor).filter(
            kind=CampaignKind.VISITING, starts_on__lte=day, ends_on__gte=day
        )
        if household.village_id.startswith(c.area_id)
    ]


def _parse_time(value: str):
    if not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError({"visited_at": _("Give the date and time of the visit.")}) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _int_list(values: list[str], field: str) -> list[int]:
    try:
        numbers = [int(v) for v in values]
    except ValueError:
        raise ValidationError({field: _("Choose from the list.")}) from None
    if any(not 0 < n < 2**62 for n in numbers):
        raise ValidationError({field: _("Choose from the list.")})
    return numbers


def _read_post(request) -> dict:
    """The visit form as sent, in the service's terms (ValidationError for what no form sends)."""
    post, files = request.POST, request.FILES
    try:
        submission = uuid.UUID(post.get("submission", ""))
    except ValueError:
        raise ValidationError(_("The form is incomplete: open it again.")) from None
    campaign = post.get("campaign", "")
    photos = {}
    for key in files:
        if key.startswith("photo_"):
            sent = files.getlist(key)
            if len(sent) > 1:
                raise ValidationError({key: _("One photo per item.")})
            photos[key.removeprefix("photo_")] = sent[0]
    return {
        "data": {
            "purpose": post.get("purpose", ""),
            "note": post.get("note", ""),
            "visited_at": _parse_time(post.get("visited_at", "")),
            "campaign": _int_list([campaign], "campaign")[0] if campaign else None,
        },
        "answers": {key.removeprefix("item_"): post.getlist(key) for key in post if key.startswith("item_")},
        "photos": photos,
        "extra_photos": files.getlist("photos"),
        "people": _int_list(post.getlist("people_seen"), "people_seen"),
        "submission": submission,
    }


# Registry readers, and the caregivers and providers who visit the households of persons granted to them.
visitor_required = role_required(
    lambda user: rules.may_read_registry(user) or services.may_visit(user),
    lambda: _("Your role has no access to the registry."),
)


@visitor_required
@require_http_methods(["GET", "POST"])
def visit_new(request, pk: int):
    household = found(selectors.household_to_visit, actor=request.user, pk=pk)
    if not services.may_visit(request.user):
        raise PermissionDenied(_("Your role does not record household visits."))
    # A caregiver or provider reads neither the household's page nor the visit's: it goes back to
    # the person granted to it (the page its desk sent it from).
    reader = rules.may_read_registry(request.user)
    back = reverse("registry:household_detail", args=[household.pk]) if reader else reverse(
        "registry:person_list")
    template = checklist_current(checklist.checklist_code_for(household))
    errors: dict = {}
    given_answers: dict = {}
    sent = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        earlier = selectors.visit_already_sent(actor=request.user, household=household,
                                               submission=request.POST.get("submission", ""))
        if earlier is not None:
            return finished(request, reverse("registry:visit_detail", args=[earlier.pk]) if reader else back,
                            _("This visit was saved already; it was not saved twice."))
        try:
            parsed = _read_post(request)
            given_answers = parsed["answers"]
            visit = services.visit_record(actor=request.user, household=household, **parsed)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            given_answers = given_answers or {
                k.removeprefix("item_"): request.POST.getlist(k)
                for k in request.POST
                if k.startswith("item_")
            }
        else:
            found_problems = visit.problems.count()
            message = (
                _("The visit is recorded.")
                if not found_problems
                else _("The visit is recorded; %(count)s problems were opened with their deadlines.")
                % {"count": found_problems}
            )
            return finished(request, reverse("registry:visit_detail", args=[visit.pk]) if reader else back,
                            message)
    members = list(household_members(household=household))
    context = {
        "household": household,
        "back": back,
        "reader": reader,
        "template": template,
        "items": form_items(template, given_answers, errors),
        "errors": errors,
        # Everything not shown beside its checklist item is said above the form.
        "general_errors": [message for key, messages in errors.items()
                           if not key.startswith(("item_", "photo_")) for message in messages],
        "purposes": codes.VisitPurpose.choices,
        "campaigns": _visit_campaigns(request.user, household),
        "members": members,
        "submission": sent.get("submission") or uuid.uuid4(),
        "sent": sent,
        "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "seen": set(sent.getlist("people_seen")) if sent else {str(m.person_id) for m in members},
    }
    return render(request, "registry/visit_form.html", context, status=400 if errors else 200)


@reader_required
@require_GET
def visit_detail(request, pk: int):
    visit = found(selectors.visit_get, actor=request.user, pk=pk)
    return render(
        request,
        "registry/visit_detail.html",
        {
            "visit": visit,
            "answers": selectors.visit_answers(visit),
            "photos": selectors.visit_photos(actor=request.user, visit=visit),
            "problems": list(visit.problems.select_related("case")),
            "people": list(visit.people_seen.all()),
        },
    )


@reader_required
@require_GET
def visit_print(request, pk: int, fmt: str):
    visit = found(selectors.visit_get, actor=request.user, pk=pk)
    return attachment(documents.visit_record_document(actor=request.user, visit=visit, fmt=fmt))


@reader_required
@require_GET
def problem_detail(request, pk: int):
    problem = found(selectors.problem_get, actor=request.user, pk=pk)
    photos = [p for p in selectors.visit_photos(actor=request.user, visit=problem.visit)]
    return render(
        request,
        "registry/problem_detail.html",
        {"problem": problem, "photos": photos, **case_context(request, problem.case)},
    )


@reader_required
@require_GET
def problem_list(request):
    problems = selectors.problem_list(actor=request.user, open_only=request.GET.get("all") != "1")
    return render(
        request,
        "registry/problem_list.html",
        {
            "problems": with_state_labels(problems.order_by("case__due_at", "pk")[:500]),
            "showing_all": request.GET.get("all") == "1",
        },
    )


class VisitRuleForm(forms.Form):
    every_days = forms.IntegerField(
        label=gettext_lazy("Every (days)"), required=False, min_value=1, max_value=366
    )
    cold_wave_hours = forms.IntegerField(
        label=gettext_lazy("Within hours of a cold wave"), required=False, min_value=1, max_value=240
    )
    active = forms.BooleanField(label=gettext_lazy("In force"), required=False)


@reader_required
@require_http_methods(["GET", "POST"])
def visit_rules(request):
    """The visiting rules; the city bureau saves one at a time (the form names the rule it edits)."""
    if request.method == "POST":
        try:
            rule = selectors.visit_rule_get(int(request.POST.get("rule", "")))
        except (ValueError, OverflowError, ObjectDoesNotExist):
            raise Http404(_("There is no such visiting rule.")) from None
        form = VisitRuleForm(request.POST, prefix=str(rule.pk))
        if form.is_valid():
            outcome = call_service(
                lambda: services.visit_rule_set(actor=request.user, rule=rule, **form.cleaned_data), form)
            if outcome.ok:
                return finished(request, reverse("registry:visit_rules"), _("The visiting rule is saved."))
        back = reverse("registry:visit_rules")
        return render(request, "core/case_refused.html", {"form": form, "back": back}, status=400)
    rows = []
    for rule, label in selectors.visit_rules():
        initial = {"every_days": rule.every_days, "active": rule.active,
                   "cold_wave_hours": rule.cold_wave_hours}
        rows.append((rule, label, VisitRuleForm(initial=initial, prefix=str(rule.pk))))
    return render(request, "registry/visit_rules.html",
                  {"rows": rows, "may_edit": request.user.role == Role.CITY_BUREAU})
