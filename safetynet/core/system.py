"""The operator's system page (/system/) and the auditor's reports (/audit/).

The operator runs the system and sees no personal data: counts of accounts and live logins, the
latest changes to accounts, the version and the database. It is the only role that reaches a
system page (there is no admin site). The auditor reads, in its area, the unmask log and the lookups
of whole numbers, and the reports the apps add (core.audit)."""

import platform
import sqlite3
from importlib import metadata

import django
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from safetynet.core import audit_reports as audit
from safetynet.core import jobs, retention
from safetynet.core.accounts.rules import is_operator
from safetynet.core.audit import event_label
from safetynet.core.selectors import accounts_overview, division_names
from safetynet.core.types import Role

LATEST_CHANGES = 30




def _database() -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    if connection.vendor == "postgresql":
        version = connection.pg_version  # e.g. 160004
        return f"PostgreSQL {version // 10000}.{version % 10000}"
    return connection.display_name


def _version() -> str:
    try:
        return metadata.version("safetynet")
    except metadata.PackageNotFoundError:
        return "?"


@require_GET
def system_page(request):
    if not is_operator(request.user):
        raise PermissionDenied(_("Only the system operator may open this page."))
    overview = accounts_overview(latest_changes=LATEST_CHANGES)
    changes, usernames = overview["changes"], overview["usernames"]
    runs = jobs.latest_runs(LATEST_CHANGES)
    kept = retention.retention_days()
    latest = {}
    for run in runs:
        latest.setdefault(run.job, run)
    labels = {job.name: str(job.label) for job in jobs.recurring_jobs()}
    return render(request, "core/system.html", {
        "jobs": [{"name": job.name, "label": job.label, "schedule": job.schedule.describe(),
                  "last": latest.get(job.name)} for job in jobs.recurring_jobs()],
        "runs": [{"label": labels.get(run.job, run.job), "run": run} for run in runs],
        "retention": [{"code": kind.code, "label": kind.label, "days": kept[kind.code],
                       "default": kind.default_days, "minimum": kind.minimum_days}
                      for kind in retention.retention_kinds()],
        "version": _version(), "database": _database(), "django": django.get_version(),
        "python": platform.python_version(),
        "users": overview["users"], "active_users": overview["active_users"],
        "by_role": overview["by_role"], "sessions": overview["sessions"],
        "changes": [{"at": c.at, "actor": c.actor or _("the console"),
                     "account": usernames.get(c.subject_id, ""),
                     "action": event_label(c.event) or c.get_action_display(),
                     "reason": c.reason} for c in changes],
    })


def _days(request) -> int:
    try:
        days = int(request.GET.get("days", audit.DEFAULT_DAYS))
    except ValueError:
        days = audit.DEFAULT_DAYS
    return min(max(days, 1), 366)


@require_GET
def audit_page(request):
    actor = request.user
    if not audit.may_audit(actor):
        raise PermissionDenied(_("Only auditors may open the audit reports."))
    days = _days(request)
    roles = dict(Role.choices)
    by_actor = list(audit.unmask_by_actor(actor=actor, days=days)[:200])
    for row in by_actor:
        row["role"] = roles.get(row["actor__role"], "")
    names = division_names(row["actor__division_id"] for row in by_actor)
    for row in by_actor:
        row["division"] = names.get(row["actor__division_id"], "")
    lookups = list(audit.lookups_by_day(actor=actor, days=days)[:200])
    for row in lookups:
        row["role"] = roles.get(row["actor__role"], "")
    reports = [html for report in audit.audit_reports() if (html := report.render(request, days))]
    return render(request, "core/audit.html", {
        "days": days, "by_actor": by_actor, "repeated": list(audit.unmask_repeated(actor=actor, days=days)),
        "lookups": lookups, "many": audit.MANY_LOOKUPS, "reports": reports,
    })


@require_POST
def retention_set(request):
    """The operator changes how long one kind of record is kept (the system page's form)."""
    if not is_operator(request.user):
        raise PermissionDenied(_("Only the system operator may open this page."))
    try:
        days = int(request.POST.get("days", ""))
    except ValueError:
        days = -1
    try:
        retention.retention_rule_set(actor=request.user, kind=request.POST.get("kind", ""), days=days)
    except ValidationError as error:
        for messages_ in error.message_dict.values():
            for message in messages_:
                messages.error(request, message)
    else:
        messages.success(request, _("Retention changed: the next nightly purge applies it."))
    return redirect("system")
