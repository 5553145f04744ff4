"""The user administration pages (/users/): the accounts of the area, one account (edit, bind,
deactivate, reset its password, its history), a new account, and the spreadsheet import.

A generated password is shown once: on the page that answers the creation or the reset (never
stored whole, never in a URL), and for an import in a workbook downloaded once."""

import base64
import datetime
import io
import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.core import audit, sheets
from safetynet.core.accounts import forms, importer, rules, selectors, services, workbooks
from safetynet.core.grants import grant_kind, grants_of_user
from safetynet.core.masking import mask_phone
from safetynet.core.pages import found, role_required
from safetynet.core.selectors import division_names
from safetynet.core.services import ConflictError
from safetynet.core.types import Role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
SESSION_KEY = "accounts_import"
MAX_UPLOAD_BYTES = 10 * 2**20  # 3000 rows of six short columns are well under 1 MB


# Only the roles that manage accounts get past; everyone else gets the 403 page saying so.
_administrator = role_required(
    rules.may_administer_users, lambda: _("Your role does not manage user accounts.")
)


def _found(request, pk: int):
    return found(selectors.user_admin_get, actor=request.user, pk=pk)


def may_import(user) -> bool:
    return any(role in rules.managed_roles(user) for role in importer.IMPORTED_ROLES)


@require_GET
@_administrator
def user_list(request):
    actor = request.user
    filter_form = forms.UserFilterForm(request.GET or None, actor=actor)
    users = selectors.user_admin_list(actor=actor, **filter_form.filters())
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    names = division_names(u.division_id for u in page)
    rows = [{"user": u, "phone": mask_phone(u.phone), "division": names.get(u.division_id, u.division_id)}
            for u in page]
    return render(request, "core/accounts/user_list.html", {
        "filter_form": filter_form, "page": page, "rows": rows, "may_import": may_import(actor),
    })


@require_http_methods(["GET", "POST"])
@_administrator
def user_create(request):
    actor = request.user
    form = forms.UserCreateForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.user_admin_create(
                actor=actor, username=data["username"], name=data["name"], role=data["role"],
                division_code=data["division"], phone=data["phone"])
        except ValidationError as error:
            form.attach(error)
        except PermissionDenied as error:
            form.add_error("division", str(error))  # the form offers only the roles managed: the area
        else:
            return render(request, "core/accounts/password_shown.html", {
                "account": user, "password": password, "created": True})
    return render(request, "core/accounts/user_form.html", {
        "form": form, "title": _("New account"), "submit": _("Create the account")})


@require_http_methods(["GET", "POST"])
@_administrator
def user_detail(request, pk: int):
    actor = request.user
    account = _found(request, pk)
    initial = {"name": account.first_name, "phone": account.phone, "role": account.role,
               "division": account.division_id, "version": account.version}
    form = forms.UserEditForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_admin_update(actor=actor, user=account, version=data["version"], data={
                "name": data["name"], "phone": data["phone"], "role": data["role"],
                "division": data["division"]})
        except ValidationError as error:
            form.attach(error)
        except ConflictError as error:
            form.add_error(None, str(error))
        except PermissionDenied as error:
            form.add_error("division", str(error))  # the form offers only the roles managed: the area
        else:
            messages.success(request, _("The account was saved."))
            return redirect("accounts:user_detail", account.pk)
    history = list(selectors.user_history(user=account)[:50])
    names = division_names([account.division_id, *_divisions_in(history)])
    return render(request, "core/accounts/user_detail.html", {
        "account": account, "form": form, "history": [_history_row(record, names) for record in history],
        "division_name": names.get(account.division_id, ""), "held": _grants_held(account),
    })


def _grants_held(account) -> list[dict]:
    """What the account holds beyond its area: its bindings to particular records (a provider's
    persons; a station, an institution or a contract as those apps grant them)."""
    held = []
    for grant in grants_of_user(user=account).order_by("kind", "granted_at"):
        kind = grant_kind(grant.kind)
        held.append({"kind": kind.label if kind else grant.kind,
                     "record": kind.describe(grant.object_id) if kind else grant.object_id,
                     "at": grant.granted_at, "reason": grant.reason})
    return held


def _divisions_in(history) -> list[str]:
    return [values[key] for record in history for values in (record.before, record.after)
            for key in ("division", "division_id") if isinstance(values.get(key), str)]


# What the history of an account shows, in words: each recorded field and how its value reads.
_HISTORY_LABELS = {
    "username": gettext_lazy("User name"), "first_name": gettext_lazy("Name"), "phone": gettext_lazy("Phone"),
    "role": gettext_lazy("Role"), "division": gettext_lazy("Division"),
    "division_id": gettext_lazy("Division"),
    "is_active": gettext_lazy("Status"), "password": gettext_lazy("Password"),
}


def _history_value(key: str, value, names: dict) -> str:
    if value in (None, ""):
        return ""
    if key == "role":
        return str(Role(value).label) if value in Role.values else str(value)
    if key in ("division", "division_id"):
        return f"{names.get(value, '')}（{value}）"
    if key == "is_active":
        return _("Active") if value else _("Deactivated")
    if key == "password":
        return {"reset": _("reset by an administrator"), "changed": _("changed")}.get(value, "")
    if key == "phone":
        return mask_phone(str(value))
    return str(value)


