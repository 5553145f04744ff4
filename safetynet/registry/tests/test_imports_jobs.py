"""Import jobs as the pages show them: reasons on screen, the history, a job whose worker was
killed; and what the import's changes look like on the timeline later."""

import datetime
import io
import socket
import subprocess
import sys

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.ids import make_id_number
from safetynet.core.models import Role, UnmaskLog
from safetynet.registry import exports, imports, selectors, services
from safetynet.registry.models import Household, ImportJob, Person
from safetynet.registry.views import describe_changes

pytestmark = pytest.mark.django_db

HEAD = make_id_number("371302", datetime.date(1950, 1, 1), 11)
WIFE = make_id_number("371302", datetime.date(1952, 3, 4), 22)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def lanshan(db):
    return village(LANSHAN_TOWNSHIP + "201")


@pytest.fixture
def clerk(lanshan):
    return user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)


def csv_file(lanshan, *rows: str) -> bytes:
    lines = ["户编号,村/社区代码,住址,姓名,身份证号,与户主关系,工资性收入（元/年）,收入起始日期,收入截止日期"]
    return "\n".join(lines + [row.format(v=lanshan.code) for row in rows]).encode()


def job_of(actor, name: str, content: bytes) -> ImportJob:
    job = ImportJob(created_by=actor, original_name=name)
    job.file.save(name, ContentFile(content))
    return job


