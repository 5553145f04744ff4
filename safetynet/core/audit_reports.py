"""What the auditor reads (read-only, inside the auditor's area): who was shown whose numbers whole
and how often (the unmask log), and who looked up whole ID or phone numbers, day by day, with the
refusals past the limit. Apps add their own reports (`register_audit_report`): the registry's
"staff looking up their own relatives" needs its tables, which core may not read; it reads core's
through `staff_unmask_rows` and `staff_by_pk`. (core.audit is the other side of the history: the
kinds of event it records.)"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from safetynet.core.models import IdentifierLookup, Role, UnmaskLog, User
from safetynet.core.scope import scope_q

AUDIT_ROLES = frozenset({Role.AUDITOR})
DEFAULT_DAYS = 30
# A user's whole-number lookups in one day from which the day is listed (the default limit is 5
# a day: reaching it is worth a look; refusals are listed whatever the count).
MANY_LOOKUPS = 5
# One member of staff shown the same record's numbers this many times in the period.
REPEATED_SHOWINGS = 3


def may_audit(actor: User) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and actor.is_active and actor.role in AUDIT_ROLES


def _since(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def unmask_by_actor(*, actor: User, days: int = DEFAULT_DAYS) -> QuerySet:
    """Per member of staff of the area: how many showings of whole numbers, of how many records, the
    last one; most first."""
    return (UnmaskLog.objects.filter(scope_q(actor, "actor__division_id"), at__gte=_since(days))
            .values("actor_id", "actor__username", "actor__first_name", "actor__role", "actor__division_id")
            .annotate(showings=Count("id"), records=Count("subject_id", distinct=True), last=Max("at"))
            .order_by("-showings", "actor__username"))


def unmask_repeated(*, actor: User, days: int = DEFAULT_DAYS) -> QuerySet:
    """The same record's numbers shown to the same member of staff again and again."""
    return (UnmaskLog.objects.filter(scope_q(actor, "actor__division_id"), at__gte=_since(days))
            .values("actor_id", "actor__username", "actor__first_name", "subject_type", "subject_id")
            .annotate(showings=Count("id"), last=Max("at"))
            .filter(showings__gte=REPEATED_SHOWINGS).order_by("-showings")[:100])


def unmask_recent(*, actor: User, days: int = DEFAULT_DAYS, limit: int = 100) -> QuerySet[UnmaskLog]:
    return (UnmaskLog.objects.filter(scope_q(actor, "actor__division_id"), at__gte=_since(days))
            .select_related("actor").order_by("-at")[:limit])


def lookups_by_day(*, actor: User, days: int = DEFAULT_DAYS) -> QuerySet:
    """Per member of staff and day: lookups of whole numbers (those counting towards the limit),
    refusals, numbers found registered outside their area; the days with many lookups or any
    refusal, most first."""
    counted = ~Q(outcome__in=(IdentifierLookup.Outcome.REFUSED, IdentifierLookup.Outcome.CREATED))
    return (IdentifierLookup.objects.filter(scope_q(actor, "area"), at__gte=_since(days))
            .annotate(day=TruncDate("at"))
            .values("actor_id", "actor__username", "actor__first_name", "actor__role", "day")
            .annotate(lookups=Count("id", filter=counted),
                      refused=Count("id", filter=Q(outcome=IdentifierLookup.Outcome.REFUSED)),
                      elsewhere=Count("id", filter=Q(outcome=IdentifierLookup.Outcome.ELSEWHERE)))
            .filter(Q(lookups__gte=MANY_LOOKUPS) | Q(refused__gt=0))
            .order_by("-refused", "-lookups", "-day"))


def staff_unmask_rows(*, actor: User, days: int, subject_types: tuple[str, ...], limit: int) -> list[tuple]:
    """(staff member's id, subject type, subject id, when) of the latest showings of whole numbers to
    staff of the actor's area in the period, newest first, at most `limit`."""
    return list(UnmaskLog.objects.filter(scope_q(actor, "actor__division_id"), at__gte=_since(days),
                                         subject_type__in=subject_types)
                .order_by("-at").values_list("actor_id", "subject_type", "subject_id", "at")[:limit])


def staff_by_pk(pks) -> dict[int, User]:
    """Members of staff by id, with their division (the caller got the ids from a scoped selector)."""
    return {u.pk: u for u in User.objects.filter(pk__in=set(pks)).select_related("division")}


# --- reports the apps add --------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditReport:
    """One report on the auditor's page: `render(request, days)` returns its HTML or None."""

    key: str
    render: Callable


_REPORTS: dict[str, AuditReport] = {}


def register_audit_report(key: str, render: Callable) -> None:
    _REPORTS[key] = AuditReport(key, render)


def audit_reports() -> list[AuditReport]:
    return list(_REPORTS.values())
