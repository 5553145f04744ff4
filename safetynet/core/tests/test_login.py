"""Logging in, being locked out, idle logins expiring, changing the password, choosing the language."""

import datetime
import html

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from conftest import user
from safetynet.core.models import ChangeRecord, Role

pytestmark = pytest.mark.django_db

PASSWORD = "Pass-word-2022"  # noqa: S105 — the test accounts' password
WRONG = "not-the-password"  # noqa: S105


def shown(message: str) -> str:
    with override("zh-hans"):
        return html.escape(gettext(message), quote=False)


@pytest.fixture
def clerk(db):
    return user(Role.COUNTY_BUREAU, "371302", username="clerk", password=PASSWORD)


def log_in(client, password=PASSWORD, username="clerk"):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_page_without_login_sends_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_with_the_right_password_opens_the_home_page(client, clerk):
    assert log_in(client).status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "clerk" in home.text


def test_a_wrong_password_is_explained_on_the_login_page(client, clerk):
    response = log_in(client, WRONG)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert client.get(reverse("home")).status_code == 302


def test_five_wrong_passwords_lock_the_account_for_thirty_minutes(client, clerk):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, WRONG).status_code == 200
    locked = log_in(client, WRONG)
    assert locked.status_code == 429
    assert "30" in locked.text
    assert shown("Account locked") in locked.text
    # The right password does not help while the lock lasts.
    again = log_in(client)
    assert again.status_code == 429
    assert client.get(reverse("home")).status_code == 302


def test_logout_is_a_post_and_ends_the_login(client, clerk):
    log_in(client)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.fixture
def clock(monkeypatch):
    """Move the server's clock forward: clock.advance(minutes=…)."""
    offset = datetime.timedelta()
    real_now = timezone.now

    class Clock:
        def advance(self, **delta):
            nonlocal offset
            offset += datetime.timedelta(**delta)

    monkeypatch.setattr(timezone, "now", lambda: real_now() + offset)
    return Clock()


def test_an_idle_login_expires(client, clerk, clock):
    log_in(client)
    assert client.get(reverse("home")).status_code == 200
    clock.advance(seconds=settings.SESSION_COOKIE_AGE + 60)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_login_in_use_stays_open(client, clerk, clock):
    log_in(client)
    for _step in range(3):
        clock.advance(seconds=settings.SESSION_COOKIE_AGE * 2 // 3)
        assert client.get(reverse("home")).status_code == 200


def test_change_password_refuses_a_weak_one_and_accepts_a_strong_one(client, clerk):
    log_in(client)
    url = reverse("password_change")
    weak = client.post(url, {"old_password": PASSWORD, "new_password1": "12345678",
                             "new_password2": "12345678"})
    assert weak.status_code == 200
    assert weak.context["form"].errors["new_password2"]
    strong = "Hong-mei-2025-winter"
    done = client.post(url, {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong})
    assert done.status_code == 302
    assert client.get(done.url).status_code == 200  # still logged in after the change
    clerk.refresh_from_db()
    assert clerk.check_password(strong)


def test_a_changed_password_is_in_the_users_history_without_the_password(client, clerk):
    log_in(client)
    strong = "Hong-mei-2025-winter"
    client.post(reverse("password_change"),
                {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong})
    record = ChangeRecord.objects.get(subject_type="user", subject_id=clerk.pk)
    assert (record.actor_id, record.action, record.after) == (clerk.pk, ChangeRecord.Action.UPDATE,
                                                              {"password": "changed"})
    clerk.refresh_from_db()
    assert strong not in str(record.before) + str(record.after)
    assert clerk.password not in str(record.before) + str(record.after)


def test_the_language_can_be_switched_before_logging_in(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert response.url == reverse("login")
    page = client.get(reverse("login"))
    assert page.text.startswith("<!doctype html>")
    assert '<html lang="en">' in page.text


def test_the_login_page_is_chinese_by_default(client):
    page = client.get(reverse("login"))
    assert '<html lang="zh-hans">' in page.text
    assert shown("Log in") in page.text
