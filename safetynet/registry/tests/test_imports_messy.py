"""The hidden cases of a messy township file: each household with a different defect, every row's
outcome and reasons as a clerk expects them in one round, and the returned file corrected and
imported again."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.base import ContentFile

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.ids import make_id_number
from safetynet.core.models import Role
from safetynet.registry import imports
from safetynet.registry.models import Household, ImportJob, IncomeItem, Membership, Person

pytestmark = pytest.mark.django_db

HEADERS = [
    "户编号", "村/社区代码", "住址", "姓名", "身份证号", "性别", "出生日期", "与户主关系",
    "工资性收入（元/年）", "转移净收入（元/年）", "收入起始日期", "收入截止日期", "备注",
]
FORMULA = '=HYPERLINK("http://example.invalid/x","点这里")'


def man(born: datetime.date, order: int) -> str:
    return make_id_number("371302", born, order * 2 + 1)


def woman(born: datetime.date, order: int) -> str:
    return make_id_number("371302", born, order * 2)


REGISTERED_HEAD = man(datetime.date(1950, 1, 1), 1)  # 王大山, registered before the file
REGISTERED_WIFE = woman(datetime.date(1952, 3, 4), 2)  # 李秀英, his wife
B_HEAD, B_WIFE = man(datetime.date(1960, 1, 1), 3), woman(datetime.date(1962, 2, 2), 4)
C_HEAD = man(datetime.date(1961, 5, 5), 5)
D_HEAD, D_MAN, D_SON = man(datetime.date(1955, 6, 6), 6), man(datetime.date(1958, 7, 7), 7), man(
    datetime.date(1980, 8, 8), 8
)
E_ONE, E_TWO = man(datetime.date(1970, 1, 1), 9), woman(datetime.date(1971, 1, 1), 10)
F_HEAD, F_SON = man(datetime.date(1965, 3, 3), 11), man(datetime.date(1990, 4, 4), 12)
G_HEAD, G_WIFE = man(datetime.date(1966, 9, 9), 13), woman(datetime.date(1968, 10, 10), 14)
H_HEAD = man(datetime.date(1975, 11, 11), 15)
NEW_FOR_A = man(datetime.date(1977, 1, 2), 16)
NEW_FOR_C = woman(datetime.date(1985, 2, 3), 17)
NEW_FOR_H = man(datetime.date(1979, 3, 4), 18)
PERIOD = ("2025-01-01", "2025-12-31")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def villages(db):
    return village(LANSHAN_TOWNSHIP + "201"), village(LANSHAN_TOWNSHIP + "202")


@pytest.fixture
def clerk(villages):
    return user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)


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
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed as text in the township's file, as a clerk pastes it
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def registered(clerk, villages):
    """王大山's household, registered in village 201 before the township's file."""
    first, _second = villages
    job = run(clerk, "before.xlsx", workbook_bytes([
        ["R", first.code, "幸福路1号", "王大山", REGISTERED_HEAD, "", "", "户主", 30000, "", *PERIOD, ""],
        ["R", "", "", "李秀英", REGISTERED_WIFE, "", "", "配偶", "", "", "", "", ""],
    ]))
    assert (job.created_households, job.rejected_rows) == (1, 0)
    return Household.objects.get(village=first)


def messy_rows(first, second) -> list[list]:
    v1, v2 = first.code, second.code
    return [
        # 2: A — 王大山's ID number under another name and another village
        ["A", v2, "和平路9号", "李四", REGISTERED_HEAD, "", "", "户主", 5000, "", *PERIOD, ""],
        # 3-4: B — a good household
        ["B", v1, "幸福路2号", "赵强", B_HEAD, "男", "1960-01-01", "户主", "", "", "", "", ""],
        ["B", "", "", "钱芳", B_WIFE, "女", "", "配偶", "", "", "", "", ""],
        # 5-6: C — row 6 repeats row 4's ID number
        ["C", v1, "幸福路3号", "孙海", C_HEAD, "", "", "户主", "", "", "", "", ""],
        ["C", "", "", "钱芳", B_WIFE, "", "", "女", "", "", "", "", ""],
        # 7-9: D — a man as 妻, and a birth date the ID number disagrees with (and a formula cell)
        ["D", v1, "幸福路4号", "周明", D_HEAD, "", "", "户主", "", "", "", "", ""],
        ["D", "", "", "吴刚", D_MAN, "", "", "妻", "", "", "", "", ""],
        ["D", "", "", "周小明", D_SON, "", "1981-08-08", "子", "", "", "", "", FORMULA],
        # 10-11: E — two heads
        ["E", v1, "幸福路5号", "郑伟", E_ONE, "", "", "户主", "", "", "", "", ""],
        ["E", "", "", "王丽", E_TWO, "", "", "户主", "", "", "", "", ""],
        # 12-13: F — blank is no income, 0 a stated zero; an amount with its period
        ["F", v1, "幸福路6号", "冯军", F_HEAD, "", "", "户主", "", 0, *PERIOD, ""],
        ["F", "", "", "冯小军", F_SON, "", "", "子", "12,000元", "", "", "", ""],
        # 14-15: G — an amount without the period; the other row gives no income
        ["G", v1, "幸福路7号", "陈东", G_HEAD, "", "", "户主", 8000, "", "", "", ""],
        ["G", "", "", "褚红", G_WIFE, "", "", "配偶", "", "", "", "", ""],
        # 16-17: H — a new head taking 李秀英, registered in 王大山's household
        ["H", v1, "幸福路8号", "卫国", H_HEAD, "", "", "户主", "", "", "", "", ""],
        ["H", "", "", "李秀英", REGISTERED_WIFE, "", "", "配偶", "", "", "", "", ""],
    ]


def returned_rows(job: ImportJob) -> tuple[list, list[dict]]:
    sheet = openpyxl.load_workbook(job.rejected_file.path).active
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_a_messy_township_file_gets_every_reason_in_one_round_and_imports_once_corrected(
    clerk, villages, registered
):
    first, second = villages
    job = run(clerk, "兰山街道花名册.xlsx", workbook_bytes(messy_rows(first, second)))
    assert job.status == ImportJob.Status.FINISHED
    assert (job.created_households, job.updated_households, job.rejected_households) == (2, 0, 6)

    headers, rows = returned_rows(job)
    reasons = {row["原行号"]: row["错误原因"] for row in rows}
    other_row = "该家庭的其他行（第{}行）有错误，整户退回。"
    assert reasons == {
        2: f"姓名：身份证号 {REGISTERED_HEAD} 已登记为 王大山，不是 李四：请核对身份证号和姓名；"
        "确需改名的，请在该人员的页面上修改。",
        5: other_row.format(6),
        6: "身份证号：与第4行重复：每人在表中只填一行，以第4行为准。",
        7: other_row.format("8、9"),
        8: "与户主关系：与户主关系“妻”与性别“男”不符，请核对。",
        9: "出生日期：身份证号显示出生日期为1980-08-08，但填写的出生日期为1981-08-08，请核对。",
        10: "与户主关系：每户只能有一名户主：第10、11行都标为户主，请核对。",
        11: "与户主关系：每户只能有一名户主：第10、11行都标为户主，请核对。",
        14: "收入起始日期：本行填了收入，请同时填写收入期间（收入起始日期和收入截止日期）。",
        15: other_row.format(14),
        16: other_row.format(17),
        17: "身份证号：李秀英 已登记在另一户（户主 王大山，测试村201）：迁到其他户请在系统中办理“成员迁移”，"
        "不能通过导入办理。",
    }
    # The page shows the same reasons.
    assert job.returned_reasons == [[number, reason] for number, reason in sorted(reasons.items())]
    # The returned file: the reason and row columns once, the clerk's columns as written, the
    # formula as the characters typed (text, not a live formula), the bad cells highlighted.
    assert headers == ["错误原因", "原行号", *HEADERS]
    sheet = openpyxl.load_workbook(job.rejected_file.path).active
    formula_cell = next(cell for row in sheet.iter_rows() for cell in row if cell.value == FORMULA)
    assert formula_cell.data_type == "s"
    highlighted = {
        (sheet.cell(row=cell.row, column=2).value, sheet.cell(row=1, column=cell.column).value)
        for row in sheet.iter_rows(min_row=2)
        for cell in row
        if cell.fill.fgColor.rgb == "00FFC7CE"
    }
    assert highlighted == {
        (2, "姓名"), (6, "身份证号"), (8, "与户主关系"), (9, "出生日期"), (10, "与户主关系"),
        (11, "与户主关系"), (14, "收入起始日期"), (17, "身份证号"),
    }

    # Nothing of 王大山's household changed: not renamed, not moved, income as it was.
    wang = Person.objects.get(id_number=REGISTERED_HEAD)
    assert wang.name == "王大山"
    registered.refresh_from_db()
    assert registered.village_id == first.code
    assert [item.amount for item in IncomeItem.objects.filter(person=wang)] == [Decimal("30000.00")]
    wife = Membership.objects.get(person__id_number=REGISTERED_WIFE, left_on__isnull=True)
    assert wife.household == registered
    # B stored (its wife's row comes first); F stored: a stated 0 is an item, a blank is none.
    assert Membership.objects.get(person__id_number=B_WIFE).household.address == "幸福路2号"
    f_items = {
        (item.person.name, item.category): item.amount
        for item in IncomeItem.objects.filter(household__address="幸福路6号")
    }
    assert f_items == {("冯军", "transfer_net"): Decimal("0.00"), ("冯小军", "wage"): Decimal("12000.00")}

    # The clerk corrects the returned file in one round and imports it again.
    corrections = {
        2: {"姓名": "李四", "身份证号": NEW_FOR_A},
        6: {"身份证号": NEW_FOR_C, "姓名": "孙丽"},
        8: {"与户主关系": "兄"},
        9: {"出生日期": "1980-08-08"},
        11: {"与户主关系": "配偶"},
        14: {"收入起始日期": PERIOD[0], "收入截止日期": PERIOD[1]},
        17: {"身份证号": NEW_FOR_H, "姓名": "卫东"},
    }
    workbook = openpyxl.load_workbook(job.rejected_file.path)
    sheet = workbook.active
    column_of = {cell.value: cell.column for cell in sheet[1]}
    for row in sheet.iter_rows(min_row=2):
        for header, value in corrections.get(row[1].value, {}).items():
            row[column_of[header] - 1].value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    again = run(clerk, "兰山街道花名册-退回.xlsx", buffer.getvalue())
    assert (again.created_households, again.rejected_rows, again.rejected_file.name) == (6, 0, "")
    assert Person.objects.get(id_number=D_SON).birth_date == datetime.date(1980, 8, 8)
    assert Person.objects.get(id_number=NEW_FOR_A).name == "李四"
    assert Household.objects.get(address="和平路9号").village_id == second.code
    assert Person.objects.get(id_number=REGISTERED_HEAD).name == "王大山"


def test_a_returned_file_imported_again_keeps_one_reason_column_and_no_stale_reasons(
    clerk, villages, registered
):
    first, second = villages
    job = run(clerk, "a.xlsx", workbook_bytes(messy_rows(first, second)))
    workbook = openpyxl.load_workbook(job.rejected_file.path)
    sheet = workbook.active
    column_of = {cell.value: cell.column for cell in sheet[1]}
    for row in sheet.iter_rows(min_row=2):  # correct everything but household E
        number = row[1].value
        if number == 2:
            row[column_of["身份证号"] - 1].value = NEW_FOR_A
        elif number == 6:
            row[column_of["身份证号"] - 1].value = NEW_FOR_C
        elif number == 8:
            row[column_of["与户主关系"] - 1].value = "兄"
        elif number == 9:
            row[column_of["出生日期"] - 1].value = "1980-08-08"
        elif number == 14:
            row[column_of["收入起始日期"] - 1].value, row[column_of["收入截止日期"] - 1].value = PERIOD
        elif number == 17:
            row[column_of["身份证号"] - 1].value = NEW_FOR_H
    buffer = io.BytesIO()
    workbook.save(buffer)
    again = run(clerk, "a-退回.xlsx", buffer.getvalue())
    assert (again.created_households, again.rejected_households) == (5, 1)
    headers, rows = returned_rows(again)
    assert headers == ["错误原因", "原行号", *HEADERS]
    # Rows are numbered as in the file imported (the returned one): E's rows are its 8th and 9th.
    two_heads = "与户主关系：每户只能有一名户主：第8、9行都标为户主，请核对。"
    assert [(row["原行号"], row["错误原因"], row["姓名"]) for row in rows] == [
        (8, two_heads, "郑伟"), (9, two_heads, "王丽"),
    ]


def test_a_file_with_a_header_and_no_data_rows_says_so(clerk):
    job = run(clerk, "empty.xlsx", workbook_bytes([[None] * len(HEADERS), []]))
    assert job.status == ImportJob.Status.FAILED
    assert job.message == "文件只有表头，表头下面没有数据行：没有可导入的内容。"
    csv_job = run(clerk, "empty.csv", ",".join(HEADERS).encode("utf-8-sig") + b"\r\n,,,\r\n")
    assert (csv_job.status, csv_job.message) == (job.status, job.message)


def test_income_cells_mean_the_same_on_a_registered_household(clerk, villages, registered):
    first, _second = villages
    # 李秀英 has no income item: her 0 is a new item and needs the period; 王大山's blank wage
    # cell leaves his registered wage as it is.
    rows = [
        ["R", first.code, "幸福路1号", "王大山", REGISTERED_HEAD, "", "", "户主", "", "", "", "", ""],
        ["R", "", "", "李秀英", REGISTERED_WIFE, "", "", "配偶", "", 0, "", "", ""],
    ]
    job = run(clerk, "r.xlsx", workbook_bytes(rows))
    assert job.returned_reasons == [
        [3, "收入起始日期：本行填了收入，请同时填写收入期间（收入起始日期和收入截止日期）。"],
        [2, "该家庭的其他行（第3行）有错误，整户退回。"],
    ][::-1]
    rows[0][10:12] = PERIOD
    job = run(clerk, "r2.xlsx", workbook_bytes(rows))
    assert (job.updated_households, job.rejected_rows) == (1, 0)
    items = {(i.person.name, i.category): i.amount for i in IncomeItem.objects.filter(household=registered)}
    assert items == {("王大山", "wage"): Decimal("30000.00"), ("李秀英", "transfer_net"): Decimal("0.00")}
