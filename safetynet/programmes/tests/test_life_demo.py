"""The demo city's assistance in payment: after a death in a township of each county the review waits
for the township's visit; another household's review is decided with its notice; 兰山区 has handed a
household over to 沂南县, which is to confirm it; the periodic reviews due are on the desks."""

import pytest
from django.core.management import call_command

from safetynet.programmes.models import EnrolmentDecision, Review, Transfer

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_reviews_notices_and_a_transfer():
    call_command("demo_city", households=300, seed=2022)
    deaths = Review.objects.filter(reason="death", case__state="visit")
    assert deaths.exists() and all(r.person_id for r in deaths)
    decided = EnrolmentDecision.objects.filter(kind="adjusted")
    assert decided.exists() and all("行政复议" in d.notice for d in decided)
    transfer = Transfer.objects.get()
    assert transfer.from_village_id.startswith("371302") and transfer.to_village_id.startswith("371321")
    assert transfer.case.state == "to_confirm"
    assert Review.objects.filter(reason="scheduled").exists()
