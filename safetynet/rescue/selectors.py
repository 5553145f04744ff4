"""What street rescue's pages read, each in the reader's area: the duty board, one incident, the
teams (the nearest first), a team member's own team, and the campaign's figures — defined here once."""

import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from safetynet.core.scope import granted_ids, in_scope, may_hold, scope_q
from safetynet.core.types import Role, User
from safetynet.institutions.selectors import GRANT_KIND as STATION_GRANT
from safetynet.rescue import rules
from safetynet.rescue.models import (
    ColdSwitch,
    Handout,
    Hotspot,
    Patrol,
    PatrolCheck,
    RescueTeam,
    StreetContact,
    StreetIncident,
)

# Who may be a team's member: the station's staff, the bureaus' officers, the grid workers who patrol.
MEMBER_ROLES = (Role.RESCUE_STATION, Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE, Role.GRID_WORKER)
OPEN_STATES = (StreetIncident.State.RECEIVED, StreetIncident.State.DISPATCHED, StreetIncident.State.ON_SCENE)


def may_read(actor: User) -> bool:
    """The bureaus and the stations' duty read their area's street work; a station's own staff (an
    institution account granted the station) read the work of the station's teams."""
    if not actor.is_authenticated:
        return False
    return actor.role in rules.READ_ROLES or bool(granted_station_ids(actor))


def granted_station_ids(actor: User) -> list[int]:
    """The rescue stations granted to the actor (institution grants of its staff)."""
    from safetynet.institutions.models import Institution

    # The station's own staff: not a contracted inspector, who holds the same kind of grant to inspect.
    if actor.role != Role.INSTITUTION_STAFF or not may_hold(actor, STATION_GRANT):
        return []
    return list(
        Institution.objects.filter(
            pk__in=granted_ids(actor, STATION_GRANT), kind=Institution.Kind.RESCUE_STATION
        ).values_list("pk", flat=True)
    )


def _county_scoped(actor: User, field: str) -> Q:
    """Rows of the actor's area, or of the counties of the stations granted to it (hotspots, cold
    mode: a county's, not a team's)."""
    stations = granted_station_ids(actor)
    if not stations:
        return scope_q(actor, field)
    from safetynet.institutions.models import Institution

    counties = {code[:6] for code in Institution.objects.filter(pk__in=stations).values_list(
        "division_id", flat=True)}
    return scope_q(actor, field) | Q(**{f"{field}__in": sorted(counties)})


def _scoped(actor: User, area_field: str, station_field: str) -> Q:
    """Rows in the actor's area (`area_field` holds a division code) or, for a station's staff, rows
    of the station's teams (`station_field` holds the station's id): one filter either way."""
    return scope_q(actor, area_field, granted=(STATION_GRANT, station_field))


def _readable(actor: User, division_code: str, station_id: int | None) -> bool:
    """The object check matching `_scoped`."""
    return may_read(actor) and in_scope(actor, division_code, granted=(STATION_GRANT, station_id))


def may_keep_duty(actor: User) -> bool:
    return actor.is_authenticated and actor.role in rules.DUTY_ROLES


def incidents(*, actor: User) -> QuerySet[StreetIncident]:
    if not may_read(actor):
        return StreetIncident.objects.none()
    return StreetIncident.objects.filter(_scoped(actor, "division_id", "team__station_id")).select_related(
        "team", "division"
    )


def open_incidents(*, actor: User) -> QuerySet[StreetIncident]:
    return incidents(actor=actor).filter(state__in=OPEN_STATES).order_by("reported_at", "pk")


def closed_recently(*, actor: User, hours: int = 24) -> QuerySet[StreetIncident]:
    since = timezone.now() - datetime.timedelta(hours=hours)
    return (
        incidents(actor=actor)
        .filter(state=StreetIncident.State.CLOSED, closed_at__gte=since)
        .order_by("-closed_at")
    )


def incident_get(*, actor: User, pk: int) -> StreetIncident:
    """The incident, for a reader of its area or a member of the team sent to it (DoesNotExist else)."""
    incident = StreetIncident.objects.select_related("team", "division", "received_by").get(pk=pk)
    if _readable(actor, incident.division_id, incident.team.station_id if incident.team else None):
        return incident
    if incident.team_id is not None and is_member(actor, incident.team_id) and _still_the_teams(incident):
        return incident
    raise StreetIncident.DoesNotExist


