"""The login page's language switch: a form of its own that returns to the login page as it was
asked for, ?next= included, even after a wrong password (its browser test: tests/browser/test_language.py)."""

import html
import re

import pytest
from axes.models import AccessAttempt

from conftest import user
from safetynet.core.models import Role

pytestmark = pytest.mark.django_db


def switch_form(page: str) -> str:
    return re.search(r'<form[^>]*class="language-switch".*?</form>', page, re.S).group(0)


def test_after_a_wrong_password_the_switch_still_returns_to_the_page_asked_for(client):
    user(Role.COUNTY_BUREAU, "371302", username="clerk")
    asked = client.get("/registry/?q=1")
    assert asked.status_code == 302
    login_url = asked.url  # /login/?next=/registry/%3Fq%3D1

    # The browser sends the login form where its action says.
    login_page = client.get(login_url).text
    action = re.search(r'<form method="post" action="([^"]*)" class="form">', login_page).group(1)
    action = html.unescape(action)
    failed = client.post(action, {"username": "clerk", "password": "wrong", "next": "/registry/?q=1"})
    assert failed.status_code == 200
    switch = switch_form(failed.text)
    assert 'name="password"' not in switch and 'name="username"' not in switch
    back_to = html.unescape(re.search(r'name="next" value="([^"]*)"', switch).group(1))
    assert back_to == login_url

    switched = client.post("/i18n/setlang/", {"language": "en", "next": back_to})
    assert switched.status_code == 302 and switched.url == login_url
    assert AccessAttempt.objects.get().failures_since_start == 1  # the switch tried no password

    right = {"username": "clerk", "password": "Pass-word-2022", "next": "/registry/?q=1"}
    logged_in = client.post(action, right)
    assert logged_in.status_code == 302 and logged_in.url == "/registry/?q=1"
