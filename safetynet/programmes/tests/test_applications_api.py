"""Applications through /api/v1: handed in by the township, read in its area (404 elsewhere), the
records the steps need, the steps through the casework routes with the case's version (409 when
someone acted first, naming who), and values no client should send refused with 422."""

import datetime

import pytest
from django.test import Client

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Role
from safetynet.core.services import api_token_create
from safetynet.programmes.models import Application

pytestmark = pytest.mark.django_db
VILLAGE = LANSHAN_TOWNSHIP + "201"
API = "/api/v1"


def client_of(actor) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=actor, name='t')[1]}"})


@pytest.fixture
def setting(make_household):
    home = village(VILLAGE)
    county = user(Role.COUNTY_BUREAU, "371302")
    household = make_household(
        home, county, urban_rural="urban", members=[("韩二", 1, "02", datetime.date(1979, 1, 1))]
    )
    return {
        "household": household,
        "county": county,
        "township": user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP),
        "other": user(Role.COUNTY_BUREAU, "371321"),
    }


def test_hand_in_read_record_and_step_through_the_api(setting):
    township, county = client_of(setting["township"]), client_of(setting["county"])
    made = township.post(
        f"{API}/programmes/applications",
        {
            "household_id": setting["household"].pk,
            "programme": "dibao",
            "channel": "proxy",
            "proxy": "村委会",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["state"] == "submitted" and body["applicant"] == "韩二" and body["due_at"]
    number, case = body["id"], body["case_id"]
    assert [row["id"] for row in county.get(f"{API}/programmes/applications").json()] == [number]
    assert county.get(f"{API}/programmes/applications?state=accepted").json() == []
    assert client_of(setting["other"]).get(f"{API}/programmes/applications").json() == []
    assert client_of(setting["other"]).get(f"{API}/programmes/applications/{number}").status_code == 404

    step = township.post(
        f"{API}/cases/{case}/steps",
        {"transition": "accept", "version": body["case_version"]},
        content_type="application/json",
    )
    assert step.status_code == 200
    late = township.post(
        f"{API}/cases/{case}/steps",
        {"transition": "start", "version": body["case_version"]},
        content_type="application/json",
    )
    assert late.status_code == 409 and "受理" in late.json()["detail"]
    version = step.json()["version"]
    township.post(
        f"{API}/cases/{case}/steps",
        {"transition": "start", "version": version},
        content_type="application/json",
    )
    recorded = township.post(
        f"{API}/programmes/applications/{number}/investigation",
        {"investigators": ["李明", "王芳"], "methods": ["home_visit"], "findings": "独居"},
        content_type="application/json",
    )
    assert recorded.status_code == 200 and recorded.json()["investigators"] == ["李明", "王芳"]
    one = township.post(
        f"{API}/programmes/applications/{number}/investigation",
        {"investigators": ["李明"], "methods": ["home_visit"], "findings": "独居"},
        content_type="application/json",
    )
    assert one.status_code == 422
    state = township.get(f"{API}/programmes/applications/{number}").json()
    township.post(
        f"{API}/cases/{case}/steps",
        {"transition": "request_match", "version": state["case_version"]},
        content_type="application/json",
    )
    state = county.get(f"{API}/programmes/applications/{number}").json()
    sources = (
        "hukou",
        "tax",
        "social_insurance",
        "real_estate",
        "business",
        "housing_fund",
        "vehicles",
        "deposits",
        "insurance",
        "securities",
        "internet_finance",
    )
    partial = county.post(
        f"{API}/programmes/applications/{number}/data-match",
        {"version": state["case_version"], "passes": True, "results": {"tax": "无记录"}},
        content_type="application/json",
    )
    assert partial.status_code == 422 and Application.objects.get().match_filled_at is None
    matched = county.post(
        f"{API}/programmes/applications/{number}/data-match",
        {"version": state["case_version"], "passes": True, "results": dict.fromkeys(sources, "无记录")},
        content_type="application/json",
    )
    assert matched.status_code == 200 and matched.json()["state"] == "matched"
    assert matched.json()["match_passes"] is True


@pytest.mark.parametrize(
    "payload",
    [
        {"programme": "temporary", "channel": "household"},
        {"programme": "dibao", "channel": "household", "proxy": "代\u0000办"},
        {"programme": "dibao", "channel": "household", "person_id": 2**63},
        {"programme": "dibao", "channel": "household", "unknown": 1},
        {"programme": "dibao", "channel": "proxy"},
    ],
)
def test_values_no_client_should_send_are_refused_and_nothing_is_stored(setting, payload):
    response = client_of(setting["township"]).post(
        f"{API}/programmes/applications",
        {"household_id": setting["household"].pk, **payload},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert not Application.objects.exists()
