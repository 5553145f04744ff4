"""Institutions: recorded by the county, read by the offices of their area, by their own staff and by
a contracted inspector only when granted; the staff keep the heating and CO alarms current; the
list counts heating and CO-alarm coverage and marks fuel-heated rooms without an alarm; what no form
would send, and a change over another's, change nothing."""

import datetime

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.test import Client

from conftest import LANSHAN_TOWNSHIP, user
from safetynet.core.grants import grant_create
from safetynet.core.models import ChangeRecord, Division, Role
from safetynet.core.services import ConflictError
from safetynet.institutions import selectors, services
from safetynet.institutions.models import Institution

pytestmark = pytest.mark.django_db

HOME = {
    "name": "兰山街道敬老院",
    "kind": "elderly_public",
    "address": "兰山街道1号",
    "beds": 80,
    "residents": 60,
    "staff": 12,
    "heating": "gas",
    "co_alarms": 10,
    "co_rooms_heated": 10,
    "co_rooms_covered": 10,
    "co_last_tested": datetime.date(2022, 12, 1),
}


@pytest.fixture
def staff(db):
    return {
        "county": user(Role.COUNTY_BUREAU, "371302"),
        "township": user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP),
        "yinan": user(Role.COUNTY_BUREAU, "371321"),
        "institution": user(Role.INSTITUTION_STAFF, "371302"),
        "inspector": user(Role.INSPECTOR, "371302"),
    }


def home(staff, **changes) -> Institution:
    return services.institution_create(
        actor=staff["county"], division=Division.objects.get(code=LANSHAN_TOWNSHIP), data={**HOME, **changes}
    )


def test_the_offices_of_the_area_read_it_others_and_the_ungranted_do_not(staff):
    institution = home(staff)
    assert selectors.institution_get(actor=staff["township"], pk=institution.pk) == institution
    for outsider in ("yinan", "institution", "inspector"):
        with pytest.raises(ObjectDoesNotExist):
            selectors.institution_get(actor=staff[outsider], pk=institution.pk)
    for grantee in ("institution", "inspector"):
        grant_create(
            actor=staff["county"],
            user=staff[grantee],
            kind="institutions.institution",
            object_id=institution.pk,
        )
        assert list(selectors.institutions(actor=staff[grantee])) == [institution]
    other = home(staff, name="另一家养老院")
    assert other not in selectors.institutions(actor=staff["inspector"])
    client = Client()
    client.force_login(staff["yinan"])
    assert client.get(f"/institutions/{institution.pk}/").status_code == 404
    client.force_login(staff["inspector"])
    assert client.get(f"/institutions/{institution.pk}/").status_code == 200
    assert client.get(f"/institutions/{other.pk}/").status_code == 404


def test_the_staff_keep_the_heating_and_co_alarms_and_nothing_else(staff):
    institution = home(staff)
    grant_create(
        actor=staff["county"],
        user=staff["institution"],
        kind="institutions.institution",
        object_id=institution.pk,
    )
    changed = services.institution_update(
        actor=staff["institution"],
        institution_id=institution.pk,
        version=institution.version,
        data={"co_alarms": 12, "co_rooms_covered": 12, "name": "改名"},
    )
    assert changed.co_alarms == 12 and changed.name == "兰山街道敬老院"  # the name is the county's
    with pytest.raises(ConflictError):  # saved over the change it did not see
        services.institution_update(
            actor=staff["county"],
            institution_id=institution.pk,
            version=institution.version,
            data={"beds": 90},
        )
    with pytest.raises(PermissionDenied):
        services.institution_update(
            actor=staff["township"], institution_id=institution.pk, version=changed.version, data={"beds": 90}
        )
    assert ChangeRecord.objects.filter(entity_type__endswith="institution").count() == 2


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "含\x00字符"},
        {"beds": -1},
        {"beds": 10**20},
        {"kind": "hotel"},
        {"heating": "nuclear"},
        {"co_last_tested": datetime.date(2099, 1, 1)},
        {"name": ""},
        {"co_alarms": 1, "co_rooms_covered": 30},
    ],
)
def test_what_no_form_would_send_is_refused_and_nothing_is_stored(staff, bad):
    with pytest.raises(ValidationError):
        home(staff, **bad)
    assert not Institution.objects.exists()


def test_the_same_name_twice_in_a_place_and_a_place_outside_the_area_are_refused(staff):
    home(staff)
    with pytest.raises(ValidationError, match="已"):
        home(staff)
    with pytest.raises(ValidationError):
        services.institution_create(
            actor=staff["county"], division=Division.objects.get(code="371321101"), data=HOME
        )
    with pytest.raises(PermissionDenied):
        services.institution_create(
            actor=staff["township"],
            division=Division.objects.get(code=LANSHAN_TOWNSHIP),
            data={**HOME, "name": "新"},
        )


def test_coverage_counts_fuel_heating_without_alarms(staff):
    home(staff)
    home(staff, name="煤炉敬老院", heating="coal", co_alarms=2, co_rooms_heated=6, co_rooms_covered=2)
    home(
        staff,
        name="电暖儿童福利院",
        kind="child_welfare",
        heating="electric",
        co_alarms=0,
        co_rooms_heated=0,
        co_rooms_covered=0,
    )
    figures = selectors.coverage(actor=staff["county"])
    assert figures == {"total": 3, "heated": 3, "fuel": 2, "unguarded": 1, "with_alarms": 2}
    client = Client()
    client.force_login(staff["township"])
    page = client.get("/institutions/", {"unguarded": "1"}).content.decode()
    assert "煤炉敬老院" in page and "电暖儿童福利院" not in page and "兰山街道敬老院" not in page
    assert client.get("/institutions/", {"kind": "x" * 30, "heating": "\x00"}).status_code == 200


def test_the_county_records_one_through_its_page(staff):
    client = Client()
    client.force_login(staff["county"])
    sent = client.post(
        "/institutions/new/",
        {**{k: v for k, v in HOME.items() if v is not None}, "division": LANSHAN_TOWNSHIP, "active": "on"},
    )
    assert sent.status_code == 302, sent.content.decode()[:500]
    institution = Institution.objects.get()
    edit = client.post(
        f"/institutions/{institution.pk}/edit/",
        {**HOME, "version": institution.version, "beds": 100, "active": "on"},
    )
    assert edit.status_code == 302 and Institution.objects.get().beds == 100
    client.force_login(staff["township"])
    assert client.get("/institutions/new/").status_code == 403
