"""`/live/`: the server-sent event stream of a logged-in user's open page."""

import asyncio
import contextlib
import json
import time

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from safetynet.core.live.hub import hub
from safetynet.core.live.publish import notices_delivered
from safetynet.core.live.selectors import BATCH, RECENT, known_notices, latest_notice, notices_after

KEEPALIVE_SECONDS = 20  # a comment line this often keeps proxies and phones from closing an idle stream
STREAM_SECONDS = 600  # then the browser reconnects, and so logs in again: a logout reaches open pages
RECONNECT_MS = 2000


def _event(kind: str, data: dict, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _position(request) -> int | None | bool:
    """The last notice the page has: the larger of the browser's Last-Event-ID (a reconnect) and
    the page's own `after`; None if neither is given; False if one is not a notice number."""
    given = [request.headers.get("Last-Event-ID", ""), request.GET.get("after", "")]
    numbers = []
    for value in given:
        if value == "":
            continue
        if not value.isascii() or not value.isdigit() or len(value) > 18:
            return False
        numbers.append(int(value))
    return max(numbers) if numbers else None


async def _events(user_id: int, area: str | None, after: int, language: str):
    current = hub()
    subscription = current.subscribe(user_id, area)
    ends_at = time.monotonic() + STREAM_SECONDS
    try:
        yield f"retry: {RECONNECT_MS}\n\n"
        known = await current.db(known_notices, user_id, after)
        while not current.closing.is_set() and time.monotonic() < ends_at:
            subscription.wake.clear()  # before reading: a change during the read wakes the next round
            while True:
                notices, unread = await current.db(notices_after, user_id, after, language, known)
                for notice in notices:
                    known.add(notice["id"])
                    after = max(after, notice["id"])
                    # The event's id is the stream's position (the highest sent), also for a notice
                    # committed late: a reconnect goes on from there.
                    yield _event("notice", {**notice, "unread": unread}, after)
                if len(known) > 4 * RECENT:
                    known = set(sorted(known)[-2 * RECENT:])
                if len(notices) < BATCH:
                    break
            if subscription.desk_changed:
                subscription.desk_changed = False
                yield _event("desk", {})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(subscription.wake.wait(), KEEPALIVE_SECONDS)
                continue
            yield ": still here\n\n"
    finally:
        current.unsubscribe(subscription)


@require_GET
async def live_stream(request):
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse(_("Log in to receive notices."), status=401,
                            content_type="text/plain; charset=utf-8")
    after = _position(request)
    if after is False:
        return HttpResponseBadRequest(_("The last notice must be given as a number."),
                                      content_type="text/plain; charset=utf-8")
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language()
    area = user.division_id if request.GET.get("desk") == "1" else None
    if after is None:
        after = await sync_to_async(latest_notice)(user.pk)
    if not isinstance(request, ASGIRequest):
        # Under a WSGI server a stream would hold a thread: send what is new and let the browser
        # come back after the retry interval (polling, in effect).
        notices, unread = await sync_to_async(notices_after)(user.pk, after, language)
        body = f"retry: {RECONNECT_MS}\n\n" + "".join(
            _event("notice", {**n, "unread": unread}, n["id"]) for n in notices)
        return HttpResponse(body, content_type="text/event-stream; charset=utf-8")
    response = StreamingHttpResponse(_events(user.pk, area, after, language),
                                     content_type="text/event-stream; charset=utf-8")
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


SEEN_AT_ONCE = 50


@require_POST
def live_seen(request):
    """A page in view showed these notices to its user (the page tells, not the stream: a stream also
    runs in a hidden tab or a locked phone). A text message kept back for them is then not sent."""
    if not request.user.is_authenticated:
        return HttpResponse(_("Log in to receive notices."), status=401,
                            content_type="text/plain; charset=utf-8")
    ids = request.POST.get("ids", "").split(",")
    if not 0 < len(ids) <= SEEN_AT_ONCE or not all(i.isascii() and i.isdigit() and len(i) <= 18 for i in ids):
        return HttpResponseBadRequest(_("The notices must be given as numbers."),
                                      content_type="text/plain; charset=utf-8")
    notices_delivered(request.user.pk, [int(i) for i in ids])
    return HttpResponse(status=204)
