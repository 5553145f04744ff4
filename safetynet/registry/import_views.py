"""Pages for spreadsheets: the template, an import and its progress, the returned rows, the export.

Imports run in the background (registry.tasks); the job page polls its progress with htmx every
second while it runs. A job is seen by whoever started it and by staff whose area contains theirs.
"""

import contextlib
import tempfile
from pathlib import Path

from django import forms as django_forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from safetynet.core.privacy import refused, sees_whole_numbers
from safetynet.core.services import unmask_log
from safetynet.registry import exports, forms, imports, rules, selectors
from safetynet.registry.views import call_service, found, reader_view, writer_view

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_JOBS = 20


class UploadForm(django_forms.Form):
    file = django_forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx or .csv)"),
        widget=django_forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def import_start(request):
    rules.check_may_import(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(
            lambda: imports.import_start(actor=request.user, upload=form.cleaned_data["file"]), form
        )
        if outcome.ok:
            return redirect("registry:import_job", outcome.value.pk)
    jobs = imports.import_job_list(actor=request.user).order_by("-created_at")[:RECENT_JOBS]
    return render(request, "registry/import_start.html", {"form": form, "jobs": jobs})


@require_GET
@writer_view
def import_template(request, extension: str):
    """The empty template: .xlsx with its 说明 sheet, or the header row as .csv."""
    rules.check_may_import(request.user)
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it, and so deletes it)
    if extension == "xlsx":
        imports.template_workbook(handle)
        content_type = XLSX
    elif extension == "csv":
        handle.write(imports.template_csv())
        content_type = "text/csv; charset=utf-8"
    else:
        raise Http404()
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=f"家庭成员导入模板.{extension}", content_type=content_type
    )


@never_cache
@require_GET
@reader_view
@vary_on_headers("HX-Request")
def import_job(request, pk: int):
    job = found(imports.import_job_get, actor=request.user, pk=pk)
    running = job.in_progress
    may_see_rows = imports.may_download_rejected(request.user, job)
    if may_see_rows and job.returned_reasons and job.created_by_id != request.user.pk:
        # The reasons quote someone else's rows, whole ID numbers among them: an unmasked view,
        # logged as the download of the same rows is.
        unmask_log(actor=request.user, subject=job, fields="id_number,phone", channel="page")
    context = {
        "job": job,
        "running": running,
        "percent": int(100 * job.processed_rows / job.total_rows) if job.total_rows else 0,
        "may_download": bool(job.rejected_file) and may_see_rows,
        # The reasons quote the rows (whole ID numbers among them): for those who may see the file.
        "reasons": job.returned_reasons if may_see_rows else [],
        "more_reasons": max(0, job.rejected_rows - len(job.returned_reasons)) if may_see_rows else 0,
        "may_resume": imports.may_resume(request.user, job),
        "messages_lines": [line for line in job.message.splitlines() if line.strip()],
    }
    template = "registry/_import_progress.html" if request.htmx else "registry/import_job.html"
    return render(request, template, context)


@never_cache
@require_POST
@writer_view
def import_resume(request, pk: int):
    """Run an interrupted import again (the households it stored are recognised, not doubled)."""
    job = found(imports.import_job_get, actor=request.user, pk=pk)
    if not imports.may_resume(request.user, job):
        raise PermissionDenied(_("Only the person who started an interrupted import can run it again."))
    with contextlib.suppress(ValidationError):  # resumed meanwhile (a second click): the page says so
        imports.import_resume(actor=request.user, job=job)
    return redirect("registry:import_job", job.pk)


@never_cache
@require_GET
@reader_view
def import_rejected(request, pk: int):
    """The returned rows, as the uploader wrote them, with the reason for each."""
    job = found(imports.import_job_get, actor=request.user, pk=pk)
    if not job.rejected_file:
        raise Http404(_("This import returned no rows."))
    if not imports.may_download_rejected(request.user, job):
        raise refused()
    try:
        stream = job.rejected_file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file of this document is missing from the server.")) from None
    if job.created_by_id != request.user.pk:
        # Someone else's typing, with whole ID numbers: an unmasked view like any other.
        unmask_log(actor=request.user, subject=job, fields="id_number,phone", channel="export")
    name = f"{Path(job.original_name).stem[:80]}-退回.xlsx"
    response = FileResponse(stream, as_attachment=True, filename=name, content_type=XLSX)
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@reader_view
def household_export(request):
    """The household list, with the filters it had, as a spreadsheet (asked for on a page, so
    that a role that may see whole numbers chooses them explicitly)."""
    actor = request.user
    filter_form = forms.HouseholdFilterForm(request.GET or None, actor=actor)
    filters = filter_form.filters()
    may_whole = sees_whole_numbers(actor)
    if request.method == "POST":
        whole = may_whole and request.POST.get("identifiers") == "whole"
        handle = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it, and so deletes it)
        exports.household_export(actor=actor, filters=filters, whole=whole, out=handle)
        handle.seek(0)
        response = FileResponse(
            handle, as_attachment=True, filename=exports.export_filename(), content_type=XLSX
        )
        response["Cache-Control"] = "private, no-store"
        return response
    count = selectors.household_list(actor=actor, **filters).count()
    return render(
        request,
        "registry/export_confirm.html",
        {
            "count": count,
            "filter_form": filter_form,
            "filtered": filter_form.is_filtered,
            "may_whole": may_whole,
            "may_import": rules.may_import_registry(actor),
            "query": request.GET.urlencode(),
        },
    )


urlpatterns = [
    path("imports/", import_start, name="import_start"),
    path("imports/template.<str:extension>", import_template, name="import_template"),
    path("imports/<int:pk>/", import_job, name="import_job"),
    path("imports/<int:pk>/rejected/", import_rejected, name="import_rejected"),
    path("imports/<int:pk>/resume/", import_resume, name="import_resume"),
    path("households/export/", household_export, name="household_export"),
]
