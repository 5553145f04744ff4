"""/api/v1 for spreadsheets: the import template, imports (upload, progress, outcome, the returned
rows) and the export of a household list.

The same rules as the pages (registry.import_views), through the same public functions of
registry.imports and registry.exports: an import is started by a role that may change the registry
and runs in the background; a job is seen by whoever started it and by staff whose area holds
theirs; the returned rows hold whole ID numbers as the uploader typed them, so only the uploader
and roles that may see whole numbers in the uploader's area download them (logged when it is not
the uploader). An export holds the caller's area only, masked unless `unmask=true` is asked for
by a role that may see whole numbers (each person is then logged).
"""

import datetime
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from safetynet.core.api import ERRORS, DivisionFilter, Flag, PageParams, Text, page_of
from safetynet.core.privacy import refused, sees_whole_numbers
from safetynet.core.services import unmask_log
from safetynet.core.types import User
from safetynet.registry import codes, exports, imports, rules
from safetynet.registry.schemas import choice

router = Router(tags=["spreadsheets"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A download holding personal data is kept by no cache on the way (a proxy, the browser's disk).
NO_STORE = "private, no-store"

if TYPE_CHECKING:  # for annotations only: pages and the API read jobs through the imports' selectors
    from safetynet.registry.models import ImportJob


def _actor(request: HttpRequest) -> User:
    return request.auth


def _file_response(openapi_type: str, description: str) -> dict:
    """The OpenAPI description of a handler that answers with a file."""
    return {"responses": {"200": {"description": description, "content": {
        openapi_type: {"schema": {"type": "string", "format": "binary"}}}}}}


# --- the template ----------------------------------------------------------------------------------

@router.get("/imports/template.xlsx", response={200: None, **ERRORS}, summary="The import template (.xlsx)",
            openapi_extra=_file_response(XLSX, "The empty template, with a 说明 sheet explaining each "
                                         "column"))
def import_template_xlsx(request):
    """The template the import reads, as on the import page: the data sheet and 说明."""
    rules.check_may_import(_actor(request))
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it, and so deletes it)
    imports.template_workbook(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename="家庭成员导入模板.xlsx", content_type=XLSX)


@router.get("/imports/template.csv", response={200: None, **ERRORS}, summary="The import template (.csv)",
            openapi_extra=_file_response("text/csv", "The header row, UTF-8 with a BOM"))
def import_template_csv(request):
    rules.check_may_import(_actor(request))
    response = FileResponse(iter([imports.template_csv()]), as_attachment=True,
                            filename="家庭成员导入模板.csv", content_type="text/csv; charset=utf-8")
    return response


# --- imports ---------------------------------------------------------------------------------------

class ImportJobOut(Schema):
    id: int
    original_name: str = Field(description="The name of the uploaded file.")
    status: str = Field(description="queued, running, finished or failed (more may come: treat an "
                        "unknown one as not running).")
    status_label: str
    running: bool = Field(description="True while the import is queued or running: poll again.")
    created_by: str = Field(description="The username of whoever started it.")
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    total_rows: int
    processed_rows: int
    percent: int = Field(description="Rows read so far, of the file's rows, 0–100.")
    created_households: int = Field(description="New households the import stored.")
    updated_households: int = Field(description="Households registered before the import that it changed "
                                    "(each change on the household's timeline); not counted as new.")
    unchanged_households: int = Field(description="Registered households whose rows changed nothing.")
    rejected_households: int = Field(description="Households handed back (their rows are in the returned "
                                     "file, each with its reasons).")
    rejected_rows: int
    message: str = Field(description="What the import said: columns not understood, warnings, or why it "
                         "failed.")
    rejected_download: str | None = Field(description="Where to fetch the returned rows (same token); "
                                          "null when none were returned or your role may not fetch them.")


class ImportJobPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ImportJobOut]


def _job_out(actor: User, job: "ImportJob") -> dict:
    running = job.in_progress
    downloadable = bool(job.rejected_file) and imports.may_download_rejected(actor, job)
    return {
        "id": job.pk, "original_name": job.original_name, "status": job.status,
        "status_label": str(job.get_status_display()), "running": running,
        "created_by": job.created_by.username, "created_at": job.created_at, "started_at": job.started_at,
        "finished_at": job.finished_at, "total_rows": job.total_rows, "processed_rows": job.processed_rows,
        "percent": min(100, int(100 * job.processed_rows / job.total_rows)) if job.total_rows else 0,
        "created_households": job.created_households, "updated_households": job.updated_households,
        "unchanged_households": job.unchanged_households, "rejected_households": job.rejected_households,
        "rejected_rows": job.rejected_rows, "message": job.message,
        "rejected_download": (reverse("api:import_rejected", kwargs={"job_id": job.pk})
                              if downloadable else None),
    }


@router.post("/imports", response={202: ImportJobOut, **ERRORS}, summary="Start an import")
def import_start(request, file: File[UploadedFile]):
    """multipart/form-data with the spreadsheet (.xlsx or .csv, in the template's layout) as `file`.
    The import runs in the background: read `GET /imports/{id}` until `running` is false."""
    actor = _actor(request)
    job = imports.import_start(actor=actor, upload=file)
    return Status(202, _job_out(actor, imports.import_job_get(actor=actor, pk=job.pk)))


@router.get("/imports", response={200: ImportJobPage, **ERRORS}, summary="Imports you may see")
def import_list(request, paging: Query[PageParams]):
    """Newest first: your own, and those of staff in your area."""
    actor = _actor(request)
    jobs = imports.import_job_list(actor=actor).order_by("-created_at", "-id")
    return page_of(jobs, paging, lambda job: _job_out(actor, job))


@router.get("/imports/{job_id}", response={200: ImportJobOut, **ERRORS}, summary="One import: progress "
            "and outcome")
def import_get(request, job_id: int):
    actor = _actor(request)
    return _job_out(actor, imports.import_job_get(actor=actor, pk=job_id))


@router.get("/imports/{job_id}/rejected", response={200: None, **ERRORS}, summary="The returned rows",
            url_name="import_rejected",
            openapi_extra=_file_response(XLSX, "The rows not imported, as they were uploaded, each with "
                                         "its reasons"))
def import_rejected(request, job_id: int):
    """404 when the import returned no rows; 403 for a role that sees ID numbers masked (the file
    holds them whole, as the uploader typed them). Someone else's file is logged as an unmasked view."""
    actor = _actor(request)
    job = imports.import_job_get(actor=actor, pk=job_id)
    if not job.rejected_file:
        raise Http404(_("This import returned no rows."))
    if not imports.may_download_rejected(actor, job):
        raise refused()
    try:
        stream = job.rejected_file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file of this document is missing from the server.")) from None
    if job.created_by_id != actor.pk:
        unmask_log(actor=actor, subject=job, fields="id_number,phone", channel="api")
    name = f"{Path(job.original_name).stem[:80]}-退回.xlsx"
    response = FileResponse(stream, as_attachment=True, filename=name, content_type=XLSX)
    response["Cache-Control"] = NO_STORE
    return response


# --- the export ------------------------------------------------------------------------------------

class ExportFilters(Schema):
    q: Text = Field("", max_length=50, description="As in `GET /households`.")
    division: DivisionFilter = Field("", description="Only households under this division code.")
    status: choice(codes.HouseholdStatus, blank=True) = ""
    heating: choice(codes.Heating, blank=True) = ""
    co_alarm: Flag | None = None
    urban_rural: Literal["", "urban", "rural"] = ""
    unmask: Flag = Field(False, description="Whole ID and phone numbers, if your role may see them (each "
                         "person exported is logged); otherwise they stay masked.")


@router.get("/households/export", response={200: None, **ERRORS}, summary="Export households (.xlsx)",
            openapi_extra=_file_response(XLSX, "One row per current member, in the import template's "
                                         "layout"))
def household_export(request, filters: Query[ExportFilters]):
    """The households `GET /households` lists with the same filters — all of them, not one page —
    as the export on the pages writes them. The file can be corrected and imported again."""
    actor = _actor(request)
    values = filters.model_dump()
    whole = values.pop("unmask") and sees_whole_numbers(actor)
    values["query"] = values.pop("q")
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it, and so deletes it)
    exports.household_export(actor=actor, filters=values, whole=whole, out=handle)
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=exports.export_filename(), content_type=XLSX)
    response["Cache-Control"] = NO_STORE
    return response
