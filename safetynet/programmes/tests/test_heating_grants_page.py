"""The heating aid page lists the households of the reader's area granted this winter, whoever decided
the batch: the township sees the county's grants to its households, another county none of them."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Role
from safetynet.programmes.aid import services
from safetynet.programmes.services import enrolment_start

pytestmark = pytest.mark.django_db
VILLAGE = LANSHAN_TOWNSHIP + "201"


def test_the_township_sees_this_winter_s_grants_to_its_households(make_household):
    county = user(Role.COUNTY_BUREAU, "371302")
    household = make_household(
        village(VILLAGE), county, members=[("取暖甲", 1, "02", datetime.date(1950, 1, 1))]
    )
    enrolment_start(
        actor=county, household=household, programme="dibao", since=datetime.date(2022, 1, 1), amount="500"
    )
    today = timezone.localdate()
    season = today.year if today.month >= 7 else today.year - 1
    services.heating_aid_grant(
        actor=county, area_code="371302", season=season, programmes=["dibao"], on=today, amount="300"
    )
    for role, division, shown in (
        (Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP, True),
        (Role.COUNTY_BUREAU, "371321", False),
    ):
        client = Client()
        client.force_login(user(role, division))
        page = client.get("/programmes/aid/heating/").content.decode()
        assert ("取暖甲" in page) is shown, role
        if shown:
            assert "300.00" in page
        # Another winter, or a value no form would send: nothing of this one, no error.
        assert (
            "取暖甲"
            not in client.get("/programmes/aid/heating/", {"season": str(season - 1)}).content.decode()
        )
        assert client.get("/programmes/aid/heating/", {"season": "9" * 20}).status_code == 200
