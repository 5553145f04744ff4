"""The temporary aid pages: the area's list (late paperwork marked), recording an emergency for a
registered person (found by the person search) or a traveller, one aid with its payments and the
forms its state needs (pay first and in stages, the paperwork, the referral to the county and its
decision, the expenditure type's investigation and decision), an expenditure application from a
household, and the winter heating aid batches."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.core.pages import attachment, call_service, finished, found, unreadable_query
from safetynet.core.privacy import Disclosure
from safetynet.core.scope import in_area
from safetynet.core.selectors import division_list, division_path
from safetynet.core.workflows.views import case_context
from safetynet.programmes.aid import selectors, services, workflow
from safetynet.programmes.aid.forms import (
    AmountReasonForm,
    CountyDecisionForm,
    EmergencyForm,
    ExpenditureForm,
    HeatingForm,
    InvestigationForm,
    PaperworkForm,
    PaymentForm,
    StagesStopForm,
)
from safetynet.registry.rules import may_read_registry
from safetynet.registry.selectors import household_get, household_members, person_get, person_search
from safetynet.registry.views.common import form_page


def _reader(user) -> None:
    if not may_read_registry(user):
        raise PermissionDenied(_("Your role does not read temporary aid."))


def _recorder(user) -> None:
    if user.role not in services.RECORDING_ROLES:
        raise PermissionDenied(_("Temporary aid is recorded by the township or the county."))


def _shown(user, rows):
    """Each aid with its identifiers as the user may see them (masked here) and its late flag."""
    disclosure = Disclosure(user, channel="page")
    now = timezone.now()
    for row in rows:
        row.shown = disclosure.show(row)
        row.late = selectors.is_late(row, now)
        row.state_label = workflow.flow_of(row).state(row.case.state).label
    return rows


@require_GET
def aid_list(request):
    user = request.user
    _reader(user)
    refused = unreadable_query(request)
    if refused:
        return refused
    kind = request.GET.get("kind", "")
    kind = kind if kind in ("emergency", "expenditure") else ""
    late = request.GET.get("late") == "1"
    rows = _shown(user, list(selectors.aid_list(actor=user, kind=kind, late=late)[:200]))
    return render(
        request,
        "programmes/aid_list.html",
        {
            "rows": rows,
            "kind": kind,
            "late": late,
            "may_record": user.role in services.RECORDING_ROLES,
            "may_heat": user.role in services.HEATING_ROLES,
        },
    )


def _areas(user) -> list[tuple[str, str]]:
    """Where an emergency may have happened: the townships and villages of the user's area."""
    places = division_list(actor=user).filter(level__in=("township", "village")).order_by("code")
    return [(d.code, d.name) for d in places[:2000]]


