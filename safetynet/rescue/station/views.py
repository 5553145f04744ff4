"""/rescue/stations/: the rescue stations of the reader's area with their supplies and duty; one
station's store (stock, minimum levels, receipts, issues, the ledger) and 24-hour roster (shifts, the
hours without a leader on duty, the leader's handover)."""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from safetynet.core.masking import mask_id_number
from safetynet.core.pages import attachment, call_service, finished, found
from safetynet.core.selectors import divisions_under
from safetynet.core.workflows.views import case_context
from safetynet.rescue import selectors as street
from safetynet.rescue.station import selectors, services, workflow
from safetynet.rescue.station.forms import (
    ActionForm,
    ArrivalForm,
    BudgetForm,
    CollectorForm,
    FoundForm,
    HandoverForm,
    IssueForm,
    MinimumForm,
    ReceiveForm,
    ShiftForm,
)

LEDGER_LINES = 100
SUPPLY_ITEMS = ReceiveForm.base_fields["item"].choices


def _reader(user) -> None:
    if not street.may_read(user):
        raise PermissionDenied(_("Your role does not read street rescue."))


def _budget_areas(actor) -> list[tuple[str, str]]:
    code = actor.division_id
    if len(code) >= 6:
        return [(d.code, d.name) for d in divisions_under(code[:6], level="county")]
    city = divisions_under(code, level="city")
    return [(d.code, d.name) for d in [*city, *divisions_under(code, level="county")]]


def _rows(actor) -> list[dict]:
    now = timezone.now()
    rows = []
    for station in selectors.stations(actor=actor)[:200]:
        stock = list(selectors.stock_of(station))
        rows.append(
            {
                "station": station,
                "low": [s for s in stock if s.on_hand < s.minimum],
                "leader": selectors.shifts(
                    station=station, since=now, until=now + datetime.timedelta(seconds=1)
                )
                .filter(post=selectors.LEADER)
                .first(),
                "gaps": selectors.roster_gaps(
                    station=station, since=now, until=now + selectors.ROSTER_HORIZON
                ),
            }
        )
    return rows


@require_GET
def station_list(request):
    actor = request.user
    _reader(actor)
    budget_form = None
    if actor.role in selectors.BUDGET_ROLES:
        budget_form = BudgetForm(areas=_budget_areas(actor))
    return render(
        request,
        "rescue/stations.html",
        {
            "rows": _rows(actor),
            "budgets": selectors.budgets(actor=actor),
            "budget_form": budget_form,
            "figures": _figures(actor),
        },
    )


def _figures(actor) -> dict:
    figures = selectors.stay_figures(actor=actor)
    labels = dict(SUPPLY_ITEMS)
    for row in figures["stock"]:
        row["item_label"] = labels.get(row["item"], row["item"])
    figures["exit_rows"] = [
        (workflow.STAY.state(code).label, count) for code, count in sorted(figures["by_exit"].items())
    ]
    return figures


