"""The demo city's enrolments: most eligible households receive 低保, some receive nothing yet and
a few receive it without qualifying — so a run over the demo city finds all three."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

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
    dibao = Enrolment.objects.filter(programme="dibao")
    qualifying = set(run.results.filter(programme="dibao", qualifies=True)
                     .values_list("household_id", flat=True))
    receiving = set(dibao.values_list("household_id", flat=True))
    assert counts["no_longer"] == len(receiving - qualifying) > 0
    # who qualifies and receives nothing: neither 低保 nor, for each member, 特困 instead
    assert counts["not_enrolled"] < len(qualifying - receiving)
    # 特困, decided per member: most members who qualify receive it, each on their own enrolment
    tekun = run.counts["tekun"]
    members = Enrolment.objects.filter(programme="tekun")
    assert members.exists() and not members.filter(person__isnull=True).exists()
    assert 0 < tekun["not_enrolled"] < tekun["qualifies"]
    # The decided amount of an eligible household is what the rule gave on the day.
    paid = dict(dibao.values_list("household_id", "amount"))
    checked = 0
    for result in run.results.filter(programme="dibao", qualifies=True, household_id__in=paid)[:50]:
        assert paid[result.household_id] == result.amount
        checked += 1
    assert checked == 50


def test_the_demo_city_has_applications_at_every_step_on_the_desks():
    from safetynet.core.models import User
    from safetynet.core.workflows.selectors import desk
    from safetynet.programmes.applications.selectors import found_by_latest_run
    from safetynet.programmes.models import Application, Complaint

    call_command("demo_city", households=600, seed=2022)
    states = set(Application.objects.values_list("case__state", flat=True))
    assert {"submitted", "returned", "accepted", "investigating", "match_requested", "matched", "opinion",
            "public_notice", "county_review", "approved", "rejection_notified"} <= states
    approved = Application.objects.filter(decision="approved")
    assert approved.exists() and all(a.enrolment_id and a.explanation for a in approved)
    assert Application.objects.filter(programme="tekun").exists()
    assert Application.objects.exclude(near_relative_of=[]).exists()
    assert Complaint.objects.filter(case__state="checking").exists()
    # The city's run of the rules is there: coordinators have households to help apply (政策找人).
    assert any(found_by_latest_run(actor=c) for c in User.objects.filter(role=Role.VILLAGE_COORDINATOR))
    # Spread over the townships, on their desks, some of them overdue.
    assert len({a.village_id[:9] for a in Application.objects.all()}) > 3
    township = Application.objects.filter(case__state="submitted").first()
    officer = User.objects.filter(role=Role.TOWNSHIP_OFFICE, division_id=township.village_id[:9]).first()
    work = desk(actor=officer)
    assert work.counts["overdue"] + work.counts["today"] + work.counts["coming"] > 0
    now = timezone.now()
    waiting = Application.objects.filter(case__closed_at__isnull=True).select_related("case")
    assert any(a.case.due_at and a.case.due_at < now for a in waiting)  # a few overdue
    assert any(a.case.due_at and a.case.due_at > now for a in waiting)  # the rest still in time
