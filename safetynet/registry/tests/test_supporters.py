"""Supporters (法定赡养、抚养、扶养义务人) of a household's members, on the household page and through
the API: added, changed and removed as the other items are, with the household's history; bad input
refused with the reason in Chinese and nothing saved; a stale version told, not overwritten."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from safetynet.core.models import Role, User
from safetynet.core.services import api_token_create
from safetynet.registry import services
from safetynet.registry.models import Supporter

pytestmark = pytest.mark.django_db


@pytest.fixture
def elder(make_household, lanshan_village, county_user):
    return make_household(lanshan_village, county_user, members=[
        ("孤老王", 1, "02", datetime.date(1940, 1, 1)), ("王妻", 2, "10", datetime.date(1942, 2, 2))])


def _form(household, **changes):
    return {"person": household.head_id, "name": "王儿", "relation": "child", "birth_date": "1968-03-03",
            "income_year": "24000", "disability_category": "", "disability_grade": "", "assistance": "",
            "incapacity": "", **changes}


def test_a_clerk_adds_a_supporter_on_the_household_page_and_the_history_says_so(client, elder, county_user):
    client.force_login(county_user)
    answer = client.post(reverse("registry:supporter_add", args=[elder.pk]), _form(elder))
    assert answer.status_code == 302
    supporter = Supporter.objects.get()
    assert (supporter.person_id, supporter.income_year, supporter.relation) == (elder.head_id, Decimal(24000),
                                                                                 "child")
    page = client.get(reverse("registry:household_detail", args=[elder.pk])).content.decode()
    assert f'data-supporter="{supporter.pk}"' in page and "王儿" in page and "子女" in page
    history = page.split('id="timeline"')[1]  # the household's history, at the foot of its page
    assert "赡养扶养义务人" in history and "王儿" in history


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"birth_date": "2999-01-01"}, "birth_date", "晚于今天"),
    ({"birth_date": "0001-01-01"}, "birth_date", "1900-01-01"),
    ({"income_year": "-1"}, "income_year", ""),
    ({"disability_grade": "1"}, None, "同时填写"),
    ({"relation": "neighbour"}, "relation", ""),
    ({"person": ""}, "person", ""),
    ({"name": "王\x00儿"}, "name", ""),
])
def test_bad_input_is_refused_with_the_reason_and_nothing_is_saved(client, elder, county_user, changes, field,
                                                                   message):
    client.force_login(county_user)
    answer = client.post(reverse("registry:supporter_add", args=[elder.pk]), _form(elder, **changes))
    assert answer.status_code in (200, 400)
    assert Supporter.objects.count() == 0
    page = answer.content.decode()
    assert 'class="errorlist' in page or 'role="alert"' in page
    if message:
        assert message in page


def test_a_person_of_another_household_cannot_be_the_member_supported(make_household, lanshan_village, elder,
                                                                      county_user):
    other = make_household(lanshan_village, county_user,
                           members=[("赵某", 1, "02", datetime.date(1950, 5, 5))])
    with pytest.raises(ValidationError, match="不是本家庭成员"):
        services.supporter_create(actor=county_user, household=elder, data={
            "person": other.head, "name": "赵儿", "relation": "child",
            "birth_date": datetime.date(1970, 1, 1)})
    assert Supporter.objects.count() == 0


def _api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=user, name='test')[1]}"})


def test_the_api_adds_changes_and_removes_a_supporter_and_tells_a_stale_version(elder, county_user):
    api = _api(county_user)
    made = api.post(f"/api/v1/households/{elder.pk}/supporters", {
        "person": elder.head_id, "name": "王女", "relation": "child", "birth_date": "1970-01-01",
        "income_year": "12000.50", "assistance": "dibao"}, content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["income_year"] == "12000.50" and body["assistance"] == "dibao"
    changed = api.patch(f"/api/v1/supporters/{body['id']}", {"version": 1, "incapacity": "missing"},
                        content_type="application/json")
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = api.patch(f"/api/v1/supporters/{body['id']}", {"version": 1, "name": "王小女"},
                      content_type="application/json")
    assert stale.status_code == 409
    assert Supporter.objects.get().name == "王女"
    assert api.delete(f"/api/v1/supporters/{body['id']}?version=2").status_code == 204
    assert not Supporter.objects.exists()


def test_another_county_neither_sees_nor_adds_supporters(elder, county_user):
    other = User.objects.create_user(username="luozhuang", password="Pass-word-2022",  # noqa: S106
                                     role=Role.COUNTY_BUREAU, division_id="371311")
    services.supporter_create(actor=county_user, household=elder, data={
        "person": elder.head, "name": "王儿", "relation": "child", "birth_date": datetime.date(1968, 3, 3)})
    api = _api(other)
    assert api.get(f"/api/v1/households/{elder.pk}/supporters").status_code == 404
    assert api.post(f"/api/v1/households/{elder.pk}/supporters", {
        "person": elder.head_id, "name": "冒名", "relation": "child", "birth_date": "1970-01-01"},
        content_type="application/json").status_code == 404
    assert Supporter.objects.count() == 1
