"""What a reviewer, a clerk and an attacker found after issue 6: rows outside the user's area, a
member named head of another household, control characters in a registered person's name, a person
repeated within one household, formulas without results, joined reasons, the counts of a job, and
values no form would send. Each row comes back with its own reason; nothing else changes."""

import datetime
import io
import logging
import sys
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from conftest import LANSHAN_TOWNSHIP, YINAN_TOWNSHIP, user, village
from safetynet.core.ids import make_id_number
from safetynet.core.masking import mask_id_number
from safetynet.core.models import IdentifierLookup, Role
from safetynet.core.services import api_token_create
from safetynet.registry import imports
from safetynet.registry.models import Household, ImportJob, IncomeItem, Membership, Person

pytestmark = pytest.mark.django_db

HEADERS = [
    "户编号", "村/社区代码", "住址", "姓名", "身份证号", "与户主关系",
    "工资性收入（元/年）", "收入起始日期", "收入截止日期",
]
PERIOD = ("2025-01-01", "2025-12-31")
NO_DIVISION_HERE = "本辖区内没有该区划代码，请核对后重新填写。"
CONTROL = "此处不能含有控制字符（如空字符 NUL），请重新输入或粘贴。"
UNCOMPUTED = (
    "该单元格是未经计算的公式，没有计算结果（文件由程序生成）：请直接填写数值，或用 Excel 或 WPS "
    "打开文件、保存后重新导入。"
)


def man(born: datetime.date, order: int) -> str:
    return make_id_number("371302", born, order * 2 + 1)


def woman(born: datetime.date, order: int) -> str:
    return make_id_number("371302", born, order * 2)


HEAD, WIFE, SON = man(datetime.date(1950, 1, 1), 1), woman(datetime.date(1952, 3, 4), 2), man(
    datetime.date(1980, 5, 6), 3
)
NEW_ONE, NEW_TWO, NEW_THREE = (
    man(datetime.date(1990, 1, 1), 4), woman(datetime.date(1991, 2, 2), 5), man(datetime.date(1960, 3, 3), 6)
)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def lanshan(db):
    return village(LANSHAN_TOWNSHIP + "201")


@pytest.fixture
def yinan(db):
    return village(YINAN_TOWNSHIP + "201")


@pytest.fixture
def bureau(lanshan):
    """兰山区's county bureau: its area is the county."""
    return user(Role.COUNTY_BUREAU, "371302")


def run(actor, name: str, content: bytes) -> ImportJob:
    job = ImportJob(created_by=actor, original_name=name)
    job.file.save(name, ContentFile(content))
    imports.run_import(job)
    job.refresh_from_db()
    return job


def workbook_bytes(rows: list[list], headers=HEADERS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], headers=HEADERS) -> bytes:
    return "\n".join(",".join(str(cell) for cell in row) for row in [headers, *rows]).encode()


def reasons(job: ImportJob) -> dict[int, str]:
    return dict(job.returned_reasons)


