"""Writes that belong to the platform: the audit trail, unmask log, API tokens."""

import datetime
import decimal
import hashlib
import secrets
from collections.abc import Iterable

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.models import ApiToken, ChangeRecord, UnmaskLog, User


class ConflictError(Exception):
    """Someone else saved the record after this user opened it."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("Someone else changed this record after you opened it. "
                                      "Reload the page to see their change, then make yours again."))


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
    """The row's own values as plain JSON, for before/after history."""
    names = fields or [
        f.attname for f in instance._meta.concrete_fields if f.attname not in {"id", "version", "created_at", "updated_at"}
    ]
    return {name: _plain(getattr(instance, name)) for name in names}


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed, on each side."""
    changed = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def change_record(
    *,
    actor: User | None,
    subject: models.Model,
    entity: models.Model,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> ChangeRecord | None:
    """Record one change. An update that changed nothing records nothing."""
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
        reason=reason[:200],
    )


def unmask_log(*, actor: User, subject: models.Model, fields: str, channel: str) -> None:
    UnmaskLog.objects.create(
        actor=actor,
        subject_type=subject._meta.model_name,
        subject_id=subject.pk,
        fields=fields,
        channel=channel,
    )


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
