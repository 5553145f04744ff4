"""What the live stream and the pages read: a user's notices after a given one."""

from django.db.models import Count, Max, Q
from django.utils import translation

from safetynet.core.models import Notice

BATCH = 200
# On PostgreSQL a notice can become visible after one with a higher number (two transactions, the
# later-numbered committing first). A stream therefore also looks at the user's newest notices for
# any it has not sent, rather than trusting "everything after the last one sent".
RECENT = 30


def live_state(user) -> dict:
    """For the page being drawn: the newest notice it knows (the stream sends what comes after it)
    and how many are unread."""
    figures = Notice.objects.filter(user=user).aggregate(
        last=Max("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))
    return {"after": figures["last"] or 0, "unread": figures["unread"]}


def notices_after(user_id: int, after: int, language: str,
                  known: set[int] | None = None) -> tuple[list[dict], int]:
    """The user's notices after `after` that are not in `known`, oldest first — with `known` (the
    numbers the page has among the newest), also those numbered below `after` that were committed
    late — and the unread count; ([], -1) if there are none. One query however many are known."""
    from safetynet.core.hooks import notice_link, notice_words

    low = min([after, *known]) if known else after
    found = Notice.objects.filter(user_id=user_id, pk__gt=low)
    if known:
        found = found.exclude(pk__in=known)
    shown = list(found.select_related("case").order_by("pk")[:BATCH])
    if not shown:
        return [], -1
    unread = Notice.objects.filter(user_id=user_id, read_at__isnull=True).count()
    with translation.override(language):
        return [{"id": n.pk, "text": notice_words(n), "link": notice_link(n)} for n in shown], unread


def known_notices(user_id: int, upto: int) -> set[int]:
    """The user's newest notices numbered at or below `upto`, which a page that has `upto` already
    has: a stream starts from them (see notices_after)."""
    return set(Notice.objects.filter(user_id=user_id, pk__lte=upto).order_by("-pk")
               .values_list("pk", flat=True)[:RECENT])


def latest_notice(user_id: int) -> int:
    return Notice.objects.filter(user_id=user_id).aggregate(last=Max("pk"))["last"] or 0
