"""What the live stream and the pages read: a user's notices after a given one."""

from django.db.models import Count, Max, Q
from django.utils import translation

from safetynet.core.models import Notice

BATCH = 200


def live_state(user) -> dict:
    """For the page being drawn: the newest notice it knows (the stream sends what comes after it)
    and how many are unread."""
    figures = Notice.objects.filter(user=user).aggregate(
        last=Max("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))
    return {"after": figures["last"] or 0, "unread": figures["unread"]}


def notices_after(user_id: int, after: int, language: str) -> tuple[list[dict], int]:
    from safetynet.core.hooks import notice_link, notice_words

    shown = list(Notice.objects.filter(user_id=user_id, pk__gt=after).select_related("case")
                 .order_by("pk")[:BATCH])
    if not shown:
        return [], -1
    unread = Notice.objects.filter(user_id=user_id, read_at__isnull=True).count()
    with translation.override(language):
        return [{"id": n.pk, "text": notice_words(n), "link": notice_link(n)} for n in shown], unread


def latest_notice(user_id: int) -> int:
    return Notice.objects.filter(user_id=user_id).aggregate(last=Max("pk"))["last"] or 0
