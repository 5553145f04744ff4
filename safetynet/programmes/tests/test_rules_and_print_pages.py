"""The rules page a policy officer reads, and a household's explanation printed to be signed."""

import datetime

import pytest

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Role
from safetynet.programmes.rules import RULES

pytestmark = pytest.mark.django_db


def test_the_rules_page_shows_every_programme_in_words_and_as_written(client):
    client.force_login(user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP))
    page = client.get("/programmes/rules/").content.decode()
    for code, rule in RULES.items():
        assert f'id="rule-{code}"' in page and rule.version in page
        for condition in rule.conditions:
            assert f'data-condition="{condition.code}"' in page
    # in words: the facts by their names, in Chinese; as written: the expression itself
    assert '<code translate="no">per_capita_income &lt; standard</code>' in page
    assert "人均收入低于上年度人均可支配收入" in page
    assert "特困人员救助供养" in page and "临时救助" in page and "刚性支出困难" in page
    assert "able_supporters" in page


@pytest.fixture
def home(make_household):
    return make_household(village(LANSHAN_TOWNSHIP + "201"), user(Role.COUNTY_BUREAU, "371302"),
                          urban_rural="urban", members=[("印一", 1, "02", datetime.date(1950, 1, 1))])


def test_a_household_explanation_prints_with_every_figure_and_lines_to_sign(client, home):
    client.force_login(user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP))
    card = client.get(f"/registry/households/{home.pk}/").content.decode()
    assert f"/programmes/households/{home.pk}/eligibility/" in card
    page = client.get(f"/programmes/households/{home.pk}/eligibility/?on=2023-06-30").content.decode()
    assert 'id="eligibility-facts"' in page and "<details open>" in page and "data-print" in page
    assert "2023-06-30" in page and "印一" in page and "经办人" in page
    for code in RULES:
        assert f'data-programme="{code}"' in page


@pytest.mark.parametrize("on", ["1900-01-01", "2023-02-30", "x" * 30, "99999-01-01", "2023-06-30\x00"])
def test_an_absurd_day_is_refused_with_the_reason(client, home, on):
    client.force_login(user(Role.COUNTY_BUREAU, "371302"))
    answer = client.get(f"/programmes/households/{home.pk}/eligibility/", {"on": on})
    assert answer.status_code == 400 and 'role="alert"' in answer.content.decode()


def test_another_county_and_a_provider_cannot_print_it(client, home):
    client.force_login(user(Role.COUNTY_BUREAU, "371321"))
    assert client.get(f"/programmes/households/{home.pk}/eligibility/").status_code == 404
    client.force_login(user(Role.SERVICE_PROVIDER, "371302"))
    assert client.get(f"/programmes/households/{home.pk}/eligibility/").status_code == 403
