"""Import jobs: starting one, running it (the task calls run_import), jobs whose worker is gone,
and reading jobs on a user's behalf."""

import datetime
import io
import logging
import os
import socket
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from safetynet.core.batch import batch_work, freeze_what_is_alive
from safetynet.core.privacy import may_unmask
from safetynet.core.scope import scope_q
from safetynet.core.text import CONTROL_CHARACTERS
from safetynet.core.types import User
from safetynet.registry import rules
from safetynet.registry.imports.importer import Importer
from safetynet.registry.imports.layout import MAX_IMPORT_BYTES
from safetynet.registry.imports.reading import FileError, Sheet, read_sheet, sniff_spreadsheet
from safetynet.registry.imports.returned import rejected_workbook, returned_reasons
from safetynet.registry.imports.rows import Outcome
from safetynet.registry.models import ImportJob

logger = logging.getLogger(__name__)

# --- the job -------------------------------------------------------------------------------------------


def import_start(*, actor: User, upload: UploadedFile) -> ImportJob:
    """Store an uploaded spreadsheet and queue its import (once the upload is committed).

    ValidationError (key "file") for what is no spreadsheet; PermissionDenied for a role that
    cannot change the registry.
    """
    rules.check_may_import(actor)
    if not upload or upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationError(
            {
                "file": _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": round(upload.size / 1048576, 1), "limit": MAX_IMPORT_BYTES // 1048576}
            }
        )
    upload.seek(0)
    extension = sniff_spreadsheet(upload.read(8), upload.name or "")
    upload.seek(0)
    job = ImportJob(created_by=actor, original_name=(upload.name or f"import{extension}")[-200:])
    with transaction.atomic():
        job.file.save(f"upload{extension}", upload, save=False)
        try:
            job.save()
        except Exception:
            job.file.delete(save=False)
            raise
        transaction.on_commit(lambda: import_households.enqueue(job.pk))
    return job


def _save_progress(job: ImportJob, **values) -> None:
    # One short UPDATE: staff writing meanwhile wait for a moment at most.
    values.setdefault("heartbeat_at", timezone.now())
    for name, value in values.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**values)


def _counts(outcome: Outcome) -> dict:
    return {
        "created_households": outcome.created,
        "updated_households": outcome.updated,
        "unchanged_households": outcome.unchanged,
        "rejected_households": outcome.rejected_households,
        "rejected_rows": outcome.rejected_rows,
    }


def _summary(sheet: Sheet | None, outcome: Outcome) -> str:
    lines = []
    # Headers and sheet names as the file wrote them, without a control character (PostgreSQL
    # refuses NUL in text: the job would fail after storing its households).
    if sheet and sheet.ignored:
        lines.append(
            _("Columns not understood, ignored: %(columns)s.")
            % {"columns": "、".join(f"「{CONTROL_CHARACTERS.sub('', name)}」" for name in sheet.ignored)}
        )
    if sheet and sheet.other_sheets:
        lines.append(
            _("Only the first sheet was read; these sheets were not: %(sheets)s.")
            % {"sheets": "、".join(CONTROL_CHARACTERS.sub("", name) for name in sheet.other_sheets)}
        )
    if outcome.warnings:
        lines.append(_("Warnings (%(count)s):") % {"count": len(outcome.warnings)})
        lines += outcome.warnings[:50]
    return "\n".join(lines)


# --- who runs a job, and jobs whose worker is gone -------------------------------------------------

# A job on another machine that has not reported for this long is taken for stopped (a batch
# reports within seconds; reading a large file before the first batch, within a minute or two).
STALE_AFTER = datetime.timedelta(minutes=15)


