"""A city-wide search by a common name (issue 6, item 23): the newest households with a matching
member are listed at once and counted up to a limit, saying there are more; the households listed
are the same as by the ordinary search, and a rarer name is still counted whole."""

import datetime

import pytest
from django.urls import reverse

from conftest import user
from safetynet.core.models import Role
from safetynet.core.services import api_token_create
from safetynet.registry import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_with_wangs(make_household, lanshan_village, yinan_village, county_user, other_county_user):
    """Seven households with a 王 (one only through a member who is not the head) and one without."""
    made = []
    for number in range(6):
        village, actor = (lanshan_village, county_user) if number % 2 else (yinan_village, other_county_user)
        made.append(make_household(village, actor, members=[(f"王{'一二三四五六'[number]}", 1, "02",
                                                              datetime.date(1950 + number, 1, 1))]))
    made.append(make_household(lanshan_village, county_user, members=[
        ("李大", 1, "02", datetime.date(1960, 1, 1)), ("王七", 2, "10", datetime.date(1961, 1, 1))]))
    make_household(lanshan_village, county_user, members=[("赵八", 1, "02", datetime.date(1962, 1, 1))])
    return made


def test_a_broad_city_search_lists_the_same_households_newest_first_and_counts_up_to_the_limit(
        city_with_wangs, monkeypatch):
    city = user(Role.CITY_BUREAU, "3713")
    ordinary = list(selectors.household_list(actor=city, query="王"))
    assert len(ordinary) == 7 and selectors.household_list(actor=city, query="王").counted() == (7, False)
    monkeypatch.setattr(selectors, "BROAD_SEARCH_PEOPLE", 3)
    monkeypatch.setattr(selectors, "BROAD_SEARCH_COUNT", 5)
    broad = selectors.household_list(actor=city, query="王")
    assert [h.pk for h in broad[:25]] == [h.pk for h in ordinary]
    assert [h.pk for h in ordinary] == sorted((h.pk for h in city_with_wangs), reverse=True)
    assert broad.counted() == (5, True)
    # A name fewer people share than the threshold is counted whole, as before.
    assert selectors.household_list(actor=city, query="王七").counted() == (1, False)


def test_the_page_and_the_api_say_there_are_more(city_with_wangs, client, monkeypatch):
    monkeypatch.setattr(selectors, "BROAD_SEARCH_PEOPLE", 3)
    monkeypatch.setattr(selectors, "BROAD_SEARCH_COUNT", 5)
    city = user(Role.CITY_BUREAU, "3713")
    client.force_login(city)
    text = client.get(reverse("registry:household_list"), {"q": "王"}).text
    assert "找到超过 5 户" in text and "王七" in text
    token = api_token_create(user=city, name="test")[1]
    bearer = {"Authorization": f"Bearer {token}"}
    answer = client.get("/api/v1/households", {"q": "王"}, headers=bearer).json()
    assert (answer["count"], answer["more"]) == (5, True)
    assert len(answer["items"]) == 7  # the page itself is not cut at the count


def test_a_county_search_is_never_cut(city_with_wangs, county_user, monkeypatch):
    monkeypatch.setattr(selectors, "BROAD_SEARCH_PEOPLE", 1)
    monkeypatch.setattr(selectors, "BROAD_SEARCH_COUNT", 1)
    assert selectors.household_list(actor=county_user, query="王").counted() == (4, False)
