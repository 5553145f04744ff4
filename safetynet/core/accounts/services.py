"""Every change user administration makes to an account, each recorded on the user's history
(core.services.change_record, subject the user) with who made it.

A generated password is returned once to the caller, which shows it once; only its hash is kept,
and the user must choose their own at the first login (`must_change_password`).
"""

import re
import secrets

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from safetynet.core.accounts import rules
from safetynet.core.grants import grants_revoke_all
from safetynet.core.hashers import one_time_hasher
from safetynet.core.models import ROLE_LEVELS, ApiToken, ChangeRecord, Division, DivisionLevel, Role, User
from safetynet.core.services import ConflictError, _level_names, change_record, user_create
from safetynet.core.text import control_characters_message, has_control_characters, normalise

# Letters and digits nobody misreads on paper (no 0/O, 1/l/I).
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}")
NAME_LIMIT = 50


def generate_password() -> str:
    """A one-time password such as `Xk7p-Qm3z-8WrT`: 12 random characters (about 70 bits), with a
    digit and a letter, in groups of four to read out or copy."""
    while True:
        chars = "".join(secrets.choice(_ALPHABET) for _position in range(12))
        if any(c.isdigit() for c in chars) and any(c.isalpha() for c in chars):
            return "-".join(chars[i:i + 4] for i in (0, 4, 8))


def clean_phone(value: str) -> str:
    """A staff phone number as stored (digits, a dash after a landline's area code) or ''.
    ValidationError keyed phone for anything else."""
    phone = normalise(value)
    if phone and not (_MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone)):
        raise ValidationError({"phone": _("A phone number is an 11-digit mobile number or a landline "
                                          "with its area code, such as 0539-8123456.")})
    return phone


def clean_name(value: str) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise ValidationError({"name": _("Give the person's name.")})
    if len(name) > NAME_LIMIT:
        raise ValidationError({"name": _("A name has at most %(limit)d characters.") % {"limit": NAME_LIMIT}})
    return name


def _refuse_control_characters(values: dict) -> None:
    errors = {key: [control_characters_message()]
              for key, value in values.items() if has_control_characters(value)}
    if errors:
        raise ValidationError(errors)


def phone_taken(phone: str, *, exclude_pk: int | None = None) -> bool:
    return bool(phone) and User.objects.filter(phone=phone).exclude(pk=exclude_pk).exists()


def _check_phone_free(phone: str, *, exclude_pk: int | None = None) -> None:
    if phone_taken(phone, exclude_pk=exclude_pk):
        raise ValidationError({"phone": _("Another account already has the phone number %(phone)s.")
                               % {"phone": phone}})


def _set_one_time_password(user: User) -> str:
    password = generate_password()
    hashed = make_password(password, hasher=one_time_hasher())
    User.objects.filter(pk=user.pk).update(password=hashed, must_change_password=True)
    user.password, user.must_change_password = hashed, True
    return password


def user_admin_create(
    *, actor: User, username: str, name: str, role: str, division_code: str, phone: str = ""
) -> tuple[User, str]:
    """A new account of a role the actor manages, bound to a division of the actor's area, with a
    one-time password (returned, never stored whole). PermissionDenied for a role or division the
    actor may not manage; ValidationError (username, name, role, division, phone) for bad input."""
    _refuse_control_characters({"username": username, "name": name, "phone": phone,
                                "division": division_code})
    division_code = normalise(division_code)
    if role in Role.values:
        rules.check_may_manage(actor, role=role, division_code=division_code)
    else:
        rules.check_may_administer(actor)
    name, phone = clean_name(name), clean_phone(phone)
    _check_phone_free(phone)
    with transaction.atomic():
        user = user_create(username=normalise(username), role=role, division_code=division_code,
                           password=None, name=name, phone=phone, actor=actor)
        password = _set_one_time_password(user)
    return user, password


def _lock(user: User, version: int | None) -> User:
    current = User.objects.select_for_update().get(pk=user.pk)
    if version is not None and current.version != int(version):
        raise ConflictError()
    return current


def _record(actor: User, user: User, before: dict, after: dict, reason: str = "", *, event: str) -> None:
    change_record(actor=actor, subject=user, entity=user, action=ChangeRecord.Action.UPDATE,
                  before=before, after=after, reason=reason, event=event)


_EDITED = ("first_name", "phone", "role", "division_id")


