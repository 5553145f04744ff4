"""/programmes/standards/: the standards in force and their history; the city bureau schedules a new
value, and another officer of the city bureau approves or rejects it."""

import csv
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from safetynet.core.pages import call_service, finished, found
from safetynet.core.selectors import division_path, divisions_under
from safetynet.core.types import DivisionLevel, UrbanRural
from safetynet.programmes import selectors, services, whatif
from safetynet.programmes.facts import household_explanation
from safetynet.programmes.forms import EnrolmentEndForm, EnrolmentStartForm
from safetynet.programmes.life import selectors as life_selectors
from safetynet.programmes.rules import FACTS, PERSON_FACTS, PROGRAMME_NAMES, RULES, readable
from safetynet.programmes.standards import KINDS
from safetynet.registry.rules import may_read_registry
from safetynet.registry.selectors import household_get, household_members
from safetynet.registry.views.common import form_page


def _int(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else None


def _date(raw: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None


@require_GET
def rules_page(request):
    """The rules as a policy officer reads them: each programme's conditions in words and as written,
    its amount, its version, and what each fact means."""
    rules = [{"rule": rule, "name": PROGRAMME_NAMES[code],
              "conditions": [{"condition": c, "readable": readable(c.expression.text)}
                             for c in rule.conditions],
              "amount": readable(rule.amount.text) if rule.amount else None}
             for code, rule in RULES.items()]
    return render(request, "programmes/rules.html", {
        "rules": rules, "facts": list(FACTS.items()), "person_facts": list(PERSON_FACTS.items())})


@require_http_methods(["GET", "POST"])
def standards(request):
    user = request.user
    may_set = services.may_set_standards(user)
    errors: dict = {}
    sent = {}
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied(_("Only the city bureau schedules standards."))
        action = request.POST.get("action", "")
        try:
            if action == "schedule":
                sent = request.POST
                services.standard_schedule(
                    actor=user, kind=sent.get("kind", ""), division_code=sent.get("division", ""),
                    urban_rural=sent.get("urban_rural", ""), valid_from=_date(sent.get("valid_from", "")),
                    value=sent.get("value", ""), note=sent.get("note", ""))
                return finished(request, request.path, _("The new value is scheduled: another officer of the "
                                                         "city bureau approves it."))
            pk, version = _int(request.POST.get("standard", "")), _int(request.POST.get("version", ""))
            if pk is None or version is None or not selectors.standard_exists(pk):
                raise ValidationError(_("This standard does not exist."))
            if action == "approve":
                services.standard_approve(actor=user, pk=pk, version=version)
                return finished(request, request.path, _("The standard is approved."))
            if action == "reject":
                services.standard_reject(actor=user, pk=pk, version=version,
                                         reason=request.POST.get("reason", "")[:500])
                return finished(request, request.path, _("The standard is rejected."))
            raise ValidationError(_("Choose what to do."))
        except ValidationError as refusal:
            errors = refusal.message_dict if hasattr(refusal, "error_dict") else {"__all__": refusal.messages}
    city = user.division_id[:4] if user.division_id else ""
    counties = divisions_under(city, level=DivisionLevel.COUNTY) if city else []
    areas = [(city, _("The whole city"))] + [(d.code, d.name) for d in counties]
    today = timezone.localdate()
    return render(request, "programmes/standards.html", {
        "overview": selectors.standards_overview(on=today),
        "adjustable": life_selectors.standards_with_adjustments() if may_set else [],
        "awaiting": selectors.standards_awaiting(),
        "may_set": may_set,
        "kinds": list(KINDS.values()),
        "areas": areas if may_set else [],
        "urban_rural": UrbanRural.choices,
        "errors": errors,
        "general_errors": [m for key, ms in errors.items() if key == "__all__" for m in ms],
        "sent": sent,
        "earliest": (today + datetime.timedelta(days=1)).isoformat(),
        "today": today,
    }, status=400 if errors else 200)


# --- eligibility over an area --------------------------------------------------------------------

KIND_LABELS = {"qualifies": gettext_lazy("qualify"),
               "not_enrolled": gettext_lazy("qualify but receive nothing"),
               "no_longer": gettext_lazy("receive but no longer qualify")}
PROGRAMME_LABELS = PROGRAMME_NAMES


def _run_areas(user) -> list[tuple[str, str]]:
    """The areas a user may run the rules over: the county bureau its county; the city bureau the
    city and each county."""
    if not user.division_id:
        return []
    if len(user.division_id) == 4:
        return [(user.division_id, _("The whole city"))] + [
            (d.code, d.name) for d in divisions_under(user.division_id, level=DivisionLevel.COUNTY)]
    return [(user.division_id, user.division.name)]


@require_http_methods(["GET", "POST"])
def eligibility(request):
    """Run the rules over an area (county bureau: its county; city bureau: the city or a county),
    and the runs kept so far."""
    user = request.user
    may_run = services.may_run_eligibility(user)
    errors: dict = {}
    if request.method == "POST":
        if not may_run:
            raise PermissionDenied(_("Only the city and county bureaus run the rules over an area."))
        try:
            run = services.eligibility_run(actor=user, area_code=request.POST.get("area", "")[:12],
                                           on=_date(request.POST.get("on", "")))
        except ValidationError as refusal:
            errors = refusal.message_dict if hasattr(refusal, "error_dict") else {"__all__": refusal.messages}
        else:
            return finished(request, reverse("programmes:eligibility_run", args=[run.pk]),
                            _("The rules have been run over %(area)s.") % {"area": run.area.name})
    areas = _run_areas(user) if may_run else []
    runs = list(selectors.eligibility_runs(actor=user)[:50])
    for run in runs:  # a run before a programme had its rule shows 0 for it
        run.count_rows = [(code, run.counts.get(code, {})) for code in PROGRAMME_NAMES]
    return render(request, "programmes/eligibility.html", {
        "runs": runs, "may_run": may_run, "areas": areas,
        "programmes": list(PROGRAMME_NAMES.items()),
        "errors": errors, "today": timezone.localdate().isoformat(),
    }, status=400 if errors else 200)


@require_GET
def eligibility_run(request, pk: int):
    run = found(selectors.eligibility_run_get, actor=request.user, pk=pk)
    townships = selectors.eligibility_by_township(run=run)
    programmes = [(code, PROGRAMME_LABELS.get(code, code)) for code in run.rules]

    def cells(counts: dict) -> list[tuple[str, str, int]]:
        return [(code, kind, counts.get(code, {}).get(kind, 0))
                for code, _label in programmes for kind in selectors.KINDS_OF_RESULT]

    for township in townships:
        township["cells"] = cells(township["counts"])
    return render(request, "programmes/eligibility_run.html", {
        "run": run, "townships": townships, "programmes": programmes, "totals": cells(run.counts)})


@require_GET
def eligibility_households(request, pk: int, programme: str, township: str):
    run = found(selectors.eligibility_run_get, actor=request.user, pk=pk)
    if programme not in run.rules or not (township.isascii() and township.isdigit() and len(township) == 9):
        raise Http404
    kind = request.GET.get("kind", "qualifies")
    if kind not in selectors.KINDS_OF_RESULT:
        kind = "qualifies"
    households = selectors.eligibility_households(actor=request.user, run=run, programme=programme,
                                                  township=township, kind=kind)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"eligibility-{run.pk}-{programme}-{township}-{kind}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response.write("\ufeff")  # Excel reads UTF-8 with its mark
        writer = csv.writer(response)
        writer.writerow([_("household"), _("village"), _("head of household"), _("address"),
                         _("amount (yuan)")])
        for row in households:
            writer.writerow([row["household_id"], row["village"], row["head"], row["address"],
                             "" if row["amount"] is None else row["amount"]])
        return response
    return render(request, "programmes/eligibility_households.html", {
        "run": run, "programme": programme, "programme_label": PROGRAMME_LABELS.get(programme, programme),
        "township": township, "households": households, "kind": kind, "kinds": KIND_LABELS})


@require_GET
def what_if(request):
    """What a new 低保 standard would do, by township; nothing changes. A GET form: the question is
    in the address, so a result can be sent to a colleague and opened again."""
    user = request.user
    if not services.may_run_eligibility(user):
        raise PermissionDenied(_("Only the city and county bureaus run the rules over an area."))
    today = timezone.localdate()
    asked = "value" in request.GET
    result, errors = None, {}
    if asked:
        try:
            result = whatif.standard_what_if(
                actor=user, area_code=request.GET.get("area", "")[:12],
                residence=request.GET.get("residence", ""), value=request.GET.get("value", "")[:20],
                starting=_date(request.GET.get("starting", "")))
        except ValidationError as refusal:
            errors = refusal.message_dict if hasattr(refusal, "error_dict") else {"__all__": refusal.messages}
    areas = _run_areas(user)
    return render(request, "programmes/what_if.html", {
        "areas": areas, "residences": UrbanRural.choices, "result": result, "errors": errors,
        "sent": request.GET if asked else {},
        "starting": selectors.first_of_next_month(today).isoformat(),
        "earliest": (today + datetime.timedelta(days=1)).isoformat(),
    }, status=400 if errors else 200)


# --- a household's explanation, printable ------------------------------------------------------------

@require_GET
def eligibility_print(request, pk: int):
    """The household's eligibility card as a page to print and sign: every condition and figure as of
    a day (?on=, today by default), with the versions used."""
    if not may_read_registry(request.user):
        raise PermissionDenied(_("Your role does not read the registry."))
    household = found(household_get, actor=request.user, pk=pk)
    raw = request.GET.get("on", "")
    on = _date(raw) if raw else timezone.localdate()
    context = {"household": household, "printing": True, "printed_at": timezone.localtime(),
               "village_path": division_path(household.village_id)}
    try:
        if on is None:
            raise ValidationError({"on": _("Enter a valid date.")})
        context |= household_explanation(actor=request.user, household=household, on=on)
    except ValidationError as refusal:
        errors = [message for messages in refusal.message_dict.values() for message in messages]
        return render(request, "programmes/eligibility_print.html", context | {"errors": errors}, status=400)
    return render(request, "programmes/eligibility_print.html", context)


# --- enrolments ------------------------------------------------------------------------------------

def _may_decide(user) -> None:
    if user.role not in services.DECIDING_ROLES:
        raise PermissionDenied(_("Only the county bureau records who receives a programme."))


@require_http_methods(["GET", "POST"])
def enrolment_start(request, pk: int):
    """Record that the household (or one member, for 特困) receives a programme, from its decision:
    opened from the household's eligibility card, with the rule's amount offered."""
    _may_decide(request.user)
    household = found(household_get, actor=request.user, pk=pk)
    members = [m.person for m in household_members(household=household) if m.left_on is None]
    back = reverse("registry:household_detail", args=[pk]) + "#eligibility"
    programme = request.GET.get("programme", "dibao")
    initial = {"programme": programme if programme in PROGRAMME_NAMES else "dibao",
               "since": selectors.first_of_next_month(timezone.localdate()),
               "amount": request.GET.get("amount", "")[:12],
               "person": _int(request.GET.get("person", ""))}
    form = EnrolmentStartForm(request.POST or None, initial=initial, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = next((p for p in members if p.pk == data["person"]), None)
        outcome = call_service(lambda: services.enrolment_start(
            actor=request.user, household=household, programme=data["programme"], since=data["since"],
            amount=data["amount"], decision=data["decision"], person=person), form)
        if outcome.ok:
            return finished(request, back, _("Recorded: the household receives %(programme)s.")
                            % {"programme": PROGRAMME_NAMES[data["programme"]]})
    title = _("Record that %(household)s receives a programme") % {"household": household}
    return form_page(request, title=title, forms_=[form], action=request.get_full_path(), cancel_url=back)


@require_http_methods(["GET", "POST"])
def enrolment_end(request, pk: int):
    _may_decide(request.user)
    enrolment = found(selectors.enrolment_get, actor=request.user, pk=pk)
    back = reverse("registry:household_detail", args=[enrolment.household_id]) + "#eligibility"
    form = EnrolmentEndForm(request.POST or None, initial={
        "version": enrolment.version, "until": selectors.first_of_next_month(timezone.localdate())})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = call_service(lambda: services.enrolment_end(
            actor=request.user, enrolment=enrolment, version=data["version"], until=data["until"],
            reason=data["end_reason"]), form)
        if outcome.ok:
            return finished(request, back, _("Ended."))
    label = PROGRAMME_NAMES.get(enrolment.programme, enrolment.programme)
    return form_page(request, title=_("End %(programme)s") % {"programme": label}, forms_=[form],
                     action=request.get_full_path(), cancel_url=back, submit=_("End it"),
                     intro=_("It is paid up to the day before; the history keeps the decision and the "
                             "reason."))
