import datetime
import io
import itertools
import sys
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.ids import make_id_number
from safetynet.core.models import ChangeRecord, Role
from safetynet.registry import imports, selectors
from safetynet.registry.models import AssetItem, Household, ImportJob, IncomeItem, Membership, Person

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def id_number(born: datetime.date, order: int, *, ending_x: bool = False) -> str:
    """A valid number of Lanshan; with `ending_x`, the first order from `order` whose check is X."""
    while True:
        number = make_id_number("371302", born, order)
        if not ending_x or number.endswith("X"):
            return number
        order += 2


HEAD = id_number(datetime.date(1950, 1, 1), 11)
WIFE = id_number(datetime.date(1952, 3, 4), 22)
SINGLE = id_number(datetime.date(1948, 6, 30), 31, ending_x=True)
BAD_DATE_ROW = id_number(datetime.date(1960, 2, 2), 41)
GOOD_IN_BAD_HOUSEHOLD = id_number(datetime.date(1962, 5, 5), 52)
WRONG_CHECK = HEAD[:-1] + ("0" if HEAD[-1] != "0" else "1")

SHORT_HEADER = "户编号,村/社区代码,住址,姓名,身份证号,与户主关系\n"
HEADERS = [
    "序号",
    "户编号",
    "村/社区代码",
    "住址",
    "取暖方式",
    "姓名",
    "身份证号",
    "与户主关系",
    "出生日期",
    "工资性收入（元/年）",
    "存款（元）",
    "收入起始日期",
    "收入截止日期",
    "备用列",
]


def run(actor, name: str, content: bytes) -> ImportJob:
    job = ImportJob(created_by=actor, original_name=name)
    job.file.save(name, ContentFile(content))
    imports.run_import(job)
    job.refresh_from_db()
    return job


