"""The one place that decides what a user may see: the subtree of the division they are bound to,
and the particular records granted to them (core.Grant).

Every selector, page, export and API endpoint filters through `scope_q`/`in_scope`; object checks
reuse `in_scope`, so a list and a detail page cannot disagree. A selector of records an app may
grant passes `granted=(kind, field)`: the rows in the actor's area *or* granted to the actor, in
one query. A role in `GRANT_ONLY_ROLES` sees nothing by its area, only what is granted to it.
"""

from django.db.models import Q

from safetynet.core.models import Grant, Role, User

# Roles that work only through grants: a service provider sees the persons of its contracts and a
# caregiver the persons in their care, not the county they are bound to. (Inspectors, institution
# and station staff join this set as their apps grant them their records.)
GRANT_ONLY_ROLES = frozenset({Role.SERVICE_PROVIDER, Role.CAREGIVER})

# Which roles may hold grants of each kind (core.grants.register_grant_kind declares them). A role
# that may not hold a kind has none of it to honour: its filter stays the plain area range, which a
# county's lists of a million people need to stay one index read.
_GRANTEES: dict[str, frozenset[str]] = {}


def declare_grantees(kind: str, roles) -> None:
    _GRANTEES[kind] = frozenset(roles)


def may_hold(actor: User, kind: str) -> bool:
    """May the actor's role be granted records of `kind`?"""
    return actor.role in _GRANTEES.get(kind, ())


# (kind, field): the kind of grant a selector honours ("registry.person") and the field of its rows
# that holds the granted record's id ("pk", or "person_id" for rows belonging to a person).
Granted = tuple[str, str]


def scope_code(actor: User) -> str:
    """The division-code prefix the actor's area covers."""
    return actor.division_id


_grant_only: set[str] = set(GRANT_ONLY_ROLES)


def declare_grant_only(roles) -> None:
    """Roles an app says work only through grants (an inspector's assigned institutions, say):
    from then on they see nothing by their area. Called from the app's `AppConfig.ready()`
    (core.grants.register_grant_kind(grant_only=True) does it for the kind's grantees)."""
    _grant_only.update(roles)


def grant_only(role: str) -> bool:
    return role in _grant_only


def county_of(actor: User) -> str | None:
    """The county an actor's city-wide records are narrowed to (weather warnings, campaigns): its
    own; None for the city bureau (and any account bound above a county), which has them all."""
    code = actor.division_id or ""
    if actor.role == Role.CITY_BUREAU or len(code) < 6:
        return None
    return code[:6]


def by_area(actor: User) -> bool:
    """Does the actor see anything by the area rule (not only by grants)?"""
    return actor.role not in _grant_only


def in_area(actor: User, division_code: str | None) -> bool:
    """Is `division_code` in the actor's area, for a role that sees by area?"""
    return by_area(actor) and bool(division_code) and division_code.startswith(scope_code(actor))


def in_scope(actor: User, division_code: str | None, *, granted: tuple[str, int] | None = None) -> bool:
    """May the actor see a record living at `division_code`? With `granted=(kind, id)`: also when
    that record is granted to the actor (the same answer `scope_q` gives for a list)."""
    if in_area(actor, division_code):
        return True
    if granted is None or not may_hold(actor, granted[0]):
        return False
    kind, object_id = granted
    return object_id is not None and granted_ids(actor, kind).filter(object_id=object_id).exists()


def _next_code(code: str) -> str | None:
    """The first code of the same length after `code` ('371302' → '371303'); None after '99…'."""
    following = str(int(code) + 1)
    return following if len(following) == len(code) else None


def subtree_q(field: str, code: str) -> Q:
    """Rows whose division code (at `field`) lies in the subtree of `code`.

    A range rather than LIKE 'code%', so that both SQLite and PostgreSQL answer it from a plain
    index. Both bounds are digits only: digit strings sort the same in every collation, where
    punctuation (a ':' after '9', say) does not.
    """
    upper = _next_code(code)
    return Q(**{f"{field}__gte": code}) & (Q(**{f"{field}__lt": upper}) if upper else Q())


def nothing_q(field: str) -> Q:
    """A filter no row passes (an empty IN: the database is not even asked)."""
    return Q(**{f"{field}__in": []})


def area_q(actor: User, field: str) -> Q:
    """Rows whose division code (at `field`) lies in the actor's area; none for a grant-only role."""
    if not by_area(actor):
        return nothing_q(field)
    return subtree_q(field, scope_code(actor))


def granted_ids(actor: User, kind: str):
    """The ids of the records of `kind` granted to the actor and in force (a subquery)."""
    return Grant.objects.filter(user_id=actor.pk, kind=kind, revoked_at__isnull=True).values("object_id")


def granted_q(actor: User, granted: Granted) -> Q:
    kind, field = granted
    return Q(**{f"{field}__in": granted_ids(actor, kind)})


def scope_q(actor: User, field: str, *, granted: Granted | None = None) -> Q:
    """A filter keeping rows whose division code (at `field`) lies in the actor's area and, with
    `granted=(kind, id field)`, the rows granted to the actor: one query either way."""
    area = area_q(actor, field)
    if granted is None or not may_hold(actor, granted[0]):
        return area
    if not by_area(actor):
        return granted_q(actor, granted)
    return area | granted_q(actor, granted)

