"""Tell the open pages that something changed: called by services, inside their transaction."""

import datetime
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.models import LiveSignal

CHANNEL = "safetynet_live"


def user_topic(user_id: int) -> str:
    return f"u{user_id}"


def area_topic(division_code: str) -> str:
    return f"d{division_code}"


def live_publish(*, users: Iterable[int] = (), areas: Iterable[str] = ()) -> None:
    """Signal new notices for `users` and changed casework in `areas` (division codes: the desks of
    every office over them). Part of the caller's transaction: rolled back with it."""
    topics = sorted({user_topic(u) for u in users} | {area_topic(a) for a in areas if a})
    if not topics:
        return
    with transaction.atomic():
        LiveSignal.objects.bulk_create([LiveSignal(topic=t) for t in topics], batch_size=500)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Delivered when the transaction commits, and not at all if it rolls back.
                cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])


def notices_delivered(user_id: int, ids: Iterable[int]) -> int:
    """Note that a page of the user in view showed these notices (the first time only): a text
    message kept back in case no page was open is then not sent (core.sms)."""
    from safetynet.core.models import Notice

    ids = list(ids)
    if not ids:
        return 0
    return Notice.objects.filter(user_id=user_id, pk__in=ids, delivered_at__isnull=True).update(
        delivered_at=timezone.now())


# Long enough for every web process to have read a signal (they read within a second, or after a
# database outage within its length); short enough that the table stays a few pages.
KEEP_SIGNALS = datetime.timedelta(minutes=10)


def live_prune(now: datetime.datetime | None = None) -> str:
    """Remove signals every process has read (a recurring job)."""
    removed, _by_model = LiveSignal.objects.filter(at__lt=(now or timezone.now()) - KEEP_SIGNALS).delete()
    return _("%(count)s old live-update signals removed.") % {"count": removed}