MEMBERS_READ_AFTER_CLOSE = datetime.timedelta(hours=12)


def _still_the_teams(incident: StreetIncident) -> bool:
    """A member reads an incident of the team while it is open and for half a day after it closed (to
    check what was recorded), not the team's whole history."""
    return incident.closed_at is None or incident.closed_at > timezone.now() - MEMBERS_READ_AFTER_CLOSE


def teams(*, actor: User) -> QuerySet[RescueTeam]:
    if not may_read(actor):
        return RescueTeam.objects.none()
    return RescueTeam.objects.filter(_scoped(actor, "county_id", "station_id")).select_related("county")


def team_get(*, actor: User, pk: int) -> RescueTeam:
    team = RescueTeam.objects.select_related("county").get(pk=pk)
    if _readable(actor, team.county_id, team.station_id) or is_member(actor, team.pk):
        return team
    raise RescueTeam.DoesNotExist


def is_member(actor: User, team_id: int) -> bool:
    return (
        actor.is_authenticated
        and RescueTeam.members.through.objects.filter(rescueteam_id=team_id, user_id=actor.pk).exists()
    )


def teams_of_member(actor: User) -> QuerySet[RescueTeam]:
    if not actor.is_authenticated:
        return RescueTeam.objects.none()
    return RescueTeam.objects.filter(members=actor).select_related("county").order_by("pk")


def team_current(team_id: int) -> StreetIncident | None:
    """The incident the team is out on, if any (at most one: a database constraint)."""
    return StreetIncident.objects.filter(
        team_id=team_id, state__in=[StreetIncident.State.DISPATCHED, StreetIncident.State.ON_SCENE]
    ).first()


def member_ids(team_id: int) -> list[int]:
    return list(
        RescueTeam.members.through.objects.filter(rescueteam_id=team_id).values_list("user_id", flat=True)
    )


def dispatchable_teams(*, actor: User, incident: StreetIncident) -> list[tuple[RescueTeam, float | None]]:
    """The teams of the actor's area that can go (available or on their way back), each with its
    distance in km from the incident where both are placed on the map: the nearest first, then the
    incident's own county's, then by name."""
    found = teams(actor=actor).filter(state__in=[RescueTeam.State.AVAILABLE, RescueTeam.State.RETURNING])
    rows = []
    for team in found:
        distance = None
        if incident.latitude is not None and team.base_latitude is not None:
            distance = rules.distance_km(
                incident.latitude, incident.longitude, team.base_latitude, team.base_longitude
            )
        rows.append((team, distance))
    own = incident.division_id[:6]
    rows.sort(key=lambda row: (row[1] is None, row[1] or 0, row[0].county_id != own, row[0].name))
    return rows


def contacts(*, incident: StreetIncident) -> QuerySet[StreetContact]:
    return (
        StreetContact.objects.filter(incident=incident)
        .prefetch_related("handouts")
        .select_related("team", "person")
    )


def contact_get(*, actor: User, pk: int) -> StreetContact:
    """A contact of an incident the actor may read (DoesNotExist else)."""
    contact = StreetContact.objects.get(pk=pk)
    incident_get(actor=actor, pk=contact.incident_id)
    return contact


def revisits_due(*, actor: User, until: datetime.datetime) -> QuerySet[StreetContact]:
    """Refusers whose revisit falls due by `until` and has not been made (the desk's work)."""
    return StreetContact.objects.filter(
        _scoped(actor, "division_id", "team__station_id"),
        outcome=StreetContact.Outcome.REFUSED,
        revisited_at__isnull=True,
        revisit_due_at__lte=until,
    ).order_by("revisit_due_at")


def incident_by_reference(reference: str) -> StreetIncident | None:
    """A public report, by the reference its sender was given (the Open311 status request)."""
    return StreetIncident.objects.filter(
        reference=reference, source__in=[StreetIncident.Source.PUBLIC, StreetIncident.Source.OPEN311]
    ).first()


def public_reports_since(sender: str, since: datetime.datetime) -> int:
    return StreetIncident.objects.filter(sender=sender, reported_at__gte=since).count()


# --- patrols and cold mode ---------------------------------------------------------------------------------


