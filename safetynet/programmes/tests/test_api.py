"""/api/v1/programmes: the same services and scope as the pages, for another system."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Role
from safetynet.core.services import api_token_create
from safetynet.programmes.models import Standard
from safetynet.programmes.selectors import first_of_next_month
from safetynet.registry import services

pytestmark = pytest.mark.django_db
BASE = "/api/v1/programmes"
LANSHAN_URBAN = {"kind": "dibao", "division": "371302", "urban_rural": "urban", "valid_from": "2099-01-01"}


def _client(actor) -> Client:
    _token, key = api_token_create(user=actor, name="test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_a_standard_scheduled_and_approved_through_the_api_by_two_officers():
    maker, checker = _client(user(Role.CITY_BUREAU, "3713")), _client(user(Role.CITY_BUREAU, "3713"))
    start = (timezone.localdate() + datetime.timedelta(days=15)).isoformat()
    body = {**LANSHAN_URBAN, "valid_from": start, "value": "800"}
    made = maker.post(f"{BASE}/standards", body, content_type="application/json")
    assert made.status_code == 201 and made.json()["status"] == "proposed"
    own = maker.post(f"{BASE}/standards/{made.json()['id']}/approve", {"version": 1},
                     content_type="application/json")
    assert own.status_code == 403
    approved = checker.post(f"{BASE}/standards/{made.json()['id']}/approve", {"version": 1},
                            content_type="application/json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    listed = maker.get(f"{BASE}/standards").json()
    assert any(row["value"] == "800" and row["status"] == "approved" for row in listed)
    assert any(row["source"] == "official" and row["valid_from"] == "2018-09-01" for row in listed)


@pytest.mark.parametrize("body", [
    {**LANSHAN_URBAN, "valid_from": "2020-01-01", "value": "800"},
    {**LANSHAN_URBAN, "value": "-8"},
    {**LANSHAN_URBAN, "value": "NaN"},
    {**LANSHAN_URBAN, "kind": "nope", "urban_rural": "", "value": "1"},
    {**LANSHAN_URBAN, "value": "8", "extra": 1},
    {**LANSHAN_URBAN, "value": "8", "note": "\x00"},
])
def test_bad_standards_through_the_api_are_422_in_chinese_and_save_nothing(body):
    before = Standard.objects.count()
    answer = _client(user(Role.CITY_BUREAU, "3713")).post(f"{BASE}/standards", body,
                                                          content_type="application/json")
    assert answer.status_code == 422
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(answer.json()["detail"]))
    assert Standard.objects.count() == before


def test_a_households_eligibility_and_a_what_if_through_the_api(make_household):
    clerk = user(Role.COUNTY_BUREAU, "371302")
    home = make_household(village(LANSHAN_TOWNSHIP + "201"), clerk, urban_rural="urban",
                          members=[("郑一", 1, "02", datetime.date(1980, 1, 1))])
    today = timezone.localdate()
    services.income_item_create(actor=clerk, household=home, data={
        "category": "wage", "amount": Decimal("3600"), "period_start": today - datetime.timedelta(days=364),
        "period_end": today})
    api = _client(clerk)
    explained = api.get(f"{BASE}/households/{home.pk}/eligibility").json()
    dibao = next(r for r in explained["results"] if r["programme"] == "dibao")
    assert dibao["qualifies"] and dibao["amount"] == "430"
    assert explained["facts"]["per_capita_income"] == "300.00"
    # 特困 per member: 郑一, 46 and able to work, does not qualify, and the API says which condition fails
    tekun = next(r for r in explained["results"] if r["programme"] == "tekun")
    assert [p["name"] for p in tekun["persons"]] == ["郑一"] and not tekun["qualifies"]
    assert [c["code"] for c in tekun["persons"][0]["conditions"] if not c["holds"]] == ["labour"]
    assert tekun["persons"][0]["facts"]["own_income_month"] == "300.00"
    assert {r["programme"] for r in explained["results"]} == {"dibao", "edge", "tekun", "rigid", "temporary"}
    assert _client(user(Role.COUNTY_BUREAU, "371321")).get(
        f"{BASE}/households/{home.pk}/eligibility").status_code == 404
    answer = api.get(f"{BASE}/what-if", {"area": "371302", "residence": "urban", "value": "800",
                                         "starting": first_of_next_month(today).isoformat()})
    assert answer.status_code == 200 and answer.json()["totals"]["extra_month"] == 70
    elsewhere = api.get(f"{BASE}/what-if", {"area": "371321", "residence": "urban", "value": "800",
                                            "starting": first_of_next_month(today).isoformat()})
    assert elsewhere.status_code == 422


def test_an_explanation_for_a_day_no_one_could_mean_is_refused(make_household):
    clerk = user(Role.COUNTY_BUREAU, "371302")
    home = make_household(village(LANSHAN_TOWNSHIP + "201"), clerk)
    api = _client(clerk)
    for day in ("0001-01-01", "9999-12-31"):
        answer = api.get(f"{BASE}/households/{home.pk}/eligibility", {"on": day})
        assert answer.status_code == 422 and "日期" in str(answer.json()["detail"])


def test_a_county_runs_the_rules_through_the_api_and_reads_who_receives_nothing(make_household):
    """A run started through the API is the page's run: the county's counts per township, and the
    households of the 政策找人 list with their village and head; another county sees none of it."""
    officer = user(Role.COUNTY_BUREAU, "371302")
    poor = make_household(village(LANSHAN_TOWNSHIP + "201"), officer, urban_rural="urban",
                          members=[("冯一", 1, "02", datetime.date(1950, 1, 1))])
    api = _client(officer)
    today = timezone.localdate().isoformat()
    started = api.post(f"{BASE}/eligibility-runs", {"area": "371302", "on": today},
                       content_type="application/json")
    assert started.status_code == 201, started.content
    run = started.json()
    assert run["households"] == 1 and run["counts"]["dibao"] == {"qualifies": 1, "not_enrolled": 1,
                                                                  "no_longer": 0}
    assert [t["code"] for t in run["townships"]] == [LANSHAN_TOWNSHIP] and run["rules"]["dibao"]
    assert api.get(f"{BASE}/eligibility-runs").json()[0]["id"] == run["id"]
    listed = api.get(f"{BASE}/eligibility-runs/{run['id']}/households",
                     {"programme": "dibao", "township": LANSHAN_TOWNSHIP, "kind": "not_enrolled"})
    assert listed.status_code == 200
    assert [(row["household_id"], row["head"]) for row in listed.json()] == [(poor.pk, "冯一")]
    assert listed.json()[0]["amount"] == "803.00"  # 730 and the 10 % add-on of a person of 60 or more

    other = _client(user(Role.COUNTY_BUREAU, "371321"))
    assert other.get(f"{BASE}/eligibility-runs/{run['id']}").status_code == 404
    assert other.get(f"{BASE}/eligibility-runs").json() == []
    refused = other.post(f"{BASE}/eligibility-runs", {"area": "371302", "on": today},
                         content_type="application/json")
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["detail"]] == ["area"]
    assert "县" in refused.json()["detail"][0]["message"]  # in Chinese
    for query in ({"programme": "nope", "township": LANSHAN_TOWNSHIP},
                  {"programme": "dibao", "township": LANSHAN_TOWNSHIP, "kind": "all"},
                  {"programme": "dibao", "township": "3713'--"}):
        assert api.get(f"{BASE}/eligibility-runs/{run['id']}/households", query).status_code in (404, 422)
    assert api.get(f"{BASE}/eligibility-runs/{'9' * 20}").status_code == 404
    clerk = _client(user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP))
    assert clerk.post(f"{BASE}/eligibility-runs", {"area": "371302", "on": today},
                      content_type="application/json").status_code == 403
