"""The demo city's winter work in core's machinery: the 2022 寒冬送温暖 action the briefing reports
and this winter's, with targets per county on the households heated by fire with a CO alarm, and a
cold wave over 兰山区 in force on the demo's day — so that the campaign and weather pages show what
they would in use. Dated by the demo clock; targets scale with the city (they are counts of its
households)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.campaigns.selectors import campaigns
from safetynet.core.campaigns.services import campaign_create, campaign_targets_set
from safetynet.core.clock import start_of_day
from safetynet.core.demo import DemoContext, demo_date_campaign, demo_date_weather_warning, not_after_now
from safetynet.core.selectors import divisions_under
from safetynet.core.types import DivisionLevel
from safetynet.core.weather.services import weather_warnings_create
from safetynet.registry.demo.city import CITY_CODE
from safetynet.registry.selectors import households_heated_by_fire_with_co_alarm

MEASURE = "registry.co_alarms"
TARGET_SHARE = 1.2  # each county is asked for a fifth more alarms than it has


def _winter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The 寒冬送温暖 season holding or following `day`: 15 November to 15 March."""
    year = day.year if day.month >= 4 else day.year - 1
    return datetime.date(year, 11, 15), datetime.date(year + 1, 3, 15)


def build_drives(context: DemoContext) -> str | None:
    city = context.users.get("city")
    if city is None:
        return None
    counties = [c.code for c in divisions_under(CITY_CODE, level=DivisionLevel.COUNTY)]
    seasons = {_winter_of(datetime.date(2022, 12, 1)), _winter_of(context.clock.as_of)}
    made = 0
    for starts, ends in sorted(seasons):
        name = _("%(year)s winter warmth action") % {"year": starts.year}
        if not context.clock.history_start <= starts <= context.clock.as_of:
            continue
        if campaigns(actor=city).filter(name=name, starts_on=starts).exists():
            continue  # a city built again keeps its campaigns
        drive = campaign_create(actor=city, data={
            "name": name, "kind": "winter",
            "area": CITY_CODE, "starts_on": starts, "ends_on": ends,
            "description": _("24-hour duty, street patrols, heating and CO alarms for households at risk.")})
        targets = []
        for county in counties:
            have = households_heated_by_fire_with_co_alarm(drive, county)
            targets.append((county, MEASURE, max(1, round(have * TARGET_SHARE))))
        campaign_targets_set(actor=city, campaign=drive, version=drive.version, targets=targets)
        demo_date_campaign(campaign_id=drive.pk, at=not_after_now(start_of_day(starts)))
        made += 1
    lanshan = context.users.get("lanshan")
    warned = 0
    if lanshan is not None:
        warned = _cold_wave(context, lanshan)
    return _("%(campaigns)s winter campaigns and %(warnings)s cold-wave warning made.") % {
        "campaigns": made, "warnings": warned}


def _cold_wave(context: DemoContext, county_login) -> int:
    """A blue cold-wave warning over 兰山区 from the evening before the demo's day to two days after;
    none if one overlaps already (a city built again), as the service refuses it."""
    evening = timezone.make_aware(datetime.datetime.combine(context.clock.as_of, datetime.time(20, 0)))
    try:
        (warning,), _reactions = weather_warnings_create(actor=county_login, source="entered", items=[{
            "county": "371302", "kind": "cold_wave", "level": "blue", "lowest_temperature": None,
            "starts_at": evening - datetime.timedelta(days=1),
            "ends_at": evening + datetime.timedelta(days=2),
            "note": _("Demo: a cold wave over the county.")}])
    except ValidationError:
        return 0
    # Entered the morning before it starts, as the meteorological office warns ahead.
    entered = max(evening - datetime.timedelta(days=1, hours=10), start_of_day(context.clock.history_start))
    demo_date_weather_warning(warning_id=warning.pk, at=not_after_now(entered))
    return 1
