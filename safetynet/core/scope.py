"""The one place that decides what a user may see: the subtree of the division they are bound to.

Every selector, page, export and API endpoint filters through `scope_q`/`in_scope`; object checks
reuse `in_scope`, so a list and a detail page cannot disagree.
"""

from django.db.models import Q

from safetynet.core.models import User


def scope_code(actor: User) -> str:
    """The division-code prefix the actor's area covers."""
    return actor.division_id


def in_scope(actor: User, division_code: str | None) -> bool:
    return bool(division_code) and division_code.startswith(scope_code(actor))


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


def scope_q(actor: User, field: str) -> Q:
    """A filter keeping rows whose division code (at `field`) lies in the actor's area."""
    return subtree_q(field, scope_code(actor))
