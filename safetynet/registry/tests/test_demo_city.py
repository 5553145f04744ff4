import datetime
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, ProtectedError
from django.test import override_settings

from safetynet.core.demo import DemoClock
from safetynet.core.ids import check_id_number
from safetynet.core.management.commands.run import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, demo_logins
from safetynet.core.models import ChangeRecord, Division, DivisionLevel, Role, User
from safetynet.registry import codes, demo
from safetynet.registry.models import (
    AssetItem,
    Household,
    IncomeItem,
    Membership,
    Person,
    RigidExpense,
)

pytestmark = pytest.mark.django_db

# A fixed day, so that the same seed gives the same city whatever day the tests run.
CLOCK = DemoClock(datetime.date(2023, 6, 30))

CHILD_OF_HEAD = {"20", "21", "22", "23", "24", "25", "26", "29",
                 "30", "31", "32", "33", "34", "35", "36", "39"}
PARENT_OF_HEAD = {"51", "52"}
GRANDCHILD_OF_HEAD = {"41", "42", "43", "44"}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def linyi_townships():
    return list(Division.objects.filter(level=DivisionLevel.TOWNSHIP, code__startswith="3713")
                .values_list("code", "name"))


def remove_what_refers_to(*targets) -> None:
    """Rows of the apps above the registry that point at its households or people (a programme's
    enrolments, say), found by their foreign keys: the registry's tests know no app above it."""
    pending = [model for model in apps.get_models() if model._meta.app_label != "registry"
               and any(field.is_relation and field.related_model in targets for field in model._meta.fields)]
    # Those rows may point at one another too (a placement at the survey it came from): whatever is
    # still referred to waits for a later round.
    for _round in range(len(pending) + 1):
        if not pending:
            return
        left = []
        for model in pending:
            try:
                delete_all(model)
            except ProtectedError:
                left.append(model)
        pending = left
    raise AssertionError(f"rows left that refer to each other: {pending}")


def delete_all(model) -> None:
    """Every row of `model`; rows that rows of their own model point at (a payroll line re-issued,
    named by its re-issue) after those that point at them."""
    own = [f.attname for f in model._meta.fields if f.is_relation and f.related_model is model]
    while True:
        referred = set()
        for attname in own:
            referred |= set(model.objects.filter(**{f"{attname}__isnull": False})
                            .values_list(attname, flat=True))
        deleted, _by_model = model.objects.exclude(pk__in=referred).delete()
        if not referred or not deleted:
            return


def empty_registry():
    """Remove every registry row (users and villages stay), as a fresh registry would be."""
    ChangeRecord.objects.all().delete()
    remove_what_refers_to(Household, Person)
    for model in (IncomeItem, AssetItem, RigidExpense, Membership, Household, Person):
        model.objects.all().delete()


def registry_contents():
    people = list(Person.objects.order_by("id_number").values_list("id_number", "name", "sex", "birth_date",
                                                                  "phone", "area_id"))
    money = sorted(IncomeItem.objects.values_list("person__id_number", "category", "amount", "excluded"))
    money += sorted(AssetItem.objects.values_list("person__id_number", "asset_type", "value", "exempt"))
    money += sorted(RigidExpense.objects.values_list("person__id_number", "expense_type", "amount",
                                                     "incurred_on"))
    households = sorted(Household.objects.values_list("head__id_number", "village_id", "address", "heating",
                                                      "co_alarm", "housing_status", "floor_area"))
    members = sorted(Membership.objects.values_list("household__head__id_number", "person__id_number",
                                                    "relation", "co_living", "exclusion", "joined_on"))
    return people, money, households, members


