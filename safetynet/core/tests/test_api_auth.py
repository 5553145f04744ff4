"""/api/v1 as a whole: the OpenAPI document is public, everything else needs a live token."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from safetynet.core.models import ApiToken, Role, User
from safetynet.core.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def bearer(key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def county_key(county_user):
    return api_token_create(user=county_user, name="test")[1]


def test_openapi_document_is_public():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert "/api/v1/households" in document["paths"]
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_docs_page_loads_nothing_from_elsewhere():
    response = Client().get("/api/v1/docs")
    # Either there is no docs page, or it is served entirely from here.
    assert response.status_code == 404 or b"https://" not in response.content


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/households", "/api/v1/persons", "/api/v1/divisions"])
def test_data_needs_a_token(path):
    response = Client().get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["detail"]


def test_a_wrong_token_is_401(county_key):
    assert bearer(county_key + "x").get("/api/v1/me").status_code == 401
    assert bearer("").get("/api/v1/me").status_code == 401


def test_a_token_names_its_user(county_user, county_key):
    response = bearer(county_key).get("/api/v1/me")
    assert response.status_code == 200
    me = response.json()
    assert (me["username"], me["role"], me["division"], me["division_name"], me["sees_full_identifiers"]) == (
        county_user.username, Role.COUNTY_BUREAU, "371302", county_user.division.name, True)
    assert me["role_label"]
    assert ApiToken.objects.get(user=county_user).last_used_at is not None


def test_a_token_in_constant_use_is_stamped_once_a_minute(county_user, county_key):
    client = bearer(county_key)
    assert client.get("/api/v1/me").status_code == 200
    token = ApiToken.objects.get(user=county_user)
    stamped = token.last_used_at
    for _request in range(3):
        assert client.get("/api/v1/me").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at == stamped  # `token list` is right to the minute

    a_while_ago = timezone.now() - datetime.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=a_while_ago)
    assert client.get("/api/v1/me").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at > a_while_ago


def test_revoked_expired_and_deactivated_tokens_are_401(county_user, county_key):
    token, key = api_token_create(user=county_user, name="short", days=1)
    assert bearer(key).get("/api/v1/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert bearer(key).get("/api/v1/me").status_code == 401

    api_token_revoke(token=ApiToken.objects.get(user=county_user, name="test"))
    assert bearer(county_key).get("/api/v1/me").status_code == 401

    _token, live = api_token_create(user=county_user, name="again")
    User.objects.filter(pk=county_user.pk).update(is_active=False)
    assert bearer(live).get("/api/v1/me").status_code == 401


def test_a_token_needs_no_session_or_csrf(county_key, lanshan_village):
    # A POST without a CSRF token and without a session is fine: the bearer token is the credential.
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {county_key}"})
    response = client.post("/api/v1/persons", {}, content_type="application/json")
    assert response.status_code == 422


def test_messages_follow_accept_language(county_key):
    client = bearer(county_key)
    chinese = client.post("/api/v1/persons", {}, content_type="application/json")
    english = client.post("/api/v1/persons", {}, content_type="application/json",
                          headers={"Accept-Language": "en"})
    assert {"field": "name", "message": "这个字段是必填项。"} in chinese.json()["detail"]
    assert {"field": "name", "message": "This field is required."} in english.json()["detail"]


def test_divisions_are_those_of_the_area(county_key):
    response = bearer(county_key).get("/api/v1/divisions", {"level": "township", "page_size": 200})
    assert response.status_code == 200
    codes = [d["code"] for d in response.json()["items"]]
    assert codes and all(code.startswith("371302") for code in codes)
