"""The demo city's temporary aid: a traveller registered in another county paid first within the
day, one paid with its paperwork late, one waiting to be paid, one closed after two stages, one the
county pays in stages through its payroll; and this winter's heating aid to the county's households
receiving 低保 or 特困."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from safetynet.programmes.aid import selectors
from safetynet.programmes.models import HeatingAidGrant, TemporaryAid

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_emergencies_and_heating_aid():
    call_command("demo_city", households=300, seed=2022)
    aid = TemporaryAid.objects.select_related("case", "person")
    assert aid.count() >= 4
    travellers = [a for a in aid if a.person_id and not a.person.area_id.startswith(a.area_id[:6])]
    assert travellers, "a traveller registered in another county"
    first = travellers[0]
    assert first.first_paid_at - first.reported_at <= datetime.timedelta(hours=24)
    assert any(selectors.is_late(a) for a in aid), "one paid with its paperwork late"
    assert aid.filter(case__state="reported").exists() and aid.filter(case__state="closed").exists()
    closed = aid.filter(case__state="closed", name="孙旅人").first()
    assert closed.payments.count() == 2 and closed.paid_total == closed.approved_amount
    # A fire above the township's cap the county pays in three monthly stages through its payroll,
    # the first in this month's (left for the walk, so not yet paid).
    staged = aid.filter(decided_by_county=True, instalments__isnull=False).distinct().order_by("pk").first()
    assert staged.case.state == "payroll_stages" and staged.case.due_at is None and staged.paid_total == 0
    assert [s.month for s in selectors.instalments_of(staged)][0] == timezone.localdate().replace(day=1)
    assert sum(s.amount for s in staged.instalments.all()) == staged.approved_amount
    assert HeatingAidGrant.objects.exists()
    assert not aid.filter(reported_at__gt=timezone.now()).exists()
