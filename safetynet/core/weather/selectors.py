"""Reading weather warnings: in the actor's area for pages, in force at a moment for the apps."""

import datetime

from django.conf import settings
from django.db.models import QuerySet

from safetynet.core.models import Division, DivisionLevel, User, WeatherWarning
from safetynet.core.scope import county_of, grant_only, subtree_q
from safetynet.core.selectors import divisions_under


def weather_warnings(*, actor: User, since: datetime.datetime | None = None) -> QuerySet[WeatherWarning]:
    """The warnings of the actor's county (the city bureau: every county of the city), newest first;
    those that ended before `since` left out."""
    qs = WeatherWarning.objects.select_related("county", "entered_by")
    if grant_only(actor.role):  # a provider or caregiver has no area: only the records granted
        return qs.none()
    county = county_of(actor)
    city = subtree_q("county_id", settings.SAFETYNET_CITY_CODE)
    qs = qs.filter(county_id=county) if county else qs.filter(city)
    if since is not None:
        qs = qs.filter(ends_at__gte=since)
    return qs.order_by("-starts_at", "county_id")


def weather_warning(*, actor: User, pk: int) -> WeatherWarning:
    return weather_warnings(actor=actor).get(pk=pk)


def warnings_in_force(at: datetime.datetime, *, county: str | None = None) -> QuerySet[WeatherWarning]:
    """Warnings in force at `at` (not withdrawn), of one county or of all: what the apps react to."""
    qs = WeatherWarning.objects.filter(starts_at__lte=at, ends_at__gt=at, withdrawn_at__isnull=True)
    return qs.filter(county_id=county) if county else qs


def warning_counties(actor: User) -> list[Division]:
    """The counties the actor may enter a warning for."""
    county = county_of(actor)
    return [division for division in divisions_under(settings.SAFETYNET_CITY_CODE, level=DivisionLevel.COUNTY)
            if county is None or division.code == county]
