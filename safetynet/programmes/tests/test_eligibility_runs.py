"""Running the rules over an area from the page, as a county officer and the city bureau would, and
what is refused."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, YINAN_TOWNSHIP, user, village
from safetynet.core.models import Role
from safetynet.programmes import services as programme_services
from safetynet.programmes.models import EligibilityResult, EligibilityRun
from safetynet.registry import services

pytestmark = pytest.mark.django_db
PAGE = "/programmes/eligibility/"


@pytest.fixture
def households(make_household):
    """Two households in 兰山 (one poor, one not) and one in 沂南."""
    today = timezone.localdate()
    lanshan_clerk, yinan_clerk = user(Role.COUNTY_BUREAU, "371302"), user(Role.COUNTY_BUREAU, "371321")
    poor = make_household(village(LANSHAN_TOWNSHIP + "201"), lanshan_clerk, urban_rural="urban",
                          members=[("赵一", 1, "02", datetime.date(1950, 1, 1))])
    comfortable = make_household(village(LANSHAN_TOWNSHIP + "201"), lanshan_clerk, urban_rural="urban",
                                 members=[("钱二", 1, "02", datetime.date(1980, 1, 1))])
    services.income_item_create(actor=lanshan_clerk, household=comfortable, data={
        "category": "wage", "amount": Decimal("60000"), "period_start": today - datetime.timedelta(days=364),
        "period_end": today})
    elsewhere = make_household(village(YINAN_TOWNSHIP + "201"), yinan_clerk,
                               members=[("孙三", 1, "02", datetime.date(1950, 1, 1))])
    return poor, comfortable, elsewhere


def test_a_county_officer_runs_the_rules_over_the_county_and_sees_who_qualifies_per_township(
        client, households):
    poor, comfortable, elsewhere = households
    officer = user(Role.COUNTY_BUREAU, "371302")
    # The comfortable household still receives 低保 from an old decision: it no longer qualifies.
    programme_services.enrolment_start(actor=officer, household=comfortable, programme="dibao",
                                       since=datetime.date(2020, 1, 1), amount="200",
                                       decision="兰民〔2020〕1号")
    client.force_login(officer)
    answer = client.post(PAGE, {"area": "371302", "on": timezone.localdate().isoformat()})
    run = EligibilityRun.objects.get()
    assert answer.status_code == 302 and answer["Location"].endswith(f"/programmes/eligibility/{run.pk}/")
    assert run.households == 2 and run.rules["dibao"]
    assert run.counts["dibao"] == {"qualifies": 1, "not_enrolled": 1, "no_longer": 1}
    assert any(used["county"] == "371302" and used["value"].startswith("730") for used in run.standards)
    assert set(EligibilityResult.objects.filter(qualifies=True).values_list("household_id", flat=True)) == {
        poor.pk}
    page = client.get(f"/programmes/eligibility/{run.pk}/").content.decode()
    assert 'data-kind="not_enrolled">' in page and "享受待遇但已不符合条件" in page
    no_longer = client.get(f"/programmes/eligibility/{run.pk}/dibao/371302001/", {"kind": "no_longer"})
    assert "钱二" in no_longer.content.decode() and "赵一" not in no_longer.content.decode()

    assert "兰山街道" in page and 'data-township="371302001"' in page
    listing = client.get(f"/programmes/eligibility/{run.pk}/dibao/371302001/",
                         {"kind": "not_enrolled"}).content.decode()
    assert "赵一" in listing and "803.00" in listing and "钱二" not in listing  # 730 + 10 % for his age
    csv = client.get(f"/programmes/eligibility/{run.pk}/dibao/371302001/",
                     {"format": "csv", "kind": "qualifies"})
    assert csv["Content-Type"].startswith("text/csv") and "赵一" in csv.content.decode("utf-8-sig")


def test_the_city_runs_over_the_city_and_a_county_sees_only_its_own_runs(client, households):
    city = user(Role.CITY_BUREAU, "3713")
    client.force_login(city)
    client.post(PAGE, {"area": "3713", "on": timezone.localdate().isoformat()})
    city_run = EligibilityRun.objects.get()
    assert city_run.households == 3 and city_run.counts["dibao"]["qualifies"] == 2
    client.force_login(user(Role.COUNTY_BUREAU, "371321"))
    assert client.get(f"/programmes/eligibility/{city_run.pk}/").status_code == 404
    assert "3713" not in [r.area_id for r in client.get(PAGE).context["runs"]]


@pytest.mark.parametrize(("role", "area", "sent", "status"), [
    (Role.COUNTY_BUREAU, "371302", {"area": "371321", "on": "2023-06-30"}, 400),  # another county
    (Role.COUNTY_BUREAU, "371302", {"area": "3713", "on": "2023-06-30"}, 400),  # the whole city
    (Role.COUNTY_BUREAU, "371302", {"area": "371302", "on": "2999-01-01"}, 400),  # the future
    (Role.COUNTY_BUREAU, "371302", {"area": "371302", "on": "2023-02-30"}, 400),
    (Role.COUNTY_BUREAU, "371302", {"area": "371302\x00", "on": "2023-06-30"}, 400),
    (Role.COUNTY_BUREAU, "371302", {"area": "3713' OR '1'='1", "on": "2023-06-30"}, 400),
    (Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP, {"area": "371302", "on": "2023-06-30"}, 403),
])
def test_runs_no_one_may_make_are_refused_and_leave_nothing(client, role, area, sent, status):
    client.force_login(user(role, area))
    assert client.post(PAGE, sent).status_code == status
    assert not EligibilityRun.objects.exists()


def test_guessed_and_absurd_addresses_are_not_found(client, households):
    client.force_login(user(Role.COUNTY_BUREAU, "371302"))
    client.post(PAGE, {"area": "371302", "on": timezone.localdate().isoformat()})
    run = EligibilityRun.objects.get()
    for path in (f"/programmes/eligibility/{'9' * 20}/", f"/programmes/eligibility/{run.pk}/other/371302001/",
                 f"/programmes/eligibility/{run.pk}/dibao/3713020011/",
                 f"/programmes/eligibility/{run.pk + 1}/"):
        assert client.get(path).status_code == 404, path
