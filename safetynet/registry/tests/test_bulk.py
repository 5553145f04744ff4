import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import LANSHAN_TOWNSHIP, person_data, user, village
from safetynet.core.ids import make_id_number
from safetynet.core.models import ChangeRecord, Role
from safetynet.core.services import snapshot
from safetynet.registry import bulk, selectors, services
from safetynet.registry.models import (
    AssetItem,
    Household,
    IncomeItem,
    Membership,
    Person,
    RigidExpense,
)
from safetynet.registry.search import person_search_keys

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")
REGISTRY_MODELS = (Person, Household, Membership, IncomeItem, AssetItem, RigidExpense, ChangeRecord)


def member(village_division, name="王大山", sex=1, relation="02", born=datetime.date(1950, 3, 1), **extra):
    data = person_data(village_division, name=name, sex=sex, born=born, **extra)
    return data | {"relation": relation}


def record(key, village_division, members=None, **more) -> bulk.HouseholdRecord:
    members = members or [member(village_division)]
    return bulk.HouseholdRecord(
        key=key,
        household={"village": village_division.code, "address": "幸福路1号", "urban_rural": "rural"},
        members=members,
        **more,
    )


def couple(key, village_division, **more) -> bulk.HouseholdRecord:
    return record(key, village_division, [
        member(village_division, "王大山", 1, "02", datetime.date(1948, 3, 1)),
        member(village_division, "李秀英", 2, "12", datetime.date(1950, 7, 9)),
    ], **more)


def money(village_division, key) -> bulk.HouseholdRecord:
    """A couple with income, property and a medical bill, each of a member."""
    return couple(
        key, village_division,
        income=[{"member_index": 0, "category": "wage", "amount": Decimal("12000.50"),
                 "period_start": datetime.date(2021, 12, 1), "period_end": datetime.date(2022, 11, 30)},
                {"member_index": 1, "category": "transfer_net", "amount": Decimal("1800"),
                 "period_start": datetime.date(2021, 12, 1), "period_end": datetime.date(2022, 11, 30),
                 "exclusion_reason": "pension_basic_central"}],
        assets=[{"member_index": 0, "asset_type": "101", "value": Decimal("5000")}],
        expenses=[{"member_index": 1, "expense_type": "medical", "amount": Decimal("8000.25"),
                   "incurred_on": datetime.date(2022, 5, 1)}],
    )


def counts():
    return {model.__name__: model.objects.count() for model in REGISTRY_MODELS}


def test_one_bad_household_of_each_kind_is_rejected_and_the_good_ones_are_stored(
    lanshan_village, yinan_village, county_user
):
    registered = member(lanshan_village, "赵已登")
    services.person_create(actor=county_user, data={k: v for k, v in registered.items() if k != "relation"})
    bad_id = member(lanshan_village, "钱错号")
    bad_id["id_number"] = bad_id["id_number"][:17] + ("0" if bad_id["id_number"][17] != "0" else "1")
    twice = member(lanshan_village, "孙两次")
    wrong_sex = couple("wrong sex", lanshan_village)
    wrong_sex.members[1]["relation"] = "11"  # 夫 for a woman
    records = [
        couple("good 1", lanshan_village),
        record("bad id", lanshan_village, [bad_id]),
        wrong_sex,
        record("twice, first", lanshan_village, [twice]),
        record("twice, again", lanshan_village, [dict(twice, name="孙又来")]),
        record("registered", lanshan_village, [registered]),
        couple("other county", yinan_village),
        money(lanshan_village, "good 2"),
    ]
    result = bulk.household_bulk_create(actor=county_user, records=records)

    assert [key for key, _errors in result.rejected] == [
        "bad id", "wrong sex", "twice, again", "registered", "other county"
    ]
    errors = dict(result.rejected)
    assert list(errors["bad id"]) == ["members[0].id_number"]
    assert list(errors["wrong sex"]) == ["members[1].relation"]
    assert list(errors["twice, again"]) == ["members[0].id_number"]
    assert "twice, first" in errors["twice, again"]["members[0].id_number"][0]
    assert list(errors["registered"]) == ["members[0].id_number"]
    assert set(errors["other county"]) == {
        "household.village", "members[0].residence_division", "members[1].residence_division"
    }
    for messages in errors.values():
        for texts in messages.values():
            assert all(CHINESE.search(text) for text in texts), texts

    assert len(result.created) == 3
    stored = Household.objects.filter(pk__in=result.created).order_by("pk")
    assert [h.head.name for h in stored] == ["王大山", "孙两次", "王大山"]
    assert Person.objects.filter(name="钱错号").count() == 0
    assert Person.objects.filter(name="孙又来").count() == 0


