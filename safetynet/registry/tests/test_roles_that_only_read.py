"""The auditor reads the registry of its area and changes nothing; the operator, finance officers
and caregivers neither read nor change it (their work has its own pages). Every write service
refuses them, whatever page or request they come from."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from conftest import LANSHAN_TOWNSHIP, person_data, user
from safetynet.core.models import ChangeRecord, Role
from safetynet.registry import rules, services
from safetynet.registry.models import Household

pytestmark = pytest.mark.django_db

NOT_WRITERS = [(Role.AUDITOR, "371302"), (Role.FINANCE_OFFICER, "371302"), (Role.OPERATOR, "3713"),
               (Role.CAREGIVER, LANSHAN_TOWNSHIP)]


@pytest.mark.parametrize("role, division", NOT_WRITERS)
def test_write_services_refuse_roles_that_do_not_change_the_registry(role, division, make_household,
                                                                     lanshan_village, county_user):
    household = make_household(lanshan_village, county_user)
    actor = user(role, division)
    changes = ChangeRecord.objects.count()
    writes = [
        lambda: services.person_create(actor=actor, data=person_data(lanshan_village, name="新人")),
        lambda: services.household_update(actor=actor, household=household, version=household.version,
                                          data={"address": "改过的地址"}),
        lambda: services.person_update(actor=actor, person=household.head, version=household.head.version,
                                       data={"name": "改名"}),
        lambda: services.income_item_create(actor=actor, household=household, data={
            "category": "wage", "amount": Decimal("100"), "period_start": datetime.date(2022, 1, 1),
            "period_end": datetime.date(2022, 12, 31)}),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied):
            write()
        with pytest.raises(PermissionDenied):
            rules.check_may_write(actor, lanshan_village.code)
    assert ChangeRecord.objects.count() == changes
    assert Household.objects.get().address == "幸福路1号"


def test_the_auditor_reads_its_area_and_only_its_area(client, make_household, lanshan_village, yinan_village,
                                                      county_user, other_county_user):
    born = datetime.date(1960, 1, 1)
    mine = make_household(lanshan_village, county_user, members=[("张审计", 1, "02", born)])
    theirs = make_household(yinan_village, other_county_user,
                            members=[("李外县", 1, "02", datetime.date(1960, 1, 1))])
    client.force_login(user(Role.AUDITOR, "371302"))
    assert client.get(f"/registry/households/{mine.pk}/").status_code == 200
    assert client.get(f"/registry/households/{theirs.pk}/").status_code == 404
    assert client.get(f"/registry/households/{mine.pk}/edit/").status_code == 403
    assert client.post(f"/registry/households/{mine.pk}/edit/", {"address": "x"}).status_code == 403
    assert client.get("/registry/households/new/").status_code == 403


@pytest.mark.parametrize("role, division", [(Role.FINANCE_OFFICER, "371302"), (Role.OPERATOR, "3713"),
                                            (Role.CAREGIVER, LANSHAN_TOWNSHIP)])
def test_roles_outside_the_registry_do_not_read_it(client, role, division, make_household, lanshan_village,
                                                   county_user):
    household = make_household(lanshan_village, county_user)
    client.force_login(user(role, division))
    assert client.get("/registry/").status_code == 403
    assert client.get(f"/registry/households/{household.pk}/").status_code == 403
