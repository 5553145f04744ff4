"""One privacy policy on every surface: the household page, the API, the export and the household's
history. A role that sees identifiers masked gets them masked everywhere, and asking for them whole
changes nothing and logs nothing; a role that may unmask gets them masked until it asks, then whole,
and each showing is logged with the surface it happened on."""

import datetime
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from conftest import user
from safetynet.core.models import Role, UnmaskLog
from safetynet.core.services import api_token_create
from safetynet.registry import imports, services

pytestmark = pytest.mark.django_db

OLD_PHONE, NEW_PHONE = "13812345678", "13987654321"
HOUSEHOLD_PHONE = "05398123456"


@pytest.fixture
def household(make_household, lanshan_village, county_user):
    household = make_household(lanshan_village, county_user, phone=HOUSEHOLD_PHONE,
                               members=[("钱守义", 1, "02", datetime.date(1949, 10, 1))])
    head = household.head
    services.person_update(actor=county_user, person=head, version=None, data={"phone": OLD_PHONE})
    head.refresh_from_db()
    services.person_update(actor=county_user, person=head, version=None, data={"phone": NEW_PHONE})
    household.refresh_from_db()
    return household


@pytest.fixture
def coordinator(lanshan_village):
    """Reads the village's households, sees their numbers masked."""
    return user(Role.VILLAGE_COORDINATOR, lanshan_village.code)


def page_client(actor) -> Client:
    client = Client()
    client.force_login(actor)
    return client


def api_client(actor) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=actor, name='t')[1]}"})


def logged(actor) -> list[tuple[str, str, str]]:
    return sorted(UnmaskLog.objects.filter(actor=actor).values_list("subject_type", "fields", "channel"))


# --- the household page -------------------------------------------------------------------------------

def test_the_page_masks_numbers_for_a_masked_role_and_refuses_to_show_them(household, coordinator):
    client, head = page_client(coordinator), household.head
    page = client.get(reverse("registry:household_detail", args=[household.pk])).text
    assert "3713**********" in page and head.id_number not in page and NEW_PHONE not in page
    assert client.post(reverse("registry:person_reveal", args=[head.pk])).status_code == 403
    assert client.post(reverse("registry:household_reveal", args=[household.pk])).status_code == 403
    assert logged(coordinator) == []


def test_the_page_shows_numbers_whole_after_a_reveal_and_logs_it(household, county_user):
    client, head = page_client(county_user), household.head
    page = client.get(reverse("registry:household_detail", args=[household.pk])).text
    assert head.id_number not in page and HOUSEHOLD_PHONE not in page and logged(county_user) == []
    shown = client.post(reverse("registry:person_reveal", args=[head.pk])).text
    phone = client.post(reverse("registry:household_reveal", args=[household.pk])).text
    assert head.id_number in shown and NEW_PHONE in shown and HOUSEHOLD_PHONE in phone
    assert logged(county_user) == [("household", "phone", "page"), ("person", "id_number,phone", "page")]


# --- the API --------------------------------------------------------------------------------------------

def test_the_api_masks_numbers_for_a_masked_role_even_when_asked(household, coordinator):
    answer = api_client(coordinator).get(f"/api/v1/households/{household.pk}/members?unmask=true").json()
    person = answer[0]["person"]
    assert person["id_number"] == "3713**********" + household.head.id_number[-4:]
    assert (person["unmasked"], person["birth_date"], person["age"] > 70) == (False, None, True)
    assert logged(coordinator) == []


def test_the_api_shows_numbers_whole_when_asked_and_logs_it(household, county_user):
    client, head = api_client(county_user), household.head
    masked = client.get(f"/api/v1/persons/{head.pk}").json()
    assert (masked["id_number"], masked["phone"], masked["unmasked"]) == (
        "3713**********" + head.id_number[-4:], "139****4321", False)
    assert masked["birth_date"] == "1949-10-01"  # a role that may unmask sees the date without asking
    assert logged(county_user) == []
    whole = client.get(f"/api/v1/persons/{head.pk}?unmask=true").json()
    assert (whole["id_number"], whole["phone"], whole["unmasked"]) == (head.id_number, NEW_PHONE, True)
    assert logged(county_user) == [("person", "id_number,phone", "api")]


# --- the export -----------------------------------------------------------------------------------------

def _exported_head(response) -> dict:
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    header = {column.field: rows[0].index(column.header) for column in imports.COLUMNS
              if column.part == imports.PERSON or column.field == "phone"}
    return {field: rows[1][index] for field, index in header.items()}


def test_an_export_is_masked_for_a_masked_role_even_when_whole_numbers_are_asked(household, coordinator):
    response = page_client(coordinator).post(reverse("registry:household_export"), {"identifiers": "whole"})
    head = _exported_head(response)
    assert head["id_number"] == "3713**********" + household.head.id_number[-4:]
    assert (head["phone"], head["birth_date"]) == ("139****4321", "****-**-**")
    assert logged(coordinator) == []


def test_an_export_in_whole_numbers_is_logged(household, county_user):
    client = page_client(county_user)
    masked = _exported_head(client.post(reverse("registry:household_export"), {"identifiers": "masked"}))
    assert masked["id_number"] != household.head.id_number and logged(county_user) == []
    whole = _exported_head(client.post(reverse("registry:household_export"), {"identifiers": "whole"}))
    assert (whole["id_number"], whole["phone"]) == (household.head.id_number, NEW_PHONE)
    assert logged(county_user) == [("household", "phone", "export"), ("person", "id_number,phone", "export")]


# --- the household's history ------------------------------------------------------------------------------

def history_of(page: str) -> str:
    return page[page.index('id="timeline"'):]


def test_the_history_masks_numbers_for_a_masked_role_and_offers_no_reveal(household, coordinator):
    client = page_client(coordinator)
    history = history_of(client.get(reverse("registry:household_detail", args=[household.pk])).text)
    assert "138****5678" in history and "139****4321" in history and OLD_PHONE not in history
    reveal_url = reverse("registry:household_history_reveal", args=[household.pk])
    assert reveal_url not in history
    assert client.post(reveal_url).status_code == 403
    assert logged(coordinator) == []


def test_the_history_shows_numbers_whole_after_a_reveal_and_logs_it(household, county_user):
    client = page_client(county_user)
    reveal_url = reverse("registry:household_history_reveal", args=[household.pk])
    history = history_of(client.get(reverse("registry:household_detail", args=[household.pk])).text)
    assert "138****5678" in history and OLD_PHONE not in history and HOUSEHOLD_PHONE not in history
    assert reveal_url in history and logged(county_user) == []
    for htmx in (False, True):
        headers = {"HX-Request": "true"} if htmx else {}
        history = client.post(reveal_url, headers=headers).text
        assert OLD_PHONE in history and NEW_PHONE in history and HOUSEHOLD_PHONE in history
    assert logged(county_user) == [("household", "phone", "page"), ("household", "phone", "page"),
                                   ("person", "phone", "page"), ("person", "phone", "page")]


def test_the_history_keeps_the_numbers_of_someone_who_moved_away_masked(
    household, county_user, other_county_user, yinan_village, make_household
):
    there = make_household(yinan_village, other_county_user)
    city = user(Role.CITY_BUREAU, "3713")
    services.member_move(actor=city, person=household.head, to_household=there, relation="10")
    history = page_client(county_user).post(
        reverse("registry:household_history_reveal", args=[household.pk])).text
    assert OLD_PHONE not in history and "138****5678" in history and HOUSEHOLD_PHONE in history
    assert logged(county_user) == [("household", "phone", "page")]