def _process_started(pid: int) -> str:
    """When the process started (Linux: clock ticks since boot), so that a new process that
    happens to get a dead worker's pid is not taken for it; "" where /proc is not there."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _this_worker() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()} {pid} {_process_started(pid)}".strip()


def _worker_gone(worker: str) -> bool | None:
    """Is the worker process that ran a job gone? None when it ran on another machine."""
    host, _space, rest = worker.partition(" ")
    if host != socket.gethostname() or not rest:
        return None
    pid_text, _space, started = rest.partition(" ")
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return True
    except PermissionError:
        pass  # alive, another user's
    return bool(started) and _process_started(pid) != started


def settle_interrupted(jobs=None) -> int:
    """Mark the running jobs whose worker is gone (killed, the machine restarted) as interrupted,
    with what they had stored; return how many. Called when a worker starts and whenever jobs
    are read, so that a page never shows "importing 20%" for a job nobody runs."""
    running = ImportJob.objects.filter(status=ImportJob.Status.RUNNING)
    if isinstance(jobs, QuerySet):
        running = running.filter(pk__in=jobs.values("pk"))
    elif jobs is not None:
        running = running.filter(pk__in=[job.pk for job in jobs])
    now = timezone.now()
    marked = 0
    for job in running.only("pk", "worker", "heartbeat_at", "started_at", "message", "processed_rows"):
        gone = _worker_gone(job.worker) if job.worker else None
        if gone is None:
            reported = job.heartbeat_at or job.started_at
            gone = reported is None or now - reported > STALE_AFTER
        if not gone:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            line = _(
                "Interrupted at row %(row)s (the task worker stopped). The households counted above are "
                "stored; run the import again to finish: what is stored already is recognised and not "
                "changed or stored twice."
            ) % {"row": job.processed_rows}
        marked += ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.INTERRUPTED,
            finished_at=now,
            message="\n".join(filter(None, [job.message, line])),
        )
    return marked


def import_resume(*, actor: User, job: ImportJob) -> ImportJob:
    """Run an interrupted import again from the stored file: the households it stored
    before are recognised as registered and left unchanged, the rest are imported."""
    if not rules.may_import_registry(actor) or job.created_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who started an import can run it again."))
    settle_interrupted([job])
    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.INTERRUPTED).update(
            status=ImportJob.Status.QUEUED, resumed=F("resumed") + 1, finished_at=None
        )
        if not updated:
            raise ValidationError(_("This import was not interrupted: there is nothing to run again."))
        transaction.on_commit(lambda: import_households.enqueue(job.pk))
    job.refresh_from_db()
    return job


def run_import(job: ImportJob) -> ImportJob:
    """Do the import of `job` now, in this process; return the job with its counts.

    Every batch of households commits on its own, so staff keep working while it runs; the job
    row carries the progress. A file that cannot be read fails the job with the reason.
    """
    job = ImportJob.objects.select_related("created_by").get(pk=job.pk)
    # What an earlier, interrupted run said (and stored) stays on the job's page.
    earlier = job.message if job.resumed else ""
    with translation.override(settings.LANGUAGE_CODE), batch_work():
        _save_progress(
            job,
            status=ImportJob.Status.RUNNING,
            started_at=timezone.now(),
            processed_rows=0,
            worker=_this_worker(),
        )
        sheet = None
        try:
            sheet = read_sheet(Path(job.file.path))
            importer = Importer(
                actor=job.created_by,
                sheet=sheet,
                progress=lambda done, outcome: _save_progress(job, processed_rows=done, **_counts(outcome)),
            )
            total = importer.load()
            freeze_what_is_alive()  # the file's rows: kept to the end, never garbage
            if total == 0:
                raise FileError(
                    _("The file has a header row but no data rows below it: there is nothing to import.")
                )
            _save_progress(job, total_rows=total)
            outcome = importer.run()
            if outcome.rejected:
                buffer = io.BytesIO()
                rejected_workbook(sheet.headers, outcome.rejected, buffer, sheet.columns)
                stem = Path(job.original_name).stem[:80] or "import"
                job.rejected_file.save(f"{stem}-rejected.xlsx", ContentFile(buffer.getvalue()), save=False)
            _save_progress(
                job,
                status=ImportJob.Status.FINISHED,
                finished_at=timezone.now(),
                processed_rows=total,
                rejected_file=job.rejected_file.name or "",
                returned_reasons=returned_reasons(outcome.rejected),
                message="\n".join(filter(None, [earlier, _summary(sheet, outcome)])),
                **_counts(outcome),
            )
        except FileError as error:
            _save_progress(
                job, status=ImportJob.Status.FAILED, finished_at=timezone.now(), message=str(error)
            )
        except Exception:
            logger.exception("import %s failed", job.pk)
            _save_progress(
                job,
                status=ImportJob.Status.FAILED,
                finished_at=timezone.now(),
                message=_(
                    "The import stopped on an unexpected error. Households stored before it stay stored; "
                    "import the file again to finish (what is stored already will not change)."
                ),
            )
    return job


# --- reading jobs on a user's behalf ----------------------------------------------------------------


@task()
def import_households(job_id: int) -> None:
    """The background task of one import (queued by `import_start` and `import_resume`); its
    progress and outcome are on the ImportJob row."""
    # A worker that starts work marks the jobs a killed worker left "running" as interrupted
    # (pages and the API do the same whenever they read jobs).
    settle_interrupted()
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.QUEUED:
        return  # gone, or already run: a task delivered twice imports once
    run_import(job)


def import_job_list(*, actor: User) -> QuerySet[ImportJob]:
    """Jobs the actor may see: their own, and those of staff inside the actor's area."""
    if not rules.may_read_registry(actor):
        raise PermissionDenied(_("Your role has no access to the registry."))
    jobs = ImportJob.objects.filter(Q(created_by=actor) | scope_q(actor, "created_by__division_id"))
    if jobs.filter(status=ImportJob.Status.RUNNING).exists():
        settle_interrupted(jobs.filter(status=ImportJob.Status.RUNNING))
    return jobs.select_related("created_by")


def import_job_get(*, actor: User, pk: int) -> ImportJob:
    return import_job_list(actor=actor).get(pk=pk)


def may_download_rejected(actor: User, job: ImportJob) -> bool:
    """The returned file holds whole ID numbers as the uploader typed them: for the uploader, and
    for roles that may see whole numbers in the uploader's area."""
    return job.created_by_id == actor.pk or may_unmask(actor, job.created_by.division_id)


def may_resume(actor: User, job: ImportJob) -> bool:
    return (
        job.status == ImportJob.Status.INTERRUPTED
        and job.created_by_id == actor.pk
        and rules.may_import_registry(actor)
    )




def import_files_purge(cutoff: datetime.datetime) -> int:
    """A retention kind (core.retention): the files of imports over before `cutoff` — the uploaded
    file and the returned rows, both with whole ID numbers — are deleted; the job's record (who,
    when, the counts) stays. Running or interrupted imports keep theirs (they may be run again)."""
    over = (ImportJob.Status.FINISHED, ImportJob.Status.FAILED)
    removed = 0
    jobs = ImportJob.objects.filter(created_at__lt=cutoff, status__in=over).exclude(file="", rejected_file="")
    for job in jobs.only("pk", "file", "rejected_file"):
        for stored in (job.file, job.rejected_file):
            if stored:
                stored.storage.delete(stored.name)
                removed += 1
    jobs.update(file="", rejected_file="")
    return removed
