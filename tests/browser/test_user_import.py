"""The city bureau creates and binds fifty grid workers from a spreadsheet in the browser: it
downloads the template, uploads fifty rows on the user administration page, sees fifty accounts
created, each bound to its village, and downloads their one-time passwords once."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import LANSHAN_TOWNSHIP, YINAN_TOWNSHIP, user, village
from safetynet.core.models import Role, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_city_bureau_creates_and_binds_fifty_grid_workers_from_a_spreadsheet(logged_in_page, shot):
    city = user(Role.CITY_BUREAU, "3713", username="city")
    villages = [village(f"{LANSHAN_TOWNSHIP}2{n:02d}", f"兰山{n}村") for n in range(1, 6)]
    villages += [village(f"{YINAN_TOWNSHIP}2{n:02d}", f"沂南{n}村") for n in range(1, 6)]
    page = logged_in_page(city)
    page.goto("/")
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="用户管理").click()
    page.get_by_role("link", name="导入网格员和协理员").click()
    with page.expect_download() as template:
        page.get_by_role("link", name="下载模板（.xlsx）").click()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(template.value.path()).read_bytes()))
    sheet = workbook["人员名单"]
    expected = {}
    for n in range(50):
        target = villages[n % len(villages)]
        name = f"网格员{n:02d}号"
        # Some by the village's code, some by its name, as clerks fill it in.
        code, village_name = (target.code, "") if n % 2 else ("", target.name)
        values = [name, f"grid{n:02d}", "网格员", code, village_name, f"1390000{n:04d}"]
        for column, value in enumerate(values, start=1):
            sheet.cell(row=n + 2, column=column, value=value)  # typed in from the row below the header
        expected[f"grid{n:02d}"] = target.code
    data = io.BytesIO()
    workbook.save(data)

    page.set_input_files("input[type=file]", files=[{
        "name": "网格员名单.xlsx", "buffer": data.getvalue(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }])
    page.get_by_role("button", name="导入", exact=True).click()

    expect(page.locator("#import-counts")).to_contain_text("已创建 50 个账号")
    expect(page.locator("#import-counts")).to_contain_text("退回 0 行")
    expect(page.locator("#import-created tbody tr")).to_have_count(50)
    expect(page.locator("#import-created")).to_contain_text("沂南3村")
    expect(page.locator("#import-created tbody tr").first).to_contain_text("grid00")
    expect(page.locator("#import-created tbody tr").first.locator("td").first).to_have_text("2")
    shot(page, "user-import-fifty")
    created = {u.username: u for u in User.objects.filter(role=Role.GRID_WORKER)}
    assert {name: u.division_id for name, u in created.items()} == expected
    assert all(u.must_change_password and u.is_active for u in created.values())

    with page.expect_download() as passwords:
        page.get_by_role("link", name="下载一次性密码（仅一次）").click()
    handed_out = openpyxl.load_workbook(io.BytesIO(Path(passwords.value.path()).read_bytes()))
    rows = list(handed_out.active.values)[1:]
    assert len(rows) == 50
    assert all(created[username].check_password(password) for username, _n, _r, _v, password, _note in rows)

    # The list of the city's accounts shows them, bound to their villages.
    page.goto(reverse("accounts:user_list") + "?q=grid07")
    expect(page.locator("#user-list")).to_contain_text(villages[7].name)
