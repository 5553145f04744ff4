"""Writes that belong to the platform: the audit trail, unmask log, API tokens."""

import datetime
import decimal
import hashlib
import json
import secrets
from collections.abc import Iterable

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core import audit, bulkinsert
from safetynet.core.models import ApiToken, ChangeRecord, UnmaskLog, User


class ConflictError(Exception):
    """Someone else saved the record after this user opened it."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or _(
                "Someone else changed this record after you opened it. "
                "Reload the page to see their change, then make yours again."
            )
        )


def _plain(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "url"):  # FieldFile
        return value.name or ""
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict:
    """The row's own values as plain JSON, for before/after history. Fields nobody edits (keys
    derived from others, such as search keys) would only repeat a change already recorded."""
    names = fields or [
        f.attname
        for f in instance._meta.concrete_fields
        if f.editable and f.attname not in {"id", "version", "created_at", "updated_at"}
    ]
    return {name: _plain(getattr(instance, name)) for name in names}


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed, on each side."""
    changed = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def _check_reason(reason: str) -> None:
    limit = ChangeRecord._meta.get_field("reason").max_length
    if len(reason) > limit:
        raise ValidationError(
            {"reason": _("Give the reason in at most %(limit)d characters (this one has %(length)d).")
             % {"limit": limit, "length": len(reason)}}
        )


def change_record(
    *,
    actor: User | None,
    subject: models.Model,
    entity: models.Model,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    event: str | None = None,
    effective_at: datetime.datetime | None = None,
    corrects: ChangeRecord | None = None,
) -> ChangeRecord | None:
    """Record one change as the event its app declared (core.audit; `event` names one where the
    model declares several for the action). An update that changed nothing records nothing. A
    reason longer than history keeps is refused (ValidationError), never cut: the record must say
    what was said. `effective_at`: when the fact took effect, if not now; `corrects`: the earlier
    record this one corrects (it stays as it was)."""
    _check_reason(reason)
    declared = audit.event_type(entity._meta.model_name, action, event)
    before, after = before or {}, after or {}
    if action == ChangeRecord.Action.UPDATE:
        before, after = diff(before, after)
        if not after:
            return None
    return ChangeRecord.objects.create(
        actor=actor,
        subject_type=subject._meta.model_name,
        subject_id=subject.pk,
        entity_type=entity._meta.model_name,
        entity_id=entity.pk,
        action=action,
        before=before,
        after=after,
        reason=reason,
        app_label=declared.app_label,
        event=declared.code,
        effective_at=effective_at,
        corrects=corrects,
    )


def change_record_bulk_create(*, actor: User, at, changes: list[dict]) -> None:
    """Record many changes at once, inside the caller's transaction (a batch of an import, the
    demo city). Each change names subject_type, subject_id, entity_type, entity_id, action and
    after (a dict of plain JSON values), and may give before, reason, event, effective_at and its
    own at (the demo city's clock dates each household's); `at` is the batch's time, an aware
    datetime or already as the database takes it (adapted text on SQLite), as is a change's own.
    The events are checked as `change_record` checks one."""
    if not changes:
        return
    declared: dict[tuple, audit.EventType] = {}
    events = []
    for change in changes:
        key = (change["entity_type"], change["action"], change.get("event"))
        if key not in declared:
            declared[key] = audit.event_type(*key)
        events.append(declared[key])
        _check_reason(change.get("reason", ""))
    def stored(moment):  # an aware datetime as the raw insert takes it; what is adapted, as it is
        if isinstance(moment, datetime.datetime):
            return connection.ops.adapt_datetimefield_value(moment)
        return moment

    at = stored(at)
    ids = bulkinsert.reserve_ids({ChangeRecord: len(changes)})[ChangeRecord]
    rows = [
        {
            "id": next(ids),
            "at": stored(change["at"]) if "at" in change else at,
            "actor_id": actor.pk,
            "subject_type": change["subject_type"],
            "subject_id": change["subject_id"],
            "entity_type": change["entity_type"],
            "entity_id": change["entity_id"],
            "action": change["action"],
            "before": json.dumps(change.get("before") or {}, ensure_ascii=False),
            "after": json.dumps(change["after"], ensure_ascii=False),
            "reason": change.get("reason", ""),
            "app_label": event.app_label,
            "event": event.code,
            "effective_at": stored(change.get("effective_at")),
            "corrects_id": None,
        }
        for change, event in zip(changes, events, strict=True)
    ]
    bulkinsert.insert_rows(ChangeRecord, rows)


