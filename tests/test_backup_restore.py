"""safetynet backup / restore: the database and the documents come back exactly as they were.

Runs against whichever database the suite runs on (SQLite by default, PostgreSQL when DATABASE_URL
points there). transaction=True: the backup reads committed data, as it does in a running system.
"""

import datetime
import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from conftest import user
from safetynet.core import backup as backup_module
from safetynet.core.models import Role
from safetynet.core.tests import sample_files
from safetynet.registry import services
from safetynet.registry.models import Document, Household, Membership, Person

# serialized_rollback: a transactional test ends by emptying every table, the division tree loaded
# by migrations included; this puts it back for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PDF = sample_files.pdf()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "documents"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def all_rows() -> dict[str, list[dict]]:
    """Every row of every safetynet table, as plain values in primary-key order."""
    rows = {}
    for label in ("core", "registry"):
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


def drop_household(household: Household) -> None:
    """Gone as if it never was (a plain delete; services keep history and would refuse)."""
    Membership.objects.filter(household=household).delete()
    household.delete()


def all_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def registry_with_document(media, make_household, lanshan_village):
    actor = user(Role.COUNTY_BUREAU, "371302")
    household = make_household(lanshan_village, actor, members=[
        ("王秀英", 2, "02", datetime.date(1948, 3, 9)),
        ("李建国", 1, "10", datetime.date(1946, 7, 1)),
    ])
    make_household(lanshan_village, actor)
    upload = SimpleUploadedFile("低保申请书.pdf", PDF, content_type="application/pdf")
    document = services.document_upload(actor=actor, household=household, upload=upload, material_type="201")
    return actor, household, document


def test_restore_brings_back_rows_and_document_bytes(registry_with_document, media, tmp_path, make_household,
                                                     lanshan_village):
    actor, household, document = registry_with_document
    rows_before, files_before = all_rows(), all_files(media)
    assert files_before[document.file.name] == PDF

    archive = tmp_path / "backups" / "nightly.tar.gz"
    call_command("backup", output=archive, verbosity=0)
    assert archive.is_file()
    assert archive.stat().st_mode & 0o077 == 0  # personal information: readable by the owner only

    # Life goes on after the backup: a household changes, a document is deleted, a person is added.
    services.household_update(actor=actor, household=household, version=household.version,
                              data={"address": "改过的地址"})
    services.document_delete(actor=actor, document=Document.objects.get(pk=document.pk), reason="误传")
    drop_household(Household.objects.exclude(pk=household.pk).get())
    make_household(lanshan_village, actor, members=[("赵六", 1, "02", datetime.date(1960, 1, 1))])
    (media / "stray.txt").write_bytes(b"written after the backup")
    assert all_rows() != rows_before
    assert document.file.name not in all_files(media)

    out = io.StringIO()
    call_command("restore", archive, yes=True, stdout=out)
    assert "Restored" in out.getvalue()

    assert all_rows() == rows_before
    assert all_files(media) == files_before
    restored = Document.objects.get(pk=document.pk)
    with restored.file.open("rb") as handle:
        assert handle.read() == PDF
    assert not list(media.parent.glob(".documents-*")) and not list(media.parent.glob(".safetynet-*"))


def test_manifest_describes_the_backup(registry_with_document, media, tmp_path):
    _actor, _household, document = registry_with_document
    archive, manifest = backup_module.create_backup(tmp_path / "b.tar.gz")

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        stored = json.load(tar.extractfile("manifest.json"))
    assert stored == manifest
    assert manifest["format"] == "safetynet-backup" and manifest["format_version"] == 1
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["file"] in names
    assert manifest["row_counts"]["registry.Household"] == Household.objects.count() == 2
    assert manifest["row_counts"]["registry.Person"] == Person.objects.count() == 3
    assert "0001_initial" in manifest["migrations"]["registry"]
    assert manifest["documents"] == [
        {"path": document.file.name, "size": len(PDF), "sha256": document.sha256},
    ]
    assert "created_at" in manifest

    with pytest.raises(backup_module.BackupError, match="outside the documents folder"):
        backup_module.create_backup(media / "inside.tar.gz")


