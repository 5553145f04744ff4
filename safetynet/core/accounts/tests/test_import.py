"""Grid workers and village coordinators from a spreadsheet: each row created or handed back with
its reasons, never lost; duplicates in the file and against existing accounts; villages outside the
area; control characters; fifty at once; the template and the workbooks handed out."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from conftest import LANSHAN_TOWNSHIP, YINAN_TOWNSHIP, user, village
from safetynet.core.accounts import importer, workbooks
from safetynet.core.models import ChangeRecord, Role, User
from safetynet.core.sheets import FileError

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "用户名", "角色", "村（社区）代码", "村（社区）名称", "手机号"]


def sheet(tmp_path, rows, headers=HEADERS, name="名单.xlsx"):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


@pytest.fixture
def lanshan():
    return user(Role.COUNTY_BUREAU, "371302")


@pytest.fixture
def villages(db):
    return [village(f"{LANSHAN_TOWNSHIP}2{n:02d}", f"兰山测试{n}村") for n in range(1, 4)]


def test_good_rows_are_created_bound_to_their_villages(tmp_path, lanshan, villages):
    path = sheet(tmp_path, [
        ["张网格", "zhangwg", "网格员", villages[0].code, "", "13900000001"],
        ["李协理", "", "社会救助协理员", "", villages[1].name, "13900000002"],
    ])
    outcome = importer.users_import(actor=lanshan, path=path)
    assert outcome.returned == []
    by_name = {c.user.first_name: c for c in outcome.created}
    zhang, li = User.objects.get(username="zhangwg"), User.objects.get(first_name="李协理")
    assert (zhang.role, zhang.division_id, zhang.phone) == (Role.GRID_WORKER, villages[0].code, "13900000001")
    assert (li.role, li.division_id, li.username) == (Role.VILLAGE_COORDINATOR, villages[1].code, "lixieli")
    assert zhang.must_change_password and zhang.check_password(by_name["张网格"].password)
    assert ChangeRecord.objects.filter(subject_type="user", subject_id__in=[zhang.pk, li.pk],
                                       actor=lanshan, action="create").count() == 2


def test_each_bad_row_is_handed_back_with_its_reason_and_the_others_are_created(tmp_path, lanshan, villages):
    yinan = village(YINAN_TOWNSHIP + "201")
    user(Role.GRID_WORKER, villages[0].code, username="taken")
    User.objects.filter(username="taken").update(phone="13900000099")
    path = sheet(tmp_path, [
        ["好人", "", "网格员", villages[0].code, "", "13900000001"],
        ["", "", "网格员", villages[0].code, "", ""],                   # no name
        ["王五", "", "村长", villages[0].code, "", ""],                  # no such role
        ["赵六", "", "网格员", yinan.code, "", ""],                     # another county
        ["钱七", "", "网格员", "", "不存在村", ""],                        # no such village
        ["孙八", "taken", "网格员", villages[0].code, "", ""],          # user name taken
        ["周九", "", "网格员", villages[0].code, "", "13900000099"],    # phone taken
        ["吴十", "", "网格员", villages[0].code, "", "13900000001"],    # phone again in the file
        ["郑\x7f一", "", "网格员", villages[0].code, "", ""],            # control character
        ["冯二", "", "网格员", "3713", "", ""],                         # not a village code
        ["陈三", "", "网格员", villages[0].code, "", "12345"],          # no phone number
        ["褚四", "", "网格员", villages[0].code, villages[1].name, ""],  # code and name disagree
    ])
    outcome = importer.users_import(actor=lanshan, path=path)
    assert [c.user.first_name for c in outcome.created] == ["好人"]
    reasons = {r.number: " ".join(r.reasons) for r in outcome.returned}
    assert sorted(reasons) == list(range(3, 14))
    assert "姓名" in reasons[3]
    assert "村长" in reasons[4]
    assert yinan.code in reasons[5] and "辖区" in reasons[5]
    assert "不存在村" in reasons[6]
    assert "taken" in reasons[7]
    assert "13900000099" in reasons[8]
    assert "第 2 行" in reasons[9] or "2" in reasons[9]
    assert "控制字符" in reasons[10]
    assert "12" in reasons[11]
    assert "手机号" in reasons[12]
    assert villages[1].name in reasons[13]
    handed_back = ["王五", "赵六", "钱七", "孙八", "周九", "吴十", "冯二"]
    assert not User.objects.filter(first_name__in=handed_back).exists()
    # Every row is accounted for: created or handed back.
    assert len(outcome.created) + len(outcome.returned) == 12


def test_a_repeated_user_name_in_the_file_returns_only_the_later_row(tmp_path, lanshan, villages):
    path = sheet(tmp_path, [["甲", "same", "网格员", villages[0].code, "", ""],
                            ["乙", "same", "网格员", villages[1].code, "", ""]])
    outcome = importer.users_import(actor=lanshan, path=path)
    assert [c.user.first_name for c in outcome.created] == ["甲"]
    assert [r.number for r in outcome.returned] == [3]


def test_generated_user_names_never_collide(tmp_path, lanshan, villages):
    user(Role.GRID_WORKER, villages[0].code, username="zhangsan")
    path = sheet(tmp_path, [["张三", "", "网格员", villages[0].code, "", ""],
                            ["张三", "", "网格员", villages[1].code, "", ""]])
    outcome = importer.users_import(actor=lanshan, path=path)
    assert sorted(c.user.username for c in outcome.created) == ["zhangsan2", "zhangsan3"]


def test_a_village_name_two_villages_share_asks_for_the_code(tmp_path, lanshan):
    village(LANSHAN_TOWNSHIP + "211", "同名村")
    village(LANSHAN_TOWNSHIP + "212", "同名村")
    path = sheet(tmp_path, [["甲", "", "网格员", "", "同名村", ""]])
    outcome = importer.users_import(actor=lanshan, path=path)
    assert outcome.created == [] and "代码" in outcome.returned[0].reasons[0]


def test_fifty_grid_workers_at_once(tmp_path, lanshan, villages, django_assert_max_num_queries):
    rows = [[f"网格员{n:02d}", f"grid{n:02d}", "网格员", villages[n % 3].code, "", f"139000001{n:02d}"]
            for n in range(50)]
    with django_assert_max_num_queries(40):
        outcome = importer.users_import(actor=lanshan, path=sheet(tmp_path, rows))
    assert len(outcome.created) == 50 and outcome.returned == []
    codes = [v.code for v in villages]
    assert User.objects.filter(role=Role.GRID_WORKER, division_id__in=codes).count() == 50
    assert User.objects.get(username="grid07").division_id == villages[1].code


def test_numbers_excel_made_of_codes_and_phones_are_read_as_digits(tmp_path, lanshan, villages):
    path = sheet(tmp_path, [["甲", "", "网格员", float(villages[0].code), "", 13900000001.0]])
    outcome = importer.users_import(actor=lanshan, path=path)
    assert outcome.returned == []
    assert outcome.created[0].user.phone == "13900000001"


def test_a_file_without_the_columns_is_refused_whole(tmp_path, lanshan):
    with pytest.raises(FileError):
        importer.users_import(actor=lanshan, path=sheet(tmp_path, [["x"]], headers=["序号", "备注"]))


def test_roles_that_create_no_grid_workers_cannot_import(tmp_path, villages):
    path = sheet(tmp_path, [["甲", "", "网格员", villages[0].code, "", ""]])
    for actor in (user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP), user(Role.OPERATOR, "3713"),
                  user(Role.AUDITOR, "3713")):
        with pytest.raises(PermissionDenied):
            importer.users_import(actor=actor, path=path)
    assert not User.objects.filter(first_name="甲").exists()


def test_a_csv_in_gbk_is_read_too(tmp_path, lanshan, villages):
    path = tmp_path / "名单.csv"
    path.write_bytes(("姓名,角色,村（社区）代码\n张三,网格员," + villages[0].code + "\n").encode("gbk"))
    outcome = importer.users_import(actor=lanshan, path=path)
    assert [c.user.first_name for c in outcome.created] == ["张三"]


def test_the_template_has_the_headers_text_columns_and_a_role_drop_down(tmp_path, lanshan, villages):
    out = io.BytesIO()
    workbooks.template_workbook(out)
    workbook = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    ws = workbook[importer.DATA_SHEET]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws["D2"].number_format == "@" and ws["F2"].number_format == "@"
    assert any("C2" in str(v.sqref) for v in ws.data_validations.dataValidation)
    # Filled in and imported as it is.
    ws.append(["张三", "", "网格员", villages[0].code, "", "13900000001"])
    path = tmp_path / "filled.xlsx"
    workbook.save(path)
    outcome = importer.users_import(actor=lanshan, path=path)
    assert len(outcome.created) == 1


def test_the_returned_workbook_keeps_formulas_as_text():
    out = io.BytesIO()
    workbooks.returned_workbook(out, headers=HEADERS, rows=[
        {"number": 2, "cells": ["=HYPERLINK(\"x\")", "", "网格员", "", "", ""], "reasons": ["姓名：…"]}])
    ws = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert ws["A2"].value == "=HYPERLINK(\"x\")" and ws["A2"].data_type == "s"
    assert ws["H2"].value == "姓名：…" and ws["G2"].value == 2


@pytest.mark.parametrize("content", [
    "姓名,角色,村（社区）代码\n".encode() + b'"' + b"x" * 200_000 + b'",grid,1\n',  # too long for csv
    b"\xff\xfe" + "姓名,角色".encode("utf-16-le") + b"\x00",  # UTF-16 cut in the middle of a character
], ids=["field-too-long", "broken-utf16"])
def test_a_csv_that_cannot_be_read_is_refused_with_a_reason_and_creates_nothing(tmp_path, lanshan, villages,
                                                                                 content):
    path = tmp_path / "名单.csv"
    path.write_bytes(content)
    before = User.objects.count()
    with pytest.raises(FileError) as refused:
        importer.users_import(actor=lanshan, path=path)
    assert "CSV" in str(refused.value)
    assert User.objects.count() == before
