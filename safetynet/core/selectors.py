"""Reads of platform data on a user's behalf."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from safetynet.core.models import (
    ApiToken,
    ChangeRecord,
    Division,
    DivisionLevel,
    IdentifierLookup,
    Role,
    User,
)
from safetynet.core.scope import in_area, scope_q, subtree_q
from safetynet.core.services import hash_token


def division_list(*, actor: User, level: str | None = None, parent: str | None = None) -> QuerySet[Division]:
    """Divisions in the actor's area (and the chain above it is not included)."""
    qs = Division.objects.filter(scope_q(actor, "code"), abolished=False)
    if level:
        qs = qs.filter(level=level)
    if parent:
        qs = qs.filter(parent_id=parent)
    return qs


def division_villages(*, actor: User) -> QuerySet[Division]:
    return division_list(actor=actor, level=DivisionLevel.VILLAGE)


def division_get(*, actor: User, code: str) -> Division | None:
    if not in_area(actor, code):
        return None
    return Division.objects.filter(code=code).first()


def division_names(codes) -> dict[str, str]:
    """Names for a set of codes, in one query (for labelling lists)."""
    codes = set(codes)
    if not codes:
        return {}
    return dict(Division.objects.filter(code__in=codes).values_list("code", "name"))


def division_path(code: str) -> list[Division]:
    """The division and its ancestors, city first: the prefixes of its code."""
    prefixes = [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]
    return list(Division.objects.filter(code__in=prefixes).order_by("code"))


def change_timeline(*, subject_type: str, subject_id: int) -> QuerySet[ChangeRecord]:
    """Changes of one case, newest first. The caller has checked the subject is in scope."""
    return ChangeRecord.objects.filter(subject_type=subject_type, subject_id=subject_id).select_related(
        "actor"
    )


def field_changes(*, entity_type: str, entity_ids, field: str) -> list[tuple[int, object, object]]:
    """(entity id, when, the value before) of every recorded change of `field` of those entities,
    oldest first: one query, however many entities. Callers have already chosen entities the user
    may see."""
    rows = ChangeRecord.objects.filter(
        entity_type=entity_type, entity_id__in=list(entity_ids), action=ChangeRecord.Action.UPDATE,
        after__has_key=field,
    ).order_by("at", "pk").values_list("entity_id", "at", "before")
    return [(entity_id, at, before.get(field)) for entity_id, at, before in rows]


def entity_history(*, entity_type: str, entity_ids) -> QuerySet[ChangeRecord]:
    """Every recorded change of those entities, oldest first. Callers have already chosen entities
    the user may see."""
    return ChangeRecord.objects.filter(entity_type=entity_type, entity_id__in=list(entity_ids)).order_by(
        "at", "pk"
    ).select_related("actor")


def divisions_known() -> QuerySet[Division]:
    """Every division, abolished ones included. A hukou may lie anywhere, so this is not scoped:
    the division table is public reference data, not personal information."""
    return Division.objects.all()


def divisions_by_code(codes) -> dict[str, Division]:
    """The divisions of those codes that exist (abolished ones included), in one query."""
    codes = set(codes)
    return Division.objects.in_bulk(codes) if codes else {}


def divisions_under(code: str, *, level: str) -> QuerySet[Division]:
    """Divisions in force of `level` in the subtree of `code` (reference data, not scoped)."""
    return Division.objects.filter(subtree_q("code", code), level=level, abolished=False).order_by("code")


def users_by_username(usernames) -> dict[str, User]:
    """The users of those usernames that exist (a batch job setting up its accounts)."""
    return {u.username: u for u in User.objects.filter(username__in=list(usernames))}


def staff_list(*, actor: User, role: str | None = None) -> QuerySet[User]:
    """Active users in the actor's area, of `role` if given (e.g. who may be made responsible for
    a household)."""
    staff = User.objects.filter(scope_q(actor, "division__code"), is_active=True)
    if role:
        staff = staff.filter(role=role)
    return staff.order_by("username")


def user_names(ids) -> dict[int, str]:
    """Display names of staff (who changed what is part of every record's history)."""
    ids = {pk for pk in ids if pk is not None}
    return {u.pk: str(u) for u in User.objects.filter(pk__in=ids)} if ids else {}


def users_existing(ids) -> set[int]:
    """Of the user ids, those that exist (a bulk write checks its references in one query)."""
    ids = {pk for pk in ids if pk is not None}
    return set(User.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()


def api_token_for_key(key: str) -> ApiToken | None:
    """The live token a bearer key names (not revoked, not expired, its user active), with its
    user; None otherwise. Reads only: that it was used is `core.services.api_token_used`."""
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(key), revoked=False, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .first()
    )


# What the county bureau is told: lookups of whole numbers refused past a user's limit, and numbers
# found registered outside the user's area (a duplicate refused at registration).
NOTICE_OUTCOMES = (IdentifierLookup.Outcome.REFUSED, IdentifierLookup.Outcome.ELSEWHERE)
NOTICE_ROLES = frozenset({Role.CITY_BUREAU, Role.COUNTY_BUREAU})


def identifier_lookup_notices(*, actor: User, days: int = 30) -> QuerySet[IdentifierLookup]:
    """The notices of the last `days` about users of the actor's area, newest first; none for a
    role that is not a city or county bureau."""
    if actor.role not in NOTICE_ROLES:
        return IdentifierLookup.objects.none()
    since = timezone.now() - datetime.timedelta(days=days)
    notices = IdentifierLookup.objects.filter(scope_q(actor, "area"), outcome__in=NOTICE_OUTCOMES,
                                              at__gte=since)
    return notices.select_related("actor")


def accounts_overview(*, latest_changes: int) -> dict:
    """What the operator's system page shows, no personal data in it: accounts by role (all and
    active), live logins, and the latest changes of the accounts themselves — not the grants made
    to them, whose reasons may name the people they serve."""
    from django.contrib.sessions.models import Session
    from django.db.models import Count

    labels = dict(Role.choices)
    by_role = [{"role": labels.get(row["role"], row["role"]), "total": row["total"], "active": row["active"]}
               for row in User.objects.values("role").annotate(
                   total=Count("id"), active=Count("id", filter=Q(is_active=True))).order_by("role")]
    changes = list(ChangeRecord.objects.filter(subject_type="user", entity_type="user")
                   .select_related("actor")[:latest_changes])
    accounts = User.objects.filter(pk__in={c.subject_id for c in changes})
    usernames = dict(accounts.values_list("pk", "username"))
    return {
        "by_role": by_role, "changes": changes, "usernames": usernames,
        "users": User.objects.count(), "active_users": User.objects.filter(is_active=True).count(),
        "sessions": Session.objects.filter(expire_date__gt=timezone.now()).count(),
    }


def users_active(*, roles, bound_to=(), under: str | None = None,
                 holding: tuple[str, int] | None = None):
    """Active users of `roles` bound to one of the divisions `bound_to`, or anywhere under the division
    `under`, or — with `holding=(kind, id)` — holding that grant in force (who may stand a rescue
    station's duty, say). The caller decides who may see the list."""
    from safetynet.core.models import Grant

    where = Q(pk__in=[])
    if bound_to:
        where |= Q(division_id__in=list(bound_to))
    if under:
        where |= subtree_q("division_id", under)
    if holding is not None:
        kind, object_id = holding
        where |= Q(pk__in=Grant.objects.filter(kind=kind, object_id=object_id, revoked_at__isnull=True)
                   .values("user_id"))
    return User.objects.filter(where, is_active=True, role__in=list(roles))
