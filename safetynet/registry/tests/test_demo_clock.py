"""`safetynet demo-city --as-of DATE`: one clock dates the whole demo city, and every app's registered
builder runs in order with it."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.translation import override

from safetynet.core import clock as core_clock
from safetynet.core.demo import HISTORY_START, DemoClock, register_demo_builder, unregister_demo_builder
from safetynet.core.models import ChangeRecord, User
from safetynet.registry import demo
from safetynet.registry.models import Household, IncomeItem, Membership, Person, RigidExpense
from safetynet.registry.tests.test_demo_city import remove_what_refers_to

pytestmark = pytest.mark.django_db

WINTER = (datetime.date(2022, 11, 15), datetime.date(2023, 3, 15))  # SPEC §6.7's campaign


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def every_date_the_city_holds() -> dict[str, list[datetime.date]]:
    """Every date the demo wrote on the households (birth dates aside), by where it is."""
    return {
        "history": [local_day(at) for at in ChangeRecord.objects.values_list("at", flat=True)],
        "household created": [local_day(at) for at in Household.objects.values_list("created_at", flat=True)],
        "person created": [local_day(at) for at in Person.objects.values_list("created_at", flat=True)],
        "joined": list(Membership.objects.values_list("joined_on", flat=True)),
        "income from": list(IncomeItem.objects.values_list("period_start", flat=True)),
        "income to": list(IncomeItem.objects.values_list("period_end", flat=True)),
        "expense": list(RigidExpense.objects.values_list("incurred_on", flat=True)),
    }


def dated_contents():
    """Each household (by its head's ID number) with every date it carries, and its people's."""
    out = {}
    for household in Household.objects.select_related("head"):
        out[household.head.id_number] = (
            household.created_at,
            sorted(set(ChangeRecord.objects.filter(subject_type="household", subject_id=household.pk)
                       .values_list("at", flat=True))),  # one record (bulk) or one per row (services)
            sorted(household.memberships.values_list("person__id_number", "joined_on", "person__created_at")),
            sorted(household.income_items.values_list("amount", "period_start", "period_end")),
            sorted(household.expenses.values_list("amount", "incurred_on")),
        )
    return out


def empty_registry():
    ChangeRecord.objects.all().delete()
    remove_what_refers_to(Household, Person)
    for model in (IncomeItem, RigidExpense, Membership):
        model.objects.all().delete()
    Household.objects.all().delete()
    Person.objects.all().delete()


def test_as_of_dates_everything_from_january_2022_to_that_day(capsys):
    call_command("demo_city", households=120, seed=4, as_of="2023-06-30")
    as_of = datetime.date(2023, 6, 30)
    assert Household.objects.count() == 120
    dates = every_date_the_city_holds()
    for where, days in dates.items():
        assert days, where
        assert max(days) <= as_of, where
        assert min(days) >= HISTORY_START, where
    assert max(Person.objects.values_list("birth_date", flat=True)) <= as_of
    # The 2022–23 winter can be reported: most households were registered before it, some during it.
    registered = dates["household created"]
    assert sum(day < WINTER[0] for day in registered) > len(registered) / 3
    assert any(WINTER[0] <= day <= WINTER[1] for day in registered)
    # Each household's history is dated the day it was registered, as are its members' joining.
    for household in Household.objects.all():
        [record] = ChangeRecord.objects.filter(subject_type="household", subject_id=household.pk)
        assert record.at == household.created_at
        assert set(household.memberships.values_list("joined_on", flat=True)) == {local_day(record.at)}
    assert "2023-06-30" in capsys.readouterr().out


def test_open_work_is_recent_relative_to_the_clock():
    clock = DemoClock(datetime.date(2026, 3, 1))
    plan = demo.plan_city(households=400, seed=6, townships=list_townships(), clock=clock)
    applicants = [h for h in plan.households if h.kind == "applicant"]
    assert applicants
    for household in applicants:
        assert clock.as_of - datetime.timedelta(days=45) <= household.joined_on <= clock.as_of
        assert household.registered_at.date() == household.joined_on
    # The standing caseload reaches back to the registry's first year.
    assert min(h.joined_on for h in plan.households) < datetime.date(2022, 7, 1)
    assert max(h.joined_on for h in plan.households) <= clock.as_of
    # Income is declared for the months before registration, never after it.
    for household in plan.households:
        for item in household.incomes:
            assert HISTORY_START <= item.values["period_start"] <= item.values["period_end"]
            assert item.values["period_end"] <= household.joined_on
        for item in household.expenses:
            assert HISTORY_START <= item.values["incurred_on"] <= household.joined_on


def list_townships():
    from safetynet.core.models import Division, DivisionLevel

    return list(Division.objects.filter(level=DivisionLevel.TOWNSHIP, code__startswith="3713")
                .values_list("code", "name"))


def test_the_same_seed_and_day_give_the_same_city_dates_included_and_another_day_another():
    call_command("demo_city", households=30, seed=9, as_of="2023-01-15")
    first = dated_contents()
    empty_registry()
    call_command("demo_city", households=30, seed=9, as_of="2023-01-15")
    assert dated_contents() == first
    empty_registry()
    call_command("demo_city", households=30, seed=9, as_of="2024-05-20")
    later = dated_contents()
    assert later != first
    assert max(at for _created, records, *_rest in later.values() for at in records) > max(
        at for _created, records, *_rest in first.values() for at in records)


def test_written_through_the_services_the_city_is_dated_the_same():
    clock = DemoClock(datetime.date(2023, 2, 1))
    demo.build_city(households=12, seed=2, clock=clock, through_services=True)
    by_services = dated_contents()
    assert ChangeRecord.objects.filter(at__date__gt=clock.as_of).count() == 0
    empty_registry()
    demo.build_city(households=12, seed=2, clock=clock)
    assert dated_contents() == by_services


def test_a_demo_dated_today_records_nothing_later_than_now():
    today = core_clock.today()
    call_command("demo_city", households=40, seed=3)  # --as-of defaults to today
    now = timezone.now()
    assert max(ChangeRecord.objects.values_list("at", flat=True)) <= now
    assert max(Membership.objects.values_list("joined_on", flat=True)) <= today
    assert max(RigidExpense.objects.values_list("incurred_on", flat=True), default=today) <= today


@pytest.mark.parametrize(("value", "says"), [
    ("15/01/2023", "不是日期"),
    ("2023-02-30", "不是日期"),
    ("yesterday", "不是日期"),
    ("2021-12-31", "2022-01-01"),
    ("1999-01-01", "2022-01-01"),
    ("2999-01-01", "今天"),
])
def test_a_bad_as_of_is_refused_in_chinese_and_nothing_is_written(value, says):
    users, records = User.objects.count(), ChangeRecord.objects.count()
    with override("zh-hans"), pytest.raises(CommandError) as refused:
        call_command("demo_city", households=10, seed=1, as_of=value)
    assert says in str(refused.value)
    assert "--as-of" in str(refused.value)
    assert Household.objects.count() == 0 and Person.objects.count() == 0
    assert (User.objects.count(), ChangeRecord.objects.count()) == (users, records)


def test_tomorrow_is_refused_today_is_not():
    today = core_clock.today()
    with pytest.raises(CommandError):
        tomorrow = today + datetime.timedelta(days=1)
        call_command("demo_city", households=5, seed=1, as_of=tomorrow.isoformat())
    assert Household.objects.count() == 0
    call_command("demo_city", households=5, seed=1, as_of=today.isoformat())
    assert Household.objects.count() == 5


@pytest.fixture
def test_builders():
    """Two builders of a pretend app above the registry, registered out of order."""
    calls = []

    def inspections(context):
        calls.append(("inspections", context))
        return "68 inspections"

    def stations(context):
        calls.append(("stations", context))
        assert context.users["city"].username == "city"  # the registry's builder ran first
        return None

    register_demo_builder("test.inspections", inspections, order=300)
    register_demo_builder("test.stations", stations, order=200)
    yield calls
    unregister_demo_builder("test.inspections")
    unregister_demo_builder("test.stations")


def test_the_command_runs_every_registered_builder_in_order_with_one_clock(test_builders, capsys):
    call_command("demo_city", households=22, seed=5, as_of="2023-03-01")
    assert [name for name, _context in test_builders] == ["stations", "inspections"]
    context = test_builders[0][1]
    assert test_builders[1][1] is context
    assert context.clock == DemoClock(datetime.date(2023, 3, 1))
    assert (context.seed, context.households) == (5, 22)
    assert context.villages and all(len(code) == 12 for code in context.villages)
    assert set(context.villages) == set(Household.objects.values_list("village_id", flat=True))
    assert context.results["registry"].households == 22
    out = capsys.readouterr().out
    assert out.index("22") < out.index("68 inspections")  # the households' line first


def test_a_refused_command_runs_no_builder(test_builders):
    with pytest.raises(CommandError):
        call_command("demo_city", households=5, seed=1, as_of="not a date")
    call_command("demo_city", households=5, seed=1, as_of="2023-01-01")
    with pytest.raises(CommandError):  # the registry is not empty any more
        call_command("demo_city", households=5, seed=1, as_of="2023-01-01")
    assert [name for name, _context in test_builders] == ["stations", "inspections"]


def test_a_city_as_of_the_first_day_of_the_history_is_all_dated_that_day():
    call_command("demo_city", households=25, seed=8, as_of="2022-01-01")
    dates = every_date_the_city_holds()
    for where in ("history", "household created", "person created", "joined", "income from", "income to"):
        assert set(dates[where]) == {HISTORY_START}, where  # the logins' making included
    assert set(dates["expense"]) <= {HISTORY_START}
    assert Household.objects.count() == 25
