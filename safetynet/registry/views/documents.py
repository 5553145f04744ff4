"""A household's documents: upload, download, delete."""

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from safetynet.registry import forms, selectors, services
from safetynet.registry.views.common import (
    call_service,
    finished,
    form_page,
    found,
    household_url,
    reader_view,
    writer_view,
)


@require_GET
@reader_view
def document_download(request, pk: int):
    document = found(selectors.document_get, actor=request.user, pk=pk)
    try:
        stream = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file of this document is missing from the server.")) from None
    response = FileResponse(stream, as_attachment=True, filename=document.original_name,
                            content_type=document.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


# --- documents ------------------------------------------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def document_upload(request, pk: int):
    household = found(selectors.household_get, actor=request.user, pk=pk)
    form = forms.DocumentForm(request.POST or None, request.FILES or None, actor=request.user,
                              household=household)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(lambda: services.document_upload(
            actor=request.user, household=household, upload=form.cleaned_data["file"],
            material_type=form.cleaned_data["material_type"], person=form.cleaned_data["person"],
        ), form)
        if outcome.ok:
            return finished(request, household_url(pk, "documents"), _("The document is uploaded."))
    return form_page(request, title=_("Upload a document"), forms_=[form], submit=_("Upload"),
                     action=reverse("registry:document_upload", args=[pk]),
                     cancel_url=household_url(pk, "documents"))


@never_cache
@require_http_methods(["GET", "POST"])
@writer_view
def document_delete(request, pk: int):
    document = found(selectors.document_get, actor=request.user, pk=pk)
    form = forms.ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(lambda: services.document_delete(actor=request.user, document=document), form)
        if outcome.ok:
            return finished(request, household_url(document.household_id, "documents"), _("Deleted."))
    return form_page(
        request, title=_("Delete: %(item)s") % {"item": document.original_name}, forms_=[form],
        intro=_("The household's history keeps a record that the document existed."), submit=_("Delete"),
        action=reverse("registry:document_delete", args=[pk]),
        cancel_url=household_url(document.household_id, "documents"),
    )