def dead_worker() -> str:
    """The worker string of a process that has exited (as a worker killed with -9 leaves it)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    child.wait()
    return f"{socket.gethostname()} {child.pid} 1"


def test_the_page_shows_each_returned_row_and_its_reason(client, clerk, lanshan):
    job = job_of(clerk, "花名册.csv", csv_file(
        lanshan,
        "1,{v},幸福路1号,王大山," + HEAD + ",户主,5000,,",
        "1,,,李秀英," + WIFE + ",妻,,,",
    ))
    imports.run_import(job)
    client.force_login(clerk)
    page = client.get(reverse("registry:import_job", args=[job.pk]))
    assert "收入起始日期：本行填了收入，请同时填写收入期间（收入起始日期和收入截止日期）。" in page.text
    assert "该家庭的其他行（第2行）有错误，整户退回。" in page.text
    # A colleague of the county sees the reasons only if they may see the returned file (whole numbers).
    grid_worker = user(Role.GRID_WORKER, LANSHAN_TOWNSHIP)
    client.force_login(grid_worker)
    page = client.get(reverse("registry:import_job", args=[job.pk]))
    assert page.status_code == 200 and "本行填了收入" not in page.text
    # The uploader reading their own rows is no disclosure; the county bureau reading them is one.
    assert not UnmaskLog.objects.exists()
    county = user(Role.COUNTY_BUREAU, "371302")
    client.force_login(county)
    assert "本行填了收入" in client.get(reverse("registry:import_job", args=[job.pk])).text
    assert UnmaskLog.objects.filter(actor=county, subject_type="importjob", subject_id=job.pk).count() == 1


def test_the_history_of_imports_says_who_when_which_file_and_the_counts(client, clerk, lanshan):
    job = job_of(clerk, "二月花名册.csv", csv_file(lanshan, "1,{v},幸福路1号,王大山," + HEAD + ",户主,,,"))
    imports.run_import(job)
    client.force_login(clerk)
    page = client.get(reverse("registry:import_start"))
    row = page.text.split("二月花名册.csv", 1)[1].split("</tr>", 1)[0]
    assert str(clerk) in row and timezone.localtime(job.created_at).strftime("%Y-%m-%d %H:%M") in row
    cells = [cell.split(">")[-1] for cell in row.split("</td>")[3:-1]]
    assert cells == ["已完成", "1", "1", "0", "0", "0"]


def test_a_job_whose_worker_was_killed_is_marked_interrupted_and_can_be_run_again(
    client, clerk, lanshan, settings, django_capture_on_commit_callbacks
):
    job = job_of(clerk, "大文件.csv", csv_file(
        lanshan, "1,{v},幸福路1号,王大山," + HEAD + ",户主,,,", "2,{v},幸福路2号,李秀英," + WIFE + ",户主,,,"
    ))
    # As a killed worker leaves it: running, 1 of 2 households stored, its process gone.
    first = csv_file(lanshan, "1,{v},幸福路1号,王大山," + HEAD + ",户主,,,")
    imports.run_import(job_of(clerk, "first.csv", first))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, worker=dead_worker(), processed_rows=1, total_rows=2,
        created_households=1, finished_at=None,
    )
    client.force_login(clerk)
    page = client.get(reverse("registry:import_job", args=[job.pk]), headers={"HX-Request": "true"})
    assert "every 1s" not in page.text  # the page stops polling
    assert "已中断" in page.text and "导入在第1行处中断" in page.text
    assert reverse("registry:import_resume", args=[job.pk]) in page.text
    job.refresh_from_db()
    assert (job.status, job.created_households) == (ImportJob.Status.INTERRUPTED, 1)

    # Only its owner may run it again; then it finishes, what was stored not stored twice.
    other_clerk = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    client.force_login(other_clerk)
    assert client.post(reverse("registry:import_resume", args=[job.pk])).status_code == 403
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:import_resume", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FINISHED
    assert (job.created_households, job.unchanged_households, job.resumed) == (1, 1, 1)
    assert "导入在第1行处中断" in job.message  # what happened stays on the page
    assert Person.objects.filter(id_number__in=[HEAD, WIFE]).count() == 2
    assert Household.objects.count() == 2
    # A second click changes nothing.
    assert client.post(reverse("registry:import_resume", args=[job.pk])).status_code == 403


def test_a_running_job_with_a_live_worker_is_left_running(clerk, lanshan):
    job = job_of(clerk, "a.csv", csv_file(lanshan, "1,{v},幸福路1号,王大山," + HEAD + ",户主,,,"))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, worker=imports.jobs._this_worker(), heartbeat_at=timezone.now()
    )
    assert imports.settle_interrupted() == 0
    # On another machine: stopped once it has not reported for a long time.
    ImportJob.objects.filter(pk=job.pk).update(worker="elsewhere 123 456")
    assert imports.settle_interrupted() == 0
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    assert imports.settle_interrupted() == 1


def test_the_timeline_shows_names_as_they_were_when_recorded(clerk, lanshan):
    job = job_of(clerk, "a.csv", csv_file(lanshan, "1,{v},幸福路1号,王大山," + HEAD + ",户主,,,"))
    imports.run_import(job)
    household = Household.objects.get()
    person = Person.objects.get(id_number=HEAD)
    services.person_update(actor=clerk, person=person, version=None, data={"phone": "13800000000"})
    person.refresh_from_db()
    services.person_update(actor=clerk, person=person, version=None, data={"name": "王大川"})

    records = list(selectors.household_timeline(actor=clerk, household=household))
    renamed, phone, created = describe_changes(records, actor=clerk, member_names={})
    assert renamed.subject == "王大川"
    assert [(c.before, c.after) for c in renamed.changes] == [("王大山", "王大川")]
    assert phone.subject == "王大山"  # recorded before the renaming: under the name of the time
    assert {c.label: c.after for c in created.changes}["户主"] == "王大山"


def test_every_workbook_stores_text_as_text(clerk, lanshan, county_user):
    # An address typed as a formula: the export writes the characters, never a live formula.
    job = job_of(clerk, "a.csv", csv_file(lanshan, '1,{v},"=HYPERLINK(""http://x.invalid"",""点"")",王大山,'
                                          + HEAD + ",户主,,,"))
    imports.run_import(job)
    assert Household.objects.get().address == '=HYPERLINK("http://x.invalid","点")'
    buffer = io.BytesIO()
    exports.household_export(actor=county_user, out=buffer)
    sheet = openpyxl.load_workbook(buffer).active
    cells = [cell for row in sheet.iter_rows() for cell in row if str(cell.value).startswith("=")]
    assert [(cell.value, cell.data_type, cell.quotePrefix) for cell in cells] == [
        ('=HYPERLINK("http://x.invalid","点")', "s", True)
    ]
    template = io.BytesIO()
    imports.template_workbook(template)
    workbook = openpyxl.load_workbook(template)
    assert not [c for ws in workbook for row in ws.iter_rows() for c in row if c.data_type == "f"]
