"""Who may manage which accounts: a role in MANAGED_ROLES of the actor's role, bound inside the
actor's area, and never the actor's own account."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from safetynet.core.models import MANAGED_ROLES, Role, User
from safetynet.core.scope import in_scope


def managed_roles(actor: User) -> frozenset:
    """The roles whose accounts the actor may create and manage (none for most roles)."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return frozenset()
    return MANAGED_ROLES.get(actor.role, frozenset())


def is_operator(actor: User) -> bool:
    """The system operator: the only role that reaches a system page (there is no admin site)."""
    return bool(getattr(actor, "is_authenticated", False)) and actor.is_active and actor.role == Role.OPERATOR


def may_administer_users(actor: User) -> bool:
    """Does the actor's role manage any accounts (the user administration pages)?"""
    return bool(managed_roles(actor))


def may_manage(actor: User, *, role: str, division_code: str | None) -> bool:
    """May the actor create (or hold) an account of `role` bound to `division_code`?"""
    return role in managed_roles(actor) and in_scope(actor, division_code)


def check_may_administer(actor: User) -> None:
    if not may_administer_users(actor):
        raise PermissionDenied(_("Your role does not manage user accounts."))


def check_may_manage(actor: User, *, role: str, division_code: str | None) -> None:
    """PermissionDenied unless the actor may manage an account of `role` at `division_code`."""
    check_may_administer(actor)
    if role not in managed_roles(actor):
        raise PermissionDenied(
            _("Your role cannot create or manage accounts with the role “%(role)s”.")
            % {"role": Role(role).label if role in Role.values else role}
        )
    if not in_scope(actor, division_code):
        raise PermissionDenied(_("This division is outside your area."))


def check_may_manage_user(actor: User, user: User) -> None:
    """PermissionDenied unless the actor may change `user` (as the account is now)."""
    if actor.pk == user.pk:
        raise PermissionDenied(
            _("You cannot change your own account here: ask another administrator of your bureau.")
        )
    check_may_manage(actor, role=user.role, division_code=user.division_id)
