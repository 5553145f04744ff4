"""Grants: an app lets a user see particular records outside the area rule (a service provider the
persons of its contracts, an inspector its assigned institutions, staff their institution or station).

The app that owns the records declares the kind once (`register_grant_kind`, from its
`AppConfig.ready`): its name ("registry.person"), who may receive it, who may give it, and how to
find where a record lives (to keep a county from granting what is not its own). Grants are made and
revoked through `grant_create` / `grant_revoke` (recorded through `change_record`, like every
change), read through the selectors below, and honoured by `core.scope` (`scope_q(..., granted=…)`,
`in_scope(..., granted=…)`), the one scope function.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.models import ChangeRecord, Grant, Role, User
from safetynet.core.scope import declare_grant_only, declare_grantees, in_area, scope_q
from safetynet.core.services import change_record

# Who may grant, unless a kind says otherwise: the bureaus that contract the providers.
GRANTING_ROLES = frozenset({Role.CITY_BUREAU, Role.COUNTY_BUREAU})
REASON_LENGTH = Grant._meta.get_field("reason").max_length


@dataclass(frozen=True)
class GrantKind:
    """One kind of record an app may grant.

    `area(object_id)` → the division code where the record lives, or None if there is no such record;
    `describe(object_id)` → how the record is named on pages ("张三"), for people who may see it.
    """

    name: str
    label: Any
    grantee_roles: frozenset[str]
    area: Callable[[int], str | None]
    describe: Callable[[int], str]
    granter_roles: frozenset[str] = GRANTING_ROLES


_KINDS: dict[str, GrantKind] = {}


def register_grant_kind(*, name: str, label, grantee_roles: Iterable[str],
                        area: Callable[[int], str | None], describe: Callable[[int], str],
                        granter_roles: Iterable[str] = GRANTING_ROLES, grant_only: bool = False) -> GrantKind:
    """Declare a kind of record an app grants. `grant_only`: its grantee roles work only through
    grants and see nothing by their area (as the registry's providers and caregivers)."""
    kind = GrantKind(name, label, frozenset(grantee_roles), area, describe, frozenset(granter_roles))
    _KINDS[name] = kind
    declare_grantees(name, kind.grantee_roles)
    if grant_only:
        declare_grant_only(kind.grantee_roles)
    return kind


def grant_kind(name: str) -> GrantKind | None:
    return _KINDS.get(name)


def grant_kinds() -> list[GrantKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.name)


# --- rules ---------------------------------------------------------------------------------------------

def may_grant(actor: User, kind: str) -> bool:
    """May the actor's role give grants of `kind` (inside its area)?"""
    known = _KINDS.get(kind)
    return known is not None and actor.is_active and actor.role in known.granter_roles


def _check_may_grant(actor: User, known: GrantKind) -> None:
    if not (actor.is_active and actor.role in known.granter_roles):
        raise PermissionDenied(_("Your role cannot grant access to records."))


def _kind(kind: str) -> GrantKind:
    known = _KINDS.get(kind)
    if known is None:
        raise ValidationError({"kind": _("There is no kind of record %(kind)s to grant.") % {"kind": kind}})
    return known


# --- services ------------------------------------------------------------------------------------------

def grant_create(*, actor: User | None, user: User, kind: str, object_id: int, reason: str = "") -> Grant:
    """Let `user` see the record `object_id` of `kind`, or ValidationError with nothing saved.

    The actor (None: an operator at the console, who may grant anything) must be of a role that
    grants this kind, and both the record and the user must lie in the actor's area: a county
    grants its own persons to providers of its own county. The user's role must be one the kind is
    granted to. A record already granted to the user is refused (nothing changes).
    """
    known = _kind(kind)
    if actor is not None:
        _check_may_grant(actor, known)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    area = known.area(object_id) if isinstance(object_id, int) and object_id > 0 else None
    if area is None or (actor is not None and not in_area(actor, area)):
        # Elsewhere reads like absent: the refusal does not tell whether it exists.
        errors["object_id"] = _("There is no such record in your area.")
    if not user.is_active or user.role not in known.grantee_roles:
        roles = "、".join(str(Role(role).label) for role in sorted(known.grantee_roles))
        errors["user"] = _("%(user)s cannot be given access to this kind of record: access is given "
                           "to %(roles)s.") % {"user": user, "roles": roles}
    elif actor is not None and not in_area(actor, user.division_id):
        errors["user"] = _("%(user)s is not a user of your area.") % {"user": user}
    if len(reason) > REASON_LENGTH:
        errors["reason"] = _("Give the reason in at most %(limit)d characters.") % {"limit": REASON_LENGTH}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            grant = Grant.objects.create(user=user, kind=kind, object_id=object_id, reason=reason,
                                         granted_by=actor)
            change_record(actor=actor, subject=user, entity=grant, action=ChangeRecord.Action.CREATE,
                          after={"user": user.pk, "kind": kind, "object_id": object_id}, reason=reason)
    except IntegrityError:  # the one grant in force (a repeated or concurrent request)
        message = _("%(user)s already has access to this record.") % {"user": user}
        raise ValidationError({"user": message}) from None
    return grant


def grant_revoke(*, actor: User | None, grant: Grant, reason: str = "") -> Grant:
    """End a grant in force (the record is no longer the user's to see). The same rules as giving
    it: a role that grants the kind, the record in the actor's area. A grant already revoked is
    refused (it was revoked by someone else, or by a repeated request)."""
    known = _kind(grant.kind)
    if actor is not None:
        _check_may_grant(actor, known)
        if not in_area(actor, known.area(grant.object_id)):
            raise ValidationError({"object_id": _("There is no such record in your area.")})
    reason = (reason or "").strip()
    if len(reason) > REASON_LENGTH:
        raise ValidationError({"reason": _("Give the reason in at most %(limit)d characters.")
                               % {"limit": REASON_LENGTH}})
    with transaction.atomic():
        now = timezone.now()
        ended = Grant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor, revoke_reason=reason)
        if not ended:
            raise ValidationError({"grant": _("This access was already revoked.")})
        change_record(actor=actor, subject=grant.user, entity=grant, action=ChangeRecord.Action.UPDATE,
                      before={"revoked_at": None}, after={"revoked_at": now.isoformat()}, reason=reason)
    grant.refresh_from_db()
    return grant