def unmask_log(*, actor: User, subject: models.Model, fields: str, channel: str) -> None:
    UnmaskLog.objects.create(
        actor=actor,
        subject_type=subject._meta.model_name,
        subject_id=subject.pk,
        fields=fields,
        channel=channel,
    )


def unmask_log_many(*, actor: User, shown: Iterable[tuple[str, int, str]], channel: str) -> None:
    """Log several showings in one INSERT: (subject type, subject id, fields shown) each."""
    UnmaskLog.objects.bulk_create(
        [UnmaskLog(actor=actor, subject_type=subject_type, subject_id=subject_id, fields=fields[:100],
                   channel=channel) for subject_type, subject_id, fields in shown],
        batch_size=1000,
    )


def unmask_log_select(
    *, actor: User, subject_type: str, ids: models.QuerySet, fields: str, channel: str
) -> int:
    """Log a showing of each id `ids` yields (a one-column queryset: `values_list(…, flat=True)`)
    by one INSERT … SELECT: a bank file of a million accounts logs them without a Python object each."""
    sub_sql, sub_params = ids.query.sql_with_params()
    table = UnmaskLog._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (at, actor_id, subject_type, fields, channel, subject_id) "  # noqa: S608
            f"SELECT %s, %s, %s, %s, %s, shown.* FROM ({sub_sql}) shown",
            [connection.ops.adapt_datetimefield_value(timezone.now()), actor.pk, subject_type, fields[:100],
             channel, *sub_params],
        )
        return cursor.rowcount


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user: User, name: str, days: int | None = 365) -> tuple[ApiToken, str]:
    """Create a token; return it with the key, which is never stored and never shown again."""
    key = "sn_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=hash_token(key),
        prefix=key[:8],
        expires_at=timezone.now() + datetime.timedelta(days=days) if days else None,
    )
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)


# `token list` says when a token was last used to the minute: a client calling many times a second
# writes the stamp once a minute, not once a request (each write a row lock and, on SQLite, the
# database's one write lock).
TOKEN_USE_RECORDED_EVERY = datetime.timedelta(minutes=1)


