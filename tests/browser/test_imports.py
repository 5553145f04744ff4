"""A township clerk uploads a messy file on the import page and reads, on screen, the reason for
each row handed back; the page stops polling once the import is done."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import LANSHAN_TOWNSHIP, user
from safetynet.core.ids import make_id_number
from safetynet.core.models import Role
from safetynet.registry.models import Household, ImportJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HEAD = make_id_number("371302", datetime.date(1950, 1, 1), 11)
MAN = make_id_number("371302", datetime.date(1958, 7, 7), 13)
GOOD = make_id_number("371302", datetime.date(1960, 1, 1), 15)


def test_uploading_a_file_shows_the_reasons_on_screen(
    logged_in_page, lanshan_village, settings, tmp_path, shot
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The import runs as soon as the upload is committed, as a worker would run it.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    clerk = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    v = lanshan_village.code
    text = (
        "户编号,村/社区代码,住址,姓名,身份证号,与户主关系,工资性收入（元/年）,收入起始日期,收入截止日期\n"
        f"1,{v},幸福路1号,王大山,{HEAD},户主,5000,,\n"
        f"1,,,吴刚,{MAN},妻,,,\n"
        f"2,{v},幸福路2号,赵强,{GOOD},户主,,,\n"
    )
    page = logged_in_page(clerk)
    page.goto(reverse("registry:import_start"))
    page.set_input_files("input[type=file]", files=[{
        "name": "花名册.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8-sig"),
    }])
    page.get_by_role("button", name="导入", exact=True).click()

    reasons = page.locator("#import-reasons")
    expect(reasons).to_be_visible()
    expect(reasons).to_contain_text("本行填了收入，请同时填写收入期间")
    expect(reasons).to_contain_text("与户主关系“妻”与性别“男”不符")
    expect(page.locator("#import-progress")).not_to_have_attribute("hx-trigger", "every 1s")
    expect(page.get_by_role("link", name="下载退回的行")).to_be_visible()
    shot(page, "import-reasons")
    assert Household.objects.get().address == "幸福路2号"
    assert ImportJob.objects.get().rejected_rows == 2

    # The history on the import page: the file, who, the counts.
    page.goto(reverse("registry:import_start"))
    row = page.locator("tr", has_text="花名册.csv")
    expect(row).to_contain_text(str(clerk))
    expect(row).to_contain_text("已完成")
