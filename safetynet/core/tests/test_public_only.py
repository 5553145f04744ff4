"""The internet-facing web server (`safetynet serve --public-only`) answers only the public entry
points the apps register, static files and /healthz: a leaked password or session is of no use
from outside."""

import pytest

from conftest import user
from safetynet.core import hooks
from safetynet.core.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_server(settings):
    settings.PUBLIC_ONLY = True
    saved = hooks.snapshot()
    # A stand-in public entry point: the language switch, which exists today and needs no login.
    hooks.register_public_path(name="test.public", prefix="/i18n/")
    yield
    hooks.restore(saved)


def test_staff_pages_and_the_login_are_not_found_even_with_a_valid_session(client, public_server):
    client.force_login(user(Role.CITY_BUREAU, "3713"))
    for path in ("/login/", "/", "/registry/", "/registry/households/1/", "/api/v1/households",
                 "/sw.js", "/live/", "/logout/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.content.decode() == "这里没有这个页面。"
        assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    assert client.post("/login/", {"username": "x", "password": "y"}).status_code == 404


def test_registered_public_paths_static_files_and_the_health_check_are_answered(client, public_server):
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/static/core/safetynet.css").status_code == 200
    # The registered public prefix reaches its view (the language switch redirects back).
    assert client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/i18n/"}).status_code == 302


def test_the_staff_server_answers_everything_as_before(client, settings):
    settings.PUBLIC_ONLY = False
    assert client.get("/login/").status_code == 200


def test_a_public_path_must_be_a_prefix_below_the_root():
    for wrong in ("/", "public/", "/public", ""):
        with pytest.raises(ValueError):
            hooks.register_public_path(name="test.wrong", prefix=wrong)
