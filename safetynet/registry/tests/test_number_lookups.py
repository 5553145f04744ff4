"""Whole ID and phone numbers looked up by roles that see them masked (issue 6, items 13, 8, 20).

A grid worker sees `3713**********3843`, the age and the sex: the whole numbers that fit are few.
Each lookup of a whole number by such a role is logged, and past a small limit refused, by page, by
API and in the person picker alike; registration forms, which answer "already registered", count the
same. The county bureau sees the refusals on its home page.
"""

import contextlib
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from conftest import person_data, user
from safetynet.core.ids import make_id_number
from safetynet.core.masking import mask_id_number
from safetynet.core.models import IdentifierLookup, Role, UnmaskLog
from safetynet.core.services import LookupRefused, api_token_create
from safetynet.registry import selectors, services
from safetynet.registry.models import Person

pytestmark = pytest.mark.django_db

LIMIT = 5
BORN = datetime.date(1961, 8, 17)
Outcome = IdentifierLookup.Outcome


@pytest.fixture(autouse=True)
def lookup_limit(settings):
    settings.SAFETYNET_NUMBER_LOOKUP_LIMIT = LIMIT
    settings.SAFETYNET_NUMBER_LOOKUP_HOURS = 24


@pytest.fixture
def target(make_household, lanshan_village, county_user):
    """A household in the grid worker's village; its head's number is what the attacker wants."""
    household = make_household(lanshan_village, county_user, members=[("赵守田", 1, "02", BORN)])
    head = household.head
    Person.objects.filter(pk=head.pk).update(phone="13912345678")
    head.refresh_from_db()
    return head


@pytest.fixture
def grid(lanshan_village):
    return user(Role.GRID_WORKER, lanshan_village.code)


def guesses(person: Person, count: int) -> list[str]:
    """Whole numbers a masked role could try: the same area, order and check character (so the
    same masked form), other birth dates around the true one."""
    number, found = person.id_number, []
    day = 1
    while len(found) < count:
        shift = datetime.timedelta(days=day)
        for born in (person.birth_date + shift, person.birth_date - shift):
            guess = make_id_number(number[:6], born, int(number[14:17]))
            if guess[-4:] == number[-4:] and len(found) < count:
                found.append(guess)
        day += 1
    return found


def api(actor) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=actor, name='t')[1]}"})


def page_search(client, query):
    return client.get(reverse("registry:household_list"), {"q": query})


# --- search --------------------------------------------------------------------------------------

def test_guessing_a_masked_id_number_in_search_is_logged_and_refused_past_the_limit(client, grid, target):
    client.force_login(grid)
    for guess in guesses(target, LIMIT):
        response = page_search(client, guess)
        assert response.status_code == 200 and target.name not in response.text
    assert IdentifierLookup.objects.filter(actor=grid, outcome=Outcome.NOT_FOUND).count() == LIMIT

    # The true number, once the limit is used up: refused, the person not shown.
    response = page_search(client, target.id_number)
    assert response.status_code == 200
    assert target.name not in response.text
    assert "县区民政局" in response.text or "county" in response.text
    refused = IdentifierLookup.objects.get(actor=grid, outcome=Outcome.REFUSED)
    assert refused.shown == "3713**********" + target.id_number[-4:]
    assert refused.kind == "id_number" and refused.area == grid.division_id
    assert not UnmaskLog.objects.filter(actor=grid).exists()


def test_a_found_number_is_logged_as_a_disclosure_of_that_person(client, grid, target):
    client.force_login(grid)
    response = page_search(client, target.id_number)
    assert target.name in response.text
    lookup = IdentifierLookup.objects.get(actor=grid)
    assert (lookup.outcome, lookup.matches, lookup.channel) == (Outcome.FOUND, 1, "page")
    log = UnmaskLog.objects.get(actor=grid)
    assert (log.subject_type, log.subject_id, log.fields) == ("person", target.pk, "id_number")