def _candidate(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 and int(raw) > 0 else None


@require_http_methods(["GET", "POST"])
def aid_emergency(request):
    """Record an emergency: search the registry for the person (`q`), or record a traveller."""
    user = request.user
    _reader(user)
    _recorder(user)
    refused = unreadable_query(request)
    if refused:
        return refused
    query = request.GET.get("q", "").strip()[:50]
    chosen_pk = _candidate(request.POST.get("person", "") or request.GET.get("person", ""))
    chosen = None
    if chosen_pk:  # another area's person is as good as absent
        chosen = found(person_get, actor=user, pk=chosen_pk)
    candidates = []
    if query and chosen is None:
        try:
            candidates = list(person_search(actor=user, query=query)[:20])
        except (ValidationError, PermissionDenied) as error:
            candidates = []
            query_error = error.messages[0] if hasattr(error, "messages") else str(error)
        else:
            query_error = ""
    else:
        query_error = ""
    disclosure = Disclosure(user, channel="page")
    for person in candidates:
        person.shown = disclosure.show(person)
    areas = _areas(user)
    form = EmergencyForm(
        request.POST or None,
        areas=areas,
        chosen=chosen,
        initial={"person": chosen.pk if chosen else None, "area": areas[0][0] if areas else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = call_service(
            lambda: services.emergency_report(
                actor=user,
                area_code=data["area"],
                cause=data["cause"],
                what=data["what"],
                person_id=chosen.pk if chosen else None,
                name=data.get("name", ""),
                id_number=data.get("id_number", ""),
                home_place=data.get("home_place", ""),
                phone=data.get("phone", ""),
                reported_at=data["reported_at"],
            ),
            form,
        )
        if outcome.ok:
            return finished(
                request,
                reverse("programmes:aid", args=[outcome.value.pk]),
                _("The emergency is recorded: pay it first within 24 hours."),
            )
    return render(
        request,
        "programmes/aid_emergency.html",
        {
            "form": form,
            "query": query,
            "candidates": candidates,
            "chosen": chosen,
            "chosen_shown": disclosure.show(chosen) if chosen else None,
            "query_error": query_error,
        },
        status=400 if request.method == "POST" else 200,
    )


def _page(request, aid, **given):
    user = request.user
    state = aid.case.state
    context = case_context(request, aid.case)
    context["moves"] = [move for move in context["moves"] if move.code not in workflow.OWN_FORMS]
    township, county = user.role == "township_office", user.role == "county_bureau"
    payer = user.role in services.PAYING_ROLES
    emergency = aid.kind == "emergency"
    payable = (
        state in ("reported", "county_approved", "first_aid_paid", "paperwork_completed")
        if emergency
        else state in ("approved", "paid")
    )
    left = None if aid.approved_amount is None else aid.approved_amount - aid.paid_total
    instalments = list(selectors.instalments_of(aid))
    if payable and (left is not None and left <= 0 or instalments):
        payable = False  # nothing left, or the county's payroll pays it
    version = {"version": aid.version}
    forms_shown = {
        "pay_form": given.get("pay_form")
        or (
            PaymentForm(
                first=emergency and state == "reported", initial={**version, "from_reserve": emergency}
            )
            if payer and payable
            else None
        ),
        "paperwork_form": given.get("paperwork_form")
        or (PaperworkForm(initial=version) if payer and emergency and state == "first_aid_paid" else None),
        "refer_form": given.get("refer_form")
        or (
            AmountReasonForm(initial=version) if township and state in ("reported", "investigated") else None
        ),
        "county_form": given.get("county_form")
        or (CountyDecisionForm(initial=version) if county and state == "county_review" else None),
        "stop_form": given.get("stop_form")
        or (
            StagesStopForm(initial=version)
            if county and any(s.payment_id is None and s.stopped_at is None for s in instalments)
            else None
        ),
        "investigation_form": given.get("investigation_form")
        or (
            InvestigationForm(initial=version) if township and not emergency and state == "accepted" else None
        ),
        "decide_form": given.get("decide_form")
        or (
            AmountReasonForm(initial=version)
            if township and not emergency and state == "investigated"
            else None
        ),
    }
    place = "·".join(d.name for d in division_path(aid.area_id) if d.level != "city")
    rule = (aid.explanation or {}).get("results") or []
    return render(
        request,
        "programmes/aid.html",
        {
            **context,
            **forms_shown,
            "aid": aid,
            "place": place,
            "shown": Disclosure(user, channel="page").show(aid),
            "late": selectors.is_late(aid),
            "left": left,
            "payments": list(selectors.payments_of(aid)),
            "instalments": instalments,
            "elsewhere": selectors.registered_elsewhere(actor=user, aid=aid),
            "household_visible": bool(aid.household_id) and in_area(user, aid.household.village_id),
            "rule": rule[0] if rule else None,
            "state_label": workflow.flow_of(aid).state(state).label,
        },
        status=400 if given else 200,
    )


@require_GET
def aid_detail(request, pk: int):
    _reader(request.user)
    return _page(request, found(selectors.aid_get, actor=request.user, pk=pk))


@require_POST
def aid_record(request, pk: int, record: str):
    """The records a step needs: a payment, the paperwork, the referral to the county and its
    decision, the expenditure type's investigation and decision."""
    user = request.user
    _reader(user)
    aid = found(selectors.aid_get, actor=user, pk=pk)
    here = reverse("programmes:aid", args=[pk])
    first = aid.kind == "emergency" and aid.case.state == "reported"
    records = {
        "pay": (
            "pay_form",
            lambda data: PaymentForm(data, first=first),
            lambda d: services.aid_pay(
                actor=user,
                aid_id=pk,
                version=d["version"],
                amount=d["amount"],
                means=d["means"],
                from_reserve=d["from_reserve"],
                note=d["note"],
                approved_amount=d.get("approved_amount"),
            ),
            _("The payment is recorded as paid."),
        ),
        "paperwork": (
            "paperwork_form",
            PaperworkForm,
            lambda d: services.paperwork_complete(
                actor=user,
                aid_id=pk,
                version=d["version"],
                registrar=d["registrar"],
                signatories=d["signatories"],
                note=d["note"],
            ),
            _("The paperwork is completed."),
        ),
        "refer": (
            "refer_form",
            AmountReasonForm,
            lambda d: services.aid_refer_county(
                actor=user, aid_id=pk, version=d["version"], amount=d["amount"], reason=d["reason"]
            ),
            _("Referred to the county, which decides case by case."),
        ),
        "county": (
            "county_form",
            CountyDecisionForm,
            lambda d: services.aid_county_decide(
                actor=user,
                aid_id=pk,
                version=d["version"],
                amount=d["amount"],
                reason=d["reason"],
                stages=d.get("stages") or 0,
            ),
            _("The county's decision is recorded."),
        ),
        "stop": (
            "stop_form",
            StagesStopForm,
            lambda d: services.aid_stages_stop(
                actor=user, aid_id=pk, version=d["version"], reason=d["reason"]
            ),
            _("The stages not yet taken by the payroll are stopped."),
        ),
        "investigation": (
            "investigation_form",
            InvestigationForm,
            lambda d: services.expenditure_investigate(
                actor=user, aid_id=pk, version=d["version"], findings=d["findings"]
            ),
            _("The investigation is recorded."),
        ),
        "decide": (
            "decide_form",
            AmountReasonForm,
            lambda d: services.expenditure_decide(
                actor=user, aid_id=pk, version=d["version"], amount=d["amount"], reason=d["reason"]
            ),
            _("The decision is recorded."),
        ),
    }
    if record not in records:
        raise Http404(_("There is no such record."))
    name, make, call, done = records[record]
    form = make(request.POST)
    if form.is_valid():
        outcome = call_service(lambda: call(form.cleaned_data), form)
        if outcome.ok:
            return finished(request, here, done)
    return _page(request, found(selectors.aid_get, actor=user, pk=pk), **{name: form})


@require_http_methods(["GET", "POST"])
def aid_apply(request, pk: int):
    """An expenditure-type application for a household."""
    user = request.user
    household = found(household_get, actor=user, pk=pk)  # another area's household: not found
    _recorder(user)
    members = [m.person for m in household_members(household=household) if m.left_on is None]
    form = ExpenditureForm(request.POST or None, members=members, initial={"person": household.head_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = call_service(
            lambda: services.expenditure_apply(
                actor=user,
                household_id=household.pk,
                cause=data["cause"],
                what=data["what"],
                person_id=data["person"],
            ),
            form,
        )
        if outcome.ok:
            return finished(
                request,
                reverse("programmes:aid", args=[outcome.value.pk]),
                _("The application for temporary aid is handed in: it is on the township's desk."),
            )
    return form_page(
        request,
        title=_("Temporary aid for %(household)s") % {"household": household},
        forms_=[form],
        action=request.get_full_path(),
        cancel_url=reverse("registry:household_detail", args=[pk]),
        submit=_("Hand in"),
    )


@require_http_methods(["GET", "POST"])
def heating(request):
    """The winter heating aid: the area's batches, and (county and city) a new one."""
    user = request.user
    _reader(user)
    may_grant = user.role in services.HEATING_ROLES
    areas = (
        [
            (d.code, d.name)
            for d in division_list(actor=user)
            .filter(level__in=("city", "county", "township"))
            .order_by("code")[:500]
        ]
        if may_grant
        else []
    )
    today = timezone.localdate()
    form = (
        HeatingForm(
            request.POST or None,
            areas=areas,
            initial={
                "season": today.year if today.month >= 7 else today.year - 1,
                "on": today,
                "programmes": ["dibao", "tekun"],
            },
        )
        if may_grant
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Heating aid is decided by the county or the city bureau."))
        if form.is_valid():
            data = form.cleaned_data
            outcome = call_service(
                lambda: services.heating_aid_grant(
                    actor=user,
                    area_code=data["area"],
                    season=data["season"],
                    programmes=data["programmes"],
                    on=data["on"],
                    amount=data["amount"],
                ),
                form,
            )
            if outcome.ok:
                return finished(
                    request,
                    reverse("programmes:aid_heating"),
                    _("Heating aid granted to %(count)s households.") % {"count": outcome.value.granted},
                )
    # This winter's grants to the households of the user's area (a township sees its own households'
    # even when the county decided the batch), or another winter's with ?season=.
    current = today.year if today.month >= 7 else today.year - 1
    raw = request.GET.get("season", "")
    season = int(raw) if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= current + 1 else current
    grants = selectors.heating_grants(actor=user, season=season)
    return render(
        request,
        "programmes/aid_heating.html",
        {
            "form": form,
            "batches": list(selectors.heating_batches(actor=user)[:100]),
            "season": season,
            "grants": list(
                grants.select_related("household__head", "village").order_by("village_id", "pk")[:500]
            ),
            "grants_summary": selectors.heating_grants_summary(grants),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def aid_record_download(request, pk: int, fmt: str):
    """The aid's record (临时救助审批表) as DOCX or PDF, to print for the file and the signatures."""
    from safetynet.programmes.aid.documents import aid_record_file

    _reader(request.user)
    aid = found(selectors.aid_get, actor=request.user, pk=pk)
    if fmt not in ("docx", "pdf"):
        raise Http404(_("This document is not available for this aid."))
    return attachment(aid_record_file(actor=request.user, aid=aid, fmt=fmt))
