"""The demo city's enrolments: most eligible households receive 低保, some receive nothing yet and
a few receive it without qualifying — so a run over the demo city finds all three."""

import datetime

import pytest
from django.core.management import call_command

from conftest import user
from safetynet.core.models import Role
from safetynet.programmes.models import Enrolment
from safetynet.programmes.services import eligibility_run

pytestmark = pytest.mark.django_db


def test_a_run_over_the_demo_city_finds_who_receives_nothing_and_who_no_longer_qualifies():
    call_command("demo_city", households=400, seed=2022, as_of="2023-06-30")
    assert Enrolment.objects.filter(programme="dibao", until__isnull=True).count() > 100
    assert not Enrolment.objects.filter(since__gt=datetime.date(2023, 6, 30)).exists()
    run = eligibility_run(actor=user(Role.CITY_BUREAU, "3713"), area_code="3713",
                          on=datetime.date(2023, 6, 30))
    counts = run.counts["dibao"]
    assert counts["qualifies"] > 100
    assert 0 < counts["not_enrolled"] < counts["qualifies"] * 0.3  # about 12 %
    assert counts["no_longer"] == Enrolment.objects.count() - (counts["qualifies"] - counts["not_enrolled"])
    # The decided amount of an eligible household is what the rule gave on the day.
    paid = dict(Enrolment.objects.values_list("household_id", "amount"))
    for result in run.results.filter(qualifies=True, enrolled=True)[:50]:
        assert paid[result.household_id] == result.amount