def test_the_api_and_the_pages_share_one_allowance(client, grid, target):
    client.force_login(grid)
    tries = guesses(target, LIMIT)
    for guess in tries[:3]:
        page_search(client, guess)
    caller = api(grid)
    for guess in tries[3:]:
        assert caller.get("/api/v1/persons", {"q": guess}).json()["count"] == 0
    for url in ("/api/v1/persons", "/api/v1/households"):
        response = caller.get(url, {"q": target.id_number})
        assert response.status_code == 403
        assert target.name not in response.text
    assert IdentifierLookup.objects.filter(actor=grid, channel="api").count() == 4
    assert IdentifierLookup.objects.filter(actor=grid, outcome=Outcome.REFUSED).count() == 2


def test_the_person_picker_shares_the_allowance(client, lanshan_village, target):
    coordinator = user(Role.VILLAGE_COORDINATOR, lanshan_village.code)
    client.force_login(coordinator)
    for guess in guesses(target, LIMIT):
        client.get(reverse("registry:person_candidates"), {"person_q": guess, "housed": "1"})
    response = client.get(reverse("registry:person_candidates"),
                          {"person_q": target.id_number, "housed": "1"})
    assert response.status_code == 200 and target.name not in response.text
    page = client.get(reverse("registry:household_create"), {"person_q": target.id_number})
    assert page.status_code == 200 and target.name not in page.text
    assert IdentifierLookup.objects.filter(actor=coordinator, outcome=Outcome.REFUSED).count() == 2


def test_guessing_a_masked_phone_number_is_refused_past_the_limit(grid, target):
    hidden = [f"139{n:04d}5678" for n in range(LIMIT)]  # 139****5678: ten thousand to try
    for guess in hidden:
        assert not selectors.person_search(actor=grid, query=guess).exists()
    with pytest.raises(LookupRefused):
        selectors.person_search(actor=grid, query=target.phone)
    assert IdentifierLookup.objects.filter(actor=grid, kind="phone").count() == LIMIT + 1