@require_POST
def budget_set(request):
    actor = request.user
    _reader(actor)
    form = BudgetForm(request.POST, areas=_budget_areas(actor))
    if form.is_valid():
        data = form.cleaned_data
        outcome = call_service(
            lambda: services.budget_set(
                actor=actor,
                division_code=data["division"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                amount=data["amount"],
            ),
            form,
        )
        if outcome.ok:
            return finished(request, reverse("rescue:stations"), _("The supplies budget is set."))
    return render(
        request,
        "rescue/stations.html",
        {
            "rows": _rows(actor),
            "budgets": selectors.budgets(actor=actor),
            "budget_form": form,
            "figures": _figures(actor),
        },
        status=400,
    )


def _patrols(station) -> list[tuple[int, str]]:
    return [
        (p.pk, f"{p.team.name} {timezone.localtime(p.planned_for):%m-%d %H:%M}")
        for p in selectors.patrols_to_supply(station)
    ]


def _context(request, station, **forms) -> dict:
    actor = request.user
    now = timezone.now()
    keeper = selectors.may_keep_station(actor, station)
    since = now - datetime.timedelta(days=1)
    until = now + selectors.ROSTER_HORIZON
    people = list(selectors.duty_people(actor=actor, station=station)[:300]) if keeper else []
    context = {
        "station": station,
        "keeper": keeper,
        "stock": list(selectors.stock_of(station)),
        "ledger": list(selectors.ledger(station)[:LEDGER_LINES]),
        "shifts": list(selectors.shifts(station=station, since=since, until=until)),
        "gaps": selectors.roster_gaps(station=station, since=now, until=until),
        "officer_gaps": selectors.roster_gaps(
            station=station, since=now, until=until, post=selectors.OFFICER
        ),
        "waiting_handouts": selectors.handouts_waiting(station).count(),
        "now": now,
    }
    if keeper:
        context.update(
            receive_form=forms.get("receive_form") or ReceiveForm(),
            issue_form=forms.get("issue_form") or IssueForm(patrols=_patrols(station)),
            minimum_form=forms.get("minimum_form") or MinimumForm(),
            shift_form=forms.get("shift_form") or ShiftForm(people=people),
            arrival_form=forms.get("arrival_form") or ArrivalForm(),
        )
    context["stays"] = list(selectors.stays_here(actor=actor, station=station)[:200])
    for stay in context["stays"]:
        stay.state_label = workflow.STAY.state(stay.case.state).label if stay.case else ""
    mine = [s for s in context["shifts"] if s.user_id == actor.pk and s.post == selectors.LEADER]
    context["action_form"] = forms.get("action_form")
    context["to_sign"] = [s for s in mine if s.signed_at is None and s.starts_at <= now]
    context["handover_form"] = forms.get("handover_form") or HandoverForm()
    return context


def _station(request, pk: int):
    _reader(request.user)
    return found(selectors.station_get, actor=request.user, pk=pk)


@require_GET
def station_detail(request, pk: int):
    station = _station(request, pk)
    return render(request, "rescue/station.html", _context(request, station))


def _act(request, pk: int, form_name: str, form, run, message):
    """A keeper's form on the station page: the service run with the form's values, or the page
    again with the refusal beside the fields (status 400)."""
    station = _station(request, pk)
    if not selectors.may_keep_station(request.user, station):
        raise PermissionDenied(_("Your role does not keep this station's supplies and duty."))
    if form.is_valid():
        outcome = call_service(lambda: run(station, form.cleaned_data), form)
        if outcome.ok:
            words = message(outcome.value) if callable(message) else message
            return finished(request, reverse("rescue:station", args=[pk]), words)
    return render(request, "rescue/station.html", _context(request, station, **{form_name: form}), status=400)


@require_POST
def stock_receive(request, pk: int):
    return _act(
        request,
        pk,
        "receive_form",
        ReceiveForm(request.POST),
        lambda station, data: services.stock_receive(
            actor=request.user,
            station_id=station.pk,
            item=data["item"],
            quantity=data["quantity"],
            cost=data["cost"],
            supplier=data["supplier"],
        ),
        _("The supplies are received into the store."),
    )


@require_POST
def stock_issue(request, pk: int):
    station = _station(request, pk)
    return _act(
        request,
        pk,
        "issue_form",
        IssueForm(request.POST, patrols=_patrols(station)),
        lambda station, data: services.stock_issue(
            actor=request.user,
            station_id=station.pk,
            item=data["item"],
            quantity=data["quantity"],
            recipient=data["recipient"],
            patrol_id=data["patrol"],
        ),
        _("The supplies are issued."),
    )


@require_POST
def stock_minimum(request, pk: int):
    return _act(
        request,
        pk,
        "minimum_form",
        MinimumForm(request.POST),
        lambda station, data: services.stock_minimum_set(
            actor=request.user, station_id=station.pk, item=data["item"], minimum=data["minimum"]
        ),
        lambda stock: (
            _("The minimum level of %(item)s is %(minimum)s.")
            % {"item": stock.get_item_display(), "minimum": stock.minimum}
        ),
    )


@require_POST
def handouts_book(request, pk: int):
    return _act(
        request,
        pk,
        "action_form",
        ActionForm(request.POST),  # nothing to fill in: the form carries a refusal, if any
        lambda station, _data: services.handouts_book_earlier(actor=request.user, station_id=station.pk),
        lambda counts: (
            _("%(booked)s hand-outs booked against the stock; %(left)s still wait for supplies.")
            % {"booked": counts[0], "left": counts[1]}
        ),
    )


@require_POST
def shift_book(request, pk: int):
    station = _station(request, pk)
    people = list(selectors.duty_people(actor=request.user, station=station)[:300])
    return _act(
        request,
        pk,
        "shift_form",
        ShiftForm(request.POST, people=people),
        lambda station, data: services.shift_book(
            actor=request.user,
            station_id=station.pk,
            post=data["post"],
            user_id=data["user"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
        ),
        _("The shift is on the roster."),
    )


@require_POST
def shift_cancel(request, pk: int, shift: int):
    return _act(
        request,
        pk,
        "action_form",
        ActionForm(request.POST),
        lambda station, _data: services.shift_cancel(actor=request.user, shift_id=shift),
        _("The shift is taken off the roster."),
    )


@require_POST
def shift_sign(request, pk: int, shift: int):
    station = _station(request, pk)
    form = HandoverForm(request.POST)
    if form.is_valid():
        outcome = call_service(
            lambda: services.shift_sign(
                actor=request.user, shift_id=shift, handover=form.cleaned_data["handover"]
            ),
            form,
        )
        if outcome.ok:
            return finished(request, reverse("rescue:station", args=[pk]), _("The handover is signed."))
    context = _context(request, station, handover_form=form)
    return render(request, "rescue/station.html", context, status=400)


# --- stays ---------------------------------------------------------------------------------------------


@require_POST
def stay_new(request, pk: int):
    station = _station(request, pk)
    if not selectors.may_keep_station(request.user, station):
        raise PermissionDenied(_("Your role does not keep this station's supplies and duty."))
    form = ArrivalForm(request.POST)
    if form.is_valid():
        outcome = call_service(
            lambda: services.stay_receive(actor=request.user, station_id=station.pk, data=form.cleaned_data),
            form,
        )
        if outcome.ok:
            return finished(
                request,
                reverse("rescue:stay", args=[outcome.value.pk]),
                _("The arrival is recorded: screen now."),
            )
    return render(request, "rescue/station.html", _context(request, station, arrival_form=form), status=400)


def _stay_context(request, stay, **forms) -> dict:
    actor = request.user
    keeper = selectors.may_keep_station(actor, stay.station)
    collector_id = stay.collector_id_number
    return {
        "stay": stay,
        "keeper": keeper,
        "forms_to_print": list(workflow.FORMS.items()),
        "collector_id": mask_id_number(collector_id) if collector_id else "",
        "collector_form": forms.get("collector_form")
        or CollectorForm(
            initial={
                "version": stay.version,
                "collector_name": stay.collector_name,
                "collector_relation": stay.collector_relation,
            }
        ),
        "found_form": forms.get("found_form") or FoundForm(initial={"hometown": stay.hometown}),
        "search_due": stay.arrived_at + selectors.SEARCH_WITHIN,
        "dna_due": stay.arrived_at + selectors.DNA_WITHIN,
        **(case_context(request, stay.case) if stay.case_id else {}),
    }


def _stay(request, pk: int):
    _reader(request.user)
    return found(selectors.stay_get, actor=request.user, pk=pk)


@require_GET
def stay_detail(request, pk: int):
    stay = _stay(request, pk)
    return render(request, "rescue/stay.html", _stay_context(request, stay))


@require_POST
def stay_form(request, pk: int, form: str, fmt: str):
    """Print one of the stay's forms (a write: each print is kept with the stay, and the steps that
    need a form look for it), handed back as a download."""
    stay = _stay(request, pk)
    if not selectors.may_keep_station(request.user, stay.station):
        raise PermissionDenied(_("Your role does not keep this station's supplies and duty."))
    if form not in workflow.FORMS or fmt not in ("pdf", "docx"):
        raise Http404(_("There is no such form."))
    refusal = ActionForm({})
    outcome = call_service(
        lambda: services.stay_form_print(actor=request.user, stay_id=stay.pk, form=form, fmt=fmt), refusal
    )
    if outcome.ok:
        return attachment(outcome.value)
    context = _stay_context(request, stay)
    context["action_form"] = refusal
    return render(request, "rescue/stay.html", context, status=400)


@require_POST
def stay_collector(request, pk: int):
    stay = _stay(request, pk)
    form = CollectorForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        outcome = call_service(
            lambda: services.stay_collector_record(
                actor=request.user,
                stay_id=stay.pk,
                version=data["version"],
                name=data["collector_name"],
                relation=data["collector_relation"],
                id_number=data["collector_id_number"],
            ),
            form,
        )
        if outcome.ok:
            return finished(request, reverse("rescue:stay", args=[pk]), _("The collector is recorded."))
    return render(request, "rescue/stay.html", _stay_context(request, stay, collector_form=form), status=400)


@require_POST
def stay_search(request, pk: int):
    stay = _stay(request, pk)
    step = request.POST.get("step", "")
    form = FoundForm(request.POST) if step == "found" else ActionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        outcome = call_service(
            lambda: services.stay_search_step(
                actor=request.user,
                stay_id=stay.pk,
                step=step,
                name=data.get("name", ""),
                hometown=data.get("hometown", ""),
            ),
            form,
        )
        if outcome.ok:
            return finished(request, reverse("rescue:stay", args=[pk]), _("The family search is updated."))
    forms = {"found_form": form} if step == "found" else {}
    context = _stay_context(request, stay, **forms)
    context["action_form"] = form
    return render(request, "rescue/stay.html", context, status=400)