def test_every_error_of_a_household_is_reported_at_once(lanshan_village, county_user):
    broken = couple("broken", lanshan_village)
    broken.household["heating"] = "x"
    broken.members[0]["name"] = ""
    broken.members[1]["relation"] = "02"  # a second head
    broken.income = [{"member_index": 5, "category": "wage", "amount": Decimal("-1"),
                      "period_start": datetime.date(2022, 1, 1), "period_end": datetime.date(2021, 1, 1)}]
    broken.expenses = [{"member_index": 0, "expense_type": "medical", "amount": Decimal("0"),
                        "incurred_on": datetime.date(2022, 5, 1)}]
    broken.assets = [{"member_index": 0, "asset_type": "101", "value": "很多"},
                     {"member_index": 1, "asset_type": "101", "value": Decimal("1.005")}]
    result = bulk.household_bulk_create(actor=county_user, records=[broken])
    assert result.created == []
    [(key, errors)] = result.rejected
    assert key == "broken"
    assert {"household.heating", "members[0].name", "members[1].relation", "income[0].person",
            "income[0].period_end", "expenses[0].amount", "assets[0].value", "assets[1].value"} <= set(errors)
    # What only a check constraint of the model says (no field rule does), in its own words:
    assert errors["expenses[0].amount"] == [str(RigidExpense._meta.constraints[0].violation_error_message)]


def test_a_rejected_household_leaves_no_row_anywhere(lanshan_village, county_user):
    before = counts()
    bad = money(lanshan_village, "bad")
    bad.members[1]["sex"] = 1  # the ID number says a woman
    result = bulk.household_bulk_create(actor=county_user, records=[bad])
    assert [key for key, _e in result.rejected] == ["bad"]
    assert "members[1].sex" in result.rejected[0][1]
    assert counts() == before


def test_a_household_is_stored_whole_with_its_members_money_and_history(lanshan_village, county_user):
    result = bulk.household_bulk_create(actor=county_user, records=[money(lanshan_village, "H1")])
    [household] = Household.objects.filter(pk__in=result.created)
    members = list(household.memberships.select_related("person").order_by("pk"))
    assert [(m.person.name, m.relation, m.joined_on) for m in members] == [
        ("王大山", "02", datetime.date.today()), ("李秀英", "12", datetime.date.today())
    ]
    assert household.head == members[0].person
    assert sorted(IncomeItem.objects.filter(household=household).values_list("person__name", "amount",
                                                                             "excluded")) == [
        ("李秀英", Decimal("1800.00"), True), ("王大山", Decimal("12000.50"), False)
    ]
    assert AssetItem.objects.get(household=household).value == Decimal("5000.00")
    assert RigidExpense.objects.get(household=household).amount == Decimal("8000.25")


def test_history_shows_each_households_creation_with_actor_and_what_it_held(lanshan_village, county_user):
    result = bulk.household_bulk_create(
        actor=county_user, records=[money(lanshan_village, "A"), record("B", lanshan_village)]
    )
    for pk in result.created:
        household = Household.objects.get(pk=pk)
        [created] = selectors.household_timeline(actor=county_user, household=household)
        assert (created.action, created.entity_type, created.actor) == ("create", "household", county_user)
        values = snapshot(household)
        assert {k: created.after[k] for k in values} == values
        names = list(household.memberships.order_by("pk").values_list("person__name", flat=True))
        assert created.after["members"] == "、".join(names)
        assert created.after["member_count"] == len(names)
    first = ChangeRecord.objects.get(subject_id=result.created[0], subject_type="household")
    counted = (first.after["income_count"], first.after["asset_count"], first.after["expense_count"])
    assert counted == (2, 1, 1)
    assert first.after["floor_area"] is None
    assert first.after["head_id"] == Household.objects.get(pk=result.created[0]).head_id


def test_the_timeline_page_shows_a_bulk_created_household(client, lanshan_village, county_user):
    result = bulk.household_bulk_create(actor=county_user, records=[couple("A", lanshan_village)])
    client.force_login(county_user)
    page = client.get(reverse("registry:household_detail", args=[result.created[0]]))
    assert page.status_code == 200
    assert "李秀英" in page.content.decode()


