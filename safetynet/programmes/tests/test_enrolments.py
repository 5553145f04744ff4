"""Who receives a programme: recorded by the county bureau from a decision, ended with a reason;
the household page says whether a household that qualifies receives nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import ChangeRecord, Role
from safetynet.programmes import services
from safetynet.programmes.models import Enrolment
from safetynet.registry.models import Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(make_household):
    return make_household(village(LANSHAN_TOWNSHIP + "201"), user(Role.COUNTY_BUREAU, "371302"),
                          urban_rural="urban", members=[("韩一", 1, "02", datetime.date(1980, 1, 1))])


def test_an_enrolment_is_recorded_once_ended_with_a_reason_and_on_the_households_history(client, home):
    officer = user(Role.COUNTY_BUREAU, "371302")
    client.force_login(officer)
    assert "符合条件但未享受" in client.get(f"/registry/households/{home.pk}/").content.decode()

    enrolment = services.enrolment_start(actor=officer, household=home, programme="dibao",
                                         since=datetime.date(2022, 1, 1), amount="730",
                                         decision="兰民〔2022〕8号")
    page = client.get(f"/registry/households/{home.pk}/").content.decode()
    assert "自 2022-01-01 起享受，每月 730.00 元" in page and "符合条件但未享受" not in page
    with pytest.raises(ValidationError, match="已在享受"):
        services.enrolment_start(actor=officer, household=home, programme="dibao",
                                 since=datetime.date(2022, 6, 1), amount="730")
    with pytest.raises(ValidationError):
        services.enrolment_end(actor=officer, enrolment=enrolment, version=1, until=timezone.localdate(),
                               reason=" ")
    services.enrolment_end(actor=officer, enrolment=enrolment, version=1, until=timezone.localdate(),
                           reason="收入超过标准")
    with pytest.raises(ValidationError, match="刷新"):  # the same end sent twice
        services.enrolment_end(actor=officer, enrolment=enrolment, version=1, until=timezone.localdate(),
                               reason="收入超过标准")
    events = list(ChangeRecord.objects.filter(entity_type="enrolment").order_by("pk")
                  .values_list("event", flat=True))
    assert events == ["enrolment.started", "enrolment.ended"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"programme": "nope"}, "programme"), ({"amount": "-1"}, "amount"), ({"amount": "NaN"}, "amount"),
    ({"amount": "12.345"}, "amount"), ({"amount": "1e9"}, "amount"), ({"since": "2022-01-01"}, "since"),
    ({"decision": "号\x00"}, "decision"),
])
def test_bad_enrolments_are_refused_with_the_reason_and_nothing_saved(home, changes, field):
    given = {"programme": "dibao", "since": datetime.date(2022, 1, 1), "amount": "730", **changes}
    with pytest.raises(ValidationError) as refused:
        services.enrolment_start(actor=user(Role.COUNTY_BUREAU, "371302"), household=home, **given)
    assert field in refused.value.message_dict
    assert not Enrolment.objects.exists()


def test_only_the_county_bureau_of_the_household_records_it(home):
    for actor, error in ((user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP), PermissionDenied),
                         (user(Role.COUNTY_BUREAU, "371321"), Household.DoesNotExist)):
        with pytest.raises(error):
            services.enrolment_start(actor=actor, household=home, programme="dibao",
                                     since=datetime.date(2022, 1, 1), amount="730")
    assert not Enrolment.objects.exists()
