"""The service worker and the offline page (core.offline_views): what a phone stores must work for
every user, hold nobody's data, and reach the phones again when it changes."""

import re

import pytest

from conftest import user
from safetynet.core.models import Role

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_from_the_root_to_anyone_and_never_from_a_stale_cache(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-store" in response["Cache-Control"]
    script = response.content.decode()
    # The addresses it needs come from the URL configuration, not from the script.
    for address in ('"/offline/"', '"/login/"', '"/logout/"', '"/static/"', "/static/core/outbox.js"):
        assert address in script
    assert client.post("/sw.js").status_code == 405


def test_the_offline_page_holds_words_only_whoever_fetches_it(client):
    anonymous = client.get("/offline/")
    assert anonymous.status_code == 200 and "没有网络" in anonymous.content.decode()
    clerk = user(Role.COUNTY_BUREAU, "371302", username="county_clerk")
    client.force_login(clerk)
    page = client.get("/offline/").content.decode()
    # Stored on the phone when the worker starts: it names no one, not even the user who fetched it.
    assert "county_clerk" not in page
    assert 'id="outbox-status"' in page and "csrfmiddlewaretoken" not in page


def test_pages_with_an_offline_form_offer_to_be_kept_and_others_do_not(client, make_household):
    from conftest import LANSHAN_TOWNSHIP, village

    lanshan = village(LANSHAN_TOWNSHIP + "201")
    home = make_household(lanshan, user(Role.COUNTY_BUREAU, "371302"))
    client.force_login(user(Role.GRID_WORKER, lanshan.code))
    form = client.get(f"/registry/households/{home.pk}/visits/new/").content.decode()
    offline_form = re.compile(r"<form[^>]*data-offline")
    assert offline_form.search(form) and "data-now" in form and 'data-service-worker="/sw.js"' in form
    household = client.get(f"/registry/households/{home.pk}/").content.decode()
    assert not offline_form.search(household)