def user_admin_update(*, actor: User, user: User, version: int | None, data: dict) -> User:
    """Change an account's name, phone, role or division (its binding). The actor must manage the
    account as it is and as it will be; someone else's save since `version` is a ConflictError."""
    _refuse_control_characters({k: v for k, v in data.items() if isinstance(v, str)})
    with transaction.atomic():
        current = _lock(user, version)
        rules.check_may_manage_user(actor, current)
        before = {field: getattr(current, field) for field in _EDITED}
        if "name" in data:
            current.first_name = clean_name(data["name"])
        if "phone" in data:
            current.phone = clean_phone(data["phone"])
            _check_phone_free(current.phone, exclude_pk=current.pk)
        role = data.get("role", current.role)
        division_code = normalise(data.get("division", current.division_id))
        if role not in Role.values:
            raise ValidationError({"role": _("Choose one of the roles offered.")})
        rules.check_may_manage(actor, role=role, division_code=division_code)
        _check_binding(role, division_code)
        current.role, current.division_id = role, division_code
        after = {field: getattr(current, field) for field in _EDITED}
        if after == before:
            return current
        current.version = F("version") + 1
        current.save(update_fields=["first_name", "phone", "role", "division", "version"])
        current.refresh_from_db(fields=["version"])
        _record(actor, current, before, after, event="changed")
        if (before["role"], before["division_id"]) != (after["role"], after["division_id"]):
            # Records were granted to the account for the work it did where it was: moved to
            # another area or role, it keeps none of them (each revocation recorded).
            grants_revoke_all(actor=actor, user=current,
                              reason=_("The account was moved to another area or role."))
    return current


def _check_binding(role: str, division_code: str) -> None:
    """The division exists, is in force and is of the role's level (core.services.user_create's
    rule and messages)."""
    division = Division.objects.filter(code=division_code).first()
    if division is None:
        raise ValidationError({"division": _("There is no division with code %(code)s.")
                               % {"code": division_code}})
    if division.abolished:
        raise ValidationError({"division": _("The division %(division)s has been abolished.")
                               % {"division": division}})
    if division.level not in ROLE_LEVELS[role]:
        raise ValidationError({"division": _(
            "A user with the role “%(role)s” is bound to a %(levels)s, but %(division)s is a %(level)s."
        ) % {"role": Role(role).label, "levels": _level_names(ROLE_LEVELS[role]), "division": division,
             "level": DivisionLevel(division.level).label}})


def _set_active(*, actor: User, user: User, version: int | None, active: bool, reason: str) -> User:
    with transaction.atomic():
        current = _lock(user, version)
        rules.check_may_manage_user(actor, current)
        if current.is_active == active:
            return current
        User.objects.filter(pk=current.pk).update(is_active=active, version=F("version") + 1)
        if not active:
            # Its API tokens stop working, and stay revoked if the account comes back.
            ApiToken.objects.filter(user=current, revoked=False).update(revoked=True)
        _record(actor, current, {"is_active": not active}, {"is_active": active}, reason,
                event="reactivated" if active else "deactivated")
        current.refresh_from_db()
    return current


def user_admin_deactivate(*, actor: User, user: User, version: int | None = None, reason: str = "") -> User:
    """The account can no longer log in (its sessions end at the next request) and its API tokens
    are revoked. Nobody deactivates their own account."""
    return _set_active(actor=actor, user=user, version=version, active=False, reason=reason)


def user_admin_reactivate(*, actor: User, user: User, version: int | None = None, reason: str = "") -> User:
    return _set_active(actor=actor, user=user, version=version, active=True, reason=reason)


def user_admin_reset_password(*, actor: User, user: User, version: int | None = None) -> str:
    """A new one-time password for the account (returned once); the user must change it at the
    next login, and their current logins end."""
    with transaction.atomic():
        current = _lock(user, version)
        rules.check_may_manage_user(actor, current)
        password = _set_one_time_password(current)
        User.objects.filter(pk=current.pk).update(version=F("version") + 1)
        # Whoever may have learnt the old password must not keep the account's API access either.
        ApiToken.objects.filter(user=current, revoked=False).update(revoked=True)
        # The hash never goes into history; that it was reset, and by whom, does.
        _record(actor, current, {"password": ""}, {"password": "reset", "must_change_password": True},
                event="password_reset")
    return password
