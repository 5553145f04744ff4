"""Retention: import files (whole ID numbers) are deleted 90 days after the import by the nightly
purge, the job's record staying; running or interrupted imports keep theirs; the operator changes
the days (recorded), nobody else can; the purge says what it removed."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import user
from safetynet.core import jobs, retention
from safetynet.core.models import ChangeRecord, Role
from safetynet.registry import imports
from safetynet.registry.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_imports(settings, tmp_path, county_user, lanshan_village):
    settings.MEDIA_ROOT = tmp_path
    made = []
    for status in ("finished", "finished", "interrupted"):
        roster = ("户编号,村/社区代码,住址,姓名,身份证号,与户主关系\n"
                  f"1,{lanshan_village.code},路1号,张三,1,户主\n")
        upload = SimpleUploadedFile("roster.csv", roster.encode())
        job = imports.import_start(actor=county_user, upload=upload)
        imports.run_import(job)
        ImportJob.objects.filter(pk=job.pk).update(status=status)
        made.append(ImportJob.objects.get(pk=job.pk))
    long_ago = timezone.now() - datetime.timedelta(days=100)
    ImportJob.objects.filter(pk__in=[made[0].pk, made[2].pk]).update(created_at=long_ago)
    return made


def test_the_nightly_purge_deletes_old_import_files_and_keeps_the_record(old_imports):
    old, recent, interrupted = old_imports
    paths = [Path(old.file.path), Path(old.rejected_file.path)]
    assert all(path.exists() for path in paths)
    summary = jobs._JOBS["core.retention_purge"].run(timezone.now())
    assert "导入的文件" in summary
    assert not any(path.exists() for path in paths)
    old.refresh_from_db()
    assert (old.file.name, old.rejected_file.name, old.created_households) == ("", "", 0)
    assert old.rejected_rows == 1  # the counts of the import stay
    recent.refresh_from_db()
    interrupted.refresh_from_db()
    assert Path(recent.file.path).exists() and Path(interrupted.file.path).exists()
    assert jobs._JOBS["core.retention_purge"].run(timezone.now()).count("0") >= 1  # again: nothing


def test_the_operator_keeps_them_longer_and_the_change_is_recorded(old_imports):
    operator = user(Role.OPERATOR, "3713")
    retention.retention_rule_set(actor=operator, kind="registry.import_files", days=365)
    jobs._JOBS["core.retention_purge"].run(timezone.now())
    assert Path(old_imports[0].file.path).exists()
    record = ChangeRecord.objects.get(event="retentionrule.changed")
    assert (record.before["keep_days"], record.after["keep_days"], record.actor) == (90, 365, operator)
    with pytest.raises(PermissionDenied):
        retention.retention_rule_set(actor=user(Role.CITY_BUREAU, "3713"), kind="registry.import_files",
                                     days=1)
    for kind, days in (("registry.import_files", 3), ("registry.import_files", 10**9),
                       ("registry.import_files", True), ("no.such", 30)):
        with pytest.raises(ValidationError):
            retention.retention_rule_set(actor=operator, kind=kind, days=days)
    assert retention.retention_days()["registry.import_files"] == 365


def test_the_system_page_shows_and_changes_retention(client):
    client.force_login(user(Role.OPERATOR, "3713"))
    page = client.get(reverse("system")).content.decode()
    assert 'id="retention"' in page and "registry.import_files" in page
    client.post(reverse("retention_set"), {"kind": "registry.import_files", "days": "180"})
    assert retention.retention_days()["registry.import_files"] == 180
    refused = client.post(reverse("retention_set"), {"kind": "registry.import_files", "days": "x\x00"},
                          follow=True)
    assert refused.status_code == 200 and retention.retention_days()["registry.import_files"] == 180
    client.force_login(user(Role.CITY_BUREAU, "3713"))
    refused = client.post(reverse("retention_set"), {"kind": "registry.import_files", "days": "7"})
    assert refused.status_code == 403