def test_search_keys_area_and_people_are_set(lanshan_village, county_user):
    person = member(lanshan_village, "曾小单", 2, "02", datetime.date(1980, 1, 2))
    person["residence_division"] = lanshan_village.code  # a code does as well as a Division
    person["hukou_division"] = LANSHAN_TOWNSHIP
    result = bulk.household_bulk_create(actor=county_user, records=[record("A", lanshan_village, [person])])
    stored = Person.objects.get(name="曾小单")
    assert stored.area_id == lanshan_village.code
    assert stored.hukou_division_id == LANSHAN_TOWNSHIP
    assert stored.residence_division_id == lanshan_village.code
    keys = person_search_keys(name="曾小单", id_number=stored.id_number)
    assert (stored.name_pinyin, stored.name_initials, stored.id_reversed) == (
        keys["name_pinyin"], keys["name_initials"], keys["id_reversed"]
    )
    assert stored.name_pinyin == "zengxiaodan"  # 曾 read as a surname
    assert Household.objects.get(pk=result.created[0]).head == stored
    assert list(selectors.person_search(actor=county_user, query="zxd")) == [stored]


def test_a_15_digit_id_number_is_stored_in_its_18_digit_form(lanshan_village, county_user):
    born = datetime.date(1950, 3, 1)
    long = make_id_number("371302", born, 13)
    short = long[:6] + long[8:17]
    person = member(lanshan_village, born=born) | {"id_number": short}
    result = bulk.household_bulk_create(actor=county_user, records=[record("A", lanshan_village, [person])])
    assert result.rejected == []
    assert Person.objects.get(id_number=long).id_note


def test_the_queries_do_not_grow_with_the_number_of_households(lanshan_village, county_user):
    def queries(n: int, start: int) -> int:
        records = [money(lanshan_village, f"H{start + i}") for i in range(n)]
        with CaptureQueriesContext(connection) as captured:
            result = bulk.household_bulk_create(actor=county_user, records=records)
        assert len(result.created) == n
        return len(captured)

    assert queries(10, 0) == queries(100, 10)


def test_batches_each_take_the_same_few_queries(lanshan_village, county_user):
    records = [money(lanshan_village, f"H{i}") for i in range(30)]
    with CaptureQueriesContext(connection) as captured:
        result = bulk.household_bulk_create(actor=county_user, records=records, batch_size=10)
    assert len(result.created) == 30
    assert len(captured) <= 3 * 20


def test_an_actor_who_may_not_write_stores_nothing(lanshan_village):
    grid = user(Role.GRID_WORKER, lanshan_village.code)
    with pytest.raises(PermissionDenied):
        bulk.household_bulk_create(actor=grid, records=[couple("A", lanshan_village)])
    assert Household.objects.count() == 0


def test_a_village_unknown_or_not_a_village_is_rejected(lanshan_village, county_user):
    unknown = couple("unknown", lanshan_village)
    unknown.household["village"] = "371302001299"
    township = couple("township", lanshan_village)
    township.household["village"] = LANSHAN_TOWNSHIP
    result = bulk.household_bulk_create(actor=county_user, records=[unknown, township])
    errors = dict(result.rejected)
    assert list(errors["unknown"]) == ["household.village"]
    assert "371302001299" in errors["unknown"]["household.village"][0]
    assert list(errors["township"]) == ["household.village"]


def test_ids_given_twice_in_one_household_reject_it(lanshan_village, county_user):
    twin = couple("twins", lanshan_village)
    twin.members[1]["id_number"] = twin.members[0]["id_number"]
    twin.members[1]["sex"] = 1
    twin.members[1]["birth_date"] = twin.members[0]["birth_date"]
    twin.members[1]["relation"] = "20"
    result = bulk.household_bulk_create(actor=county_user, records=[twin, couple("ok", village(
        LANSHAN_TOWNSHIP + "202"))])
    assert [key for key, _e in result.rejected] == ["twins"]
    assert list(result.rejected[0][1]) == ["members[1].id_number"]
    assert len(result.created) == 1


def test_a_registered_id_number_is_reported_beside_the_other_errors(lanshan_village, county_user):
    both = couple("both", lanshan_village)
    head = {k: v for k, v in both.members[0].items() if k != "relation"}
    services.person_create(actor=county_user, data=head)
    both.members[1]["relation"] = "11"  # 夫 for a woman
    result = bulk.household_bulk_create(actor=county_user, records=[both])
    [(_key, errors)] = result.rejected
    assert set(errors) == {"members[0].id_number", "members[1].relation"}
