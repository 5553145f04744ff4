"""An app above the registry adds its menu entry, home and household cards, timeline entries and work
queue through core.hooks, and they show where they should, to whom they should (core and the registry
register their own the same way)."""

import datetime

import pytest
from django.utils import timezone

from conftest import user
from safetynet.core import hooks
from safetynet.core.models import Role
from safetynet.core.services import api_token_create

pytestmark = pytest.mark.django_db

# A template every checkout has, which shows what its context gives: enough to stand for an app's card.
CARD = "core/_menu.html"


@pytest.fixture(autouse=True)
def _restore_hooks():
    saved = hooks.snapshot()
    yield
    hooks.restore(saved)


def card(text: str) -> dict:
    return {"items": [{"label": text, "url": "/somewhere/", "current": False}]}


def test_the_menu_is_what_core_and_the_registry_registered(client, county_user):
    client.force_login(county_user)
    labels = [str(item["label"]) for item in hooks.menu_items(county_user)]
    assert labels[:6] == ["首页", "工作台", "消息", "家庭列表", "人员", "问题"]
    page = client.get("/registry/").content.decode()
    assert 'href="/registry/" aria-current="page"' in page  # the page is under this entry
    assert 'href="/" aria-current' not in page


def test_an_apps_menu_item_shows_only_to_the_roles_it_names(client, county_user, lanshan_village):
    hooks.register_menu_item(name="care.visits", label="上门探访", url_name="home",
                             roles={Role.COUNTY_BUREAU}, order=30)
    client.force_login(county_user)
    assert "上门探访" in client.get("/").content.decode()
    client.force_login(user(Role.GRID_WORKER, lanshan_village.code))
    assert "上门探访" not in client.get("/").content.decode()


def test_a_home_card_shows_for_its_roles_and_not_when_it_has_nothing_to_say(client, county_user):
    hooks.register_home_panel(name="care.today", template=CARD, roles={Role.COUNTY_BUREAU},
                              context=lambda actor: card(f"今日探访 {actor.division_id}"))
    hooks.register_home_panel(name="care.silent", template=CARD, context=lambda actor: None)
    client.force_login(county_user)
    assert "今日探访 371302" in client.get("/").content.decode()
    client.force_login(user(Role.TOWNSHIP_OFFICE, "371302001"))
    assert "今日探访" not in client.get("/").content.decode()


def test_a_household_card_is_given_the_household_and_shows_on_its_page(client, county_user, make_household,
                                                                      lanshan_village):
    household = make_household(lanshan_village, county_user)
    hooks.register_household_panel(name="care.placement", template=CARD,
                                   context=lambda actor, h: card(f"供养方式 户{h.pk}"))
    client.force_login(county_user)
    page = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert f"供养方式 户{household.pk}" in page


def test_an_apps_timeline_entries_merge_with_the_changes_on_the_page_and_in_the_api(
        client, county_user, make_household, lanshan_village):
    household = make_household(lanshan_village, county_user)
    later = timezone.now() + datetime.timedelta(days=1)
    earlier = timezone.now() - datetime.timedelta(days=3650)
    hooks.register_timeline_source(name="care.visits", entries=lambda actor, h: [
        hooks.TimelineItem(at=earlier, kind="care.visit", text="十年前的探访", actor="探访员"),
        hooks.TimelineItem(at=later, kind="care.visit", text="明天的探访", link="/somewhere/"),
    ] if h.pk == household.pk else [])
    client.force_login(county_user)
    page = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert page.index("明天的探访") < page.index("十年前的探访")
    assert '<a href="/somewhere/">明天的探访</a>' in page

    key = api_token_create(user=county_user, name="t")[1]
    answer = client.get(f"/api/v1/households/{household.pk}/timeline",
                        headers={"Authorization": f"Bearer {key}"})
    body = answer.json()
    kinds = [entry["kind"] for entry in body["items"]]
    assert kinds[0] == "care.visit" and kinds[-1] == "care.visit"
    assert set(kinds[1:-1]) == {"change"}
    assert body["count"] == len(body["items"])
    first_two = client.get(f"/api/v1/households/{household.pk}/timeline", {"page_size": 2},
                           headers={"Authorization": f"Bearer {key}"}).json()
    assert [e["text"] for e in first_two["items"]][0] == "明天的探访"
    assert len(first_two["items"]) == 2 and first_two["count"] == body["count"]
    last = client.get(f"/api/v1/households/{household.pk}/timeline", {"page_size": 1, "page": body["count"]},
                      headers={"Authorization": f"Bearer {key}"}).json()
    assert [e["text"] for e in last["items"]] == ["十年前的探访"]


def test_a_timeline_source_is_not_asked_for_a_role_it_does_not_serve(client, county_user, make_household,
                                                                    lanshan_village):
    household = make_household(lanshan_village, county_user)
    asked = []
    hooks.register_timeline_source(name="care.visits", roles={Role.CITY_BUREAU},
                                   entries=lambda actor, h: asked.append(actor) or [])
    client.force_login(county_user)
    client.get(f"/registry/households/{household.pk}/")
    assert asked == []


def test_my_queues_on_the_home_page_count_what_waits_for_the_user(client, county_user, lanshan_village):
    hooks.register_desk_queue(name="care.overdue", label="逾期探访", url_name="registry:person_list",
                              count=lambda actor: 7 if actor.role == Role.COUNTY_BUREAU else 0,
                              roles={Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE})
    client.force_login(county_user)
    page = client.get("/").content.decode()
    assert "我的待办" in page and "逾期探访" in page and ">7<" in page
    client.force_login(user(Role.GRID_WORKER, lanshan_village.code))
    assert "逾期探访" not in client.get("/").content.decode()


def test_registering_a_name_again_replaces_the_entry():
    hooks.register_menu_item(name="care.visits", label="旧", url_name="home")
    hooks.register_menu_item(name="care.visits", label="新", url_name="home")
    labels = [str(item.label) for item in hooks._MENU.values() if item.name == "care.visits"]
    assert labels == ["新"]


def test_a_menu_entry_registered_the_former_way_still_shows_after_the_others(client, county_user):
    from safetynet.core.views import register_menu_item

    register_menu_item("旧式入口", "password_change", lambda user: user.role == Role.COUNTY_BUREAU)
    labels = [str(item["label"]) for item in hooks.menu_items(county_user)]
    assert labels[-1] == "旧式入口"


def test_a_timeline_entry_dated_by_a_date_or_a_naive_time_sorts_with_the_history(
        client, county_user, make_household, lanshan_village):
    household = make_household(lanshan_village, county_user)
    hooks.register_timeline_source(name="care.dated", entries=lambda actor, h: [
        hooks.TimelineItem(at=datetime.date(2022, 12, 16), kind="care.visit", text="按日期记的探访"),
        hooks.TimelineItem(at=datetime.datetime(2030, 1, 1, 9, 0), kind="care.visit", text="无时区的探访"),
    ] if h.pk == household.pk else [])
    client.force_login(county_user)
    response = client.get(f"/registry/households/{household.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("无时区的探访") < page.index("按日期记的探访")
