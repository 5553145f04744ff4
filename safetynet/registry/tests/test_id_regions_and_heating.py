"""ID numbers must start with a province or region; wood and solar heating are recorded and weighed."""

import datetime
import html

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext, override

from conftest import LANSHAN_TOWNSHIP, person_data, user
from safetynet.core.ids import make_id_number
from safetynet.core.models import Role
from safetynet.core.services import api_token_create
from safetynet.registry import codes, imports, services
from safetynet.registry.models import Household, ImportJob, Person

pytestmark = pytest.mark.django_db

NO_PROVINCE = make_id_number("999999", datetime.date(1980, 5, 5), 13)  # the check digit is right
HONG_KONG = make_id_number("810000", datetime.date(1985, 7, 1), 33)


def shown(message: str) -> str:
    with override("zh-hans"):
        return html.escape(gettext(message), quote=False)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- the first two digits --------------------------------------------------------------------------

def test_the_service_refuses_a_number_with_no_province_and_stores_nothing(county_user, lanshan_village):
    with pytest.raises(ValidationError) as refused:
        services.person_create(actor=county_user, data=person_data(lanshan_village) | {
            "id_number": NO_PROVINCE, "birth_date": None, "sex": None})
    assert "id_number" in refused.value.message_dict
    assert not Person.objects.filter(id_number=NO_PROVINCE).exists()


def test_the_member_form_refuses_it_with_the_reason(client, county_user, make_household, lanshan_village):
    household = make_household(lanshan_village, county_user)
    client.force_login(county_user)
    response = client.post(reverse("registry:member_add", args=[household.pk]), {
        "source": "new", "relation": "20", "co_living": "on", "joined_on": "2024-01-01",
        "person-id_number": NO_PROVINCE, "person-name": "王远", "person-ethnicity": "01",
        "person-labour_capacity": "01", "person-health": "10", "person-status": "01",
    })
    assert not Person.objects.filter(name="王远").exists()
    reason = "The ID number starts with %(code)s, which is no province or region: check the first digits."
    assert shown(reason) % {"code": "99"} in response.text


def test_a_hong_kong_residence_permit_is_stored_without_a_warning(client, county_user, make_household,
                                                                  lanshan_village):
    household = make_household(lanshan_village, county_user)
    client.force_login(county_user)
    response = client.post(reverse("registry:member_add", args=[household.pk]), {
        "source": "new", "relation": "20", "co_living": "on", "joined_on": "2024-01-01",
        "person-id_number": HONG_KONG, "person-name": "陈港生", "person-ethnicity": "01",
        "person-labour_capacity": "01", "person-health": "10", "person-status": "01",
    }, follow=True)
    assert household.memberships.filter(person__id_number=HONG_KONG).exists()
    assert "810000" not in " ".join(str(m) for m in response.context["messages"])


def test_the_api_refuses_it(county_user, lanshan_village):
    client = Client(headers={"Authorization": f"Bearer {api_token_create(user=county_user, name='t')[1]}"})
    head = person_data(lanshan_village, name="赵新")
    head = {**head, "id_number": NO_PROVINCE, "birth_date": None, "sex": None,
            "hukou_division": lanshan_village.code, "residence_division": lanshan_village.code}
    response = client.post("/api/v1/households", {
        "village": lanshan_village.code, "address": "幸福路9号", "urban_rural": "rural", "head": head,
    }, content_type="application/json")
    assert 400 <= response.status_code < 500, response.content
    assert "99" in response.content.decode()
    assert not Household.objects.exists()


def run_import(actor, text: str) -> ImportJob:
    job = ImportJob(created_by=actor, original_name="名单.csv")
    job.file.save("名单.csv", ContentFile(text.encode("utf-8-sig")))
    imports.run_import(job)
    job.refresh_from_db()
    return job


def test_an_import_returns_the_row_with_the_reason_and_stores_the_good_household(lanshan_village):
    clerk = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    good = make_id_number("371302", datetime.date(1950, 1, 1), 11)
    job = run_import(clerk, "户编号,村/社区代码,住址,姓名,身份证号,与户主关系\n"
                            f"1,{lanshan_village.code},东关街5号,赵强,{NO_PROVINCE},户主\n"
                            f"2,{lanshan_village.code},东关街6号,钱一,{good},户主\n"
                            f"3,{lanshan_village.code},东关街7号,陈港生,{HONG_KONG},户主\n")
    assert (job.created_households, job.rejected_households) == (2, 1), job.message
    assert not Person.objects.filter(id_number=NO_PROVINCE).exists()
    assert Person.objects.filter(id_number=HONG_KONG).exists()
    sheet = openpyxl.load_workbook(job.rejected_file.path, read_only=True).worksheets[0]
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    returned = [dict(zip(header, row, strict=False)) for row in rows]
    assert [row["姓名"] for row in returned] == ["赵强"]
    reason = "The ID number starts with %(code)s, which is no province or region: check the first digits."
    with override("zh-hans"):
        assert gettext(reason) % {"code": "99"} in returned[0]["错误原因"]


# --- wood and solar heating ------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "code"), [
    ("烧柴", codes.Heating.WOOD), ("柴火", codes.Heating.WOOD), ("烧柴取暖", codes.Heating.WOOD),
    ("太阳能", codes.Heating.SOLAR), ("太阳能取暖", codes.Heating.SOLAR), ("5", codes.Heating.WOOD),
])
def test_wood_and_solar_are_read_as_clerks_write_them(written, code):
    assert imports.read_choice(written, codes.Heating) == code


def test_wood_burns_indoors_and_solar_does_not_but_both_are_winter_risks():
    assert codes.Heating.WOOD in codes.COMBUSTION_HEATING
    assert codes.Heating.SOLAR not in codes.COMBUSTION_HEATING
    heating = codes.Heating
    assert {heating.COAL, heating.WOOD, heating.GAS, heating.SOLAR} == codes.RISK_HEATING


def test_a_wood_heated_home_without_a_co_alarm_is_warned_about(client, county_user, make_household,
                                                              lanshan_village):
    wood = make_household(lanshan_village, county_user, heating=codes.Heating.WOOD,
                          members=[("柴大山", 1, "02", datetime.date(1950, 1, 1))])
    solar = make_household(lanshan_village, county_user, heating=codes.Heating.SOLAR,
                           members=[("光明", 1, "02", datetime.date(1951, 1, 1))])
    client.force_login(county_user)
    warning = shown("Coal, wood or gas heating without a CO alarm: a risk of poisoning.")
    campaign = shown("checked first in the winter safety campaign")
    wood_page = client.get(reverse("registry:household_detail", args=[wood.pk])).text
    assert shown("Wood heating") in wood_page and warning in wood_page and campaign in wood_page
    solar_page = client.get(reverse("registry:household_detail", args=[solar.pk])).text
    assert shown("Solar heating") in solar_page and warning not in solar_page and campaign in solar_page

    listing = client.get(reverse("registry:household_list"), {"heating": codes.Heating.WOOD}).text
    assert "柴大山" in listing and "光明" not in listing
    assert f'<span class="warn">{shown("Not installed")}</span>' in listing
