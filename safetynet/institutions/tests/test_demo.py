"""The demo city's institutions: the briefing's 117 elderly institutions, all heated and fitted with CO
alarms, child-welfare homes and the 13 rescue stations; the demo's institution account sees its own
institution alone, the inspector those it was contracted for and sent to inspect. The winter safety
campaign in the briefing's proportions: 68 institutions inspected (60 elderly, 8 child welfare), 15
hazards (14 general, 1 major under listed supervision), one overdue and escalated, three inspections
waiting on the inspector's desk — one at the institution account's own institution."""

import pytest
from django.core.management import call_command

from safetynet.core.models import Campaign, User
from safetynet.core.workflows.selectors import desk
from safetynet.institutions import selectors
from safetynet.institutions.inspections import selectors as inspection_selectors
from safetynet.institutions.models import Hazard, Inspection, Institution

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_the_briefing_s_institutions():
    call_command("demo_city", households=300, seed=2022)
    elderly = Institution.objects.filter(kind__startswith="elderly")
    assert elderly.count() == 117
    assert not elderly.filter(co_alarms=0).exists() and not elderly.filter(heating="none").exists()
    assert Institution.objects.filter(kind="rescue_station").count() == 13
    assert len({i.division_id[:6] for i in Institution.objects.all()}) == 13  # in every county-level unit
    staff = User.objects.get(username="institution")
    assert selectors.institutions(actor=staff).count() == 1
    inspector = User.objects.get(username="inspector")
    sent_to = set(Inspection.objects.filter(inspector=inspector).values_list("institution", flat=True))
    seen = set(selectors.institutions(actor=inspector).values_list("pk", flat=True))
    assert sent_to <= seen and len(seen - sent_to) <= 5
    city = User.objects.get(username="city")
    assert selectors.coverage(actor=city)["total"] == Institution.objects.count()

    campaign = Campaign.objects.get(kind="safety")
    done = Inspection.objects.filter(campaign=campaign, state="done")
    assert done.count() == 68
    assert done.filter(institution__kind__startswith="elderly").count() == 60
    assert Hazard.objects.filter(grade="general").count() == 14
    [major] = Hazard.objects.filter(grade="major").select_related("case")
    assert major.case.state == "supervised" and major.plan_recorded
    figures = inspection_selectors.statistics(actor=city, campaign=campaign)
    assert figures["totals"]["inspected"] == 68 and figures["hazards"]["found"] == 15
    assert figures["hazards"]["overdue"] >= 1 and 0 < figures["hazards"]["rectified"] < 15
    waiting = Inspection.objects.filter(state="assigned", inspector=inspector)
    assert waiting.count() == 3
    assert waiting.filter(institution__in=selectors.institutions(actor=staff)).exists()
    titles = {row.title for row in desk(actor=inspector).coming + desk(actor=inspector).today}
    assert set(waiting.values_list("institution__name", flat=True)) <= titles
