"""What-if: a higher 低保 standard for 兰山's urban residents from next month — who would newly
qualify, what it costs, by township — and nothing changes."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, YINAN_TOWNSHIP, user, village
from safetynet.core.models import Role
from safetynet.programmes.models import EligibilityRun, Standard
from safetynet.programmes.selectors import first_of_next_month
from safetynet.registry import services

pytestmark = pytest.mark.django_db
PAGE = "/programmes/what-if/"


@pytest.fixture
def lanshan(make_household):
    """Urban 兰山 (730 in force): one household at 760 a month per person (not eligible today), one
    at 300 (eligible), both of one person aged 40; and a 沂南 household the change does not touch."""
    clerk = user(Role.COUNTY_BUREAU, "371302")
    today = timezone.localdate()
    made = []
    for name, yearly in (("周一", "9120"), ("吴二", "3600")):
        home = make_household(village(LANSHAN_TOWNSHIP + "201"), clerk, urban_rural="urban",
                              members=[(name, 1, "02", datetime.date(today.year - 40, 1, 1))])
        services.income_item_create(actor=clerk, household=home, data={
            "category": "wage", "amount": Decimal(yearly),
            "period_start": today - datetime.timedelta(days=364), "period_end": today})
        made.append(home)
    make_household(village(YINAN_TOWNSHIP + "201"), user(Role.COUNTY_BUREAU, "371321"), urban_rural="urban")
    return made


def test_a_higher_standard_shows_who_would_newly_qualify_and_the_cost_and_changes_nothing(client, lanshan):
    client.force_login(user(Role.CITY_BUREAU, "3713"))
    before = (Standard.objects.count(), EligibilityRun.objects.count())
    starting = first_of_next_month(timezone.localdate()).isoformat()
    answer = client.get(PAGE, {"area": "371302", "residence": "urban", "value": "800", "starting": starting})
    assert answer.status_code == 200
    result = answer.context["result"]
    assert result["totals"]["newly_households"] == 1 and result["totals"]["newly_persons"] == 1
    assert result["totals"]["lost_households"] == 0
    # 周一 newly: 800 − 760 = 40; 吴二: 800 − 300 instead of 730 − 300: +70.
    assert result["totals"]["extra_month"] == 110 and result["totals"]["extra_year"] == 1320
    assert [t["code"] for t in result["townships"]] == [LANSHAN_TOWNSHIP]
    assert "兰山街道" in answer.content.decode()
    assert (Standard.objects.count(), EligibilityRun.objects.count()) == before

    lower = client.get(PAGE, {"area": "371302", "residence": "urban", "value": "250", "starting": starting})
    assert lower.context["result"]["totals"]["lost_households"] == 1
    assert lower.context["result"]["totals"]["extra_month"] == -430


@pytest.mark.parametrize(("role", "area", "asked", "status"), [
    (Role.COUNTY_BUREAU, "371302", {"area": "371321", "residence": "urban", "value": "800"}, 400),
    (Role.COUNTY_BUREAU, "371302", {"area": "371302", "residence": "suburb", "value": "800"}, 400),
    (Role.COUNTY_BUREAU, "371302", {"area": "371302", "residence": "urban", "value": "-1"}, 400),
    (Role.COUNTY_BUREAU, "371302", {"area": "371302", "residence": "urban", "value": "1e9"}, 400),
    (Role.COUNTY_BUREAU, "371302", {"area": "371302", "residence": "urban", "value": "800",
                                    "starting": "2020-01-01"}, 400),
    (Role.COUNTY_BUREAU, "371302", {"area": "37\x0013", "residence": "urban", "value": "800"}, 400),
    (Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP, {"area": "371302", "residence": "urban", "value": "800"}, 403),
])
def test_what_ifs_outside_the_users_area_or_with_absurd_values_are_refused(client, role, area, asked, status):
    client.force_login(user(role, area))
    asked = {"starting": first_of_next_month(timezone.localdate()).isoformat(), **asked}
    answer = client.get(PAGE, asked)
    assert answer.status_code == status
    if status == 400:
        assert 'role="alert"' in answer.content.decode() and answer.context["result"] is None
