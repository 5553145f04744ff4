"""One hub per web process: it learns what changed (LiveSignal rows) and wakes the streams that
care. Runs on the process's event loop; its database work runs on its own two threads, so the
streams of a thousand open pages cost one query per change, not one per page and poll."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import functools
import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import DatabaseError, connection

from safetynet.core.live.publish import CHANNEL

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25  # SQLite: how often each process looks for new signals
PG_POLL_SECONDS = 5.0  # PostgreSQL: NOTIFY wakes the hub; a look this often as well, in case one was missed
RETRY_SECONDS = 1.0
LATE_COMMIT = datetime.timedelta(seconds=5)


class Subscription:
    """One open stream: the user it belongs to and the area of their work desk (if the page is one)."""

    __slots__ = ("user_id", "area", "wake", "desk_changed")

    def __init__(self, user_id: int, area: str | None):
        self.user_id = user_id
        self.area = area
        self.wake = asyncio.Event()
        self.desk_changed = False

    def notice(self, topics: set[str], areas: list[str]) -> None:
        mine = f"u{self.user_id}" in topics
        if self.area is not None and any(code.startswith(self.area) for code in areas):
            self.desk_changed = mine = True
        if mine:
            self.wake.set()


def _in_db_thread(function, *args):
    try:
        return function(*args)
    except DatabaseError:
        # A server restarted or a connection dropped: start afresh on the next call.
        with contextlib.suppress(Exception):
            connection.close()
        raise


def _latest_signal() -> int:
    from safetynet.core.models import LiveSignal

    return LiveSignal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _signals_after(last: int) -> list[tuple[int, str]]:
    """Signals after `last`, and those of the last few seconds: on PostgreSQL a transaction that
    took its number earlier may commit after one that took a later number."""
    from django.db.models import Q
    from django.utils import timezone

    from safetynet.core.models import LiveSignal

    recent = timezone.now() - LATE_COMMIT
    return list(LiveSignal.objects.filter(Q(pk__gt=last) | Q(at__gte=recent)).order_by("pk")
                .values_list("pk", "topic", "at")[:20_000])


class Hub:
    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.subscriptions: set[Subscription] = set()
        self.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="live-db")
        self.closing = asyncio.Event()
        self.last_seen: int | None = None
        self.seen: dict[int, datetime.datetime] = {}  # the last few seconds' signals, read already
        self.task = self.loop.create_task(self._watch())
        self._end_streams_on_stop()

    def _end_streams_on_stop(self) -> None:
        """A server asked to stop waits for open responses to finish, and a stream never does: end
        the streams as soon as the stop signal arrives (the browsers reconnect to a server that
        is up), then let the server's own handler do its work."""
        if threading.current_thread() is not threading.main_thread():
            return  # a server run on a thread (tests) ends the streams with hub_close itself
        for number in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(number)
            if not callable(previous):
                continue

            def handler(signum, frame, previous=previous):
                self.loop.call_soon_threadsafe(self.close)
                previous(signum, frame)

            signal.signal(number, handler)

    async def db(self, function, *args):
        """Run a database function on the hub's own threads."""
        call = functools.partial(_in_db_thread, function, *args)
        return await self.loop.run_in_executor(self.executor, call)

    def subscribe(self, user_id: int, area: str | None) -> Subscription:
        subscription = Subscription(user_id, area)
        self.subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self.subscriptions.discard(subscription)

    def close(self) -> None:
        self.closing.set()
        for subscription in self.subscriptions:
            subscription.wake.set()

    async def _watch(self) -> None:
        listener = None
        while not self.closing.is_set():
            try:
                if self.last_seen is None:
                    self.last_seen = await self.db(_latest_signal)
                if connection.vendor == "postgresql":
                    listener = listener or await _listen()
                    await _notified(listener, self.closing)
                else:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.closing.wait(), POLL_SECONDS)
                rows = await self.db(_signals_after, self.last_seen)
            except asyncio.CancelledError:
                break
            except Exception:  # noqa: BLE001 — the database is away: keep trying, streams stay open
                log.warning("live: cannot read signals; trying again", exc_info=True)
                if listener is not None:
                    with contextlib.suppress(Exception):
                        await listener.close()
                listener = None
                await asyncio.sleep(RETRY_SECONDS)
                continue
            fresh = [(pk, topic) for pk, topic, _at in rows if pk not in self.seen]
            if rows:
                self.last_seen = max(self.last_seen, rows[-1][0])
                horizon = max(at for _pk, _topic, at in rows) - LATE_COMMIT
                self.seen = {pk: at for pk, at in self.seen.items() if at >= horizon}
                self.seen.update((pk, at) for pk, _topic, at in rows)
            if fresh:
                topics = {topic for _, topic in fresh}
                areas = [topic[1:] for topic in topics if topic.startswith("d")]
                for subscription in list(self.subscriptions):
                    subscription.notice(topics, areas)
        if listener is not None:
            with contextlib.suppress(Exception):
                await listener.close()
        self.executor.shutdown(wait=False)


async def _listen():
    import psycopg

    settings_dict = connection.settings_dict
    options = {k: v for k, v in settings_dict.get("OPTIONS", {}).items()
               if isinstance(v, str | int) and k not in {"pool", "server_side_binding", "isolation_level"}}
    params = {"dbname": settings_dict["NAME"], "user": settings_dict.get("USER") or None,
              "password": settings_dict.get("PASSWORD") or None, "host": settings_dict.get("HOST") or None,
              "port": settings_dict.get("PORT") or None, **options}
    listener = await psycopg.AsyncConnection.connect(
        autocommit=True, **{k: v for k, v in params.items() if v is not None})
    await listener.execute(f"LISTEN {CHANNEL}")
    return listener


async def _notified(listener, closing: asyncio.Event) -> None:
    """Until a NOTIFY arrives (then whatever else came with it), or PG_POLL_SECONDS pass."""
    waiting = asyncio.ensure_future(_first_notify(listener))
    stopping = asyncio.ensure_future(closing.wait())
    try:
        await asyncio.wait({waiting, stopping}, timeout=PG_POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for future in (waiting, stopping):
            if not future.done():
                future.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await future
        if waiting.done() and not waiting.cancelled() and waiting.exception() is not None:
            raise waiting.exception()


async def _first_notify(listener) -> None:
    async for _ in listener.notifies(stop_after=1):
        break


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


def hub() -> Hub:
    """This process's hub (one per event loop), started on first use."""
    loop = asyncio.get_running_loop()
    current = _hubs.get(loop)
    if current is None or current.closing.is_set():
        for old_loop in [known for known in _hubs if known.is_closed()]:
            del _hubs[old_loop]
        current = _hubs[loop] = Hub()
    return current


def hub_close() -> None:
    """End every stream of this process (server shutdown): the browsers reconnect elsewhere."""
    with contextlib.suppress(RuntimeError):
        current = _hubs.get(asyncio.get_running_loop())
        if current is not None:
            current.close()
