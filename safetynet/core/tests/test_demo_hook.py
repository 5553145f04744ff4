"""The demo city's clock and builders hook in core: apps above register builders, core runs them in
order with one context, and knows none of them."""

import datetime
from decimal import Decimal

import pytest

from safetynet.core import demo
from safetynet.core.demo import (
    DemoClock,
    DemoContext,
    demo_builders,
    register_demo_builder,
    run_demo_builders,
)

ran: list[str] = []


def builder_by_path(context: DemoContext) -> str:
    ran.append("by path")
    return f"by path as of {context.clock.as_of}"


@pytest.fixture
def registered():
    """Only this test's builders, the real ones put back afterwards."""
    saved = dict(demo._builders)
    demo._builders.clear()
    ran.clear()
    yield
    demo._builders.clear()
    demo._builders.update(saved)


def test_builders_run_by_order_then_name_and_return_their_lines(registered):
    register_demo_builder("care", lambda context: ran.append("care") or "care built", order=300)
    register_demo_builder("institutions", lambda context: ran.append("institutions"), order=200)
    register_demo_builder("b-path", "safetynet.core.tests.test_demo_hook:builder_by_path", order=200)
    assert demo_builders() == [("b-path", 200), ("institutions", 200), ("care", 300)]
    context = DemoContext(clock=DemoClock(datetime.date(2023, 1, 15)), seed=1, households=100)
    lines = run_demo_builders(context)
    assert ran == ["by path", "institutions", "care"]
    assert lines == ["by path as of 2023-01-15", "care built"]  # a builder may say nothing


def test_registering_a_name_again_replaces_it(registered):
    register_demo_builder("care", lambda context: ran.append("old"), order=300)
    register_demo_builder("care", lambda context: ran.append("new"), order=50)
    run_demo_builders(DemoContext(clock=DemoClock(datetime.date(2023, 1, 15)), seed=1, households=1))
    assert ran == ["new"] and demo_builders() == [("care", 50)]


def test_the_registry_registers_its_households_first():
    names = [name for name, _order in demo_builders()]
    assert names[0] == "registry.households"


def test_caseloads_and_money_scale_with_households_facts_do_not_need_to():
    clock = DemoClock(datetime.date(2023, 1, 15))
    full = DemoContext(clock=clock, seed=1, households=demo.FULL_CITY_HOUSEHOLDS)
    small = DemoContext(clock=full.clock, seed=1, households=2200)
    assert full.scaled(36_000) == 36_000 and small.scaled(36_000) == 360
    assert small.scaled(3) == 1 and small.scaled(0) == 0  # at least one of anything there is
    assert small.scaled_money(Decimal("1300000000")) == Decimal("13000000.00")
    assert small.rng("care").random() == small.rng("care").random()
    assert small.rng("care").random() != small.rng("rescue").random()


def test_the_clock_keeps_days_within_the_history_and_before_its_day():
    import random

    clock = DemoClock(datetime.date(2022, 3, 1))
    rng = random.Random(1)
    days = [clock.day(rng) for _draw in range(200)] + [clock.recent(rng, 400) for _draw in range(200)]
    assert min(days) >= datetime.date(2022, 1, 1) and max(days) <= clock.as_of
    assert clock.day_between(rng, datetime.date(2021, 1, 1), datetime.date(2021, 6, 1)) == demo.HISTORY_START
    moment = clock.moment(rng, clock.as_of)
    assert moment.tzinfo is not None and 8 <= moment.hour < 18
    with pytest.raises(ValueError):
        DemoClock(datetime.date(2021, 12, 31))


def test_as_of_text_becomes_a_clock_or_says_what_is_wrong():
    assert demo.demo_clock("2023-01-15") == DemoClock(datetime.date(2023, 1, 15))
    assert demo.demo_clock(" 2022-01-01 ").as_of == datetime.date(2022, 1, 1)
    assert demo.demo_clock(None).as_of == demo.core_clock.today()
    for bad in ("2023-13-01", "tomorrow", "2021-12-31", "9999-12-31"):
        with pytest.raises(ValueError, match="--as-of"):
            demo.demo_clock(bad)