def hotspots(*, actor: User) -> QuerySet[Hotspot]:
    if not may_read(actor):
        return Hotspot.objects.none()
    return Hotspot.objects.filter(_county_scoped(actor, "county_id"), active=True).select_related("county")


def patrols(*, actor: User, since: datetime.datetime) -> QuerySet[Patrol]:
    """The area's patrols planned from `since` on, and those still open from before."""
    if not may_read(actor):
        return Patrol.objects.none()
    return (
        Patrol.objects.filter(_scoped(actor, "county_id", "team__station_id"))
        .filter(Q(planned_for__gte=since) | ~Q(state=Patrol.State.LOGGED))
        .select_related("team", "county")
        .annotate(planned_points=Count("points", distinct=True))
        .order_by("planned_for", "pk")
    )


def patrols_of_member(actor: User) -> QuerySet[Patrol]:
    return (
        Patrol.objects.filter(team__in=teams_of_member(actor).values("pk"))
        .exclude(state=Patrol.State.LOGGED)
        .select_related("team")
        .order_by("planned_for", "pk")
    )


def patrol_routes(*, actor: User, since: datetime.datetime) -> list[tuple[Patrol, list[Hotspot]]]:
    """The patrols not yet logged (from `since`, or still open), each with its planned points that are
    placed on the map, in the order they were chosen: two queries."""
    open_patrols = list(patrols(actor=actor, since=since).exclude(state=Patrol.State.LOGGED)[:200])
    through = (
        Patrol.points.through.objects.filter(patrol_id__in=[p.pk for p in open_patrols])
        .select_related("hotspot")
        .order_by("pk")
    )
    points: dict[int, list[Hotspot]] = {}
    for link in through:
        if link.hotspot.latitude is not None:
            points.setdefault(link.patrol_id, []).append(link.hotspot)
    return [(patrol, points.get(patrol.pk, [])) for patrol in open_patrols]


def patrol_get(*, actor: User, pk: int) -> Patrol:
    patrol = Patrol.objects.select_related("team", "county").get(pk=pk)
    if _readable(actor, patrol.county_id, patrol.team.station_id) or is_member(actor, patrol.team_id):
        return patrol
    raise Patrol.DoesNotExist


def patrol_points(patrol: Patrol) -> list[Hotspot]:
    """The points to tick on the patrol's log: the planned ones first, then the county's others."""
    planned = set(patrol.points.values_list("pk", flat=True))
    points = list(Hotspot.objects.filter(county_id=patrol.county_id, active=True))
    for point in points:
        point.planned = point.pk in planned
    return sorted(points, key=lambda point: (not point.planned, point.name))


def patrol_checks(patrol: Patrol) -> QuerySet[PatrolCheck]:
    return PatrolCheck.objects.filter(patrol=patrol).select_related("hotspot").order_by("hotspot__name")


def cold_switches(*, actor: User, at: datetime.datetime | None = None) -> QuerySet[ColdSwitch]:
    """Cold mode in force in the actor's area: the switches whose warning is in force at `at`."""
    at = at or timezone.now()
    if not may_read(actor):
        return ColdSwitch.objects.none()
    return (
        ColdSwitch.objects.filter(
            _county_scoped(actor, "county_id"),
            warning__starts_at__lte=at,
            warning__ends_at__gt=at,
            warning__withdrawn_at__isnull=True,
        )
        .select_related("county", "warning")
        .order_by("county_id", "-at")
    )


# --- the campaign's figures ------------------------------------------------------------------------------


MEASURES = (
    "incidents",
    "dispatches",
    "staff_times",
    "vehicle_trips",
    "in_station",
    "on_street",
    "items",
    "patrols",
    "persons_met",
    "points_planned",
    "points_checked",
    "planned_points_checked",
)


