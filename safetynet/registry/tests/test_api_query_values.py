"""Query values no form would send (found by fuzzing the API): each gets a 4xx with a message in the
user's language, never a server error — on the API and on the pages alike."""

import pytest
from django.test import Client

from safetynet.core.services import api_token_create

pytestmark = pytest.mark.django_db

BEYOND_64_BITS = str(2**64 + 1)


@pytest.fixture
def api(county_user, lanshan_village, make_household):
    make_household(lanshan_village, county_user)
    token = api_token_create(user=county_user, name="test")[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def browser(county_user, lanshan_village, make_household):
    make_household(lanshan_village, county_user)
    client = Client()
    client.force_login(county_user)
    return client


def _messages(response) -> str:
    body = response.json()["detail"]
    return " ".join(item["message"] for item in body) if isinstance(body, list) else body


@pytest.mark.parametrize("division", ["ᐯ", "37 13", "3713x", "-1", "3" * 13])
def test_api_division_that_is_no_code_is_refused_in_chinese(api, division):
    response = api.get("/api/v1/households", {"division": division})
    assert response.status_code == 422
    assert "区划代码" in _messages(response)


def test_api_division_code_still_filters(api):
    assert api.get("/api/v1/households", {"division": "371302"}).json()["count"] == 1
    assert api.get("/api/v1/households", {"division": "371321"}).json()["count"] == 0


@pytest.mark.parametrize("path", ["/api/v1/households", "/api/v1/persons", "/api/v1/divisions"])
def test_api_page_past_64_bits_is_refused(api, path):
    response = api.get(path, {"page": BEYOND_64_BITS})
    assert response.status_code == 422
    assert "页" in _messages(response) or "小于或等于" in _messages(response)


@pytest.mark.parametrize("path", ["/api/v1/households", "/api/v1/persons"])
@pytest.mark.parametrize("query", ["张\x00三", "\x00", "3713\x01", "a\x7fb"])
def test_api_search_with_control_characters_is_refused(api, path, query):
    response = api.get(path, {"q": query})
    assert response.status_code == 422
    assert "控制字符" in _messages(response)


@pytest.mark.parametrize("field", ["level", "parent"])
def test_api_division_filters_with_control_characters_are_refused(api, field):
    response = api.get("/api/v1/divisions", {field: "37\x00"})
    assert response.status_code == 422


@pytest.mark.parametrize("query", ["张\x00三", "\x00"])
def test_page_search_with_nul_is_refused_in_chinese(browser, query):
    response = browser.get("/registry/", {"q": query})
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


def test_page_person_picker_with_nul_is_refused(browser):
    response = browser.get("/registry/people/candidates/", {"person_q": "张\x00"})
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


@pytest.mark.parametrize("page", [BEYOND_64_BITS, "1e400", "-" + BEYOND_64_BITS])
def test_page_number_past_64_bits_shows_a_page(browser, page):
    response = browser.get("/registry/", {"page": page})
    assert response.status_code in (200, 400)
    assert response.status_code != 500


def test_page_division_that_is_no_code_is_not_a_server_error(browser):
    response = browser.get("/registry/", {"division": "ᐯ"})
    assert response.status_code in (200, 400)