def rewrite(archive: Path, target: Path, change=None, extra: dict[str, bytes] | None = None) -> Path:
    """Copy an archive member by member; `change(name, data)` returns (name, data) to keep, None to drop."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            kept = (change or (lambda n, d: (n, d)))(member.name, source.extractfile(member).read())
            if kept is None:
                continue
            member.name, data = kept
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
        for name, data in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


@pytest.fixture
def archive_and_state(registry_with_document, media, tmp_path):
    archive, _ = backup_module.create_backup(tmp_path / "good.tar.gz")
    # The state a refused restore must leave untouched differs from the archive's.
    drop_household(Household.objects.order_by("pk").last())
    (media / "later.txt").write_bytes(b"uploaded after the backup")
    return archive, all_rows(), all_files(media)


def from_other_vendor(name, data):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    if name == "manifest.json":
        manifest = json.loads(data)
        manifest["database"]["vendor"] = other
        manifest["database"]["file"] = backup_module.DATABASE_MEMBER[other]
        return name, json.dumps(manifest).encode()
    if name.startswith("database/"):
        return backup_module.DATABASE_MEMBER[other], data
    return name, data


def truncated(archive, bad):
    bad.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])


def not_an_archive(archive, bad):
    bad.write_bytes(gzip.compress(b"hello, not a tar file" * 100))


def document_changed(archive, bad):
    rewrite(archive, bad, lambda n, d: (n, d.replace(b"%PDF", b"%PDX") if n.startswith("documents/") else d))


def document_missing(archive, bad):
    rewrite(archive, bad, lambda n, d: None if n.startswith("documents/") else (n, d))


def manifest_missing(archive, bad):
    rewrite(archive, bad, lambda n, d: None if n == "manifest.json" else (n, d))


def database_missing(archive, bad):
    rewrite(archive, bad, lambda n, d: None if n.startswith("database/") else (n, d))


def extra_file(archive, bad):
    rewrite(archive, bad, extra={"documents/households/999/planted.pdf": b"evil"})


def path_traversal(archive, bad):
    rewrite(archive, bad, extra={"documents/../../escaped.txt": b"evil"})


def other_vendor(archive, bad):
    rewrite(archive, bad, from_other_vendor)


def test_refuses_a_bad_archive_and_changes_nothing(archive_and_state, media, tmp_path):
    archive, rows, files = archive_and_state
    # One test for all kinds of damage: each transactional test costs a database reload.
    for damage, message in [
        (truncated, "not a usable safetynet backup"),
        (not_an_archive, "not a usable safetynet backup"),
        (document_changed, "does not match its checksum"),
        (document_missing, "is missing"),
        (manifest_missing, "no manifest"),
        (database_missing, "is missing"),
        (extra_file, "not in the manifest"),
        (path_traversal, "unexpected entry"),
        (other_vendor, "backup; this system uses"),
    ]:
        bad = tmp_path / f"{damage.__name__}.tar.gz"
        damage(archive, bad)
        with pytest.raises(CommandError, match=message):
            call_command("restore", bad, yes=True, verbosity=0)

        assert all_rows() == rows, damage.__name__
        assert all_files(media) == files, damage.__name__
        assert not list(media.parent.glob(".safetynet-restore-*")), damage.__name__
    assert not list(tmp_path.rglob("escaped.txt")) and not (tmp_path.parent / "escaped.txt").exists()


def test_restore_needs_yes_when_not_at_a_terminal(archive_and_state, media):
    archive, rows, files = archive_and_state
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", archive, verbosity=0)
    assert all_rows() == rows and all_files(media) == files


def test_check_only_verifies(archive_and_state, media):
    archive, rows, files = archive_and_state
    out = io.StringIO()
    call_command("restore", archive, check=True, stdout=out)
    assert "verified" in out.getvalue()
    assert all_rows() == rows and all_files(media) == files


def test_missing_pg_dump_is_explained(monkeypatch, tmp_path):
    monkeypatch.setattr(backup_module.shutil, "which", lambda _name: None)
    monkeypatch.setattr(backup_module, "PG_LIB", tmp_path)
    with pytest.raises(backup_module.BackupError, match="pg_dump was not found"):
        backup_module._pg_tool("pg_dump")
