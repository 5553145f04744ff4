"""Street rescue's staff pages: the duty board (/rescue/), one incident with its dispatch, scene and
close forms, a team member's own team (/rescue/team/, the page a team keeps open on its phones) and the
campaign's figures. The board, the incident and the team page redraw themselves when their area's
work changes (core.live), so two officers and a team see one state."""

import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from safetynet.core.masking import mask_phone
from safetynet.core.pages import call_service, finished, found
from safetynet.core.scope import county_of, in_area
from safetynet.core.selectors import division_names, divisions_under, staff_list
from safetynet.core.services import unmask_log
from safetynet.rescue import geo, selectors, services
from safetynet.rescue.forms import (
    CallForm,
    CloseForm,
    ContactForm,
    DispatchForm,
    HotspotForm,
    LinkForm,
    PatrolLogForm,
    PatrolPlanForm,
    TeamForm,
    TeamStateForm,
)


def _reader(user) -> None:
    if not selectors.may_read(user):
        raise PermissionDenied(_("Your role does not read street rescue."))


def _duty(user) -> None:
    if not selectors.may_keep_duty(user):
        raise PermissionDenied(_("Your role does not keep the rescue duty."))


def _counties(actor):
    code = actor.division_id
    if len(code) >= 6:
        return list(divisions_under(code[:6], level="county")) or []
    return list(divisions_under(code, level="county"))


def _call_form(actor, data=None):
    counties = _counties(actor)
    initial = {"division": actor.division_id[:6]} if len(actor.division_id) >= 6 else {}
    return CallForm(data, counties=counties, initial=initial)