def api_token_used(*, token: ApiToken) -> None:
    """Record that the token was just used, unless that was recorded less than a minute ago."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_USE_RECORDED_EVERY:
        return
    stale = models.Q(last_used_at__isnull=True) | models.Q(last_used_at__lt=now - TOKEN_USE_RECORDED_EVERY)
    # Conditional, so that parallel requests with one token write it once.
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


# --- accounts ------------------------------------------------------------------------------------
# Used by the `safetynet user` / `safetynet token` commands and by the demo-city builder. `actor` is
# who did it (None for an operator at the console); every change is recorded against the user.

# Imported here, not at the top, so that this section stays one appended block.
from django.contrib.auth.password_validation import validate_password  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.db import transaction  # noqa: E402

from safetynet.core.models import LEVEL_CODE_LENGTH, ROLE_LEVELS, Division, DivisionLevel, Role  # noqa: E402


def _level_names(levels) -> str:
    return "、".join(str(DivisionLevel(level).label) for level in sorted(levels, key=LEVEL_CODE_LENGTH.get))


def user_create(
    *,
    username: str,
    role: str,
    division_code: str,
    password: str | None,
    name: str = "",
    phone: str = "",
    actor: User | None = None,
) -> User:
    """A member of staff bound to a division, or ValidationError (keyed username, role, division,
    password) with nothing saved.

    The role must fit the division's level (`ROLE_LEVELS`: a township office is bound to a
    township, not a county) and the password the configured password rules. `password=None`
    makes an account that cannot log in until it is given one.
    """
    errors: dict[str, list] = {}
    username = (username or "").strip()
    if User.objects.filter(username=username).exists():
        errors["username"] = [_("The user name %(username)s is already taken.") % {"username": username}]
    if role not in Role.values:
        errors["role"] = [
            _("There is no role %(role)s. The roles are: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        ]
    division = Division.objects.filter(code=(division_code or "").strip()).first()
    if division is None:
        errors["division"] = [_("There is no division with code %(code)s.") % {"code": division_code}]
    elif division.abolished:
        errors["division"] = [_("The division %(division)s has been abolished.") % {"division": division}]
    elif role in Role.values and division.level not in ROLE_LEVELS[role]:
        errors["division"] = [
            _("A user with the role “%(role)s” is bound to a %(levels)s, but %(division)s is a %(level)s.")
            % {
                "role": Role(role).label,
                "levels": _level_names(ROLE_LEVELS[role]),
                "division": division,
                "level": DivisionLevel(division.level).label,
            }
        ]
    user = User(username=username, role=role, division=division, first_name=name, phone=phone)
    try:
        user.full_clean(exclude=["password", *errors])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            errors["password"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    with transaction.atomic():
        user.save()
        change_record(
            actor=actor,
            subject=user,
            entity=user,
            action=ChangeRecord.Action.CREATE,
            after={"username": user.username, "role": user.role, "division": user.division_id,
                   **({"first_name": user.first_name} if user.first_name else {}),
                   **({"phone": user.phone} if user.phone else {})},
        )
    return user


def user_set_password(*, user: User, password: str, actor: User | None = None) -> None:
    """Give the user a new password that meets the password rules (ValidationError otherwise)."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": list(error.messages)}) from None
    user.set_password(password)
    # A password chosen (by the user, or for them at the console) is no longer a one-time one.
    user.must_change_password = False
    with transaction.atomic():
        user.save(update_fields=["password", "must_change_password"])
        # The hash never goes into history; that it changed, and by whom, does.
        change_record(
            actor=actor,
            subject=user,
            entity=user,
            action=ChangeRecord.Action.UPDATE,
            event="password_changed",
            before={"password": ""},
            after={"password": "changed"},
        )