def test_the_allowance_is_per_user_and_frees_up_after_the_window(grid, target, lanshan_village):
    for guess in guesses(target, LIMIT):
        list(selectors.person_search(actor=grid, query=guess))
    other_grid = user(Role.GRID_WORKER, lanshan_village.code)
    assert [p.pk for p in selectors.person_search(actor=other_grid, query=target.id_number)] == [target.pk]
    IdentifierLookup.objects.filter(actor=grid).update(at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert [p.pk for p in selectors.person_search(actor=grid, query=target.id_number)] == [target.pk]


def test_roles_that_see_numbers_whole_are_not_limited(county_user, target):
    for guess in [*guesses(target, LIMIT + 2), target.id_number]:
        list(selectors.person_search(actor=county_user, query=guess))
    assert not IdentifierLookup.objects.exists()


def test_the_last_four_and_names_are_no_lookups(grid, target):
    for _ in range(LIMIT + 2):
        assert [p.pk for p in selectors.person_search(actor=grid, query=target.id_number[-4:])] == [target.pk]
        assert [p.pk for p in selectors.person_search(actor=grid, query="赵守田")] == [target.pk]
    assert not IdentifierLookup.objects.exists()


# --- the county is told ----------------------------------------------------------------------------

def test_the_county_sees_the_refusals_on_its_home_page(client, grid, target, county_user, other_county_user):
    for guess in [*guesses(target, LIMIT), target.id_number]:
        with contextlib.suppress(LookupRefused):
            list(selectors.person_search(actor=grid, query=guess))
    client.force_login(county_user)
    home = client.get(reverse("home"))
    assert 'id="lookup-notices"' in home.text
    assert grid.username in home.text and "3713**********" + target.id_number[-4:] in home.text
    client.force_login(user(Role.CITY_BUREAU, "3713"))
    assert grid.username in client.get(reverse("home")).text
    client.force_login(other_county_user)
    assert 'id="lookup-notices"' not in client.get(reverse("home")).text
    client.force_login(grid)
    assert 'id="lookup-notices"' not in client.get(reverse("home")).text


# --- registration: the duplicate-ID answer -----------------------------------------------------------

def test_a_duplicate_id_number_names_the_holder_and_links_to_them(client, county_user, target,
                                                                 lanshan_village):
    client.force_login(county_user)
    form = {"person-id_number": target.id_number, "person-name": "赵四", "person-ethnicity": "01",
            "person-labour_capacity": "01", "person-health": "10", "person-status": "01", "source": "new",
            "relation": "02", "village": lanshan_village.code, "address": "幸福路9号", "urban_rural": "rural"}
    response = client.post(reverse("registry:household_create"), form)
    assert response.status_code == 200
    text = response.text
    assert "具有 身份证号 的 人员 已存在" not in text
    assert f"身份证号 {target.id_number} 已登记为 赵守田" in text
    household_id = services._household_of(target).pk
    assert f'href="{reverse("registry:household_detail", args=[household_id])}"' in text


def test_a_duplicate_id_number_in_another_county_reveals_nothing_and_is_logged(
    other_county_user, county_user, target, yinan_village, client
):
    with pytest.raises(ValidationError) as refused:
        services.person_create(actor=other_county_user, data=person_data(yinan_village, name="冒名")
                               | {"id_number": target.id_number, "hukou_division": yinan_village,
                                  "sex": target.sex, "birth_date": target.birth_date})
    message = " ".join(refused.value.message_dict["id_number"])
    assert target.name not in message and "兰山" not in message
    assert refused.value.error_dict["id_number"][0].code == "id_number_elsewhere"
    assert not Person.objects.filter(name="冒名").exists()
    logged = IdentifierLookup.objects.get(actor=other_county_user)
    assert (logged.outcome, logged.area) == (Outcome.ELSEWHERE, "371321")
    # The refusing county's bureau is told (its own user typed it), not the holder's.
    client.force_login(other_county_user)
    assert 'id="lookup-notices"' in client.get(reverse("home")).text
    client.force_login(county_user)
    assert 'id="lookup-notices"' not in client.get(reverse("home")).text


def test_changing_an_id_number_to_one_held_elsewhere_is_refused_the_same_way(
    other_county_user, target, yinan_village
):
    mine, _ = services.person_create(actor=other_county_user, data=person_data(yinan_village, name="钱五"))
    with pytest.raises(ValidationError) as refused:
        services.person_update(actor=other_county_user, person=mine, version=mine.version,
                               data={"id_number": target.id_number})
    assert refused.value.error_dict["id_number"][0].code == "id_number_elsewhere"
    assert IdentifierLookup.objects.get(actor=other_county_user).outcome == Outcome.ELSEWHERE


def test_a_coordinator_registering_people_uses_no_allowance(lanshan_village):
    coordinator = user(Role.VILLAGE_COORDINATOR, lanshan_village.code)
    for n in range(LIMIT + 2):
        services.person_create(actor=coordinator, data=person_data(lanshan_village, name=f"新人{n}"))
    assert Person.objects.filter(name__startswith="新人").count() == LIMIT + 2
    assert set(IdentifierLookup.objects.values_list("outcome", flat=True)) == {Outcome.CREATED}


def test_a_coordinator_guessing_through_the_registration_form_is_refused_past_the_limit(lanshan_village,
                                                                                       target):
    coordinator = user(Role.VILLAGE_COORDINATOR, lanshan_village.code)
    tries = guesses(target, LIMIT)
    for guess in tries:
        # Another value wrong: the form answers nothing about the number, and no lookup is spent.
        data = person_data(lanshan_village, name="试探") | {"id_number": guess, "birth_date": BORN,
                                                             "education": "no-such-code"}
        with pytest.raises(ValidationError) as refused:
            services.person_create(actor=coordinator, data=data)
        assert "id_number" not in refused.value.message_dict
    assert not IdentifierLookup.objects.exists()
    for guess in tries:
        # A valid person and a household that is refused afterwards: the lookup is spent all the same.
        data = person_data(lanshan_village, name="试探") | {"id_number": guess, "birth_date": None,
                                                             "sex": None}
        with pytest.raises(ValidationError):  # the address is too long
            services.household_create_with_new_head(
                actor=coordinator,
                data={"village": lanshan_village, "address": "x" * 500, "urban_rural": "rural"},
                head_data=data)
    assert IdentifierLookup.objects.filter(actor=coordinator).count() == LIMIT
    data = person_data(lanshan_village, name="试探") | {"id_number": target.id_number, "birth_date": None,
                                                         "sex": None}
    with pytest.raises(ValidationError) as refused:
        services.person_create(actor=coordinator, data=data)
    message = " ".join(refused.value.message_dict["id_number"])
    assert target.name not in message and "赵" not in message
    assert IdentifierLookup.objects.filter(actor=coordinator, outcome=Outcome.REFUSED).count() == 1
    assert not UnmaskLog.objects.filter(actor=coordinator).exists()


def test_a_coordinator_told_who_holds_a_number_is_logged_as_a_disclosure(lanshan_village, target):
    coordinator = user(Role.VILLAGE_COORDINATOR, lanshan_village.code)
    data = person_data(lanshan_village, name="试探") | {"id_number": target.id_number, "birth_date": None,
                                                         "sex": None}
    with pytest.raises(ValidationError) as refused:
        services.person_create(actor=coordinator, data=data)
    assert refused.value.error_dict["id_number"][0].code == "id_number_registered"
    assert IdentifierLookup.objects.get(actor=coordinator).outcome == Outcome.FOUND
    assert UnmaskLog.objects.get(actor=coordinator).subject_id == target.pk


def test_a_coordinator_registering_guesses_of_a_masked_number_is_refused_past_the_limit(lanshan_village,
                                                                                        target, client):
    """The attack the review found: register each whole number that fits a person's masked number,
    age and sex; the wrong ones become new people, the right one answers "already registered". The
    wrong ones resemble a person the coordinator sees, so they count; past the limit every such
    number is refused in the same words, the right one included."""
    coordinator = user(Role.VILLAGE_COORDINATOR, lanshan_village.code)
    tries = guesses(target, LIMIT + 3)
    for guess in tries[:LIMIT]:
        services.person_create(actor=coordinator, data=person_data(lanshan_village, name="试探") | {
            "id_number": guess, "birth_date": None, "sex": None})
    assert list(IdentifierLookup.objects.filter(actor=coordinator).values_list("outcome", flat=True)) \
        == [Outcome.RESEMBLES] * LIMIT
    for number in [*tries[LIMIT:], target.id_number]:
        with pytest.raises(ValidationError) as refused:
            services.person_create(actor=coordinator, data=person_data(lanshan_village, name="试探") | {
                "id_number": number, "birth_date": None, "sex": None})
        message = " ".join(refused.value.message_dict["id_number"])
        assert "赵" not in message and "已登记" not in message and "24" in message
    assert not UnmaskLog.objects.filter(actor=coordinator).exists()
    assert Person.objects.filter(name="试探").count() == LIMIT  # the guesses past the limit stored nothing
    county = user(Role.COUNTY_BUREAU, "371302")
    client.force_login(county)
    assert client.get("/").text.count(mask_id_number(target.id_number)) >= 1  # the county is told


def test_past_the_limit_a_coordinator_still_registers_new_people(lanshan_village, target):
    coordinator = user(Role.VILLAGE_COORDINATOR, lanshan_village.code)
    for guess in guesses(target, LIMIT + 1):
        with contextlib.suppress(ValidationError):
            services.person_create(actor=coordinator, data=person_data(lanshan_village, name="试探") | {
                "id_number": guess, "birth_date": None, "sex": None})
    assert IdentifierLookup.objects.filter(actor=coordinator, outcome=Outcome.REFUSED).exists()
    newcomer, _warnings = services.person_create(actor=coordinator,
                                                 data=person_data(lanshan_village, name="新来的"))
    assert newcomer.pk
    assert IdentifierLookup.objects.filter(actor=coordinator).latest("pk").outcome == Outcome.CREATED