def _board_context(request, form=None) -> dict:
    actor = request.user
    now = timezone.now()
    rows = list(selectors.open_incidents(actor=actor)[:300])
    for incident in rows:
        incident.waited_minutes = int((now - incident.reported_at).total_seconds() // 60)
    return {
        "incidents": rows,
        "teams": list(selectors.teams(actor=actor)),
        "closed": list(selectors.closed_recently(actor=actor)[:50]),
        "form": form if form is not None else (_call_form(actor) if selectors.may_keep_duty(actor) else None),
        "names": division_names({i.division_id for i in rows}),
        "cold": list(selectors.cold_switches(actor=actor)),
    }


@require_GET
def board(request):
    _reader(request.user)
    return render(request, "rescue/board.html", _board_context(request))


@require_POST
def incident_new(request):
    _duty(request.user)
    form = _call_form(request.user, request.POST)
    if form.is_valid():
        outcome = call_service(
            lambda: services.incident_receive(actor=request.user, data=form.cleaned_data), form
        )
        if outcome.ok:
            return finished(
                request,
                reverse("rescue:incident", args=[outcome.value.pk]),
                _("The report is logged: send a team."),
            )
    return render(request, "rescue/board.html", _board_context(request, form), status=400)


def _incident(request, pk: int):
    return found(selectors.incident_get, actor=request.user, pk=pk)


def _incident_context(request, incident, **forms) -> dict:
    actor = request.user
    duty = selectors.may_keep_duty(actor)
    member = incident.team_id is not None and selectors.is_member(actor, incident.team_id)
    phone = incident.caller_phone
    if phone and duty and in_area(actor, incident.division_id):
        unmask_log(actor=actor, subject=incident, fields="caller_phone", channel="page")
    else:
        phone = mask_phone(phone)
    context = {
        "incident": incident,
        "phone": phone,
        "duty": duty,
        "member": member,
        "contacts": list(selectors.contacts(incident=incident)),
        "link_form": LinkForm() if duty else None,
        "area_name": division_names([incident.division_id]).get(incident.division_id, incident.division_id),
    }
    is_open = incident.state != "closed"
    if duty and incident.state == "received":
        teams = selectors.dispatchable_teams(actor=actor, incident=incident)
        labels = [
            (
                team,
                _("%(name)s (%(county)s) — %(km)s km")
                % {"name": team.name, "county": team.county.name, "km": f"{km:.1f}"}
                if km is not None
                else f"{team.name} ({team.county.name})",
            )
            for team, km in teams
        ]
        context["dispatch_form"] = forms.get("dispatch_form") or DispatchForm(
            teams=labels, initial={"version": incident.version, "team": teams[0][0].pk if teams else None}
        )
        context["no_team"] = not teams
    if (duty or member) and incident.state in ("dispatched", "on_scene"):
        context["contact_form"] = forms.get("contact_form") or ContactForm(
            initial={"submission": uuid.uuid4(), "close": True}
        )
    if (duty or member) and is_open:
        context["close_form"] = forms.get("close_form") or CloseForm(initial={"version": incident.version})
    return context


@require_GET
def incident_detail(request, pk: int):
    incident = _incident(request, pk)
    return render(request, "rescue/incident.html", _incident_context(request, incident))


def _refused(request, incident, **forms):
    return render(request, "rescue/incident.html", _incident_context(request, incident, **forms), status=400)


@require_POST
def incident_dispatch(request, pk: int):
    incident = _incident(request, pk)
    _duty(request.user)
    teams = selectors.dispatchable_teams(actor=request.user, incident=incident)
    form = DispatchForm(request.POST, teams=[(team, team.name) for team, _km in teams])
    if form.is_valid():
        outcome = call_service(
            lambda: services.team_dispatch(
                actor=request.user,
                incident_id=incident.pk,
                version=form.cleaned_data["version"],
                team_id=form.cleaned_data["team"],
            ),
            form,
        )
        if outcome.ok:
            return finished(
                request,
                reverse("rescue:incident", args=[pk]),
                _("%(team)s is sent; its members are told.") % {"team": outcome.value.team.name},
            )
    return _refused(request, _incident(request, pk), dispatch_form=form)


@require_POST
def incident_arrive(request, pk: int):
    incident = _incident(request, pk)
    form = CloseForm()  # only to carry a refusal onto the page
    outcome = call_service(lambda: services.team_arrive(actor=request.user, incident_id=incident.pk), form)
    if outcome.ok:
        return finished(request, reverse("rescue:incident", args=[pk]), _("The team is on scene."))
    return _refused(request, incident, close_form=form)


@require_POST
def contact_new(request, pk: int):
    incident = _incident(request, pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        outcome = call_service(
            lambda: services.contact_record(
                actor=request.user,
                incident_id=incident.pk,
                data=data,
                handouts=form.handouts(),
                close=bool(data.get("close")),
                submission=data["submission"],
            ),
            form,
        )
        if outcome.ok:
            return finished(request, reverse("rescue:incident", args=[pk]), _("The contact is recorded."))
    return _refused(request, incident, contact_form=form)


@require_POST
def incident_close(request, pk: int):
    incident = _incident(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        outcome = call_service(
            lambda: services.incident_close(
                actor=request.user,
                incident_id=incident.pk,
                version=form.cleaned_data["version"],
                closing=form.cleaned_data["closing"],
                reason=form.cleaned_data["reason"],
            ),
            form,
        )
        if outcome.ok:
            return finished(request, reverse("rescue:incident", args=[pk]), _("The incident is closed."))
    return _refused(request, incident, close_form=form)


@require_GET
def my_team(request):
    teams = list(selectors.teams_of_member(request.user))
    if not teams:
        raise PermissionDenied(_("You are not a member of a rescue team."))
    rows = []
    for team in teams:
        current = selectors.team_current(team.pk)
        rows.append(
            {"team": team, "current": current, "state_form": TeamStateForm(initial={"state": "available"})}
        )
    patrols = list(selectors.patrols_of_member(request.user))
    return render(request, "rescue/team.html", {"rows": rows, "patrols": patrols})


@require_POST
def team_state(request, pk: int):
    team = found(selectors.team_get, actor=request.user, pk=pk)
    form = TeamStateForm(request.POST)
    back = (
        reverse("rescue:my_team") if selectors.is_member(request.user, team.pk) else reverse("rescue:board")
    )
    if form.is_valid():
        outcome = call_service(
            lambda: services.team_state_set(
                actor=request.user, team_id=team.pk, state=form.cleaned_data["state"]
            ),
            form,
        )
        if outcome.ok:
            return finished(request, back, _("The team's state is set."))
    for error in form.non_field_errors() or [_("Choose the team's state.")]:
        messages.error(request, error)
    return finished(request, back)


def _period(request) -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    start = today.replace(month=11, day=15) if today.month >= 11 else datetime.date(today.year - 1, 11, 15)
    given_from, given_to = parse_date_safe(request.GET.get("from")), parse_date_safe(request.GET.get("to"))
    start = given_from or start
    end = given_to or today
    if end < start:
        start, end = end, start
    return start, end


EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)


def parse_date_safe(value) -> datetime.date | None:
    """A date of the query string, or None for one no campaign could have (not a date, or outside
    2000–2099: a year 1 or 9999 would overflow the time zone's arithmetic)."""
    if not value or len(value) > 10:
        return None
    try:
        day = parse_date(value)
    except ValueError:
        return None
    return day if day is not None and EARLIEST <= day <= LATEST else None


@require_GET
def figures(request):
    _reader(request.user)
    start, end = _period(request)
    zone = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, zone)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, zone)
    result = selectors.figures(actor=request.user, since=since, until=until)
    names = division_names([row["county"] for row in result["rows"]])
    for row in result["rows"]:
        row["name"] = names.get(row["county"], row["county"])
    return render(
        request,
        "rescue/figures.html",
        {**result, "start": start, "end": end, "county": county_of(request.user)},
    )