@pytest.fixture(scope="class")
def city(django_db_setup, django_db_blocker):
    """A 200-household demo city, built once for the tests of a class that only read it, then rolled back."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast), transaction.atomic():
        yield demo.build_city(households=200, seed=7, clock=CLOCK)
        transaction.set_rollback(True)


def test_same_seed_same_plan_and_another_seed_another():
    townships = linyi_townships()
    first = demo.plan_city(households=120, seed=11, townships=townships, clock=CLOCK)
    again = demo.plan_city(households=120, seed=11, townships=townships, clock=CLOCK)
    other = demo.plan_city(households=120, seed=12, townships=townships, clock=CLOCK)
    assert first == again
    ids = [m.id_number for h in first.households for m in h.members]
    assert ids == [m.id_number for h in again.households for m in h.members]
    assert ids != [m.id_number for h in other.households for m in h.members]


def test_building_twice_with_the_same_seed_gives_the_same_registry():
    demo.build_city(households=40, seed=5, clock=CLOCK)
    first = registry_contents()
    empty_registry()
    demo.build_city(households=40, seed=5, clock=CLOCK)
    assert registry_contents() == first
    assert len(first[0]) > 40


def test_the_city_is_the_same_whatever_the_size_of_the_chunks_it_is_written_in():
    demo.build_city(households=30, seed=8, clock=CLOCK, batch=7)  # five chunks, planned ahead
    in_chunks = registry_contents()
    empty_registry()
    demo.build_city(households=30, seed=8, clock=CLOCK)
    assert registry_contents() == in_chunks
    plan = demo.plan_city(households=30, seed=8, townships=linyi_townships(), clock=CLOCK)
    planned = sorted(m.id_number for h in plan.households for m in h.members)
    assert sorted(person[0] for person in in_chunks[0]) == planned


COUNTS = ("member_count", "income_count", "asset_count", "expense_count")


def creation_history():
    """Each household's creation as its timeline records it, by the head's ID number: the household's
    values (the head by ID number), its members' names in order, how many items of each kind, who."""
    heads = dict(Household.objects.values_list("pk", "head__id_number"))
    out = {}
    for pk, head in heads.items():
        records = ChangeRecord.objects.filter(subject_type="household", subject_id=pk, action="create")
        [household] = records.filter(entity_type="household")
        values = household.after | {"head_id": head}
        kinds = Counter(records.values_list("entity_type", flat=True))
        if "members" in values:  # one record for the whole household (the bulk services)
            members = values.pop("members")
            counted = {key: values.pop(key) for key in COUNTS}
        else:  # a record per row (the single-record services)
            names = records.filter(entity_type="membership").order_by("id").values_list("after", flat=True)
            members = "、".join(after["person_name"] for after in names)
            counted = {"member_count": kinds["membership"], "income_count": kinds["incomeitem"],
                       "asset_count": kinds["assetitem"], "expense_count": kinds["rigidexpense"]}
        actors = set(records.values_list("actor__username", flat=True))
        out[head] = (values, members, counted, actors)
    return out


def test_bulk_writing_and_the_services_write_the_same_rows_and_equivalent_history():
    demo.build_city(households=25, seed=3, clock=CLOCK, through_services=True)
    by_services, history = registry_contents(), creation_history()
    empty_registry()
    demo.build_city(households=25, seed=3, clock=CLOCK)
    assert registry_contents() == by_services
    assert creation_history() == history
    assert len(history) == 25
    assert all(actors == {"city"} for _values, _members, _counted, actors in history.values())


