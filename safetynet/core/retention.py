"""Retention (issue 8, item 10): how long each kind of record and file is kept, as data, and the
nightly purge that removes what has expired and says what it removed.

An app registers each kind it keeps with its default and the function that purges it:

    retention.register_retention_kind(code="registry.import_files", label=_("Imported files"),
                                      default_days=90, minimum_days=7, purge=services.import_files_purge)

`purge(cutoff)` removes what was made before `cutoff`, set-wise, and returns how many it removed.
The operator changes a kind's days on the system page (recorded). The purge is a recurring job
(core.jobs, every night at 02:30); what it removed is its run's summary on the same page.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.models import ChangeRecord, RecurringJobRun, RetentionRule, Role, User
from safetynet.core.services import change_record

LONGEST_DAYS = 36500


@dataclass(frozen=True)
class RetentionKind:
    code: str
    label: object
    default_days: int
    minimum_days: int
    purge: Callable[[datetime.datetime], int]


_KINDS: dict[str, RetentionKind] = {}


def register_retention_kind(*, code: str, label, default_days: int, purge: Callable[[datetime.datetime], int],
                            minimum_days: int = 1) -> RetentionKind:
    if not 1 <= minimum_days <= default_days <= LONGEST_DAYS:
        raise ValueError(f"{code}: days out of range")
    kind = RetentionKind(code, label, default_days, minimum_days, purge)
    _KINDS[code] = kind
    return kind


def retention_kinds() -> list[RetentionKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.code)


def retention_days() -> dict[str, int]:
    """Each registered kind's days: the operator's where set, else the app's default."""
    set_days = dict(RetentionRule.objects.values_list("kind", "keep_days"))
    return {kind.code: set_days.get(kind.code, kind.default_days) for kind in retention_kinds()}


def may_set_retention(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role == Role.OPERATOR)


def retention_rule_set(*, actor: User | None, kind: str, days: int) -> None:
    """Keep `kind` for `days` days from now on (the next purge applies it)."""
    if actor is not None and not may_set_retention(actor):
        raise PermissionDenied(_("Only the system operator sets how long records are kept."))
    registered = _KINDS.get(kind)
    if registered is None:
        raise ValidationError({"kind": [_("There is no such kind of record.")]})
    whole = isinstance(days, int) and not isinstance(days, bool)
    if not whole or not registered.minimum_days <= days <= LONGEST_DAYS:
        raise ValidationError({"days": [_("Keep it from %(low)s to %(high)s days.")
                                        % {"low": registered.minimum_days, "high": LONGEST_DAYS}]})
    with transaction.atomic():
        rule = RetentionRule.objects.select_for_update().filter(kind=kind).first()
        before = rule.keep_days if rule else registered.default_days
        if rule is None:
            rule = RetentionRule(kind=kind)
        rule.keep_days, rule.changed_at, rule.changed_by = days, timezone.now(), actor
        rule.save()
        change_record(actor=actor, subject=rule, entity=rule, action=ChangeRecord.Action.UPDATE,
                      before={"kind": kind, "keep_days": before}, after={"kind": kind, "keep_days": days})


def retention_purge(due_at: datetime.datetime) -> str:
    """The nightly recurring job: each kind purged of what is older than its days."""
    days = retention_days()
    lines = []
    for kind in retention_kinds():
        removed = kind.purge(due_at - datetime.timedelta(days=days[kind.code]))
        lines.append(_("%(kind)s: %(count)s removed (kept %(days)s days)")
                     % {"kind": kind.label, "count": removed, "days": days[kind.code]})
    return "；".join(lines)


def job_runs_purge(cutoff: datetime.datetime) -> int:
    """core's own kind: the records of recurring jobs' runs."""
    removed, _by_model = RecurringJobRun.objects.filter(started_at__lt=cutoff).delete()
    return removed


# --- for tests -------------------------------------------------------------------------------------


def snapshot() -> dict:
    return dict(_KINDS)


def restore(saved: dict) -> None:
    _KINDS.clear()
    _KINDS.update(saved)