def returned(job: ImportJob) -> list[dict]:
    rows = list(openpyxl.load_workbook(job.rejected_file.path).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def family(bureau, lanshan):
    """甲's household in 兰山区: 甲 the head, 乙 his wife (a wage of 30000), 丙 their son."""
    job = run(bureau, "family.xlsx", workbook_bytes([
        ["A", lanshan.code, "幸福路1号", "甲", HEAD, "户主", "", "", ""],
        ["A", "", "", "乙", WIFE, "配偶", 30000, *PERIOD],
        ["A", "", "", "丙", SON, "子", "", "", ""],
    ]))
    assert (job.created_households, job.rejected_rows) == (1, 0), job.returned_reasons
    return Household.objects.get(head__id_number=HEAD)


def unchanged(household: Household) -> bool:
    """The household as the fixture left it: same village, address, head and members."""
    before = household
    household = Household.objects.get(pk=before.pk)
    members = sorted(
        Membership.objects.filter(household=household, left_on__isnull=True).values_list(
            "person__id_number", "relation"
        )
    )
    return (household.village_id, household.address, household.head.id_number, household.version) == (
        before.village_id, before.address, HEAD, before.version
    ) and members == sorted([(HEAD, "02"), (WIFE, "10"), (SON, "20")])


# --- a. a village or place of residence outside the user's area ------------------------------------

def test_a_village_of_another_county_comes_back_in_the_household_forms_words_and_is_logged(
    client, bureau, lanshan, yinan, family, caplog
):
    client.force_login(bureau)
    page = client.post(reverse("registry:household_create"), {"village": yinan.code}).content.decode()
    assert NO_DIVISION_HERE in page  # what the household form says of that village

    caplog.set_level(logging.WARNING, logger="safetynet")
    job = run(bureau, "other-county.xlsx", workbook_bytes([
        # a new household in a village of 沂南县
        ["N", yinan.code, "沂南路1号", "丁", NEW_ONE, "户主", "", "", ""],
        # 甲's household moved there
        ["A", yinan.code, "", "甲", HEAD, "户主", "", "", ""],
    ]))

    assert reasons(job) == {2: f"村/社区代码：{NO_DIVISION_HERE}", 3: f"村/社区代码：{NO_DIVISION_HERE}"}
    assert not Person.objects.filter(id_number=NEW_ONE).exists()
    assert unchanged(family)
    logged = [r for r in caplog.records if r.levelno == logging.WARNING and yinan.code in r.getMessage()]
    assert len(logged) == 1 and bureau.username in logged[0].getMessage()
    assert "2:" in logged[0].getMessage() and "3:" in logged[0].getMessage()


def test_a_place_of_residence_outside_the_area_comes_back_as_on_the_person_form(bureau, lanshan, yinan):
    headers = [*HEADERS, "居住地区划代码"]
    job = run(bureau, "residence.csv", csv_bytes(
        [["N", lanshan.code, "幸福路2号", "丁", NEW_ONE, "户主", "", "", "", yinan.code]], headers
    ))
    assert reasons(job) == {2: f"居住地代码：{NO_DIVISION_HERE}"}
    assert not Person.objects.filter(id_number=NEW_ONE).exists()


def test_a_person_registered_in_another_county_is_refused_in_the_forms_words_and_logged(
    bureau, lanshan, yinan, make_household, other_county_user
):
    members = [("沂南人", 1, "02", datetime.date(1960, 1, 1))]
    elsewhere = make_household(yinan, other_county_user, members=members)
    job = run(bureau, "elsewhere.csv", csv_bytes([
        ["N", lanshan.code, "幸福路3号", "丁", NEW_ONE, "户主", "", "", ""],
        ["N", "", "", "沂南人", elsewhere.head.id_number, "兄", "", "", ""],
    ]))
    # On the row it is about, saying nothing of that person beyond "registered elsewhere".
    assert reasons(job) == {
        2: "该家庭的其他行（第3行）有错误，整户退回。",
        3: "身份证号：此身份证号已在您的辖区以外登记，同一人只能登记一次。请联系县区民政局核实。",
    }
    lookup = IdentifierLookup.objects.get(actor=bureau)
    assert (lookup.outcome, lookup.channel, lookup.shown) == (
        IdentifierLookup.Outcome.ELSEWHERE, "import", mask_id_number(elsewhere.head.id_number)
    )
    assert not Person.objects.filter(id_number=NEW_ONE).exists()


# --- b. a member of another household named head ------------------------------------------------------

MOVE = (
    "身份证号：乙 已登记在另一户（户主 甲，测试村201）：迁到其他户请在系统中办理“成员迁移”，"
    "不能通过导入办理。"
)


def test_a_member_named_head_of_a_new_household_is_a_move_handed_back(bureau, lanshan, family):
    job = run(bureau, "new-head.xlsx", workbook_bytes([
        ["C", lanshan.code, "和平路3号", "乙", WIFE, "户主", "", "", ""],
        ["C", "", "", "戊", NEW_ONE, "子", "", "", ""],
    ]))
    assert reasons(job) == {2: MOVE, 3: "该家庭的其他行（第2行）有错误，整户退回。"}
    assert (job.created_households, job.updated_households) == (0, 0)
    assert unchanged(family)
    assert not Person.objects.filter(id_number=NEW_ONE).exists()


def test_a_member_named_head_in_the_head_column_is_a_move_handed_back(bureau, lanshan, family):
    headers = ["户主身份证号", "姓名", "身份证号", "与户主关系"]
    job = run(bureau, "head-column.csv", csv_bytes([[WIFE, "戊", NEW_ONE, "子"]], headers))
    assert reasons(job) == {2: MOVE.replace("身份证号：", "户主身份证号：", 1)}
    assert unchanged(family)
    assert not Person.objects.filter(id_number=NEW_ONE).exists()


def test_the_head_still_changes_hands_within_the_household(bureau, lanshan, family):
    job = run(bureau, "re-head.csv", csv_bytes(
        [["A", "", "", "甲", HEAD, "夫", "", "", ""], ["A", "", "", "乙", WIFE, "户主", "", "", ""]]
    ))
    assert (job.updated_households, job.rejected_rows) == (1, 0), job.returned_reasons
    assert Household.objects.get(pk=family.pk).head.id_number == WIFE


def test_a_typo_in_the_old_heads_name_while_the_head_changes_hands_is_that_rows_reason_only(
    bureau, lanshan, family
):
    job = run(bureau, "re-head-typo.csv", csv_bytes(
        [["A", "", "", "甲甲", HEAD, "夫", "", "", ""], ["A", "", "", "乙", WIFE, "户主", "", "", ""]]
    ))
    assert reasons(job) == {
        2: f"姓名：身份证号 {HEAD} 已登记为 甲，不是 甲甲：请核对身份证号和姓名；"
        "确需改名的，请在该人员的页面上修改。",
        3: "该家庭的其他行（第2行）有错误，整户退回。",
    }
    assert unchanged(family)


# --- c. control characters in a registered person's name ---------------------------------------------

@pytest.mark.parametrize("character", ["\x00", "\x01", "\x7f", "\x85"])
def test_a_control_character_in_a_registered_persons_name_is_refused_as_for_a_new_one(
    bureau, lanshan, family, character
):
    job = run(bureau, "names.csv", csv_bytes([
        ["A", "", "", f"甲{character}", HEAD, "户主", "", "", ""],
        ["N", lanshan.code, "幸福路4号", f"丁{character}", NEW_ONE, "户主", "", "", ""],
    ]))
    assert reasons(job) == {2: f"姓名：{CONTROL}", 3: f"姓名：{CONTROL}"}
    assert Person.objects.get(id_number=HEAD).name == "甲"
    assert not Person.objects.filter(id_number=NEW_ONE).exists()


def test_no_control_character_reaches_a_reason(bureau, lanshan, family):
    """A reason quoting a cell (a code that fits no value, a masked number) quotes no NUL: the
    reasons are stored for the page (PostgreSQL's JSON refuses NUL) and the returned file."""
    job = run(bureau, "quoted.csv", csv_bytes([
        ["A", "", "", "甲", HEAD, "户\x00主", "", "", ""],
        ["B", lanshan.code, "幸福路4号", "丁", "3713**\x00*0013", "户主", "", "", ""],
    ]))
    assert job.status == ImportJob.Status.FINISHED
    assert reasons(job) == {2: f"与户主关系：{CONTROL}", 3: f"身份证号：{CONTROL}"}


# --- d. a person repeated within one household --------------------------------------------------------

def test_a_person_repeated_in_their_own_household_returns_only_the_later_row(bureau, lanshan):
    job = run(bureau, "repeated.xlsx", workbook_bytes([
        ["E", lanshan.code, "幸福路5号", "己", NEW_ONE, "户主", "", "", ""],
        ["E", "", "", "庚", NEW_TWO, "配偶", "", "", ""],
        ["E", "", "", "庚", NEW_TWO, "配偶", "", "", ""],
    ]))
    assert (job.created_households, job.rejected_households, job.rejected_rows) == (1, 0, 1)
    assert reasons(job) == {4: "身份证号：与第3行重复：每人在表中只填一行，以第3行为准。"}
    household = Household.objects.get(address="幸福路5号")
    members = household.memberships.values_list("person__id_number", flat=True)
    assert sorted(members) == sorted([NEW_ONE, NEW_TWO])


# --- e. changed households apart from new ones --------------------------------------------------------

def test_changed_registered_households_are_counted_apart_from_new_ones_on_the_page_and_in_the_api(
    client, bureau, lanshan, family
):
    job = run(bureau, "mixed.xlsx", workbook_bytes([
        ["A", "", "", "乙", WIFE, "配偶", 32000, *PERIOD],  # 甲's household: a changed wage
        ["N", lanshan.code, "幸福路6号", "丁", NEW_ONE, "户主", "", "", ""],  # a new one
    ]))
    assert (job.created_households, job.updated_households, job.unchanged_households) == (1, 1, 0)
    client.force_login(bureau)
    page = client.get(reverse("registry:import_job", args=[job.pk])).content.decode()
    assert "新增家庭（户）" in page and "已修改家庭（户）" in page
    token = api_token_create(user=bureau, name="t")[1]
    answer = Client(headers={"Authorization": f"Bearer {token}"}).get(f"/api/v1/imports/{job.pk}").json()
    assert (answer["created_households"], answer["updated_households"]) == (1, 1)
    schema = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/openapi.json").json()
    described = schema["components"]["schemas"]["ImportJobOut"]["properties"]["updated_households"]
    assert "registered" in described.get("description", "")


# --- f. formulas without their results ---------------------------------------------------------------

def with_error_cell(content: bytes, reference: str, error: str) -> bytes:
    """The workbook with the cell at `reference` holding a formula whose result is an error, as Excel
    stores #N/A (openpyxl cannot write one)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                start = data.index(f'<c r="{reference}"'.encode())
                end = data.index(b"</c>", start) + 4
                data = data[:start] + (
                    f'<c r="{reference}" t="e"><f>VLOOKUP(A1,B:B,2,0)</f><v>{error}</v></c>'.encode()
                ) + data[end:]
            target.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_a_formula_without_its_result_is_handed_back_not_read_as_blank(
    bureau, lanshan, family, monkeypatch, reader
):
    if reader == "openpyxl":
        monkeypatch.setitem(sys.modules, "python_calamine", None)
    headers = ["序号", *HEADERS]
    content = workbook_bytes([
        # 乙's wage as a formula (blank would mean "no change"); 序号 a formula nobody reads
        ["=ROW()-1", "A", "", "", "乙", WIFE, "配偶", "=30000+2000", *PERIOD],
        # a new household whose head's name is a formula
        ["=ROW()-1", "N", lanshan.code, "幸福路7号", '="丁"', NEW_ONE, "户主", "", "", ""],
        ["=ROW()-1", "M", lanshan.code, "幸福路8号", "戊", NEW_TWO, "户主", 1200, *PERIOD],
    ], headers)
    content = with_error_cell(content, "H4", "#N/A")  # 戊's wage: a lookup that found nothing
    job = run(bureau, "program.xlsx", content)

    error = "该单元格的公式计算出错（#N/A）：请修正公式，或直接填写数值。"
    assert reasons(job) == {
        2: f"工资性收入（元/年）：{UNCOMPUTED}", 3: f"姓名：{UNCOMPUTED}", 4: f"工资性收入（元/年）：{error}"
    }
    assert IncomeItem.objects.get(person__id_number=WIFE).amount == Decimal("30000.00")
    assert not Person.objects.filter(id_number__in=[NEW_ONE, NEW_TWO]).exists()
    # The returned file shows the formula as the characters it was, the cell highlighted.
    sheet = openpyxl.load_workbook(job.rejected_file.path).active
    wage = next(cell for cell in sheet[2] if sheet.cell(row=1, column=cell.column).value == HEADERS[6])
    assert (wage.value, wage.data_type, wage.fill.fgColor.rgb) == ("=30000+2000", "s", "00FFC7CE")


# --- g. reasons joined --------------------------------------------------------------------------------

def test_reasons_joined_in_one_cell_have_no_doubled_punctuation(bureau, lanshan):
    row = ["G", lanshan.code, "", "壬", NEW_ONE, "妻", "-5", "", ""]  # four reasons
    job = run(bureau, "many.xlsx", workbook_bytes([row]))
    reason = reasons(job)[2]
    assert reason == (
        "没有任何一行是户主：请将户主的与户主关系填为“户主”（或在户主身份证号中填写户主）；"
        "工资性收入（元/年）：金额不能为负数，请重新填写；与户主关系：与户主关系“妻”与性别“男”不符，请核对；"
        "住址：新家庭须填写此项。"
    )
    assert returned(job)[0]["错误原因"] == reason


# --- values no form would send ------------------------------------------------------------------------

def test_values_no_form_would_send_come_back_each_with_its_reason_and_the_rest_is_stored(bureau, lanshan):
    headers = [*HEADERS, "系统人员编号", "残疾证号", "残疾类别", "残疾等级"]
    ids = iter(man(datetime.date(1960 + k, 1, 1), 10 + k) for k in range(10))
    content = workbook_bytes([
        ["S", lanshan.code, "路1", "子", next(ids), "户主", "", "", "", "99999999999999999999", "", "", ""],
        ["T", lanshan.code, "路2", "丑", next(ids), "户主", 1e20, *PERIOD, "", "", "", ""],
        ["U", lanshan.code, "路" * 201, "寅", next(ids), "户主", "", "", "", "", "", "", ""],
        ["V", lanshan.code, "路4", "卯", (n := next(ids)), "户主", "", "", "", "", n + "1234", 1, 1],
        ["W", lanshan.code, "路5", "辰", next(ids), "户主", 12345, *PERIOD, "", "", "", ""],
        ["X", lanshan.code, "路6", "巳", NEW_THREE, "户主", "", "", "", "", "", "", ""],
    ], headers)
    # What Excel cannot type but a file can hold: a wage of NaN.
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, data.replace(b"<v>12345</v>", b"<v>NaN</v>"))
    job = run(bureau, "probe.xlsx", out.getvalue())

    assert job.status == ImportJob.Status.FINISHED, job.message
    assert reasons(job) == {
        2: "系统人员编号：系统人员编号请保持导出时的原样；新增人员请留空。",
        3: "工资性收入（元/年）：金额过大：请以元为单位填写（最多 999999999999.99 元）。",
        4: "住址：内容过长：最多 200 个字符。",
        5: "残疾证号：残疾人证号由18位身份证号加1位残疾类别代码和1位残疾等级代码组成，请核对。",
        6: "工资性收入（元/年）：请输入以元为单位的金额，例如 1234.50。",
    }
    assert job.created_households == 1 and Person.objects.filter(id_number=NEW_THREE).exists()


def test_a_control_character_in_a_header_is_not_quoted_in_the_jobs_message(bureau, lanshan):
    """The message lists the headers not understood: with a NUL in one, PostgreSQL refused the
    message and the job failed after storing its households."""
    job = run(bureau, "header.csv", csv_bytes(
        [["N", lanshan.code, "幸福路9号", "丁", NEW_ONE, "户主", "", "", "", ""]], [*HEADERS, "备\x00用"]
    ))
    assert job.status == ImportJob.Status.FINISHED and job.created_households == 1
    assert job.message == "以下列无法识别，已忽略：「备用」。"