def figures(*, actor: User, since: datetime.datetime, until: datetime.datetime) -> dict:
    """The street part of the winter campaign between `since` and `until`, by county and for the
    whole area: incidents and dispatches; patrols logged, the persons met on them and the coverage of
    their planned points; staff-times and vehicle trips (a dispatch or a patrol: the team's staff,
    its vehicle); persons helped (taken to the station; helped on the street: supplies, hospital,
    police); items handed out; the response time (report to on scene) as median and 90th percentile
    in minutes. Set-based: one grouped query per measure, one read of the response times."""
    area = incidents(actor=actor).filter(reported_at__gte=since, reported_at__lt=until)
    by_county: dict[str, dict] = {}

    def row(code: str) -> dict:
        return by_county.setdefault(code, {"county": code, **dict.fromkeys(MEASURES, 0), "responses": []})

    county = Substr("division_id", 1, 6)
    sent = Q(dispatched_at__isnull=False)
    for code, count, dispatches, staff, vehicles in (
        area.annotate(county=county)
        .values("county")
        .annotate(
            n=Count("pk"),
            d=Count("pk", filter=sent),
            s=Sum("team__staff_count", filter=sent),
            v=Count("pk", filter=sent & ~Q(team__vehicle="")),
        )
        .values_list("county", "n", "d", "s", "v")
    ):
        entry = row(code)
        entry.update(incidents=count, dispatches=dispatches, staff_times=staff or 0, vehicle_trips=vehicles)
    helped = StreetContact.objects.filter(incident__in=area.values("pk"))
    for code, outcome, count in (
        helped.annotate(county=county)
        .values("county", "outcome")
        .annotate(n=Count("pk"))
        .values_list("county", "outcome", "n")
    ):
        row(code)["in_station" if outcome == StreetContact.Outcome.ACCEPTED else "on_street"] += count
    items = Handout.objects.filter(contact__in=helped.values("pk"))
    for code, count in (
        items.annotate(county=Substr("contact__division_id", 1, 6))
        .values("county")
        .annotate(n=Sum("quantity"))
        .values_list("county", "n")
    ):
        row(code)["items"] += count or 0
    for code, reported, on_scene in (
        area.filter(on_scene_at__isnull=False)
        .annotate(county=county)
        .values_list("county", "reported_at", "on_scene_at")
    ):
        row(code)["responses"].append(int((on_scene - reported).total_seconds()))
    logged = Patrol.objects.filter(
        _scoped(actor, "county_id", "team__station_id") if may_read(actor) else Q(pk__in=[]),
        state=Patrol.State.LOGGED,
        planned_for__gte=since,
        planned_for__lt=until,
    )
    for code, count, staff, vehicles, met in (
        logged.values("county_id")
        .annotate(
            n=Count("pk"),
            s=Sum("team__staff_count"),
            v=Count("pk", filter=~Q(team__vehicle="")),
            m=Sum("persons_met"),
        )
        .values_list("county_id", "n", "s", "v", "m")
    ):
        entry = row(code)
        entry["patrols"] += count
        entry["staff_times"] += staff or 0
        entry["vehicle_trips"] += vehicles
        entry["persons_met"] += met or 0
    planned = Patrol.points.through.objects.filter(patrol__in=logged.values("pk"))
    for code, count in (
        planned.values("patrol__county_id").annotate(n=Count("pk")).values_list("patrol__county_id", "n")
    ):
        row(code)["points_planned"] += count
    was_planned = Q(
        hotspot__in=Patrol.points.through.objects.filter(patrol_id=OuterRef("patrol_id")).values("hotspot_id")
    )
    checked = PatrolCheck.objects.filter(patrol__in=logged.values("pk"))
    for code, count, covered in (
        checked.values("patrol__county_id")
        .annotate(n=Count("pk"), c=Count("pk", filter=was_planned))
        .values_list("patrol__county_id", "n", "c")
    ):
        entry = row(code)
        entry["points_checked"] += count
        entry["planned_points_checked"] += covered
    rows = [by_county[code] for code in sorted(by_county)]
    total = {"county": "", **dict.fromkeys(MEASURES, 0), "responses": []}
    for entry in rows:
        for key in (*MEASURES, "responses"):
            total[key] += entry[key]
    for entry in [*rows, total]:
        entry["persons_helped"] = entry["in_station"] + entry["on_street"]
        times = sorted(entry.pop("responses"))
        entry["responses"] = len(times)
        median, p90 = rules.percentile(times, 0.5), rules.percentile(times, 0.9)
        entry["median_minutes"] = None if median is None else round(median / 60, 1)
        entry["p90_minutes"] = None if p90 is None else round(p90 / 60, 1)
        entry["coverage"] = (
            None
            if not entry["points_planned"]
            else round(100 * entry["planned_points_checked"] / entry["points_planned"], 1)
        )
    return {"rows": rows, "total": total}
