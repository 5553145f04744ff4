"""The demo city's institutions: the briefing's 117 elderly institutions, all heated and fitted with CO
alarms, child-welfare homes and the 13 rescue stations; the demo's institution account sees its own
institution alone, the inspector the five assigned to it."""

import pytest
from django.core.management import call_command

from safetynet.core.models import User
from safetynet.institutions import selectors
from safetynet.institutions.models import Institution

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
    inspector = User.objects.filter(role="inspector").first()
    assert selectors.institutions(actor=inspector).count() == 5
    city = User.objects.get(username="city")
    assert selectors.coverage(actor=city)["total"] == Institution.objects.count()
