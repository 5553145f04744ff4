"""The demo city's street rescue: two teams per county (one of them the county station's), placed
near the county's seat on the map (approximate, synthetic coordinates); a duty officer and team
members' logins for 兰山区; three weeks of the winter campaign's incidents, dispatches and contacts, so
that the board and the figures have something to show; hotspots and patrols. Written in bulk (a few
hundred rows); what the services wrote is dated by the demo's clock. A team sent to an incident is
also told by SMS when no page of the member's is open (the SMS page's rule, which the city may
change); the Lanshan station's staff account reads its station's work through a grant."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.demo import (
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    HISTORY_START,
    DemoContext,
    demo_date_accounts,
    demo_date_history,
    demo_date_written_since,
    not_after_now,
)
from safetynet.core.types import Role

# Near each county's seat (synthetic, to the nearest hundredth of a degree).
SEATS = {
    "371302": (35.07, 118.34),
    "371311": (34.99, 118.28),
    "371312": (35.09, 118.40),
    "371321": (35.55, 118.47),
    "371322": (34.61, 118.37),
    "371323": (35.79, 118.63),
    "371324": (34.86, 118.05),
    "371325": (35.27, 117.98),
    "371326": (35.51, 117.64),
    "371327": (35.18, 118.84),
    "371328": (35.71, 117.95),
    "371329": (34.92, 118.65),
    "371371": (35.04, 118.22),
}
PLACES = [
    "沂河大桥下",
    "火车站广场",
    "汽车站候车厅外",
    "人民广场地下通道",
    "银行24小时自助室",
    "废弃厂房",
    "公园长椅",
    "商业街路口",
    "涵洞",
    "小区楼道",
]
DESCRIPTIONS = [
    "男，约60岁，红色外套，躺在纸板上",
    "女，约50岁，衣着单薄",
    "男，约40岁，带着编织袋",
    "老人，行动不便",
    "两人，在桥下生火取暖",
]
HISTORY_DAYS = 21
# Each county's hotspot points (SPEC §3.5), named after the kind of place.
HOTSPOTS = [
    ("火车站广场", "station"),
    ("汽车站", "station"),
    ("沂河大桥桥洞", "bridge"),
    ("人民广场地下通道", "underpass"),
    ("工商银行24小时自助室", "atm_room"),
    ("老棉纺厂废弃厂房", "abandoned"),
    ("滨河公园", "park"),
    ("步行街", "street"),
]


def _jitter(rng: random.Random, degrees: float) -> Decimal:
    return Decimal(str(round(degrees + rng.uniform(-0.04, 0.04), 6)))


def _logins(context: DemoContext) -> dict:
    from safetynet.core.selectors import users_by_username
    from safetynet.core.services import user_bulk_set_password, user_create

    plans = [
        ("lanshan-rescue", "王值班", "13905390101", Role.RESCUE_STATION),
        ("lanshan-team1", "李救助", "13905390102", Role.RESCUE_STATION),
        ("lanshan-team1b", "张救助", "13905390103", Role.RESCUE_STATION),
        ("lanshan-team2", "刘救助", "13905390104", Role.RESCUE_STATION),
        ("lanshan-station", "赵站员", "13905390105", Role.INSTITUTION_STAFF),
    ]
    existing = users_by_username(name for name, *_rest in plans)
    made = []
    for username, name, phone, role in plans:
        if username not in existing:
            existing[username] = user_create(
                username=username,
                role=role,
                division_code="371302",
                password=None,
                name=name,
                phone=phone,
            )
            made.append(existing[username])
    if made:
        user_bulk_set_password(users=made, password=DEMO_PASSWORD, email_domain=DEMO_EMAIL_DOMAIN)
    context.users.update(existing)
    return existing, made


def _station_staff_and_sms(context: DemoContext, logins: dict, station) -> None:
    from safetynet.core import sms
    from safetynet.core.grants import grant_create
    from safetynet.institutions.selectors import GRANT_KIND
    from safetynet.rescue.services import NOTICE_DISPATCHED

    if station is not None:
        grant_create(
            actor=context.users["city"],
            user=logins["lanshan-station"],
            kind=GRANT_KIND,
            object_id=station.pk,
            reason=_("Staff of the station"),
        )
    city = context.users["city"]
    sms.sms_rules_set(actor=city, pairs=sms.sms_rules() | {(NOTICE_DISPATCHED, str(Role.RESCUE_STATION))})


def build_street(context: DemoContext) -> str | None:
    from safetynet.core.selectors import divisions_under
    from safetynet.institutions.selectors import institutions
    from safetynet.rescue.models import Handout, RescueTeam, StreetContact, StreetIncident
    from safetynet.rescue.services import team_create

    if RescueTeam.objects.exists():
        return None
    started = timezone.now()
    rng = random.Random(context.seed + 16)
    city = context.users.get("city")
    if city is None:
        return None
    logins, new_logins = _logins(context)
    stations = {}
    for station in institutions(actor=city).filter(kind="rescue_station").order_by("pk"):
        stations.setdefault(station.division_id[:6], station)
    _station_staff_and_sms(context, logins, stations.get("371302"))
    counties = [d.code for d in divisions_under("3713", level="county")]
    teams = []
    for county in counties:
        lat, lon = SEATS.get(county, (35.07, 118.34))
        # Each county's teams are set up by its own bureau (兰山区's by its station's duty officer).
        officer = logins["lanshan-rescue"] if county == "371302" else context.users.get(_county_login(county))
        if officer is None:
            continue
        for n in (1, 2):
            members = []
            if county == "371302":
                members = (
                    [logins["lanshan-team1"], logins["lanshan-team1b"]]
                    if n == 1
                    else [logins["lanshan-team2"]]
                )
            station = stations.get(county)
            teams.append(
                team_create(
                    actor=officer,
                    county=county,
                    name=_("Street team %(n)s") % {"n": n},
                    vehicle=f"鲁Q·{rng.randrange(10000, 99999)}",
                    station_id=station.pk if station else None,
                    staff_count=3 if n == 1 else 2,
                    base=(_jitter(rng, lat), _jitter(rng, lon)),
                    members=members,
                )
            )
    points = _hotspots(rng, counties)
    # Three weeks of the campaign: incidents at any hour, most at night, served and closed.
    now = timezone.now()
    end = min(now, timezone.make_aware(datetime.datetime.combine(context.clock.as_of, datetime.time(23, 0))))
    incidents = []
    for team in teams:
        for _n in range(rng.randrange(3, 9)):
            reported = end - datetime.timedelta(days=rng.uniform(1, HISTORY_DAYS))
            hour = rng.choice([19, 20, 21, 22, 23, 0, 1, 2, 5, 6, 7, 14])  # most at night
            reported = timezone.localtime(reported).replace(hour=hour)
            if reported > end - datetime.timedelta(hours=2) or reported.date() < context.clock.history_start:
                continue
            dispatched = reported + datetime.timedelta(minutes=rng.randrange(2, 12))
            on_scene = dispatched + datetime.timedelta(minutes=rng.randrange(6, 45))
            closed = on_scene + datetime.timedelta(minutes=rng.randrange(5, 40))
            lat, lon = SEATS.get(team.county_id, (35.07, 118.34))
            source = rng.choice(["hotline", "hotline", "hotline", "referral", "public", "patrol"])
            incidents.append(
                StreetIncident(
                    reference=f"{rng.getrandbits(48):012x}",
                    source=source,
                    referrer=rng.choice(["police", "urban_management", "hospital"])
                    if source == "referral"
                    else "",
                    division_id=team.county_id,
                    place=rng.choice(PLACES),
                    latitude=_jitter(rng, lat),
                    longitude=_jitter(rng, lon),
                    description=rng.choice(DESCRIPTIONS),
                    persons=1,
                    reported_at=reported,
                    state="closed",
                    team=team,
                    dispatched_at=dispatched,
                    on_scene_at=on_scene,
                    closed_at=closed,
                    closing="helped",
                    caller_name="市民" if source in ("hotline", "public") else "",
                )
            )
    StreetIncident.objects.bulk_create(incidents, batch_size=500)
    contacts, handouts = [], []
    recorder = logins["lanshan-team1"]
    for incident in incidents:
        outcome = rng.choices(["accepted", "refused", "sick", "danger"], weights=[50, 38, 10, 2])[0]
        contacts.append(
            StreetContact(
                incident=incident,
                team=incident.team,
                division_id=incident.division_id,
                at=incident.closed_at,
                outcome=outcome,
                description=incident.description,
                card_given=outcome == "refused",
                revisit_due_at=incident.closed_at + datetime.timedelta(hours=24)
                if outcome == "refused"
                else None,
                revisited_at=incident.closed_at + datetime.timedelta(hours=20)
                if outcome == "refused"
                else None,
                recorded_by=recorder,
            )
        )
    StreetContact.objects.bulk_create(contacts, batch_size=500)
    for contact in contacts:
        if contact.outcome in ("refused", "accepted"):
            for item in rng.sample(
                ["coat", "quilt", "food", "hot_water", "gloves", "hat"], rng.randrange(1, 4)
            ):
                handouts.append(Handout(contact=contact, item=item, quantity=rng.randrange(1, 3)))
    Handout.objects.bulk_create(handouts, batch_size=500)
    patrols = _patrol_history(rng, teams, points, end)
    # What the services wrote is dated by the demo's clock: the logins and the teams were there when
    # its three weeks began (never before its history starts).
    first_day = max(context.clock.history_start, context.clock.as_of - datetime.timedelta(days=HISTORY_DAYS))
    since = not_after_now(timezone.make_aware(datetime.datetime.combine(first_day, datetime.time(8, 0))))
    demo_date_written_since(since=started, at=since)  # the grant, the SMS rule, the teams
    demo_date_accounts(user_ids=[user.pk for user in new_logins], at=since)
    demo_date_history(subjects={"rescueteam": [team.pk for team in teams]}, at=since)
    return _(
        "Street rescue: %(teams)s teams, %(incidents)s incidents served and %(patrols)s patrols logged in "
        "the last three weeks."
    ) % {"teams": len(teams), "incidents": len(incidents), "patrols": patrols}


def _county_login(county: str) -> str:
    from safetynet.registry.demo.city import COUNTIES

    return COUNTIES.get(county, ("",))[0]


def _hotspots(rng: random.Random, counties: list[str]) -> dict[str, list]:
    from safetynet.rescue.models import Hotspot

    made = []
    for county in counties:
        lat, lon = SEATS.get(county, (35.07, 118.34))
        made += [
            Hotspot(
                county_id=county,
                name=name,
                kind=kind,
                latitude=_jitter(rng, lat),
                longitude=_jitter(rng, lon),
            )
            for name, kind in HOTSPOTS
        ]
    Hotspot.objects.bulk_create(made, batch_size=500)
    by_county: dict[str, list] = {}
    for point in made:
        by_county.setdefault(point.county_id, []).append(point)
    return by_county


def _patrol_history(rng: random.Random, teams: list, points: dict[str, list], end: datetime.datetime) -> int:
    """Each team's evening patrols of the last three weeks, over most of its county's points ("白加黑"
    at night), logged with the points checked and the persons met; tonight's planned."""
    from safetynet.rescue.models import Patrol, PatrolCheck

    Through = Patrol.points.through
    patrols, planned, checks = [], [], []
    for team in teams:
        county_points = points.get(team.county_id, [])
        for days in range(HISTORY_DAYS, 0, -3):
            start = timezone.localtime(end - datetime.timedelta(days=days)).replace(
                hour=20, minute=0, second=0
            )
            if start.date() < HISTORY_START:
                continue
            patrols.append(
                Patrol(
                    county_id=team.county_id,
                    team=team,
                    planned_for=start,
                    state="logged",
                    started_at=start,
                    ended_at=start + datetime.timedelta(hours=2),
                )
            )
        patrols.append(
            Patrol(
                county_id=team.county_id,
                team=team,
                state="planned",
                planned_for=timezone.localtime(end).replace(hour=20, minute=0, second=0),
            )
        )
    Patrol.objects.bulk_create(patrols, batch_size=500)
    for patrol in patrols:
        county_points = points.get(patrol.county_id, [])
        chosen = rng.sample(county_points, min(len(county_points), 6))
        planned += [Through(patrol_id=patrol.pk, hotspot_id=point.pk) for point in chosen]
        if patrol.state == "logged":
            found = [
                PatrolCheck(patrol=patrol, hotspot=point, persons_found=rng.choice([0, 0, 0, 1]))
                for point in chosen
                if rng.random() < 0.9
            ]
            checks += found
            patrol.persons_met = sum(check.persons_found for check in found)
    Through.objects.bulk_create(planned, batch_size=1000)
    PatrolCheck.objects.bulk_create(checks, batch_size=1000)
    Patrol.objects.bulk_update([p for p in patrols if p.state == "logged"], ["persons_met"], batch_size=500)
    return sum(1 for p in patrols if p.state == "logged")
