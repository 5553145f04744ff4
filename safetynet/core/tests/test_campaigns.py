"""Campaigns: started by the city (the whole city or a county) or a county bureau (its own county),
targets per county on the measures the apps register, progress read from the measure's own
count, a stale targets form told, and values no form would send."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import user
from safetynet.core import hooks
from safetynet.core.campaigns.selectors import campaign_progress, campaigns
from safetynet.core.campaigns.services import campaign_create, campaign_targets_set
from safetynet.core.models import Campaign, ChangeRecord, Role
from safetynet.core.services import ConflictError

pytestmark = pytest.mark.django_db

LANSHAN, YINAN, CITY = "371302", "371321", "3713"
WINTER = {"name": "2022年寒冬送温暖专项行动", "kind": "winter", "area": CITY,
          "starts_on": datetime.date(2022, 11, 15), "ends_on": datetime.date(2023, 3, 15), "description": ""}
MEASURE = "test.households_visited"


@pytest.fixture(autouse=True)
def measure():
    """A measure as an app registers one: here, two households visited in Lanshan."""
    saved = hooks.snapshot()
    hooks.register_campaign_measure(code=MEASURE, label="走访户数",
                                    count=lambda campaign, county: {LANSHAN: 2}.get(county, 0))
    yield
    hooks.restore(saved)


def test_the_city_starts_a_winter_campaign_and_reads_progress_from_the_measure():
    city = user(Role.CITY_BUREAU, CITY)
    started = campaign_create(actor=city, data=WINTER)
    assert ChangeRecord.objects.get(entity_type="campaign", entity_id=started.pk).event == "campaign.created"
    campaign_targets_set(actor=city, campaign=started, version=started.version,
                         targets=[(LANSHAN, MEASURE, 4), (YINAN, MEASURE, 10)])
    rows = campaign_progress(actor=city, campaign=started)
    assert [(r["county"].code, r["target"], r["reached"], r["percent"]) for r in rows] == [
        (LANSHAN, 4, 2, 50), (YINAN, 10, 0, 0)]
    # The county bureau sees the city's campaign, and its own county's row only.
    lanshan = user(Role.COUNTY_BUREAU, LANSHAN)
    assert list(campaigns(actor=lanshan)) == [started]
    assert [r["county"].code for r in campaign_progress(actor=lanshan, campaign=started)] == [LANSHAN]


def test_a_county_bureau_runs_its_own_county_only():
    lanshan = user(Role.COUNTY_BUREAU, LANSHAN)
    with pytest.raises(PermissionDenied):
        campaign_create(actor=lanshan, data=WINTER)
    own = campaign_create(actor=lanshan,
                          data=WINTER | {"area": LANSHAN, "kind": "visiting", "name": "兰山遍访"})
    city_wide = campaign_create(actor=user(Role.CITY_BUREAU, CITY), data=WINTER)
    campaign_targets_set(actor=lanshan, campaign=city_wide, version=city_wide.version,
                         targets=[(LANSHAN, MEASURE, 5)])
    with pytest.raises(ValidationError):
        campaign_targets_set(actor=lanshan, campaign=city_wide, version=city_wide.version,
                             targets=[(YINAN, MEASURE, 5)])
    yinan = user(Role.COUNTY_BUREAU, YINAN)
    assert own not in campaigns(actor=yinan) and city_wide in campaigns(actor=yinan)
    with pytest.raises(PermissionDenied):
        campaign_create(actor=user(Role.TOWNSHIP_OFFICE, "371302001"), data=WINTER | {"area": LANSHAN})
    # A county bureau's targets leave the other counties' as the city set them.
    city = user(Role.CITY_BUREAU, CITY)
    campaign_targets_set(actor=city, campaign=city_wide, version=city_wide.version,
                         targets=[(LANSHAN, MEASURE, 5), (YINAN, MEASURE, 7)])
    campaign_targets_set(actor=lanshan, campaign=city_wide, version=city_wide.version,
                         targets=[(LANSHAN, MEASURE, 6)])
    assert sorted(city_wide.targets.values_list("county_id", "target")) == [(LANSHAN, 6), (YINAN, 7)]


def test_two_people_setting_targets_at_once_one_is_told():
    city = user(Role.CITY_BUREAU, CITY)
    started = campaign_create(actor=city, data=WINTER)
    opened = started.version
    campaign_targets_set(actor=city, campaign=Campaign.objects.get(pk=started.pk), version=opened,
                         targets=[(LANSHAN, MEASURE, 1)])
    with pytest.raises(ConflictError):
        campaign_targets_set(actor=city, campaign=Campaign.objects.get(pk=started.pk), version=opened,
                             targets=[(LANSHAN, MEASURE, 2)])
    assert started.targets.get().target == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": ""}, "name"), ({"name": "行动\x00"}, "name"), ({"kind": "party"}, "kind"),
    ({"area": "371302001"}, "area"), ({"area": "1101"}, "area"),
    ({"ends_on": datetime.date(2022, 11, 1)}, "ends_on"),
    ({"ends_on": datetime.date(2024, 3, 1)}, "ends_on"),
    ({"starts_on": None}, "starts_on"),
])
def test_a_campaign_no_form_would_send_is_refused(changes, field):
    with pytest.raises(ValidationError) as refused:
        campaign_create(actor=user(Role.CITY_BUREAU, CITY), data=WINTER | changes)
    assert field in refused.value.message_dict and not Campaign.objects.exists()


@pytest.mark.parametrize("targets", [
    [("110101", MEASURE, 1)], [(LANSHAN, "no.such", 1)], [(LANSHAN, MEASURE, -1)],
    [(LANSHAN, MEASURE, 10**12)], [(LANSHAN, MEASURE, True)],
    [(LANSHAN, MEASURE, 1), (LANSHAN, MEASURE, 2)],
])
def test_targets_no_form_would_send_are_refused_whole(targets):
    city = user(Role.CITY_BUREAU, CITY)
    started = campaign_create(actor=city, data=WINTER)
    campaign_targets_set(actor=city, campaign=started, version=started.version, targets=[(YINAN, MEASURE, 3)])
    with pytest.raises(ValidationError):
        campaign_targets_set(actor=city, campaign=started, version=started.version, targets=targets)
    assert list(started.targets.values_list("county_id", "target")) == [(YINAN, 3)]


def test_the_pages_start_a_campaign_set_targets_and_tell_a_stale_form(client):
    client.force_login(user(Role.CITY_BUREAU, CITY))
    made = client.post(reverse("campaigns"), {
        "name": "遍访活动", "kind": "visiting", "area": CITY, "starts_on": "2022-12-01",
        "ends_on": "2023-02-28"})
    started = Campaign.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("campaign", args=[started.pk])
    form = {"version": started.version, "form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0",
            "form-0-county": LANSHAN, "form-0-measure": MEASURE, "form-0-target": "12",
            "form-1-county": "", "form-1-measure": "", "form-1-target": ""}
    assert client.post(reverse("campaign", args=[started.pk]), form).status_code == 302
    page = client.get(reverse("campaign", args=[started.pk])).content.decode()
    assert 'id="campaign-progress"' in page and ">12<" in page
    stale = client.post(reverse("campaign", args=[started.pk]), form | {"form-0-target": "99"})
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    assert started.targets.get().target == 12
    client.force_login(user(Role.TOWNSHIP_OFFICE, "371302001"))
    township = client.get(reverse("campaign", args=[started.pk])).content.decode()
    assert 'id="campaign-targets"' not in township and ">12<" in township
    assert client.post(reverse("campaign", args=[started.pk]), form).status_code == 403
    client.force_login(user(Role.SERVICE_PROVIDER, LANSHAN))
    assert client.get(reverse("campaign", args=[started.pk])).status_code == 404
