"""Field and live at a county's scale, on the real server (`safetynet serve`, uvicorn, a process per
core) over SQLite:

1. `notice_p95_ms`: 200 pages hold the live stream open (`/live/`, logged in as the 兰山区 county
   bureau); the bench creates a notice for that user (through the same service the sweep uses) every
   half second and times, per page, from just before the commit to the event's arrival.
   `page_p95_ms`: household pages opened one after another while the 200 streams stay open.
2. `staff_rps`: 50 logged-in staff at once, each searching the household list and opening a
   household in turn, no pause, for BENCH_STAFF_SECONDS (60): requests per second, p95 and errors.
   Target (issue 9): 0 errors, p95 under 1 s, at least 60 requests per second on 2 cores (the load
   generator runs on the same cores: each user is a keep-alive connection on one event loop).

Environment: BENCH_HOUSEHOLDS (20000), BENCH_STREAMS (200), BENCH_NOTICES (20), BENCH_STAFF (50),
BENCH_STAFF_SECONDS (60).
"""

import asyncio
import random
import sqlite3
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench as b  # noqa: E402


async def _stream(port: int, cookie: str, arrivals: dict, ready: asyncio.Event, counter: list):
    reader, writer = await asyncio.open_connection(b.HOST, port)
    writer.write(f"GET /live/ HTTP/1.1\r\nHost: {b.HOST}\r\nCookie: {cookie}\r\n"
                 "Accept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    status = await reader.readline()
    if b" 200 " not in status:
        b.die(f"/live/ answered {status!r}")
    counter[0] += 1
    if counter[0] == counter[1]:
        ready.set()
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            if line.startswith(b"id: "):
                arrivals.setdefault(int(line[4:]), []).append(time.perf_counter())
    finally:
        writer.close()


def notices_and_pages(base: str, data_dir: Path, streams: int, notices: int, households: list[int]) -> dict:
    from django.utils import timezone

    from safetynet.core.models import Notice, User
    from safetynet.core.workflows.services import notices_send

    client = b.Client(base)
    client.login(b.COUNTY_USER, b.DEMO_PASSWORD)
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    county = User.objects.get(username=b.COUNTY_USER)
    port = int(base.rsplit(":", 1)[1])
    arrivals: dict[int, list[float]] = {}
    sent: dict[int, float] = {}
    loop = asyncio.new_event_loop()
    ready = asyncio.Event()
    counter = [0, streams]

    def run_loop():
        asyncio.set_event_loop(loop)
        for _ in range(streams):
            loop.create_task(_stream(port, cookie, arrivals, ready, counter))
        loop.run_forever()

    threading.Thread(target=run_loop, daemon=True).start()
    deadline = time.monotonic() + 60
    while counter[0] < streams and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)
    page_ms = []
    for _ in range(notices):
        started = time.perf_counter()
        created = notices_send([Notice(user=county, at=timezone.now(), kind="case_opened",
                                       params={"title": "基准测试"})])
        sent[created[0].pk] = started
        for pk in random.sample(households, 3):
            t0 = time.perf_counter()
            status, _ = client.get(f"/registry/households/{pk}/")
            page_ms.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                b.die(f"household page answered {status}")
        time.sleep(0.5)
    time.sleep(2.0)
    async def close_streams():
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        loop.stop()

    asyncio.run_coroutine_threadsafe(close_streams(), loop)
    delays = [(at - sent[pk]) * 1000 for pk, times in arrivals.items() if pk in sent for at in times]
    expected = len(sent) * streams
    return {"notice_p95_ms": b.percentile(delays, 95), "notice_p50_ms": b.percentile(delays, 50),
            "delivered_pct": round(100 * len(delays) / expected, 1), "streams": counter[0],
            "page_p95_ms": b.percentile(page_ms, 95), "pages": len(page_ms)}


def staff_load(base: str, staff: int, seconds: float, households: list[int], names: list[str]) -> dict:
    """The staff, each a keep-alive connection of its own, all on one event loop of this process (a
    thread per user took the cores the server is measured on)."""
    clients = []
    for _ in range(staff):
        client = b.Client(base)
        client.login(b.COUNTY_USER, b.DEMO_PASSWORD)
        clients.append(b.AsyncClient(base, client.cookies))
        client.close()
    timings: list[float] = []
    errors = [0]

    async def work(client: b.AsyncClient, rng: random.Random, stop_at: float):
        while time.monotonic() < stop_at:
            path = (f"/registry/?q={urllib.parse.quote(rng.choice(names))}" if rng.random() < 0.5
                    else f"/registry/households/{rng.choice(households)}/")
            t0 = time.perf_counter()
            try:
                status, _ = await client.get(path)
            except (OSError, asyncio.IncompleteReadError, ValueError):  # TimeoutError is an OSError
                status = 0
            timings.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                errors[0] += 1
        client.close()

    async def everyone():
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(work(c, random.Random(i), stop_at) for i, c in enumerate(clients)))

    started = time.monotonic()
    asyncio.run(everyone())
    elapsed = time.monotonic() - started
    p95 = b.percentile(timings, 95)
    rps = len(timings) / elapsed
    return {"staff_rps": round(rps, 1), "staff_p95_ms": p95, "staff_p50_ms": b.percentile(timings, 50),
            "errors": errors[0], "requests": len(timings), "staff": staff,
            "meets_target": "yes" if errors[0] == 0 and p95 < 1000 and rps >= 60 else "no"}


def main() -> None:
    b.require("django")
    n = b.households()
    data_dir = b.sqlite_db(n)
    with sqlite3.connect(data_dir / b.DB_FILE) as db:
        households = [r[0] for r in db.execute(
            "SELECT h.id FROM registry_household h WHERE h.village_id LIKE '371302%' LIMIT 5000")]
        names = [r[0] for r in db.execute(
            "SELECT p.name FROM registry_person p JOIN registry_household h ON h.head_id = p.id "
            "WHERE h.village_id LIKE '371302%' LIMIT 2000")]
    if not households:
        b.die("no household in the county 371302: is the demo city built?")
    b.setup_django(data_dir)
    with b.server(env=b.app_env(data_dir=data_dir), log=b.BENCH_DIR / "live-server.log") as base:
        live = notices_and_pages(base, data_dir, b.env_int("BENCH_STREAMS", 200),
                                 b.env_int("BENCH_NOTICES", 20), households)
        b.line(notice_p95_ms=live["notice_p95_ms"], target="<1000", notice_p50_ms=live["notice_p50_ms"],
               delivered_pct=live["delivered_pct"], streams=live["streams"], page_p95_ms=live["page_p95_ms"],
               pages=live["pages"], households=n)
        load = staff_load(base, b.env_int("BENCH_STAFF", 50), b.env_float("BENCH_STAFF_SECONDS", 60),
                          households, names)
        b.line(**load, target="rps>=60 p95<1000 errors=0", households=n)


if __name__ == "__main__":
    main()
