"""Standards as dated data: Linyi's history as loaded, a change scheduled by one officer and approved
by another, and everything that must be refused with nothing saved."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import user
from safetynet.core.models import ChangeRecord, Role
from safetynet.programmes import services
from safetynet.programmes.models import Standard
from safetynet.programmes.selectors import standard_at

pytestmark = pytest.mark.django_db
LANSHAN, YINAN = "371302", "371321"


def _value(kind, county, urban_rural, on):
    found = standard_at(kind=kind, county=county, urban_rural=urban_rural, on=on)
    return found.value if found else None


def test_linyis_published_standards_are_history_and_2022_is_marked_synthetic():
    # 1 September 2018: districts 520, counties 500 (urban); rural 350 a month everywhere.
    assert _value("dibao", LANSHAN, "urban", datetime.date(2019, 1, 1)) == Decimal(520)
    assert _value("dibao", YINAN, "urban", datetime.date(2019, 1, 1)) == Decimal(500)
    assert _value("dibao", YINAN, "rural", datetime.date(2019, 1, 1)) == Decimal(350)
    # 1 July 2020: one city-wide value replaces the counties' earlier own values.
    assert _value("dibao", LANSHAN, "urban", datetime.date(2020, 7, 1)) == Decimal(600)
    assert _value("dibao", YINAN, "urban", datetime.date(2020, 6, 30)) == Decimal(500)
    assert _value("tekun_care_full", YINAN, "", datetime.date(2021, 3, 1)) == Decimal(700)
    # 2022: the counties' own again, and synthetic.
    lanshan_2022 = standard_at(kind="dibao", county=LANSHAN, urban_rural="urban",
                               on=datetime.date(2022, 12, 16))
    assert lanshan_2022.value == Decimal(730) and lanshan_2022.source == Standard.Source.SYNTHETIC
    assert _value("dibao", YINAN, "urban", datetime.date(2022, 12, 16)) == Decimal(700)
    assert _value("dibao", YINAN, "rural", datetime.date(2018, 8, 31)) is None  # before any value


def test_a_new_standard_scheduled_by_one_officer_applies_once_another_approves_it():
    maker = user(Role.CITY_BUREAU, "3713", username="maker")
    checker = user(Role.CITY_BUREAU, "3713", username="checker")
    start = timezone.localdate() + datetime.timedelta(days=30)
    proposed = services.standard_schedule(actor=maker, kind="dibao", division_code=LANSHAN,
                                          urban_rural="urban", valid_from=start, value="800",
                                          note="2023年提标")
    assert _value("dibao", LANSHAN, "urban", start) == Decimal(730)  # not before approval
    with pytest.raises(PermissionDenied):
        services.standard_approve(actor=maker, pk=proposed.pk, version=proposed.version)
    approved = services.standard_approve(actor=checker, pk=proposed.pk, version=proposed.version)
    assert approved.status == Standard.Status.APPROVED
    assert _value("dibao", LANSHAN, "urban", start) == Decimal(800)
    assert _value("dibao", LANSHAN, "urban", start - datetime.timedelta(days=1)) == Decimal(730)
    assert _value("dibao", YINAN, "urban", start) == Decimal(700)  # another county: unchanged
    events = list(ChangeRecord.objects.filter(entity_type="standard", entity_id=proposed.pk).order_by("pk")
                  .values_list("event", "actor__username"))
    assert events == [("standard.proposed", "maker"), ("standard.approved", "checker")]
    # A second decision on the same version is told that someone decided already.
    with pytest.raises(ValidationError, match="已"):
        services.standard_reject(actor=checker, pk=proposed.pk, version=proposed.version, reason="重复")


@pytest.mark.parametrize(("changes", "field"), [
    ({"kind": "no_such_standard"}, "kind"),
    ({"value": "-5"}, "value"),
    ({"value": "99999999"}, "value"),
    ({"value": "NaN"}, "value"),
    ({"value": "七百"}, "value"),
    ({"value": "700.123456"}, "value"),
    ({"urban_rural": ""}, "urban_rural"),
    ({"division_code": "371302001"}, "division"),
    ({"division_code": "3701"}, "division"),  # 济南: not the user's city
    ({"valid_from": datetime.date(2020, 1, 1)}, "valid_from"),  # the past is not rewritten
    ({"note": "备注\x00"}, "note"),
])
def test_bad_standards_are_refused_with_the_reason_and_nothing_is_saved(changes, field):
    maker = user(Role.CITY_BUREAU, "3713")
    given = {"kind": "dibao", "division_code": LANSHAN, "urban_rural": "urban",
             "valid_from": timezone.localdate() + datetime.timedelta(days=10), "value": "800", **changes}
    before = Standard.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.standard_schedule(actor=maker, **given)
    assert field in refused.value.message_dict
    assert Standard.objects.count() == before


def test_two_values_for_the_same_day_are_refused_and_only_the_city_bureau_schedules():
    maker = user(Role.CITY_BUREAU, "3713")
    start = timezone.localdate() + datetime.timedelta(days=10)
    services.standard_schedule(actor=maker, kind="edge_multiple", division_code="3713", urban_rural="",
                               valid_from=start, value="1.6")
    with pytest.raises(ValidationError) as refused:
        services.standard_schedule(actor=maker, kind="edge_multiple", division_code="3713", urban_rural="",
                                   valid_from=start, value="1.7")
    assert "valid_from" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.standard_schedule(actor=user(Role.COUNTY_BUREAU, LANSHAN), kind="edge_multiple",
                                   division_code=LANSHAN, urban_rural="", valid_from=start, value="1.6")


def test_a_rejection_needs_a_reason_and_a_late_approval_is_refused():
    maker, checker = user(Role.CITY_BUREAU, "3713"), user(Role.CITY_BUREAU, "3713")
    start = timezone.localdate() + datetime.timedelta(days=1)
    proposed = services.standard_schedule(actor=maker, kind="temp_township_cap", division_code="3713",
                                          urban_rural="", valid_from=start, value="5000")
    with pytest.raises(ValidationError):
        services.standard_reject(actor=checker, pk=proposed.pk, version=proposed.version, reason="  ")
    Standard.objects.filter(pk=proposed.pk).update(valid_from=timezone.localdate())  # its day has come
    with pytest.raises(ValidationError, match="重新"):
        services.standard_approve(actor=checker, pk=proposed.pk, version=proposed.version)
    assert Standard.objects.get(pk=proposed.pk).status == Standard.Status.PROPOSED