def grants_revoke_all(*, actor: User | None, user: User, reason: str) -> int:
    """End every grant in force of `user`, each recorded: the account is moving to another area or
    role, and what it was given for its work there is not its to see any more. The caller has
    checked that the actor may manage the account (core.accounts); how many were ended."""
    ended = 0
    with transaction.atomic():
        for grant in Grant.objects.select_for_update().filter(user=user, revoked_at__isnull=True):
            now = timezone.now()
            Grant.objects.filter(pk=grant.pk).update(revoked_at=now, revoked_by=actor, revoke_reason=reason)
            change_record(actor=actor, subject=user, entity=grant, action=ChangeRecord.Action.UPDATE,
                          before={"revoked_at": None}, after={"revoked_at": now.isoformat()}, reason=reason)
            ended += 1
    return ended


# --- selectors -----------------------------------------------------------------------------------------

def grants_of_record(*, actor: User, kind: str, object_id: int) -> QuerySet[Grant]:
    """The grants in force of one record, for an actor who may grant it (the record's page lists
    them); none for anyone else."""
    known = _KINDS.get(kind)
    if known is None or not may_grant(actor, kind) or not in_area(actor, known.area(object_id)):
        return Grant.objects.none()
    in_force = Grant.objects.filter(kind=kind, object_id=object_id, revoked_at__isnull=True)
    return in_force.select_related("user")


def grants_of_records(*, actor: User, kind: str, object_ids) -> QuerySet[Grant]:
    """Every grant, in force or revoked, of the records `object_ids` (which the caller has read in
    the actor's scope; ids, or a subquery of them), for an actor who may grant the kind (a
    household's timeline shows them)."""
    if not may_grant(actor, kind):
        return Grant.objects.none()
    if not isinstance(object_ids, QuerySet):
        object_ids = list(object_ids)
    # The users are read only when there is a grant (most records have none): joining them to the
    # query costs a household page more than reading them.
    return (Grant.objects.filter(kind=kind, object_id__in=object_ids)
            .prefetch_related("user", "granted_by", "revoked_by"))


def grant_get(*, actor: User, pk: int) -> Grant:
    """A grant in force that the actor may revoke, or Grant.DoesNotExist (shown as 404)."""
    grant = Grant.objects.select_related("user").get(pk=pk, revoked_at__isnull=True)
    known = _KINDS.get(grant.kind)
    if known is None or not may_grant(actor, grant.kind) or not in_area(actor, known.area(grant.object_id)):
        raise Grant.DoesNotExist
    return grant


def grants_of_user(*, user: User, kind: str | None = None) -> QuerySet[Grant]:
    """What is granted to `user` and in force (their own list: "the persons I serve")."""
    grants = Grant.objects.filter(user=user, revoked_at__isnull=True)
    return grants.filter(kind=kind) if kind else grants


def grantees(*, actor: User, kind: str) -> QuerySet[User]:
    """Active users of the actor's area who may be given `kind` (the choices of a grant form)."""
    known = _KINDS.get(kind)
    if known is None or not may_grant(actor, kind):
        return User.objects.none()
    return User.objects.filter(scope_q(actor, "division__code"), role__in=known.grantee_roles,
                               is_active=True).order_by("username")
