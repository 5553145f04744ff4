"""Ordinary refusals (403, 404) are one line in the log, not a traceback; server errors keep theirs."""

import io
import logging

import pytest
from django.urls import reverse

from conftest import user
from safetynet.core.models import Role


@pytest.fixture
def console():
    """What the configured console handler writes, as text."""
    handler = next(h for h in logging.getLogger().handlers
                   if any(type(f).__name__ == "RefusalWithoutTraceback" for f in h.filters))
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def test_a_refused_action_is_logged_without_a_traceback(client, console, make_household, lanshan_village,
                                                        county_user):
    household = make_household(lanshan_village, county_user)
    client.force_login(user(Role.GRID_WORKER, lanshan_village.code))
    response = client.post(reverse("registry:person_reveal", args=[household.head_id]))
    assert response.status_code == 403
    logged = console.getvalue()
    assert "Forbidden" in logged
    assert "Traceback" not in logged and "PermissionDenied" not in logged


def test_an_object_outside_the_area_is_logged_without_a_traceback(client, console, make_household,
                                                                  lanshan_village, county_user,
                                                                  other_county_user):
    household = make_household(lanshan_village, county_user)
    client.force_login(other_county_user)
    assert client.get(reverse("registry:household_detail", args=[household.pk])).status_code == 404
    api_user = other_county_user
    from django.test import Client

    from safetynet.core.services import api_token_create

    api = Client(headers={"Authorization": f"Bearer {api_token_create(user=api_user, name='t')[1]}"})
    assert api.get(f"/api/v1/households/{household.pk}").status_code == 404
    logged = console.getvalue()
    assert "Not Found" in logged
    assert "Traceback" not in logged and "Http404" not in logged


def test_a_server_error_keeps_its_traceback(console):
    try:
        raise RuntimeError("the disk is full")
    except RuntimeError:
        logging.getLogger("django.request").error("Internal Server Error: /x", exc_info=True,
                                                  extra={"status_code": 500})
    assert "Traceback" in console.getvalue() and "the disk is full" in console.getvalue()
