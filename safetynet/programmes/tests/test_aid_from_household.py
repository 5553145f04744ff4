"""The household's card leads the township to the expenditure-type application when the rule grants
temporary aid; the village coordinator, who does not record it, is not offered it."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Role
from safetynet.registry import services

pytestmark = pytest.mark.django_db
VILLAGE = LANSHAN_TOWNSHIP + "201"


def test_the_township_is_offered_the_expenditure_application_where_the_rule_grants_it(make_household):
    county = user(Role.COUNTY_BUREAU, "371302")
    household = make_household(village(VILLAGE), county, urban_rural="urban",
                               members=[("病一", 1, "02", datetime.date(1970, 1, 1))])
    services.expense_create(actor=county, household=household, data={
        "expense_type": "medical", "amount": Decimal("20000"),
        "incurred_on": timezone.localdate() - datetime.timedelta(days=10)})
    for role, division, offered in ((Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP, True),
                                    (Role.VILLAGE_COORDINATOR, VILLAGE, False)):
        client = Client()
        client.force_login(user(role, division))
        page = client.get(f"/registry/households/{household.pk}/").content.decode()
        assert ('data-action="apply-aid"' in page) is offered, role
        if offered:
            assert f"/programmes/households/{household.pk}/temporary-aid/" in page