def user_deactivate(*, user: User, actor: User | None = None) -> None:
    """The user can no longer log in, and their API tokens stop working (they are revoked, so
    reactivating the account does not bring them back)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
        change_record(
            actor=actor,
            subject=user,
            entity=user,
            action=ChangeRecord.Action.UPDATE,
            event="deactivated",
            before={"is_active": user.is_active},
            after={"is_active": False},
        )
    user.is_active = False


def api_token_revoke_prefix(*, prefix: str) -> ApiToken:
    """Revoke the one live token whose key starts with `prefix` (its first 8 characters, as
    `token list` shows them, or more of it); ValidationError when none or several match."""
    prefix = (prefix or "").strip()
    if len(prefix) < 8:
        raise ValidationError(
            {"prefix": _("Give the first 8 characters of the token, as `token list` shows them.")}
        )
    matches = list(ApiToken.objects.filter(prefix=prefix[:8], revoked=False))
    if not matches:
        raise ValidationError({"prefix": _("No live token starts with %(prefix)s.") % {"prefix": prefix}})
    if len(matches) > 1:
        raise ValidationError(
            {
                "prefix": _("%(count)d tokens start with %(prefix)s: give more of the token.")
                % {"count": len(matches), "prefix": prefix}
            }
        )
    api_token_revoke(token=matches[0])
    matches[0].revoked = True
    return matches[0]


# --- villages ------------------------------------------------------------------------------------
# Villages and communities (12-digit NBS codes) are not shipped: the demo city generates them and a
# bureau loads its own. Imported here, not at the top, so that this section stays one appended block.
from safetynet.core.models import UrbanRural  # noqa: E402


def village_bulk_create(*, villages: Iterable[tuple[str, str, str]]) -> int:
    """Add villages/communities given as (code, name, urban_rural) under existing townships; return
    how many were new. Codes already present are left as they are.

    A code is its township's 9 digits and 3 more (NBS: 居委会 1xx, 村委会 2xx). ValidationError,
    with nothing saved, when a code is malformed or its township unknown.
    """
    rows = list(villages)
    parents = {code[:9] for code, _name, _ur in rows}
    townships = set(
        Division.objects.filter(code__in=parents, level=DivisionLevel.TOWNSHIP).values_list("code", flat=True)
    )
    errors = []
    for code, name, urban_rural in rows:
        if len(code) != 12 or not code.isdigit() or code[9] not in "12":
            errors.append(
                _("%(code)s is not a village or community code (12 digits, the last three 1xx or 2xx).")
                % {"code": code}
            )
        elif code[:9] not in townships:
            errors.append(
                _("There is no township %(code)s for the village %(name)s.")
                % {"code": code[:9], "name": name}
            )
        elif not name or urban_rural not in UrbanRural.values:
            errors.append(_("The village %(code)s needs a name and urban or rural.") % {"code": code})
    if errors:
        raise ValidationError(errors)
    existing = set(Division.objects.filter(code__in=[r[0] for r in rows]).values_list("code", flat=True))
    new = [
        Division(
            code=code,
            name=name,
            level=DivisionLevel.VILLAGE,
            parent_id=code[:9],
            urban_rural_default=urban_rural,
        )
        for code, name, urban_rural in rows
        if code not in existing
    ]
    Division.objects.bulk_create(new, batch_size=1000)
    return len(new)


# --- several users at once -----------------------------------------------------------------------
# Used by the demo-city builder. Imported here, not at the top, so that this section stays one
# appended block.
from django.contrib.auth.hashers import make_password  # noqa: E402


def user_bulk_set_password(
    *, users: Iterable[User], password: str, email_domain: str = "", actor: User | None = None
) -> None:
    """Give several users one password that meets the password rules (ValidationError, nothing
    changed, otherwise), hashed once: hashing takes a good fraction of a second by design. With
    `email_domain`, each also gets the e-mail address username@email_domain. Each user's history
    records the change (never the hash)."""
    users = list(users)
    try:
        validate_password(password)
    except ValidationError as error:
        raise ValidationError({"password": list(error.messages)}) from None
    hashed = make_password(password)
    for user in users:
        user.password = hashed
        if email_domain:
            user.email = f"{user.username}@{email_domain}"
    changed = {"password": "changed"}
    with transaction.atomic():
        User.objects.bulk_update(users, ["password", "email"], batch_size=500)
        ChangeRecord.objects.bulk_create(
            [
                ChangeRecord(
                    actor=actor,
                    subject_type="user",
                    subject_id=user.pk,
                    entity_type="user",
                    entity_id=user.pk,
                    action=ChangeRecord.Action.UPDATE,
                    before={"password": ""},
                    after=changed | ({"email": user.email} if email_domain else {}),
                )
                for user in users
            ],
            batch_size=500,
        )


# --- whole numbers looked up by someone who sees them masked ---------------------------------------
# A role that sees `3713**********3843` and the person's age and sex could try the few whole numbers
# that fit, in a search or a registration form, until one is answered "found": each such lookup is
# logged, and a user gets a limited number of them in a rolling window. Past the limit the lookup is
# refused (and the refusal recorded: the county bureau's notice), so an enumeration cannot finish.

# Imported here, not at the top, so that this section stays one appended block.
from django.conf import settings  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402

from safetynet.core.models import IdentifierLookup  # noqa: E402


class LookupRefused(PermissionDenied):
    """The user has used up their lookups of whole numbers for now."""


def identifier_lookup_limit() -> tuple[int, datetime.timedelta]:
    """How many lookups of whole numbers a user may make, and in what rolling window. Settings:
    SAFETYNET_NUMBER_LOOKUP_LIMIT (default 5) and SAFETYNET_NUMBER_LOOKUP_HOURS (default 24)."""
    limit = int(getattr(settings, "SAFETYNET_NUMBER_LOOKUP_LIMIT", 5))
    hours = float(getattr(settings, "SAFETYNET_NUMBER_LOOKUP_HOURS", 24))
    return limit, datetime.timedelta(hours=hours)


# Lookups that do not use up the allowance: a refusal answered nothing, and a number registered as
# a new person is the ordinary work of registering people (nothing about anybody else was learnt).
_NOT_COUNTED = (IdentifierLookup.Outcome.REFUSED, IdentifierLookup.Outcome.CREATED)


def identifier_lookups_used(*, actor: User) -> int:
    limit, window = identifier_lookup_limit()
    since = timezone.now() - window
    return (IdentifierLookup.objects.filter(actor=actor, at__gte=since)
            .exclude(outcome__in=_NOT_COUNTED).count())


def identifier_lookup_start(
    *, actor: User, kind: str, shown: str, channel: str, limited: bool = True
) -> IdentifierLookup:
    """Record that the actor is looking up a whole number (`shown`: the number masked), before
    anything about it is read. Past the limit, record the refusal and raise LookupRefused.
    `limited=False`: recorded, never refused (a registration that cannot be a guess: the caller
    says why).

    Call it outside any transaction that the answer may roll back (a refused registration raises a
    ValidationError): the record must outlive the error. Lookups of one user are counted one at a
    time (their user row locked), so parallel requests cannot overrun the limit.
    """
    limit, window = identifier_lookup_limit()
    fields = {"actor": actor, "area": actor.division_id, "kind": kind, "shown": shown[:40],
              "channel": channel[:10]}
    if not limited:
        return IdentifierLookup.objects.create(**fields, outcome=IdentifierLookup.Outcome.PENDING)
    with transaction.atomic():
        list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True))
        refused = identifier_lookups_used(actor=actor) >= limit
        lookup = IdentifierLookup.objects.create(
            **fields,
            outcome=IdentifierLookup.Outcome.REFUSED if refused else IdentifierLookup.Outcome.PENDING,
        )
    if refused:
        hours = round(window.total_seconds() / 3600)
        raise LookupRefused(_(
            "You have looked up %(limit)d whole ID or phone numbers in the last %(hours)d hours, as many "
            "as your role may. This search is refused and your county civil-affairs bureau has been "
            "told. Search by name or by the last four characters of the ID number, or ask the county "
            "bureau."
        ) % {"limit": limit, "hours": hours})
    return lookup


def identifier_lookup_finish(*, lookup: IdentifierLookup, outcome: str, matches: int = 0) -> None:
    """What the lookup found (IdentifierLookup.Outcome)."""
    IdentifierLookup.objects.filter(pk=lookup.pk).update(outcome=outcome, matches=matches)
    lookup.outcome, lookup.matches = outcome, matches


def identifier_lookup_record(*, actor: User, kind: str, shown: str, channel: str, outcome: str) -> None:
    """Record a lookup that counts towards no limit (a role that sees numbers whole, told that a
    number it typed is registered outside its area). Call it outside the transaction the refusal
    rolls back."""
    IdentifierLookup.objects.create(actor=actor, area=actor.division_id, kind=kind, shown=shown[:40],
                                    channel=channel[:10], outcome=outcome)


def identifier_lookups_record(*, actor: User, kind: str, shown: list[str], channel: str,
                              outcome: str) -> None:
    """identifier_lookup_record for many numbers at once (an import's batch): one INSERT."""
    IdentifierLookup.objects.bulk_create([
        IdentifierLookup(actor=actor, area=actor.division_id, kind=kind, shown=each[:40],
                         channel=channel[:10], outcome=outcome)
        for each in shown
    ])


def sessions_clear_expired(due_at: datetime.datetime) -> str:
    """The nightly recurring job (core.jobs): logins that expired are removed from the database
    (Django keeps them until told). Returns what it did, for the operator's page."""
    from django.contrib.sessions.models import Session

    removed, _by_model = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return _("%(count)s expired logins removed.") % {"count": removed}


def hold_key(key: str) -> None:
    """Serialise writers over a key until the caller's transaction ends (one clerk booking a person's
    shift at a time, one public sender's reports counted at a time): PostgreSQL takes a transaction
    advisory lock on the key's hash; SQLite's writing transactions take the database's write lock at
    BEGIN (IMMEDIATE), which serialises them already."""
    if connection.vendor != "postgresql":
        return
    number = int(hashlib.sha256(key.encode()).hexdigest()[:15], 16)  # any string: a bigint
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])

