import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from conftest import user
from safetynet.core.models import ChangeRecord, Role, UnmaskLog
from safetynet.registry import exports, imports, services
from safetynet.registry.models import Household, ImportJob, IncomeItem

pytestmark = pytest.mark.django_db

COUPLE = [("王大山", 1, "02", datetime.date(1948, 3, 1)), ("李秀英", 2, "12", datetime.date(1950, 7, 9))]
PERIOD = {"period_start": datetime.date(2022, 1, 1), "period_end": datetime.date(2022, 12, 31)}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def couple(make_household, lanshan_village, county_user):
    household = make_household(lanshan_village, county_user, members=COUPLE, heating="2", phone="05398123456")
    head = household.head
    services.person_update(actor=county_user, person=head, version=None, data={"phone": "13812345678"})
    services.income_item_create(
        actor=county_user,
        household=household,
        data={"person": head, "category": "wage", "amount": Decimal("1234.50"), **PERIOD},
    )
    services.income_item_create(
        actor=county_user,
        household=household,
        data={
            "person": head,
            "category": "transfer_net",
            "amount": Decimal("1800"),
            "excluded": True,
            "exclusion_reason": "pension_basic_central",
            **PERIOD,
        },
    )
    services.asset_item_create(
        actor=county_user,
        household=household,
        data={"person": head, "asset_type": "101", "value": Decimal("5000")},
    )
    household.refresh_from_db()
    return household


@pytest.fixture
def elsewhere(make_household, yinan_village, other_county_user):
    return make_household(
        yinan_village, other_county_user, members=[("沂南人", 1, "02", datetime.date(1960, 1, 1))]
    )


def export(actor, **kwargs) -> bytes:
    buffer = io.BytesIO()
    exports.household_export(actor=actor, out=buffer, **kwargs)
    return buffer.getvalue()


def rows_of(content: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def reimport(actor, content: bytes) -> ImportJob:
    job = ImportJob(created_by=actor, original_name="export.xlsx")
    job.file.save("export.xlsx", ContentFile(content))
    imports.run_import(job)
    job.refresh_from_db()
    return job


def test_export_is_masked_as_on_screen_and_scoped(county_user, couple, elsewhere):
    rows = rows_of(export(county_user))
    assert [row["姓名"] for row in rows] == ["王大山", "李秀英"]  # not the other county's household
    head = rows[0]
    assert head["身份证号"] == couple.head.id_number[:4] + "*" * 10 + couple.head.id_number[-4:]
    assert head["户主身份证号"] == head["身份证号"]
    assert head["联系电话"] == "138****5678" and head["家庭联系电话"].count("*") == 4
    assert head["出生日期"] == datetime.datetime(1948, 3, 1)  # a county bureau sees dates of birth
    assert head["与户主关系"] == "户主" and rows[1]["与户主关系"] == "妻"
    assert head["取暖方式"] == "燃煤取暖" and head["一氧化碳报警器"] == "否"
    assert (
        head["工资性收入（元/年）"] == 1234.5 and head["转移净收入（元/年）"] is None
    )  # counted income only
    assert head["存款（元）"] == 5000
    assert head["系统人员编号"] == str(couple.head_id)
    assert not UnmaskLog.objects.exists()


def test_a_masked_role_sees_no_date_of_birth(couple, lanshan_village):
    coordinator = user(Role.VILLAGE_COORDINATOR, lanshan_village.code)
    rows = rows_of(export(coordinator))
    assert rows[0]["出生日期"] == "****-**-**"
    assert "*" in rows[0]["身份证号"]


def test_a_whole_export_is_an_explicit_choice_and_each_person_is_logged(county_user, couple):
    rows = rows_of(export(county_user, whole=True))
    assert rows[0]["身份证号"] == couple.head.id_number and rows[0]["联系电话"] == "13812345678"
    logged = UnmaskLog.objects.filter(actor=county_user, channel="export")
    assert sorted(logged.values_list("subject_type", "subject_id")) == sorted(
        [("household", couple.pk)] + [("person", m.person_id) for m in couple.memberships.all()]
    )


def test_a_role_that_sees_masked_numbers_cannot_export_them_whole(couple, lanshan_village):
    coordinator = user(Role.VILLAGE_COORDINATOR, lanshan_village.code)
    rows = rows_of(export(coordinator, whole=True))
    assert "*" in rows[0]["身份证号"]
    assert not UnmaskLog.objects.exists()


def test_export_follows_the_list_filters(county_user, couple, make_household, lanshan_village):
    make_household(
        lanshan_village, county_user, members=[("赵强", 1, "02", datetime.date(1975, 1, 1))], heating="9"
    )
    assert [r["姓名"] for r in rows_of(export(county_user, filters={"heating": "9"}))] == ["赵强"]
    assert [r["姓名"] for r in rows_of(export(county_user, filters={"query": "王大山"}))] == [
        "王大山",
        "李秀英",
    ]


@pytest.mark.parametrize(
    "role, whole",
    [(Role.COUNTY_BUREAU, False), (Role.COUNTY_BUREAU, True), (Role.VILLAGE_COORDINATOR, False)],
)
def test_an_export_imports_again_unchanged(role, whole, couple, lanshan_village, county_user):
    actor = county_user if role == Role.COUNTY_BUREAU else user(role, lanshan_village.code)
    changes = ChangeRecord.objects.count()
    job = reimport(actor, export(actor, whole=whole))
    assert (job.unchanged_households, job.updated_households, job.rejected_households) == (1, 0, 0), (
        job.message
    )
    assert ChangeRecord.objects.count() == changes


def test_an_edited_export_updates_the_household(county_user, couple):
    workbook = openpyxl.load_workbook(io.BytesIO(export(county_user)))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=headers.index("取暖方式") + 1, value="电暖器")
    sheet.cell(row=2, column=headers.index("工资性收入（元/年）") + 1, value="2,000元")
    buffer = io.BytesIO()
    workbook.save(buffer)

    job = reimport(county_user, buffer.getvalue())

    assert job.updated_households == 1, job.message
    assert Household.objects.get(pk=couple.pk).heating == "4"
    assert IncomeItem.objects.get(household=couple, excluded=False).amount == Decimal("2000.00")
    assert IncomeItem.objects.filter(household=couple, excluded=True).count() == 1  # untouched


