"""Assistance in payment through /api/v1: an enrolment recorded from a decision, a review started,
visited and decided with its notice (409 for the one who decides second, 404 in another county,
422 for what no client should send), a household handed over to 沂南 and confirmed there, a new
standard's adjustments run by the city bureau only."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, YINAN_TOWNSHIP, user, village
from safetynet.core.models import Role
from safetynet.core.services import api_token_create
from safetynet.programmes.models import Enrolment, EnrolmentDecision, Review
from safetynet.programmes.selectors import first_of_next_month

pytestmark = pytest.mark.django_db
VILLAGE = LANSHAN_TOWNSHIP + "201"
API = "/api/v1/programmes"


def client_of(actor) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=actor, name='t')[1]}"})


def post(client, path, body):
    return client.post(API + path, body, content_type="application/json")


@pytest.fixture
def setting(make_household):
    county = user(Role.COUNTY_BUREAU, "371302")
    household = make_household(village(VILLAGE), county, urban_rural="urban",
                               members=[("韩二", 1, "02", datetime.date(1979, 1, 1))])
    return {"household": household, "county": client_of(county),
            "township": client_of(user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)),
            "yinan": client_of(user(Role.COUNTY_BUREAU, "371321")),
            "city": client_of(user(Role.CITY_BUREAU, "3713"))}


def test_a_review_from_start_to_the_notice_through_the_api(setting):
    county, township, household = setting["county"], setting["township"], setting["household"]
    enrolment = post(county, f"/households/{household.pk}/enrolments",
                     {"programme": "dibao", "since": "2025-01-01", "amount": "700"})
    assert enrolment.status_code == 201, enrolment.content
    review = post(township, "/reviews", {"enrolment_id": enrolment.json()["id"], "reason": "reported",
                                          "what": "家属申报就业"})
    assert review.status_code == 201 and review.json()["state"] == "visit"
    rid = review.json()["id"]
    assert setting["yinan"].get(f"{API}/reviews/{rid}").status_code == 404
    elsewhere = {"version": 1, "visitors": ["甲", "乙"], "visited_on": "2026-01-01", "findings": "x"}
    assert post(setting["yinan"], f"/reviews/{rid}/visit", elsewhere).status_code == 404
    bad = post(township, f"/reviews/{rid}/visit", {"version": 1, "visitors": ["甲", "乙"],
                                                   "visited_on": timezone.localdate().isoformat(),
                                                   "findings": "含\u0000字符"})
    assert bad.status_code == 422 and Review.objects.get().visited_on is None
    visited = post(township, f"/reviews/{rid}/visit", {"version": 1, "visitors": ["李明", "王芳"],
                                                       "visited_on": timezone.localdate().isoformat(),
                                                       "findings": "就业，月收入3000元"})
    assert visited.status_code == 200 and visited.json()["state"] == "decide"
    version = visited.json()["version"]
    decided = post(county, f"/reviews/{rid}/decision",
                   {"version": version, "outcome": "phase_out", "months": 3, "reasons": "就业后收入超过标准"})
    assert decided.status_code == 200, decided.content
    notice = decided.json()["decisions"][0]["notice"]
    assert "渐退" in notice and "行政复议" in notice
    second = post(county, f"/reviews/{rid}/decision", {"version": version, "outcome": "terminate",
                                                       "reasons": "不符合"})
    assert second.status_code == 409
    huge = post(county, f"/reviews/{10**20}/decision", {"version": 1, "outcome": "continue"})
    assert huge.status_code == 404
    assert Enrolment.objects.get().until == first_of_next_month(first_of_next_month(first_of_next_month(
        first_of_next_month(timezone.localdate()))))


def test_hand_over_to_yinan_and_confirm_through_the_api(setting):
    county, household = setting["county"], setting["household"]
    post(county, f"/households/{household.pk}/enrolments", {"programme": "dibao", "since": "2025-01-01",
                                                            "amount": "700"})
    village(YINAN_TOWNSHIP + "201")
    handed = post(county, f"/households/{household.pk}/hand-over", {"village": YINAN_TOWNSHIP + "201"})
    assert handed.status_code == 201, handed.content
    assert county.get(f"{API}/households/{household.pk}/assistance").status_code == 404
    tid = handed.json()["id"]
    assert county.get(f"{API}/transfers/{tid}").status_code == 404
    transfer = setting["yinan"].get(f"{API}/transfers/{tid}").json()
    continued = transfer["continued"][0]
    assert continued["county"] == "371321" and continued["since"] == first_of_next_month(
        timezone.localdate()).isoformat()
    confirmed = post(setting["yinan"], f"/transfers/{tid}/confirmation",
                     {"version": transfer["case_version"], "amounts": {str(continued["id"]): "650"}})
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    assistance = setting["yinan"].get(f"{API}/households/{household.pk}/assistance").json()
    assert [e["county"] for e in assistance["enrolments"]] == ["371302", "371321"]
    assert sorted(d["kind"] for d in assistance["decisions"]) == ["transfer_in", "transfer_out"]


def test_only_the_city_bureau_adjusts_for_a_standard(setting):
    assert post(setting["county"], f"/standards/{10**9}/adjustments", {}).status_code == 404
    from safetynet.programmes.models import Standard

    standard = Standard.objects.filter(kind="dibao", status="approved").first()
    assert post(setting["county"], f"/standards/{standard.pk}/adjustments", {}).status_code == 403
    # A kind that changes no amount is refused, in the user's words.
    cap = Standard.objects.create(kind="temp_township_cap", division_id="3713", value=3000,
                                  valid_from=datetime.date(2030, 1, 1), status="approved")
    refused = post(setting["city"], f"/standards/{cap.pk}/adjustments", {})
    assert refused.status_code == 422 and "不影响" in refused.json()["detail"][0]["message"]
    assert not EnrolmentDecision.objects.exists()
