"""The accounts an administrator sees: those of the roles it manages, bound inside its area (its
own account is not among them: nobody administers themselves)."""

from django.db.models import Q, QuerySet

from safetynet.core.accounts.rules import managed_roles
from safetynet.core.models import ChangeRecord, User
from safetynet.core.scope import scope_q, subtree_q
from safetynet.core.text import normalise


def user_admin_list(
    *, actor: User, q: str = "", role: str = "", active: str = "", division: str = ""
) -> QuerySet[User]:
    """Accounts the actor manages, filtered: `q` part of a user name or name, or a whole phone number; `role`;
    `active` "1"/"0"; `division` a code inside the area (its subtree)."""
    roles = managed_roles(actor)
    users = (User.objects.filter(scope_q(actor, "division_id"), role__in=roles)
             .exclude(pk=actor.pk).select_related("division"))
    if role:
        users = users.filter(role=role)
    if active in ("1", "0"):
        users = users.filter(is_active=active == "1")
    if division and division.isdigit() and division.startswith(actor.division_id):
        users = users.filter(subtree_q("division_id", division))
    term = normalise(q)
    if term:
        # A phone is found by the whole number only: the list shows phones masked, and a search by
        # part of one would tell the hidden digits one guess at a time.
        users = users.filter(Q(username__icontains=term) | Q(first_name__icontains=term)
                             | Q(phone=term))
    return users.order_by("division_id", "role", "username")


def user_admin_get(*, actor: User, pk: int) -> User:
    """One account the actor manages; User.DoesNotExist otherwise (outside the area is absent)."""
    return user_admin_list(actor=actor).get(pk=pk)


def user_history(*, user: User) -> QuerySet[ChangeRecord]:
    """Changes of the account, newest first. The caller has fetched the user through user_admin_get."""
    return ChangeRecord.objects.filter(subject_type="user", subject_id=user.pk).select_related("actor")