def test_rows_without_id_numbers_come_back_with_their_reason(county_user, couple):
    content = export(county_user, whole=True)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    sheet.delete_cols(headers.index("系统人员编号") + 1)
    for row in sheet.iter_rows(min_row=2):
        cell = row[headers.index("身份证号")]
        head_cell = row[headers.index("户主身份证号")]
        cell.value = head_cell.value = None
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = reimport(county_user, buffer.getvalue())
    assert (job.created_households, job.rejected_households, job.rejected_rows) == (0, 1, 2)


def test_the_export_page_keeps_the_filters_and_downloads(client, county_user, couple, elsewhere):
    client.force_login(county_user)
    url = reverse("registry:household_export") + "?heating=2"
    page = client.get(url)
    assert page.status_code == 200 and 'value="whole"' in page.text
    response = client.post(url, {"identifiers": "masked"})
    assert response.status_code == 200
    rows = rows_of(b"".join(response.streaming_content))
    assert [r["姓名"] for r in rows] == ["王大山", "李秀英"] and "*" in rows[0]["身份证号"]


def test_the_household_list_links_to_export_and_import(client, county_user, couple):
    client.force_login(county_user)
    page = client.get(reverse("registry:household_list"))
    assert reverse("registry:household_export") in page.text
    assert reverse("registry:import_start") in page.text


def test_a_masked_export_with_a_name_changed_is_handed_back_without_the_whole_number(
    county_user, couple
):
    workbook = openpyxl.load_workbook(io.BytesIO(export(county_user)))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    masked = sheet.cell(row=2, column=headers.index("身份证号") + 1).value
    sheet.cell(row=2, column=headers.index("姓名") + 1, value="王小山")
    buffer = io.BytesIO()
    workbook.save(buffer)

    job = reimport(county_user, buffer.getvalue())

    assert (job.updated_households, job.rejected_households) == (0, 1)
    assert couple.head.name == "王大山" and Household.objects.get(pk=couple.pk).head.name == "王大山"
    reasons = dict(job.returned_reasons)
    assert "*" in masked and reasons[2].startswith(f"姓名：身份证号 {masked} 已登记为 王大山，不是 王小山")
    assert couple.head.id_number not in reasons[2]


def test_exported_text_that_looks_like_a_formula_stays_text(county_user, couple):
    services.household_update(
        actor=county_user, household=couple, version=None, data={"address": '=HYPERLINK("http://x.invalid")'}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(export(county_user))).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value and str(cell.value)[0] == "="]
    written = [(c.value, c.data_type, c.quotePrefix) for c in cells]
    assert written == [('=HYPERLINK("http://x.invalid")', "s", True)]
