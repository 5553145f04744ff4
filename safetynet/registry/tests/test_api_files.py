"""Spreadsheets through /api/v1: the template, an import (upload, progress, outcome, the returned
rows) and the export — scoped and masked as on the pages."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import LANSHAN_TOWNSHIP, user
from safetynet.core.ids import make_id_number
from safetynet.core.masking import mask_id_number
from safetynet.core.models import Role, UnmaskLog
from safetynet.core.services import api_token_create
from safetynet.registry import imports
from safetynet.registry.models import Household, ImportJob

pytestmark = pytest.mark.django_db

GOOD_HEAD = make_id_number("371302", datetime.date(1950, 1, 1), 811)
BAD_ID = "371302195001010000"  # wrong check digit


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def api(actor) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=actor, name='test')[1]}"})


def roster(village_code: str) -> bytes:
    """One good household and one with a bad ID number."""
    return (
        "户编号,村/社区代码,住址,姓名,身份证号,与户主关系\n"
        f"1,{village_code},幸福路9号,钱一,{GOOD_HEAD},户主\n"
        f"2,{village_code},幸福路10号,钱二,{BAD_ID},户主\n"
    ).encode()


def workbook(response) -> list[tuple]:
    content = b"".join(response.streaming_content)
    return list(openpyxl.load_workbook(io.BytesIO(content)).worksheets[0].values)


@pytest.fixture
def clerk(lanshan_village):
    return user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)


def start(client, name="花名册.csv", content=b""):
    return client.post("/api/v1/imports", {"file": SimpleUploadedFile(name, content)})


def test_an_import_through_the_api_from_upload_to_returned_rows(clerk, lanshan_village):
    client = api(clerk)
    started = start(client, content=roster(lanshan_village.code))
    assert started.status_code == 202, started.content
    job = started.json()
    assert job["status"] == "queued" and job["running"] is True and job["rejected_download"] is None

    imports.run_import(ImportJob.objects.get(pk=job["id"]))  # what the worker does
    done = client.get(f"/api/v1/imports/{job['id']}").json()
    assert done["running"] is False and done["status"] == "finished" and done["percent"] == 100
    assert (done["created_households"], done["rejected_households"], done["rejected_rows"]) == (1, 1, 1)
    assert Household.objects.filter(head__id_number=GOOD_HEAD).exists()

    returned = client.get(done["rejected_download"])
    assert returned.status_code == 200 and returned["Cache-Control"] == "no-store"
    rows = workbook(returned)
    assert len(rows) == 2 and BAD_ID in rows[1]
    assert [j["id"] for j in client.get("/api/v1/imports").json()["items"]] == [job["id"]]


def test_an_upload_that_is_no_spreadsheet_is_refused_in_chinese(clerk):
    response = start(api(clerk), "x.xlsx", b"")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "file"
    assert "文件" in response.json()["detail"][0]["message"]
    assert not ImportJob.objects.exists()


def test_a_role_that_cannot_change_the_registry_cannot_import(lanshan_village):
    grid_worker = user(Role.GRID_WORKER, lanshan_village.code)
    client = api(grid_worker)
    assert start(client, content=roster(lanshan_village.code)).status_code == 403
    assert client.get("/api/v1/imports/template.xlsx").status_code == 403
    assert not ImportJob.objects.exists()


def test_jobs_are_seen_in_the_area_and_returned_rows_only_by_roles_seeing_whole_numbers(
    clerk, county_user, other_county_user, lanshan_village
):
    job = imports.import_start(actor=clerk, upload=SimpleUploadedFile("a.csv", roster(lanshan_village.code)))
    imports.run_import(job)
    # Another county: the job does not exist for it.
    assert api(other_county_user).get(f"/api/v1/imports/{job.pk}").status_code == 404
    assert api(other_county_user).get(f"/api/v1/imports/{job.pk}/rejected").status_code == 404
    assert api(other_county_user).get("/api/v1/imports").json()["count"] == 0
    # A grid worker of a village of the township: the township's job is not in its area.
    grid_worker = user(Role.GRID_WORKER, lanshan_village.code)
    assert api(grid_worker).get(f"/api/v1/imports/{job.pk}").status_code == 404
    assert api(grid_worker).get(f"/api/v1/imports/{job.pk}/rejected").status_code == 404
    # The county bureau may, and its download (not the uploader's) is logged as an unmasked view.
    download = api(county_user).get(f"/api/v1/imports/{job.pk}/rejected")
    assert download.status_code == 200
    assert UnmaskLog.objects.filter(actor=county_user, subject_type="importjob", subject_id=job.pk).exists()


def test_an_import_that_returned_nothing_has_no_returned_rows(clerk, lanshan_village):
    content = ("户编号,村/社区代码,住址,姓名,身份证号,与户主关系\n"
               f"1,{lanshan_village.code},路1号,钱一,{GOOD_HEAD},户主\n")
    job = imports.import_start(actor=clerk, upload=SimpleUploadedFile("a.csv", content.encode()))
    imports.run_import(job)
    response = api(clerk).get(f"/api/v1/imports/{job.pk}/rejected")
    assert response.status_code == 404 and response.json()["detail"]


def test_the_templates_download(clerk):
    client = api(clerk)
    xlsx = client.get("/api/v1/imports/template.xlsx")
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert book.sheetnames[0] == "家庭成员"
    csv = client.get("/api/v1/imports/template.csv")
    assert csv.status_code == 200 and "身份证号" in b"".join(csv.streaming_content).decode("utf-8-sig")


def test_the_export_is_scoped_masked_and_unmasked_only_on_request(
    county_user, other_county_user, make_household, lanshan_village, yinan_village
):
    mine = make_household(lanshan_village, county_user)
    make_household(yinan_village, other_county_user)
    client = api(county_user)
    masked = client.get("/api/v1/households/export")
    assert masked.status_code == 200 and masked["Cache-Control"] == "no-store"
    rows = workbook(masked)
    cells = [cell for row in rows[1:] for cell in row]
    assert mask_id_number(mine.head.id_number) in cells and mine.head.id_number not in cells
    assert not any("沂南" in str(cell) for cell in cells if cell)
    assert len(rows) == 2  # the header and the one member of the county's household
    assert not UnmaskLog.objects.exists()

    whole = client.get("/api/v1/households/export", {"unmask": "true"})
    assert mine.head.id_number in [cell for row in workbook(whole)[1:] for cell in row]
    assert UnmaskLog.objects.filter(actor=county_user).exists()


def test_the_export_takes_the_lists_filters_and_a_grid_worker_gets_masked_numbers(
    county_user, make_household, lanshan_village
):
    make_household(lanshan_village, county_user)
    client = api(county_user)
    assert len(workbook(client.get("/api/v1/households/export", {"division": "371321"}))) == 1  # header only
    assert client.get("/api/v1/households/export", {"division": "37x"}).status_code == 422
    grid_worker = user(Role.GRID_WORKER, lanshan_village.code)
    rows = workbook(api(grid_worker).get("/api/v1/households/export", {"unmask": "true"}))
    assert len(rows) == 2 and not any(str(cell).isdigit() and len(str(cell)) == 18 for cell in rows[1])
    assert not UnmaskLog.objects.exists()