def messy_workbook(village_code: str, *, wage="1,234.50元", heating="燃煤") -> bytes:
    """A title row over a two-row header (some names merged down, group labels merged across),
    full-width digits, a lowercase x, Chinese and cell dates, amounts with 元, empty trailing rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["兰山街道2022年低保家庭花名册"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    top = [
        "序号",
        "户编号",
        "家庭信息",
        None,
        None,
        "姓名",
        "身份证号",
        "与户主关系",
        "出生日期",
        "收入和财产",
        None,
        "收入期间",
        None,
        "备用列",
    ]
    bottom = [
        None,
        None,
        "村/社区代码",
        "住址",
        "取暖方式",
        None,
        None,
        None,
        None,
        "工资性收入（元/年）",
        "存款（元）",
        "收入起始日期",
        "收入截止日期",
        None,
    ]
    sheet.append(top)
    sheet.append(bottom)
    for column in (1, 2, 6, 7, 8, 9, 14):
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    sheet.merge_cells("C2:E2")
    sheet.merge_cells("J2:K2")
    sheet.merge_cells("L2:M2")
    rows = [
        [
            1,
            "1",
            village_code.translate(FULL_WIDTH),
            " 幸福路1号 ",
            heating,
            "王大山",
            HEAD.translate(FULL_WIDTH),
            "户主",
            "1950年1月1日",
            wage,
            "5000元",
            "2022年1月1日",
            "2022/12/31",
            "x",
        ],
        [
            2,
            "1",
            None,
            None,
            None,
            "李 秀英",
            WIFE,
            "妻",
            datetime.datetime(1952, 3, 4),
            None,
            None,
            None,
            None,
            None,
        ],
        [
            3,
            "2",
            village_code,
            "幸福路2号",
            "无",
            "赵 强",
            SINGLE.lower(),
            "02",
            "1948/6/30",
            None,
            None,
            None,
            None,
            None,
        ],
        [
            4,
            "3",
            village_code,
            "幸福路3号",
            None,
            "钱一",
            BAD_DATE_ROW,
            "户主",
            "1960-13-02",
            None,
            None,
            None,
            None,
            None,
        ],
        [5, "3", None, None, None, "钱二", GOOD_IN_BAD_HOUSEHOLD, "10", None, None, None, None, None, None],
        [
            6,
            "4",
            village_code,
            "幸福路4号",
            None,
            "孙四",
            WRONG_CHECK,
            "户主",
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [None] * len(HEADERS),
        ["", "  ", None],
    ]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def returned_rows(job: ImportJob) -> list[dict]:
    sheet = openpyxl.load_workbook(job.rejected_file.path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(itertools.zip_longest(rows[0], row)) for row in rows[1:]]


# --- reading cells ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "1950年1月1日",
        "1950/1/1",
        "1950-1-1",
        "19500101",
        "１９５０-０１-０１",
        " 1950.01.01 ",
        datetime.datetime(1950, 1, 1),
        19500101,
        "1950-01-01 00:00:00",
    ],
)
def test_dates_are_read_in_the_ways_clerks_write_them(written):
    assert imports.read_date(written) == datetime.date(1950, 1, 1)


@pytest.mark.parametrize("written", ["1/1/1950", "1950年13月1日", "昨天", 18264])
def test_a_date_that_cannot_be_read_without_guessing_is_refused(written):
    with pytest.raises(imports.CellError):
        imports.read_date(written)


@pytest.mark.parametrize(
    "written, amount",
    [
        ("1,234.50元", "1234.50"),
        ("￥１２３４.５", "1234.50"),
        (1234.5, "1234.50"),
        (100, "100.00"),
        ("1，000", "1000.00"),
        (0.1 + 0.2, "0.30"),
    ],
)
def test_amounts_with_yuan_separators_and_full_width_digits(written, amount):
    assert imports.read_amount(written) == Decimal(amount)


def test_an_amount_with_three_decimals_or_negative_is_refused():
    for written in ("12.345", "-5", "五百"):
        with pytest.raises(imports.CellError):
            imports.read_amount(written)


def test_id_numbers_full_width_lowercase_x_and_old_15_digits():
    assert imports.read_id(SINGLE.lower()) == (SINGLE, SINGLE)
    assert imports.read_id(" " + HEAD.translate(FULL_WIDTH)) == (HEAD, HEAD)
    old = "371302500101001"
    given, full = imports.read_id(old)
    assert given == old and len(full) == 18 and full[6:14] == "19500101"
    assert isinstance(imports.read_id("3713**********0013"), imports.Masked)
    with pytest.raises(imports.CellError):
        imports.read_id(WRONG_CHECK)
    with pytest.raises(imports.CellError, match="Excel|数字"):
        imports.read_id(3.71302195001e17)


@pytest.mark.parametrize(
    "column, written, value",
    [
        ("与户主关系", "户主", "02"),
        ("与户主关系", "2", "02"),
        ("与户主关系", "02户主", "02"),
        ("与户主关系", "妻子", "12"),
        ("性别", "女", 2),
        ("民族", "汉", "01"),
        ("民族", "回族", "03"),
        ("残疾等级", "二级", 2),
        ("残疾等级", "一级", 1),
        ("残疾类别", "肢体", 4),
        ("取暖方式", "燃煤取暖", "2"),
        ("住房", "0", "00"),
        ("城乡", "城镇", "urban"),
        ("一氧化碳报警器", "是", True),
        ("一氧化碳报警器", "否", False),
        ("一氧化碳报警器", "√", True),
    ],
)
def test_codes_are_read_as_code_or_name(column, written, value):
    assert imports.read_cell(imports.match_header(column), written) == value


def test_a_name_that_fits_no_code_is_refused_with_a_reason():
    with pytest.raises(imports.CellError, match="说明"):
        imports.read_cell(imports.match_header("与户主关系"), "邻居")


# --- the template -------------------------------------------------------------------------------------


def test_template_has_the_headers_and_explains_every_column():
    buffer = io.BytesIO()
    imports.template_workbook(buffer)
    workbook = openpyxl.load_workbook(buffer)
    assert workbook.sheetnames == ["家庭成员", "说明", "下拉选项"]
    assert workbook["下拉选项"].sheet_state == "hidden"
    headers = [cell.value for cell in workbook["家庭成员"][1]]
    assert headers == [column.header for column in imports.COLUMNS]
    # Every coded column offers its values as a drop-down list.
    lists = workbook["下拉选项"]
    offered = {}
    for validation in workbook["家庭成员"].data_validations.dataValidation:
        assert validation.type == "list"
        (target,) = str(validation.sqref).split()
        header = workbook["家庭成员"][target.split(":")[0]].offset(row=-1).value
        sheet_name, cells = validation.formula1.split("!")
        first, last = cells.replace("$", "").split(":")
        offered[header] = [row[0].value for row in lists[first:last]]
    coded = [c.header for c in imports.COLUMNS if c.kind in ("choice", "bool")]
    assert sorted(offered) == sorted(coded)
    assert offered["与户主关系"][:2] == ["本人", "户主"]
    assert offered["性别"] == ["男", "女"]
    assert offered["城乡"] == ["城市", "农村"]
    assert "其他收入（元/年）" not in offered
    assert offered["一氧化碳报警器"] == ["是", "否"]
    notes = {row[0]: row for row in workbook["说明"].iter_rows(values_only=True) if row and row[0]}
    assert "02 户主" in notes["与户主关系"][3]
    assert "身份证号" in notes and notes["身份证号"][1] == "必填"
    assert imports.template_csv().startswith("\ufeff户编号,".encode())


# --- importing -----------------------------------------------------------------------------------------


@pytest.fixture
def township_clerk(lanshan_village):
    return user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)


def test_messy_workbook_stores_good_households_and_returns_every_bad_row(township_clerk, lanshan_village):
    job = run(township_clerk, "花名册.xlsx", messy_workbook(lanshan_village.code))

    assert job.status == ImportJob.Status.FINISHED, job.message
    assert (job.total_rows, job.processed_rows) == (6, 6)
    assert (job.created_households, job.rejected_households, job.rejected_rows) == (2, 2, 3)
    couple = Household.objects.get(head__id_number=HEAD)
    assert couple.address == "幸福路1号" and couple.heating == "2"
    assert sorted(couple.memberships.values_list("person__name", "relation")) == [
        ("李秀英", "12"),
        ("王大山", "02"),
    ]
    wage = IncomeItem.objects.get(household=couple)
    assert (wage.amount, wage.period_start, wage.period_end) == (
        Decimal("1234.50"),
        datetime.date(2022, 1, 1),
        datetime.date(2022, 12, 31),
    )
    assert AssetItem.objects.get(household=couple).value == Decimal("5000.00")
    assert Person.objects.get(id_number=SINGLE).name == "赵强"
    history = list(selectors.household_timeline(actor=township_clerk, household=couple))
    assert history and all(record.actor == township_clerk for record in history)
    assert not Person.objects.filter(id_number__in=[BAD_DATE_ROW, GOOD_IN_BAD_HOUSEHOLD]).exists()

    returned = returned_rows(job)
    assert [row["原行号"] for row in returned] == [7, 8, 9]
    assert [row["姓名"] for row in returned] == ["钱一", "钱二", "孙四"]  # as written, all columns kept
    assert returned[0]["出生日期"] == "1960-13-02" and returned[0]["备用列"] is None
    assert "出生日期" in returned[0]["错误原因"]
    assert "7" in returned[1]["错误原因"]  # the good row of the bad household points at the bad one
    assert "身份证号" in returned[2]["错误原因"]
    assert "备用列" in job.message  # an unknown column is reported, and ignored


def test_gbk_csv_grouped_by_head_id_number(township_clerk, lanshan_village):
    text = (
        "户主身份证号,村/社区代码,住址,姓名,身份证号,与户主关系,出生日期,联系电话\r\n"
        f"{SINGLE.lower()},{lanshan_village.code},东关街5号,赵强,{SINGLE.lower()},,19480630,13812345678\r\n"
        f"{SINGLE},,,赵小红,{WIFE},女儿,,\r\n"
        ",,,,,,,\r\n"
    )
    job = run(township_clerk, "名单.csv", text.encode("gbk"))
    assert (job.created_households, job.rejected_households) == (1, 0), job.message
    household = Household.objects.get(head__id_number=SINGLE)
    assert household.memberships.count() == 2
    assert Person.objects.get(id_number=SINGLE).phone == "13812345678"


def test_utf8_csv_with_bom(township_clerk, lanshan_village):
    text = SHORT_HEADER + f"1,{lanshan_village.code},东关街5号,赵强,{SINGLE},户主\n"
    job = run(township_clerk, "名单.csv", text.encode("utf-8-sig"))
    assert job.created_households == 1, job.message


def test_a_household_with_one_bad_row_is_rejected_whole(township_clerk, lanshan_village):
    job = run(township_clerk, "a.xlsx", messy_workbook(lanshan_village.code))
    assert job.rejected_households == 2
    assert not Membership.objects.filter(person__id_number=GOOD_IN_BAD_HOUSEHOLD).exists()


def test_importing_the_same_file_again_writes_nothing(township_clerk, lanshan_village):
    content = messy_workbook(lanshan_village.code)
    run(township_clerk, "a.xlsx", content)
    changes, versions = ChangeRecord.objects.count(), list(Household.objects.values_list("pk", "version"))

    again = run(township_clerk, "a.xlsx", content)

    assert (again.created_households, again.updated_households, again.unchanged_households) == (0, 0, 2)
    assert again.rejected_households == 2
    assert ChangeRecord.objects.count() == changes
    assert list(Household.objects.values_list("pk", "version")) == versions


def test_a_changed_value_updates_through_the_services_and_shows_on_the_timeline(
    township_clerk, lanshan_village
):
    run(township_clerk, "a.xlsx", messy_workbook(lanshan_village.code))
    couple = Household.objects.get(head__id_number=HEAD)

    job = run(township_clerk, "a.xlsx", messy_workbook(lanshan_village.code, wage="2000", heating="电暖器"))

    assert (job.updated_households, job.unchanged_households) == (1, 1), job.message
    couple.refresh_from_db()
    assert couple.heating == "4"
    assert IncomeItem.objects.get(household=couple).amount == Decimal("2000.00")
    changes = [
        (r.entity_type, r.action, r.before, r.after)
        for r in selectors.household_timeline(actor=township_clerk, household=couple)
        if r.action == "update"
    ]
    assert ("household", "update", {"heating": "2"}, {"heating": "4"}) in changes
    assert ("incomeitem", "update", {"amount": "1234.50"}, {"amount": "2000.00"}) in changes


def test_a_new_member_of_a_registered_household_is_added(township_clerk, lanshan_village):
    run(township_clerk, "a.xlsx", messy_workbook(lanshan_village.code))
    grandson = id_number(datetime.date(2015, 5, 1), 61)
    text = f"户主身份证号,姓名,身份证号,与户主关系\n{HEAD},王小宝,{grandson},孙子\n"
    job = run(township_clerk, "b.csv", text.encode())
    assert job.updated_households == 1, job.message
    couple = Household.objects.get(head__id_number=HEAD)
    assert couple.memberships.filter(person__id_number=grandson, relation="41").exists()


def test_a_household_of_another_county_is_rejected(
    township_clerk, lanshan_village, yinan_village, other_county_user, make_household
):
    elsewhere = make_household(
        yinan_village, other_county_user, members=[("沂南人", 1, "02", datetime.date(1960, 1, 1))]
    )
    text = (
        f"户编号,村/社区代码,住址,姓名,身份证号,与户主关系\n"
        f"1,{lanshan_village.code},幸福路9号,沂南人,{elsewhere.head.id_number},户主\n"
    )
    job = run(township_clerk, "c.csv", text.encode())
    assert job.rejected_households == 1
    # In the services' words: registered outside the area, nothing more about that person.
    assert "此身份证号已在您的辖区以外登记" in returned_rows(job)[0]["错误原因"]
    assert Household.objects.get(pk=elsewhere.pk).version == elsewhere.version


def test_a_village_outside_the_area_is_refused(township_clerk, yinan_village):
    text = SHORT_HEADER + f"1,{yinan_village.code},幸福路9号,赵强,{SINGLE},户主\n"
    job = run(township_clerk, "d.csv", text.encode())
    assert (job.created_households, job.rejected_households) == (0, 1)


def test_the_same_person_twice_rejects_the_later_row_only(township_clerk, lanshan_village):
    text = (
        f"户编号,村/社区代码,住址,姓名,身份证号,与户主关系\n"
        f"1,{lanshan_village.code},幸福路1号,赵强,{SINGLE},户主\n"
        f"2,{lanshan_village.code},幸福路2号,赵强,{SINGLE},户主\n"
    )
    job = run(township_clerk, "e.csv", text.encode())
    assert (job.created_households, job.rejected_households) == (1, 1)
    assert Person.objects.get(id_number=SINGLE).address == "幸福路1号"
    returned = list(openpyxl.load_workbook(job.rejected_file.path).active.iter_rows(values_only=True))
    reason = "身份证号：与第2行重复：每人在表中只填一行，以第2行为准。"
    assert [row[:2] for row in returned[1:]] == [(reason, 3)]


def test_a_file_without_the_needed_columns_fails_with_the_reason(township_clerk):
    job = run(township_clerk, "f.csv", "甲,乙\n1,2\n".encode())
    assert job.status == ImportJob.Status.FAILED
    assert "身份证号" in job.message


def test_an_old_xls_file_is_refused_at_upload(township_clerk):
    upload = SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(Exception, match="xls"):
        imports.import_start(actor=township_clerk, upload=upload)


# --- the task and the pages -------------------------------------------------------------------------------


def test_the_task_runs_on_commit_and_records_progress(
    township_clerk, lanshan_village, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    upload = SimpleUploadedFile("花名册.xlsx", messy_workbook(lanshan_village.code))
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.import_start(actor=township_clerk, upload=upload)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FINISHED
    assert (job.processed_rows, job.total_rows, job.created_households) == (6, 6, 2)
    assert job.started_at and job.finished_at


def test_the_job_page_shows_progress_and_the_returned_rows_download(client, township_clerk, lanshan_village):
    client.force_login(township_clerk)
    response = client.post(
        reverse("registry:import_start"),
        {"file": SimpleUploadedFile("花名册.xlsx", messy_workbook(lanshan_village.code))},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("registry:import_job", args=[job.pk])
    page = client.get(response.url)
    assert page.status_code == 200 and 'hx-trigger="every 1s"' in page.text  # queued: it polls

    imports.run_import(job)
    partial = client.get(response.url, headers={"HX-Request": "true"})
    assert "every 1s" not in partial.text  # finished: polling stops
    assert reverse("registry:import_rejected", args=[job.pk]) in partial.text
    download = client.get(reverse("registry:import_rejected", args=[job.pk]))
    assert download.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0].values)
    assert len(rows) == 4 and rows[0][0] == "错误原因"


def test_a_job_is_seen_by_its_owner_and_the_areas_above_only(
    client, township_clerk, county_user, other_county_user, lanshan_village
):
    job = run(township_clerk, "a.xlsx", messy_workbook(lanshan_village.code))
    url = reverse("registry:import_job", args=[job.pk])
    client.force_login(county_user)
    assert client.get(url).status_code == 200
    client.force_login(other_county_user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("registry:import_rejected", args=[job.pk])).status_code == 404
    other_village_clerk = user(Role.VILLAGE_COORDINATOR, village(LANSHAN_TOWNSHIP + "202").code)
    client.force_login(other_village_clerk)
    assert client.get(url).status_code == 404
    grid_worker = user(Role.GRID_WORKER, lanshan_village.code)
    client.force_login(grid_worker)
    assert client.get(reverse("registry:import_start")).status_code == 403  # reads, cannot import


def test_the_template_downloads(client, township_clerk):
    client.force_login(township_clerk)
    page = client.get(reverse("registry:import_start"))
    assert page.status_code == 200 and reverse("registry:import_template", args=["xlsx"]) in page.text
    response = client.get(reverse("registry:import_template", args=["xlsx"]))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["家庭成员", "说明", "下拉选项"]
    assert client.get(reverse("registry:import_template", args=["csv"])).status_code == 200


def test_without_calamine_openpyxl_reads_the_same_messy_file(township_clerk, lanshan_village, monkeypatch):
    monkeypatch.setitem(sys.modules, "python_calamine", None)  # import fails: the fallback reads
    job = run(township_clerk, "花名册.xlsx", messy_workbook(lanshan_village.code))
    assert (job.created_households, job.rejected_households, job.rejected_rows) == (2, 2, 3), job.message
    assert IncomeItem.objects.get(person__id_number=HEAD).amount == Decimal("1234.50")


def test_registered_people_without_a_household_are_made_one_by_the_services(township_clerk, lanshan_village):
    from conftest import person_data
    from safetynet.registry import services

    data = person_data(lanshan_village, name="独居")
    alone, _warnings = services.person_create(actor=township_clerk, data=data)
    newborn = id_number(datetime.date(2020, 2, 2), 71)
    text = (
        "户主身份证号,村/社区代码,住址,姓名,身份证号,与户主关系\n"
        f"{alone.id_number},{lanshan_village.code},幸福路7号,独居,{alone.id_number},本人\n"
        f"{alone.id_number},,,小独,{newborn},子\n"
    )
    job = run(township_clerk, "g.csv", text.encode())
    assert (job.created_households, job.rejected_households) == (1, 0), job.message
    household = Household.objects.get(head=alone)
    assert sorted(household.memberships.values_list("relation", flat=True)) == ["01", "20"]
    again = run(township_clerk, "g.csv", text.encode())
    assert again.unchanged_households == 1, again.message


def test_the_head_can_change_hands_in_one_import(township_clerk, lanshan_village):
    run(township_clerk, "a.xlsx", messy_workbook(lanshan_village.code))
    text = f"户编号,姓名,身份证号,与户主关系\n1,王大山,{HEAD},夫\n1,李秀英,{WIFE},户主\n"
    job = run(township_clerk, "h.csv", text.encode())
    assert job.updated_households == 1, job.message
    household = Household.objects.get(memberships__person__id_number=WIFE)
    assert household.head.id_number == WIFE


def test_a_head_named_by_id_number_with_a_blank_relation_is_unchanged(township_clerk, lanshan_village):
    run(township_clerk, "a.xlsx", messy_workbook(lanshan_village.code))
    text = f"户主身份证号,姓名,身份证号,与户主关系\n{HEAD},王大山,{HEAD},\n"
    changes = ChangeRecord.objects.count()
    job = run(township_clerk, "i.csv", text.encode())
    assert job.unchanged_households == 1, job.message
    assert ChangeRecord.objects.count() == changes