class TestABuiltCity:
    """Checks that only read one city, built once for them all."""

    def test_every_id_number_is_valid_and_agrees_with_its_holder(self, city):
        people = list(Person.objects.all())
        assert len(people) == city.persons
        for person in people:
            checked = check_id_number(person.id_number, birth_date=person.birth_date, sex=person.sex)
            assert checked.warnings == []
            county = person.area_id[:6]
            assert person.id_number[:6] in demo.birth_address_codes(county)
            if person.id_number[:6] == demo.COUNTIES[county][3]:
                assert person.birth_date.year < 1994  # old codes only for numbers first issued before 1994
            if person.disability_cert_no:
                assert person.disability_cert_no == f"{person.id_number}{person.disability_category}" \
                                                    f"{person.disability_grade}"
        assert any(p.id_number.startswith("3728") for p in people)


    def test_relations_fit_sex_and_every_household_has_exactly_one_head(self, city):
        heads = Counter()
        for membership in Membership.objects.select_related("person", "household"):
            expected = codes.relation_sex(membership.relation)
            assert expected in (None, membership.person.sex), (membership.relation, membership.person.name)
            if membership.relation in codes.HEAD_RELATIONS:
                heads[membership.household_id] += 1
                assert membership.household.head_id == membership.person_id
            assert membership.co_living == (not membership.exclusion)
        assert set(heads.values()) == {1}
        assert len(heads) == Household.objects.count() == city.households


    def test_ages_fit_the_relations(self, city):
        def years(older, younger):
            return (younger - older).days / 365.25

        for household in Household.objects.select_related("head"):
            members = list(household.memberships.select_related("person"))
            head = household.head
            for m in members:
                born = m.person.birth_date
                if m.relation in CHILD_OF_HEAD:
                    assert 18 <= years(head.birth_date, born) <= 45, (household.pk, m.relation)
                    spouse = next((s.person for s in members if s.relation in ("11", "12")), None)
                    if spouse:
                        assert 18 <= years(spouse.birth_date, born) <= 45, (household.pk, m.relation)
                elif m.relation in PARENT_OF_HEAD:
                    assert 18 <= years(born, head.birth_date) <= 45
                elif m.relation in GRANDCHILD_OF_HEAD:
                    assert years(head.birth_date, born) >= 36
                assert born <= CLOCK.as_of


    def test_households_are_spread_over_all_13_county_level_units(self, city):
        counties = Counter(v[:6] for v in Household.objects.values_list("village_id", flat=True))
        assert set(counties) == set(demo.COUNTIES)
        assert counties["371302"] > counties["371371"]  # Lanshan is far bigger than the hi-tech zone
        rural = Household.objects.filter(urban_rural="rural").count() / city.households
        assert 0.7 <= rural <= 0.9


    def test_villages_are_generated_under_real_townships(self, city):
        villages = list(Division.objects.filter(level=DivisionLevel.VILLAGE))
        assert len(villages) == city.villages
        for village in villages:
            township = village.parent
            assert township.level == DivisionLevel.TOWNSHIP and village.code[:9] == township.code
            community = village.code[9] == "1"
            assert village.name.endswith("社区" if community else "村")
            assert village.urban_rural_default == ("urban" if community else "rural")


    def test_a_user_for_every_role_and_level(self, city):
        users = User.objects.filter(email__endswith="@" + DEMO_EMAIL_DOMAIN)
        assert {u.role for u in users} == set(Role.values)
        assert users.get(username="city").division_id == "3713"
        county_users = {u.division_id for u in users.filter(role=Role.COUNTY_BUREAU)}
        assert county_users == set(demo.COUNTIES)
        assert users.get(username="lanshan").division_id == "371302"
        assert users.get(username="yinan").division_id == "371321"
        demo_townships = {v[:9] for v in Household.objects.values_list("village_id", flat=True)}
        assert {u.division_id for u in users.filter(role=Role.TOWNSHIP_OFFICE)} == demo_townships
        for role in (Role.VILLAGE_COORDINATOR, Role.GRID_WORKER):
            assert {u.division_id[:9] for u in users.filter(role=role)} == demo_townships
        assert users.get(username="city").check_password(DEMO_PASSWORD)


    def test_households_get_the_grid_worker_and_coordinator_of_their_village(self, city):
        with_workers = (Household.objects.filter(grid_worker__isnull=False)
                        .select_related("grid_worker", "coordinator"))
        assert with_workers.exists()
        for household in with_workers:
            assert household.grid_worker.division_id == household.village_id
            assert household.coordinator.division_id == household.village_id
            assert household.grid_worker.role == Role.GRID_WORKER
        staffed = set(User.objects.filter(role=Role.GRID_WORKER).values_list("division_id", flat=True))
        assert not Household.objects.filter(village_id__in=staffed, grid_worker__isnull=True).exists()


    def test_the_mix_looks_like_the_households_a_bureau_knows(self, city):
        households = Household.objects.count()
        singles = Household.objects.annotate(n=Count("memberships")).filter(n=1).count()
        assert 0.2 <= singles / households <= 0.6  # 特困 persons and elderly living alone
        assert Person.objects.filter(disability_grade__in=[1, 2]).exists()
        assert Person.objects.filter(health=codes.Health.SERIOUSLY_ILL).exists()
        assert Person.objects.filter(self_care=codes.SelfCare.FULLY_LOST).exists()
        pension = codes.IncomeExclusion.BASIC_PENSION
        assert IncomeItem.objects.filter(excluded=True, exclusion_reason=pension).exists()
        assert set(IncomeItem.objects.values_list("category", flat=True)) == set(codes.IncomeCategory.values)
        assert AssetItem.objects.filter(asset_type=codes.AssetType.FARMLAND).exists()
        assert RigidExpense.objects.filter(expense_type=codes.ExpenseType.MEDICAL).exists()
        combustion = Household.objects.filter(heating__in=codes.COMBUSTION_HEATING)
        with_alarm = combustion.filter(co_alarm=True).count() / combustion.count()
        assert 0.6 <= with_alarm < 1  # most coal and gas homes have a CO alarm, not all
        phones = Person.objects.exclude(phone="").values_list("phone", flat=True)
        assert phones and all(len(p) == 11 and p[:2] in ("13", "15", "18") for p in phones)


    def test_demo_logins_are_read_from_the_database(self, city):
        rows, hidden = demo_logins()
        usernames = [r[0] for r in rows]
        assert usernames[0] == "city"
        assert "lanshan" in usernames and "yinan" in usernames
        everything, none_hidden = demo_logins(everything=True)
        assert none_hidden == 0 and len(everything) == len(rows) + hidden == city.users