# --- patrols -----------------------------------------------------------------------------------------------


def _plan_form(actor, data=None):
    teams = list(selectors.teams(actor=actor))
    points = list(selectors.hotspots(actor=actor))
    start = timezone.localtime().replace(hour=20, minute=0, second=0, microsecond=0)
    return PatrolPlanForm(
        data, teams=teams, points=points, initial={"planned_for": start.strftime("%Y-%m-%dT%H:%M")}
    )


def _patrols_context(request, form=None) -> dict:
    actor = request.user
    since = timezone.now() - datetime.timedelta(days=2)
    return {
        "patrols": list(selectors.patrols(actor=actor, since=since)[:300]),
        "form": form if form is not None else (_plan_form(actor) if selectors.may_keep_duty(actor) else None),
        "cold": list(selectors.cold_switches(actor=actor)),
    }


@require_GET
def patrol_list(request):
    _reader(request.user)
    return render(request, "rescue/patrols.html", _patrols_context(request))


@require_POST
def patrol_new(request):
    _duty(request.user)
    form = _plan_form(request.user, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        outcome = call_service(
            lambda: services.patrol_plan(
                actor=request.user,
                team_id=data["team"],
                planned_for=data["planned_for"],
                hotspot_ids=data["points"],
            ),
            form,
        )
        if outcome.ok:
            return finished(request, reverse("rescue:patrols"), _("The patrol is planned."))
    return render(request, "rescue/patrols.html", _patrols_context(request, form), status=400)


def _patrol(request, pk: int):
    return found(selectors.patrol_get, actor=request.user, pk=pk)


def _patrol_context(request, patrol, form=None) -> dict:
    actor = request.user
    may_record = selectors.is_member(actor, patrol.team_id) or selectors.may_keep_duty(actor)
    context = {
        "patrol": patrol,
        "checks": list(selectors.patrol_checks(patrol)),
        "planned": list(patrol.points.all()),
        "may_record": may_record,
    }
    if may_record and patrol.state != "logged":
        context["log_form"] = form or PatrolLogForm(points=selectors.patrol_points(patrol))
    return context


@require_GET
def patrol_detail(request, pk: int):
    patrol = _patrol(request, pk)
    return render(request, "rescue/patrol.html", _patrol_context(request, patrol))


@require_POST
def patrol_start(request, pk: int):
    patrol = _patrol(request, pk)
    form = PatrolLogForm(points=())
    outcome = call_service(lambda: services.patrol_start(actor=request.user, patrol_id=patrol.pk), form)
    if outcome.ok:
        return finished(request, reverse("rescue:patrol", args=[pk]), _("The patrol has started."))
    return render(request, "rescue/patrol.html", _patrol_context(request, patrol, form), status=400)


@require_POST
def patrol_log(request, pk: int):
    patrol = _patrol(request, pk)
    form = PatrolLogForm(request.POST, points=selectors.patrol_points(patrol))
    if form.is_valid():
        outcome = call_service(
            lambda: services.patrol_log(
                actor=request.user, patrol_id=patrol.pk, checks=form.checks(), note=form.cleaned_data["note"]
            ),
            form,
        )
        if outcome.ok:
            return finished(request, reverse("rescue:patrol", args=[pk]), _("The patrol is logged."))
    return render(request, "rescue/patrol.html", _patrol_context(request, patrol, form), status=400)


# --- the map -----------------------------------------------------------------------------------------------


@require_GET
def city_map(request):
    """Open incidents, teams, hotspots and today's patrol routes over the county outlines (geo)."""
    _reader(request.user)
    actor = request.user
    county = county_of(actor)
    codes = (county,) if county else ()
    window = geo.frame(codes)

    def placed(rows, lat="latitude", lon="longitude"):
        shown = []
        for row in rows:
            if getattr(row, lat) is not None:
                row.map_x, row.map_y = window.point(getattr(row, lon), getattr(row, lat))
                shown.append(row)
        return shown

    start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    routes = []
    for patrol, points in selectors.patrol_routes(actor=actor, since=start_of_day):
        if len(points) >= 2:
            xy = [window.point(p.longitude, p.latitude) for p in points]
            routes.append({"patrol": patrol, "points": " ".join(f"{x},{y}" for x, y in xy)})
    return render(
        request,
        "rescue/map.html",
        {
            "window": window,
            "counties": geo.county_shapes(window, codes),
            "tiles": geo.tiles(window),
            "incidents": placed(selectors.open_incidents(actor=actor)[:500]),
            "teams": placed(selectors.teams(actor=actor), "base_latitude", "base_longitude"),
            "hotspots": placed(selectors.hotspots(actor=actor)),
            "routes": routes,
        },
    )


@require_GET
def incident_photo(request, pk: int):
    """The photo a member of the public sent with a report, for those who may read the incident."""
    incident = _incident(request, pk)
    if not incident.photo:
        raise Http404(_("This report came without a photo."))
    content_type = "image/png" if incident.photo.name.endswith(".png") else "image/jpeg"
    return FileResponse(incident.photo.open("rb"), content_type=content_type)


@require_POST
def contact_link(request, pk: int):
    contact = found(selectors.contact_get, actor=request.user, pk=pk)
    _duty(request.user)
    form = LinkForm(request.POST)
    if form.is_valid():
        outcome = call_service(
            lambda: services.contact_link_person(
                actor=request.user, contact_id=contact.pk, person_id=form.cleaned_data["person"]
            ),
            form,
        )
        if outcome.ok:
            return finished(
                request,
                reverse("rescue:incident", args=[contact.incident_id]),
                _("The contact is linked to the registered person."),
            )
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return finished(request, reverse("rescue:incident", args=[contact.incident_id]))


# --- teams and hotspots ------------------------------------------------------------------------------------


def _setup_context(request, team_form=None, hotspot_form=None) -> dict:
    actor = request.user
    context = {
        "teams": list(selectors.teams(actor=actor).prefetch_related("members")),
        "hotspots": list(selectors.hotspots(actor=actor)),
    }
    if selectors.may_keep_duty(actor):
        counties = _counties(actor)
        people = staff_list(actor=actor).filter(role__in=selectors.MEMBER_ROLES)[:500]
        initial = {"county": actor.division_id[:6]} if len(actor.division_id) >= 6 else {}
        context["team_form"] = team_form or TeamForm(counties=counties, people=people, initial=initial)
        context["hotspot_form"] = hotspot_form or HotspotForm(counties=counties, initial=initial)
    return context


@require_GET
def team_list(request):
    _reader(request.user)
    return render(request, "rescue/teams.html", _setup_context(request))


@require_POST
def team_new(request):
    _duty(request.user)
    actor = request.user
    people = list(staff_list(actor=actor).filter(role__in=selectors.MEMBER_ROLES)[:500])
    form = TeamForm(request.POST, counties=_counties(actor), people=people)
    if form.is_valid():
        data = form.cleaned_data
        chosen = [person for person in people if person.pk in set(data["members"])]
        outcome = call_service(
            lambda: services.team_create(
                actor=actor,
                county=data["county"],
                name=data["name"],
                vehicle=data["vehicle"],
                staff_count=data["staff_count"],
                base=(data["latitude"], data["longitude"]),
                members=chosen,
            ),
            form,
        )
        if outcome.ok:
            return finished(request, reverse("rescue:teams"), _("The team is set up."))
    return render(request, "rescue/teams.html", _setup_context(request, team_form=form), status=400)


@require_POST
def hotspot_new(request):
    _duty(request.user)
    form = HotspotForm(request.POST, counties=_counties(request.user))
    if form.is_valid():
        data = form.cleaned_data
        outcome = call_service(
            lambda: services.hotspot_create(
                actor=request.user,
                county=data["county"],
                name=data["name"],
                kind=data["kind"],
                base=(data["latitude"], data["longitude"]),
            ),
            form,
        )
        if outcome.ok:
            return finished(request, reverse("rescue:teams"), _("The point is added."))
    return render(request, "rescue/teams.html", _setup_context(request, hotspot_form=form), status=400)
