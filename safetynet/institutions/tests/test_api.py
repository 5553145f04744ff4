"""Institutions through /api/v1: recorded by the county, read in its area and by the staff granted it,
changed with the version read (409 for the second), 404 elsewhere, 422 for what no client should send."""

import pytest
from django.test import Client

from conftest import LANSHAN_TOWNSHIP, user
from safetynet.core.grants import grant_create
from safetynet.core.models import Role
from safetynet.core.services import api_token_create

pytestmark = pytest.mark.django_db


def client_of(actor) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=actor, name='t')[1]}"})


def test_record_read_and_change_through_the_api(db):
    county, staff = user(Role.COUNTY_BUREAU, "371302"), user(Role.INSTITUTION_STAFF, "371302")
    api = client_of(county)
    made = api.post(
        "/api/v1/institutions",
        {
            "division": LANSHAN_TOWNSHIP,
            "name": "兰山敬老院",
            "kind": "elderly_public",
            "address": "兰山路1号",
            "heating": "coal",
            "co_alarms": 0,
            "co_rooms_heated": 4,
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["co_guarded"] is False
    assert (
        client_of(user(Role.COUNTY_BUREAU, "371321")).get(f"/api/v1/institutions/{body['id']}").status_code
        == 404
    )
    assert client_of(staff).get(f"/api/v1/institutions/{body['id']}").status_code == 404
    grant_create(actor=county, user=staff, kind="institutions.institution", object_id=body["id"])
    own = client_of(staff)
    assert [row["name"] for row in own.get("/api/v1/institutions").json()] == ["兰山敬老院"]
    fitted = own.patch(
        f"/api/v1/institutions/{body['id']}",
        {"version": body["version"], "co_alarms": 4, "co_rooms_covered": 4},
        content_type="application/json",
    )
    assert fitted.status_code == 200 and fitted.json()["co_guarded"] is True
    stale = api.patch(
        f"/api/v1/institutions/{body['id']}",
        {"version": body["version"], "beds": 5},
        content_type="application/json",
    )
    assert stale.status_code == 409
    bad = api.post(
        "/api/v1/institutions",
        {"division": LANSHAN_TOWNSHIP, "name": "x\u0000", "kind": "elderly_public", "address": "y"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert api.get(f"/api/v1/institutions/{10**20}").status_code == 404
    assert api.get("/api/v1/institutions", {"unguarded": "true"}).json() == []
