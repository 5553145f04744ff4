"""The search page as a clerk uses it (issue 6, item 10): the member who matched is shown, a city
user sees and filters by county, the hint names every kind of search, one pinyin letter is
explained, and a new household at an address already registered is pointed out."""

import datetime

import pytest
from django.urls import reverse

from conftest import person_data, user
from safetynet.core.models import Role

pytestmark = pytest.mark.django_db

FAMILY = [("王大山", 1, "02", datetime.date(1948, 3, 1)), ("李秀英", 2, "12", datetime.date(1950, 7, 9)),
          ("王小燕", 2, "31", datetime.date(1979, 2, 2))]


def results(client, **query) -> str:
    return client.get(reverse("registry:household_list"), query).text


@pytest.fixture
def family(make_household, lanshan_village, county_user):
    return make_household(lanshan_village, county_user, members=FAMILY)


def test_the_member_who_matched_is_shown_beside_the_head(client, county_user, family):
    client.force_login(county_user)
    text = results(client, q="王小燕")
    assert "王大山" in text  # the household, by its head
    assert "查到：王小燕" in text
    by_initials = results(client, q="wxy")
    assert "查到：王小燕" in by_initials
    # Found by the head: nothing more to say.
    assert "查到：" not in results(client, q="王大山")


def test_a_grid_worker_sees_which_member_a_last_four_search_found(client, lanshan_village, family):
    daughter = family.memberships.get(person__name="王小燕").person
    grid = user(Role.GRID_WORKER, lanshan_village.code)
    client.force_login(grid)
    assert "查到：王小燕" in results(client, q=daughter.id_number[-4:])


def test_a_city_user_sees_and_filters_by_county(client, family, make_household, yinan_village,
                                                other_county_user):
    make_household(yinan_village, other_county_user, members=[("沂南人", 1, "02", datetime.date(1960, 1, 1))])
    client.force_login(user(Role.CITY_BUREAU, "3713"))
    text = results(client)
    assert "<th>县（区）</th>" in text
    assert "兰山区" in text and "沂南县" in text
    label = text.split('id="id_division"')[0].rsplit("<label", 1)[1]
    assert "县（区）" in label and "乡镇" not in label
    filtered = results(client, division="371321")
    assert "沂南人" in filtered and "王大山" not in filtered


def test_a_county_user_filters_by_township_and_sees_no_county_column(client, county_user, family):
    client.force_login(county_user)
    text = results(client)
    assert "<th>县（区）</th>" not in text
    label = text.split('id="id_division"')[0].rsplit("<label", 1)[1]
    assert "乡镇（街道）" in label and "村" not in label


@pytest.mark.parametrize("role", [Role.COUNTY_BUREAU, Role.GRID_WORKER])
def test_the_hint_names_every_kind_of_search(client, lanshan_village, role):
    client.force_login(user(role, lanshan_village.code if role == Role.GRID_WORKER else "371302"))
    text = results(client)
    hint = text.split('id="id_q_helptext"')[1].split("</p>")[0]
    phone = "手机号" if role == Role.GRID_WORKER else "电话号码"
    for kind in ("完整身份证号", "后四位", "姓名", "名字", "拼音", "首字母", phone, "地址"):
        assert kind in hint, kind


def test_one_pinyin_letter_is_explained(client, county_user, family):
    client.force_login(county_user)
    text = results(client, q="w")
    assert "请输入两个或更多字母" in text
    assert "王大山" not in text


def test_a_part_of_a_number_a_masked_role_cannot_search_is_explained(client, lanshan_village, family):
    client.force_login(user(Role.GRID_WORKER, lanshan_village.code))
    text = results(client, q="1234567")
    assert "只能按身份证号后四位" in text


def test_a_new_household_at_an_address_already_registered_is_pointed_out(client, county_user, family,
                                                                         lanshan_village):
    client.force_login(county_user)
    head = person_data(lanshan_village, name="孙玉兰", sex=2, born=datetime.date(1956, 5, 4))
    post = {
        "village": lanshan_village.code, "address": family.address, "urban_rural": "rural",
        "source": "new", "relation": "02",
        "person-id_number": head["id_number"], "person-name": head["name"], "person-ethnicity": "01",
        "person-labour_capacity": "01", "person-health": "10", "person-status": "01",
    }
    response = client.post(reverse("registry:household_create"), post, follow=True)
    text = response.text
    assert f"{family.address} 已登记有其他家庭" in text
    assert f'<a href="{reverse("registry:household_detail", args=[family.pk])}">王大山</a>' in text


def test_a_new_household_at_a_new_address_is_not_pointed_out(client, county_user, family, lanshan_village):
    client.force_login(county_user)
    head = person_data(lanshan_village, name="孙玉兰", sex=2, born=datetime.date(1956, 5, 4))
    post = {
        "village": lanshan_village.code, "address": "和平路8号", "urban_rural": "rural",
        "source": "new", "relation": "02",
        "person-id_number": head["id_number"], "person-name": head["name"], "person-ethnicity": "01",
        "person-labour_capacity": "01", "person-health": "10", "person-status": "01",
    }
    text = client.post(reverse("registry:household_create"), post, follow=True).text
    assert "已登记有其他家庭" not in text


def test_the_person_picker_names_every_kind_of_search(client, lanshan_village):
    client.force_login(user(Role.VILLAGE_COORDINATOR, lanshan_village.code))
    text = client.get(reverse("registry:household_create")).text
    hint = text.split('id="person-q-hint"')[1].split("</p>")[0]
    for kind in ("完整身份证号", "后四位", "姓名", "拼音", "首字母", "手机号", "地址"):
        assert kind in hint, kind