def _history_row(record, names: dict) -> dict:
    changes = [(str(label), _history_value(key, record.before.get(key), names),
                _history_value(key, record.after.get(key), names))
               for key, label in _HISTORY_LABELS.items() if key in record.after]
    action = audit.event_label(record.event) or record.get_action_display()
    return {"at": record.at, "actor": record.actor or _("the console"), "action": action,
            "reason": record.reason, "changes": changes}


def _status_change(request, pk: int, change, done: str):
    account = _found(request, pk)
    form = forms.VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else account.version
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    try:
        change(actor=request.user, user=account, version=version, reason=reason)
    except ConflictError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("accounts:user_detail", account.pk)


@require_POST
@_administrator
def user_deactivate(request, pk: int):
    return _status_change(request, pk, services.user_admin_deactivate,
                          _("The account was deactivated: it can no longer log in."))


@require_POST
@_administrator
def user_reactivate(request, pk: int):
    return _status_change(request, pk, services.user_admin_reactivate, _("The account was reactivated."))


@require_POST
@_administrator
def user_reset_password(request, pk: int):
    account = _found(request, pk)
    form = forms.VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else account.version
    try:
        password = services.user_admin_reset_password(actor=request.user, user=account, version=version)
    except ConflictError as error:
        messages.error(request, str(error))
        return redirect("accounts:user_detail", account.pk)
    account.refresh_from_db()
    return render(request, "core/accounts/password_shown.html", {"account": account, "password": password})


# --- the spreadsheet import -------------------------------------------------------------------------

def _import_allowed(request) -> None:
    if not may_import(request.user):
        raise PermissionDenied(_("Your role does not create village coordinators or grid workers."))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, sheets.Unreadable):
        return value.text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


@require_http_methods(["GET", "POST"])
@_administrator
def user_import(request):
    _import_allowed(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            message = _("The file is larger than %(mb)d MB: a list of staff is far smaller. "
                        "Check that this is the right file.") % {"mb": MAX_UPLOAD_BYTES // 2**20}
            form.add_error("file", message)
            return render(request, "core/accounts/user_import.html", {"form": form})
        with tempfile.TemporaryDirectory() as folder:
            try:
                kind = sheets.sniff_spreadsheet(upload.read(8), upload.name)
            except ValidationError as error:
                form.add_error("file", error.message_dict["file"])
                return render(request, "core/accounts/user_import.html", {"form": form})
            upload.seek(0)
            path = Path(folder) / f"upload{kind}"
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            try:
                outcome = importer.users_import(actor=request.user, path=path)
            except sheets.FileError as error:
                form.add_error("file", str(error))
                return render(request, "core/accounts/user_import.html", {"form": form})
        names = division_names(c.user.division_id for c in outcome.created)
        created = [{"number": c.number, "username": c.user.username, "name": c.user.first_name,
                    "role": str(Role(c.user.role).label),
                    "division": f"{names.get(c.user.division_id, '')}（{c.user.division_id}）",
                    "password": c.password} for c in outcome.created]
        returned = [{"number": r.number, "cells": [_cell_text(v) for v in r.cells], "reasons": r.reasons}
                    for r in outcome.returned]
        # The returned rows are kept for their download until the next import. The one-time
        # passwords are never stored: their workbook travels inside this page (a data: link), which
        # no cache keeps, and is gone when the page is left.
        request.session[SESSION_KEY] = {
            "file": Path(upload.name).stem[:80], "headers": outcome.headers, "returned": returned,
        }
        shown = [{key: value for key, value in row.items() if key != "password"} for row in created]
        response = render(request, "core/accounts/user_import_done.html", {
            "created": shown, "returned": returned, "file_name": upload.name,
            "passwords_link": _workbook_link(lambda out: workbooks.passwords_workbook(out, created=created))
            if created else "",
            "passwords_name": f"{Path(upload.name).stem[:80]}-一次性密码.xlsx"})
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "core/accounts/user_import.html", {"form": form})


@require_GET
@_administrator
def user_import_template(request):
    _import_allowed(request)
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it, and so deletes it)
    workbooks.template_workbook(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename="网格员协理员导入模板.xlsx", content_type=XLSX)


def _download(request, build, name: str):
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it, and so deletes it)
    build(handle)
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)
    response["Cache-Control"] = "private, no-store"
    return response


def _workbook_link(build) -> str:
    """A workbook as a data: address, for a download that leaves nothing on the server."""
    buffer = io.BytesIO()
    build(buffer)
    return f"data:{XLSX};base64,{base64.b64encode(buffer.getvalue()).decode()}"


@require_GET
@_administrator
def user_import_returned(request):
    """The rows of the last import that were handed back, with their reasons."""
    _import_allowed(request)
    kept = request.session.get(SESSION_KEY) or {}
    if not kept.get("returned"):
        messages.warning(request, _("The last import handed back no rows."))
        return redirect("accounts:user_import")
    return _download(request, lambda out: workbooks.returned_workbook(out, headers=kept["headers"],
                                                                       rows=kept["returned"]),
                     f"{kept.get('file', '')}-退回.xlsx")

