"""Security headers, cookies, the admin site and the login lockout (issue 6, item 19)."""

import importlib

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conftest import user
from safetynet.core.models import Role
from safetynet.core.services import api_token_create

PASSWORD = "Pass-word-2022"  # noqa: S105 — the test accounts' password
WRONG = "not-the-password"  # noqa: S105
OUTSIDER = "203.0.113.66"
CLERKS_DESK = "10.37.13.21"


@pytest.fixture
def county_client(client, county_user):
    client.force_login(county_user)
    return client


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


# --- Cache-Control: no-store on everything that may carry personal data ---------------------------

def test_the_reveal_page_is_not_stored_by_any_cache(county_client, make_household, lanshan_village,
                                                    county_user):
    household = make_household(lanshan_village, county_user)
    reveals = (("registry:person_reveal", household.head_id), ("registry:household_reveal", household.pk))
    for name, pk in reveals:
        response = county_client.post(reverse(name, args=[pk]))
        assert response.status_code == 200
        assert household.head.id_number in response.text or name == "registry:household_reveal"
        assert no_store(response), name


def test_an_export_is_not_stored_by_any_cache(county_client, make_household, lanshan_village, county_user):
    make_household(lanshan_village, county_user)
    response = county_client.post(reverse("registry:household_export"), {"identifiers": "whole"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert no_store(response)


def test_pages_and_api_answers_are_not_stored(county_client, county_user, make_household, lanshan_village):
    household = make_household(lanshan_village, county_user)
    for url in (reverse("home"), reverse("registry:household_list"),
                reverse("registry:household_detail", args=[household.pk])):
        assert no_store(county_client.get(url)), url
    api = Client(headers={"Authorization": f"Bearer {api_token_create(user=county_user, name='t')[1]}"})
    for url in (f"/api/v1/households/{household.pk}", f"/api/v1/persons/{household.head_id}?unmask=true",
                "/api/v1/households/999999"):
        assert no_store(api.get(url)), url


def test_static_files_stay_cacheable(client):
    response = client.get("/static/core/safetynet.css")
    assert response.status_code == 200
    assert not no_store(response)


# --- Content-Security-Policy -------------------------------------------------------------------------

def test_every_page_carries_a_content_security_policy_without_inline_script(client, county_client):
    for response in (client.get(reverse("login")), county_client.get(reverse("registry:household_list"))):
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy
        # And the pages rely on none: no inline handlers or script blocks the policy would block.
        assert " onclick=" not in response.text and "<script>" not in response.text


# --- /admin/ ---------------------------------------------------------------------------------------

def test_there_is_no_admin_site(client, county_user):
    superuser = user(Role.CITY_BUREAU, "3713", username="root")
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    assert client.get("/admin/").status_code == 404
    client.force_login(county_user)
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 404


# --- cookies ---------------------------------------------------------------------------------------

def test_cookies_are_secure_unless_plain_http_is_chosen(monkeypatch):
    import safetynet.settings as module

    try:
        monkeypatch.delenv("SAFETYNET_PLAIN_HTTP", raising=False)
        importlib.reload(module)
        assert module.SESSION_COOKIE_SECURE and module.CSRF_COOKIE_SECURE
        monkeypatch.setenv("SAFETYNET_PLAIN_HTTP", "1")
        importlib.reload(module)
        assert not module.SESSION_COOKIE_SECURE and not module.CSRF_COOKIE_SECURE
    finally:
        monkeypatch.delenv("SAFETYNET_PLAIN_HTTP", raising=False)
        importlib.reload(module)


def test_the_login_cookie_is_marked_secure(client, county_user):
    county_user.set_password(PASSWORD)
    county_user.save()
    response = client.post(reverse("login"), {"username": county_user.username, "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"]


# --- lockout -------------------------------------------------------------------------------------

def _log_in(address: str, username: str, password: str):
    return Client(REMOTE_ADDR=address).post(reverse("login"), {"username": username, "password": password})


def test_an_outsider_guessing_cannot_lock_the_user_out_at_their_desk(db):
    clerk = user(Role.COUNTY_BUREAU, "371302", username="clerk", password=PASSWORD)
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 2):
        _log_in(OUTSIDER, clerk.username, WRONG)
    # The outsider is locked out, even with the right password…
    assert _log_in(OUTSIDER, clerk.username, PASSWORD).status_code == 429
    # …the clerk at their own desk is not.
    assert _log_in(CLERKS_DESK, clerk.username, PASSWORD).status_code == 302


def test_guessing_from_one_address_is_still_locked(db):
    clerk = user(Role.COUNTY_BUREAU, "371302", username="clerk", password=PASSWORD)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _log_in(CLERKS_DESK, clerk.username, WRONG)
    assert _log_in(CLERKS_DESK, clerk.username, PASSWORD).status_code == 429


def test_behind_a_proxy_the_forwarded_address_counts(db, settings):
    settings.SAFETYNET_PROXY_COUNT = 1
    clerk = user(Role.COUNTY_BUREAU, "371302", username="clerk", password=PASSWORD)

    def via_proxy(client_address, password):
        return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.4, {client_address}").post(
            reverse("login"), {"username": clerk.username, "password": password})

    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        via_proxy(OUTSIDER, WRONG)
    assert via_proxy(OUTSIDER, PASSWORD).status_code == 429
    assert via_proxy(CLERKS_DESK, PASSWORD).status_code == 302
