"""The registry's campaign measure: households heated by fire (coal, gas, wood) with a CO alarm, per
county, counted for a winter campaign's targets."""

import datetime

import pytest

from conftest import user
from safetynet.core.campaigns.selectors import campaign_progress
from safetynet.core.campaigns.services import campaign_create, campaign_targets_set
from safetynet.core.models import Role
from safetynet.registry.models import Household

pytestmark = pytest.mark.django_db


def test_a_winter_campaign_counts_the_households_heated_by_fire_with_a_co_alarm(
    make_household, lanshan_village,
):
    city = user(Role.CITY_BUREAU, "3713")
    started = campaign_create(actor=city, data={
        "name": "寒冬送温暖", "kind": "winter", "area": "3713", "starts_on": datetime.date(2022, 11, 15),
        "ends_on": datetime.date(2023, 3, 15)})
    campaign_targets_set(actor=city, campaign=started, version=started.version,
                         targets=[("371302", "registry.co_alarms", 4), ("371321", "registry.co_alarms", 1)])
    lanshan = user(Role.COUNTY_BUREAU, "371302")
    for heating, alarm in (("2", True), ("1", True), ("5", True), ("2", False), ("0", True), ("6", True)):
        household = make_household(lanshan_village, lanshan)
        Household.objects.filter(pk=household.pk).update(heating=heating, co_alarm=alarm)
    cancelled = make_household(lanshan_village, lanshan)
    Household.objects.filter(pk=cancelled.pk).update(heating="2", co_alarm=True, status="cancelled")
    rows = campaign_progress(actor=city, campaign=started)
    # Coal, gas and wood with an alarm count; coal without one, central and solar heating do not;
    # neither does a cancelled household.
    reached = [(r["county"].code, r["reached"], r["percent"]) for r in rows]
    assert reached == [("371302", 3, 75), ("371321", 0, 0)]