def test_if_empty_does_nothing_when_the_registry_has_households(capsys):
    demo.build_city(households=15, seed=1, clock=CLOCK)
    before = (Household.objects.count(), Person.objects.count(), ChangeRecord.objects.count())
    call_command("demo_city", households=30, seed=2, if_empty=True)
    assert (Household.objects.count(), Person.objects.count(), ChangeRecord.objects.count()) == before
    assert "15" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("demo_city", households=30, seed=2)


def test_the_command_builds_and_summarises(capsys):
    call_command("demo_city", households=20, seed=2022, if_empty=True)
    out = capsys.readouterr().out
    assert Household.objects.count() == 20
    assert "20" in out and DEMO_PASSWORD in out


def test_village_names_are_unique_within_a_township():
    plan = demo.plan_city(households=600, seed=9, townships=linyi_townships(), clock=CLOCK)
    names = Counter((v.code[:9], v.name) for v in plan.villages)
    assert max(names.values()) == 1
    assert len({v.code for v in plan.villages}) == len(plan.villages)
    assert all(h.members[0].relation == "02" for h in plan.households)
    assert all(datetime.date(1920, 1, 1) < m.birth_date < CLOCK.as_of
               for h in plan.households for m in h.members)


def test_the_demo_provider_and_caregiver_see_the_persons_granted_to_them_and_no_one_else(capsys):
    from safetynet.core.selectors import users_by_username
    from safetynet.registry import selectors
    from safetynet.registry.demo.grants import GRANTEES

    call_command("demo_city", households=200, seed=2022, if_empty=True)
    logins = users_by_username(["provider", "caregiver", "lanshan"])
    served = {}
    for login, (count, _reason) in GRANTEES.items():
        people = list(selectors.person_list(actor=logins[login]))
        # The registry's own grants, and those the apps above add (care agreements, service contracts).
        assert len(people) >= count
        assert all(person.area_id.startswith("371302") for person in people)
        served[login] = {person.pk for person in people}
    assert selectors.person_list(actor=logins["lanshan"]).count() > sum(len(v) for v in served.values())
    assert "授权" in capsys.readouterr().out
