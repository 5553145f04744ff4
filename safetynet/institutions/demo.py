"""The demo city's institutions (SPEC §6.8): 117 elderly institutions, all heated and fitted with CO
alarms (80 public 敬老院/特困供养机构, 37 private), 8 child-welfare institutions and the 13 rescue stations
(1 city, 12 county) — in the townships of the demo city, spread over its counties. The demo's
institution account is granted the first of 兰山区's, its inspector the first five.

Written in bulk (a fixed handful of rows, not a population-scale job), with one history entry each."""

from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.demo import DemoContext, demo_date_grants, demo_date_history, not_after_now
from safetynet.core.types import Role
from safetynet.registry.demo import facts

CHILD_WELFARE = 8
HEATINGS = ("central", "gas", "electric", "coal", "solar", "central", "electric", "gas")


def build_institutions(context: DemoContext) -> str | None:
    from safetynet.core.grants import grant_create
    from safetynet.core.selectors import divisions_known
    from safetynet.institutions.models import Institution
    from safetynet.institutions.services import institution_create

    if Institution.objects.exists():
        return None
    townships = list(divisions_known().filter(level="township", code__startswith="3713").order_by("code"))
    counties = {}
    for township in townships:
        counties.setdefault(township.code[:6], []).append(township)
    county_codes = sorted(counties)
    county_users = {
        user.division_id: user
        for name, user in sorted(context.users.items())
        if user.role == Role.COUNTY_BUREAU and not name.endswith("2")
    }
    city = context.users.get("city")
    plans = (
        [("elderly_public", n) for n in range(facts.ELDERLY_INSTITUTIONS_PUBLIC)]
        + [("elderly_private", n) for n in range(facts.ELDERLY_INSTITUTIONS_PRIVATE)]
        + [("child_welfare", n) for n in range(CHILD_WELFARE)]
        + [("rescue_station", n) for n in range(facts.RESCUE_STATIONS)]
    )
    names = {
        "elderly_public": _("Elderly care home"),
        "elderly_private": _("Private elderly care home"),
        "child_welfare": _("Child welfare home"),
        "rescue_station": _("Rescue station"),
    }
    made = []
    for index, (kind, n) in enumerate(plans):
        county = county_codes[index % len(county_codes)]
        township = counties[county][(index // len(county_codes)) % len(counties[county])]
        actor = county_users.get(county) or city
        if actor is None:
            continue
        heating = HEATINGS[index % len(HEATINGS)]
        elderly = kind.startswith("elderly")
        fuel = heating in ("gas", "coal", "wood")
        rooms = 6 + index % 20
        beds = 40 + (index * 7) % 160
        made.append(
            institution_create(
                actor=actor,
                division=township,
                data={
                    "name": f"{township.name}{names[kind]}{n + 1 if kind != 'rescue_station' else ''}",
                    "kind": kind,
                    "address": f"{township.name}{index + 1}号",
                    "operator": township.name if kind == "elderly_public" else _("Private operator"),
                    "beds": beds,
                    "residents": beds * 3 // 4,
                    "staff": max(3, beds // 10),
                    "heating": heating,
                    # Every elderly institution is heated with CO alarms (the briefing's 117).
                    "co_alarms": rooms if elderly or fuel else 0,
                    "co_rooms_heated": rooms if fuel else 0,
                    "co_rooms_covered": rooms if elderly or fuel else 0,
                    "co_last_tested": timezone.localdate() if elderly else None,
                    "fire_facilities": _("extinguishers, smoke detectors, emergency lighting"),
                },
            )
        )
    # There since the demo's history starts: dated by the demo clock, not the wall clock.
    rng = context.rng("institutions")
    since = not_after_now(context.clock.moment(rng, context.clock.history_start))
    Institution.objects.filter(pk__in=[i.pk for i in made]).update(created_at=since)
    demo_date_history(subjects={"institution": [i.pk for i in made]}, at=since)
    grants = []
    institution_user = context.users.get("institution")
    inspector = next((user for user in context.users.values() if user.role == Role.INSPECTOR), None)
    lanshan = [i for i in made if i.division_id.startswith("371302")]
    if lanshan and institution_user is not None and county_users.get("371302") is not None:
        grants.append(
            grant_create(
                actor=county_users["371302"],
                user=institution_user,
                kind="institutions.institution",
                object_id=lanshan[0].pk,
            )
        )
    # The inspector is contracted by the city (or by a county): granted by whoever its account is under.
    granter = (
        city
        if inspector is not None and len(inspector.division_id) < 6
        else county_users.get(inspector.division_id[:6] if inspector is not None else "")
    )
    if inspector is not None and granter is not None:
        for institution in lanshan[:5]:
            grants.append(
                grant_create(
                    actor=granter, user=inspector, kind="institutions.institution", object_id=institution.pk
                )
            )
    # Contracts and assignments of the last three months.
    demo_date_grants(
        grant_ids=[g.pk for g in grants],
        at=not_after_now(context.clock.moment(rng, context.clock.recent(rng, 90))),
    )
    return _("%(count)s institutions: %(elderly)s elderly, all heated with CO alarms.") % {
        "count": len(made),
        "elderly": sum(1 for i in made if i.kind.startswith("elderly")),
    }
