"""Street rescue's fixed rules: who does what, the limits on public reports, the Open311 service."""

import datetime
import math
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from safetynet.core.types import Role

# Who reads the duty board and the incidents of their area.
READ_ROLES = frozenset({Role.CITY_BUREAU, Role.COUNTY_BUREAU, Role.RESCUE_STATION})
# Who keeps the duty: logs calls and referrals, dispatches teams, closes incidents.
DUTY_ROLES = frozenset({Role.COUNTY_BUREAU, Role.RESCUE_STATION})
# Who may stand a station's 24-hour duty: its staff, the duty officers, the bureaus' leaders.
STATION_DUTY_ROLES = frozenset(
    {Role.RESCUE_STATION, Role.INSTITUTION_STAFF, Role.COUNTY_BUREAU, Role.CITY_BUREAU}
)

# A flood of public reports from one address is turned away (Open311 and the public page alike).
PUBLIC_REPORTS_PER_10_MINUTES = 3
PUBLIC_REPORTS_PER_DAY = 10
PUBLIC_PHOTO_TYPES = frozenset({"jpg", "png"})

# A refuser is visited again within this time; in a cold wave, sooner (cold mode).
REVISIT_WITHIN = datetime.timedelta(hours=24)
REVISIT_WITHIN_COLD = datetime.timedelta(hours=4)

# Open311 GeoReport v2: the one service a rescue station offers the public.
OPEN311_SERVICE = "rough_sleeper"
OPEN311_SERVICE_NAME = _("Person sleeping rough or in need on the street")
OPEN311_SERVICE_DESCRIPTION = _(
    "Report someone on the street who may need shelter, warmth or help; the "
    "rescue station sends a team. In an emergency call 110 or 120."
)
OPEN311_GROUP = _("Street rescue")

EARTH_RADIUS_KM = 6371.0


def distance_km(
    lat1: Decimal | float, lon1: Decimal | float, lat2: Decimal | float, lon2: Decimal | float
) -> float:
    """The great-circle distance between two points (the haversine formula)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def percentile(sorted_values: list[int], share: float) -> float | None:
    """The value below which `share` of the values lie (linear between neighbours); None if none."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * share
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)
