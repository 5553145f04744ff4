"""What the benchmark scripts share: scale from the environment, the cached demo databases, the
real server in a subprocess, a small HTTP client with a session cookie, percentiles, and the one
`key=value` line each figure prints.

Not a benchmark itself (`make bench` skips files starting with `_`). Only the standard library
here, so that a missing dependency is reported by the script that needs it, clearly.
`python bench/_bench.py machine` prints the machine line `make bench` starts with.
"""

# ruff: noqa: S608  (SQL is built from table and column names of the schema, never from input)

from __future__ import annotations

import atexit
import contextlib
import fcntl
import gc
import hashlib
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(os.environ.get("BENCH_DIR", ROOT / "var" / "bench")).resolve()
SEED = 1
# The day every bench city is built as of (`demo-city --as-of`): with the seed, it fixes the city, so a
# figure measured today and one measured next year are of the same data.
AS_OF = "2023-06-30"
DEMO_PASSWORD = "Demo-2022-linyi"  # noqa: S105 — the demo city's printed password
COUNTY_USER = "lanshan"  # the county bureau of 兰山区 (371302), the city's largest county
COUNTY_CODE = "371302"
HOST = "127.0.0.1"  # load is only ever sent here
DB_FILE = "safetynet.sqlite3"
# What the cached demo database depends on: rebuilt when any of these change.
FINGERPRINT_FILES = [
    "safetynet/*/migrations/*.py",
    "safetynet/registry/demo/*.py",
    "safetynet/core/demo.py",
    "safetynet/registry/bulk.py",
    "safetynet/registry/search.py",
    "safetynet/registry/management/commands/demo_city.py",
    "safetynet/programmes/demo.py",
    "safetynet/programmes/batch.py",
]


# --- settings from the environment ---------------------------------------------------------------

def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip().replace("_", "")
    if not raw:
        return default
    try:
        return int(float(raw))
    except ValueError:
        die(f"{name} must be a number, not {raw!r}")


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        die(f"{name} must be a number, not {raw!r}")


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def households() -> int:
    """BENCH_HOUSEHOLDS: the demo city's size (default 20 000: `make bench` in about a minute)."""
    n = env_int("BENCH_HOUSEHOLDS", 20_000)
    if n < 100:
        die("BENCH_HOUSEHOLDS must be at least 100")
    return n


def die(message: str, code: int = 2):
    print(f"bench: {Path(sys.argv[0]).name}: {message}", file=sys.stderr, flush=True)
    raise SystemExit(code)


def note(message: str) -> None:
    """Progress and detail: to stderr, so stdout keeps only the figure lines."""
    print(f"# {message}", file=sys.stderr, flush=True)


def require(*modules: str) -> None:
    """Exit with a clear message if a module the benchmark needs cannot be imported."""
    import importlib

    missing = []
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as error:
            missing.append(f"{module} ({error})")
    if missing:
        die("cannot import " + ", ".join(missing) + ". Run `make setup` (or wait for the module to exist).")


def line(**figures) -> str:
    """One machine-readable line: key=value, floats rounded sensibly, strings without spaces."""
    figures.setdefault("load1", round(os.getloadavg()[0], 1))  # others' work on the machine skews times
    parts = []
    for key, value in figures.items():
        if value is None:
            value = "na"
        elif isinstance(value, float):
            value = f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
        parts.append(f"{key}={str(value).replace(' ', '_')}")
    text = " ".join(parts)
    print(text, flush=True)
    return text


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ratio(ours: float | None, floor: float | None) -> float | None:
    if not ours or not floor:
        return None
    return ours / floor


def setup_django(data_dir: Path) -> None:
    """Django in this process, on the SQLite database of `data_dir` (for the code the bench reuses:
    search keys, the import)."""
    os.environ.pop("DATABASE_URL", None)
    os.environ["SAFETYNET_DATA_DIR"] = str(data_dir)
    os.environ["SAFETYNET_LOG_LEVEL"] = "ERROR"
    os.environ["DJANGO_SETTINGS_MODULE"] = "safetynet.settings"
    import django

    from safetynet.datadir import prepare

    prepare()
    django.setup()


# --- subprocesses ----------------------------------------------------------------------------------

_children: list[subprocess.Popen] = []


def _die_with_parent() -> None:  # in the child, before exec: SIGTERM if the bench process dies (Linux)
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)  # its own process group, started by us
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def _stop_children() -> None:
    while _children:
        _stop(_children.pop())


def _on_signal(signum, frame):
    _stop_children()
    raise SystemExit(128 + signum)


atexit.register(_stop_children)
for _sig in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(_sig, _on_signal)


def app_env(*, data_dir: Path | None = None, database_url: str | None = None) -> dict[str, str]:
    """The environment for a safetynet subprocess on the given database."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if data_dir is not None:
        env["SAFETYNET_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
        if data_dir is None:  # the secret key and static folder live in a data dir: not the developer's
            env["SAFETYNET_DATA_DIR"] = str(BENCH_DIR / "pg-data")
    env["SAFETYNET_LOG_LEVEL"] = "ERROR"
    env["SAFETYNET_PLAIN_HTTP"] = "1"  # the bench's server is reached over plain HTTP on loopback
    env["PYTHONUNBUFFERED"] = "1"
    return env


def safetynet(args: list[str], *, env: dict[str, str], timeout: float, log: Path) -> float:
    """Run `safetynet ARGS` to completion; its output goes to `log`. Returns the wall seconds."""
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "safetynet.cli", *args]
    started = time.perf_counter()
    with log.open("ab") as out:
        out.write(f"\n$ safetynet {' '.join(args)}\n".encode())
        out.flush()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True,
                                   preexec_fn=_die_with_parent)
        _children.append(process)
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            _stop(process)
            die(f"`safetynet {' '.join(args)}` did not finish in {timeout:.0f} s (log: {log})")
        finally:
            if process in _children:
                _children.remove(process)
    seconds = time.perf_counter() - started
    if code != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        die(f"`safetynet {' '.join(args)}` failed (exit {code}); log {log}:\n  " + "\n  ".join(tail))
    return seconds


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(*, env: dict[str, str], log: Path, start_timeout: float = 60.0) -> Iterator[str]:
    """`safetynet serve` (uvicorn, a process per core, as by default) on a free port of 127.0.0.1; yields its
    base URL; stopped on exit, and with this process if it is killed."""
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_bytes(b"")  # the last run's log only
    for _attempt in range(3):
        port = free_port()
        out = log.open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "safetynet.cli", "serve", "--host", HOST, "--port", str(port), "--quiet"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=_die_with_parent,
        )
        _children.append(process)
        deadline = time.monotonic() + start_timeout
        up = False
        while time.monotonic() < deadline and process.poll() is None:
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=5)
                conn.request("GET", "/healthz")
                up = conn.getresponse().status == 200
                conn.close()
            except OSError:
                up = False
            if up:
                break
            time.sleep(0.2)
        if up:
            break
        _stop(process)
        _children.remove(process)
        out.close()
        if process.returncode not in (None, 0) and "Cannot listen" not in log.read_text(errors="replace"):
            break  # not a port race: do not retry
    else:
        up = False
    if not up:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        die(f"the server did not come up on 127.0.0.1 (log {log}):\n  " + "\n  ".join(tail))
    try:
        yield f"http://{HOST}:{port}"
    finally:
        _stop(process)
        if process in _children:
            _children.remove(process)
        out.close()


# --- HTTP ----------------------------------------------------------------------------------------

class Client:
    """A keep-alive HTTP/1.1 client to 127.0.0.1 with a cookie jar of one site."""

    def __init__(self, base: str, timeout: float = 30.0):
        parsed = urllib.parse.urlsplit(base)
        if parsed.hostname != HOST:
            raise ValueError("benchmarks send traffic only to 127.0.0.1")
        self.host, self.port, self.timeout = parsed.hostname, parsed.port, timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def request(self, method: str, path: str, body: dict | None = None,
                headers: dict | None = None) -> tuple[int, str, dict]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # the server may close an idle keep-alive connection
            conn = self._connection()
            try:
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, ConnectionError, BrokenPipeError):
                conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if cookie_value and 'expires=Thu, 01 Jan 1970' not in value:
                    self.cookies[name.strip()] = cookie_value
                else:
                    self.cookies.pop(name.strip(), None)
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            self.conn = None
        return response.status, content.decode("utf-8", "replace"), dict(response.getheaders())

    def get(self, path: str, headers: dict | None = None) -> tuple[int, str]:
        status, text, _headers = self.request("GET", path, headers=headers)
        return status, text

    def login(self, username: str, password: str) -> None:
        status, page, _ = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            die(f"GET /login/ answered {status} without a CSRF token")
        status, _page, headers = self.request(
            "POST", "/login/", {"csrfmiddlewaretoken": token.group(1), "username": username,
                                "password": password, "next": "/"},
            headers={"Referer": f"http://{self.host}:{self.port}/login/"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            die(f"logging in as {username} failed (HTTP {status}): is the demo city built?")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class AsyncClient:
    """A keep-alive HTTP/1.1 client on asyncio streams, with the cookies of a logged-in `Client`: many
    of them share one thread. A thread of http.client per simulated user took the interpreter lock,
    and a good part of the two cores the server is measured on, from the load generator itself.
    GET only; answers with a Content-Length or chunked, as uvicorn sends them."""

    def __init__(self, base: str, cookies: dict[str, str], timeout: float = 30.0):
        parsed = urllib.parse.urlsplit(base)
        if parsed.hostname != HOST:
            raise ValueError("benchmarks send traffic only to 127.0.0.1")
        self.host, self.port, self.timeout = parsed.hostname, parsed.port, timeout
        self.cookies = dict(cookies)
        self.streams = None

    async def get(self, path: str) -> tuple[int, bytes]:
        import asyncio

        for attempt in (1, 2):  # the server may close an idle keep-alive connection
            try:
                return await asyncio.wait_for(self._get(path), self.timeout)
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _get(self, path: str) -> tuple[int, bytes]:
        import asyncio

        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nCookie: {cookie}\r\n\r\n"
        writer.write(request.encode())
        await writer.drain()
        status_line = await reader.readuntil(b"\r\n")
        if not status_line:
            raise ConnectionResetError("the server closed the connection")
        status = int(status_line.split(None, 2)[1])
        headers: list[tuple[str, str]] = []
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name.strip().lower(), value.strip()))
        fields = dict(headers)
        if fields.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
            await reader.readuntil(b"\r\n")  # the empty line after the last chunk (no trailers sent)
            body = b"".join(parts)
        else:
            body = await reader.readexactly(int(fields.get("content-length", "0")))
        for name, value in headers:
            if name == "set-cookie":
                key, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if cookie_value and "expires=Thu, 01 Jan 1970" not in value:
                    self.cookies[key.strip()] = cookie_value
                else:
                    self.cookies.pop(key.strip(), None)
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, body

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


def timed_loop(items: list, run, *, warmup: int, seconds: float) -> list[tuple[object, float]]:
    """Run `run(item)` for the warm-up items untimed, then for each item, timed, until the list or
    the time budget ends. Returns [(item, milliseconds)]."""
    for item in items[:warmup]:
        run(item)
    timings = []
    deadline = time.monotonic() + seconds
    gc.collect()
    gc.disable()  # the bench's own garbage collection is no part of what is measured
    try:
        for item in items[warmup:]:
            started = time.perf_counter()
            run(item)
            timings.append((item, (time.perf_counter() - started) * 1000))
            if time.monotonic() > deadline:
                break
    finally:
        gc.enable()
    return timings


# --- the demo databases ----------------------------------------------------------------------------

def fingerprint() -> str:
    digest = hashlib.sha256(f"seed={SEED}".encode())
    for pattern in FINGERPRINT_FILES:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def build_lock() -> Iterator[None]:
    """One build at a time (two scripts started together must not build the same database twice)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    with (BENCH_DIR / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sweep_leftovers() -> None:
    """Remove the work folders of bench runs that were killed (their process is gone)."""
    for pattern in ("building-*", "demo-city-*", "import-*"):
        for folder in BENCH_DIR.glob(pattern):
            pid = folder.name.rsplit("-", 1)[-1]
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                shutil.rmtree(folder, ignore_errors=True)
            except PermissionError:
                pass


def cache_dir(n: int) -> Path:
    return BENCH_DIR / f"sqlite-{n}"


def cache_is_current(n: int) -> bool:
    """The cached database of size n exists and was built by the code as it is now (BENCH_REUSE=1:
    any cached database of that size will do, e.g. after a change known not to matter)."""
    meta = cache_dir(n) / "built.json"
    if not meta.exists() or not (cache_dir(n) / DB_FILE).exists():
        return False
    if env_flag("BENCH_REUSE"):
        return True
    try:
        return json.loads(meta.read_text()).get("fingerprint") == fingerprint()
    except ValueError:
        return False


def demo_timeout(n: int) -> float:
    """How long a demo city of n households may take before the bench gives up (generous)."""
    return env_float("BENCH_BUILD_TIMEOUT", max(900.0, n * 0.003))


def build_demo(data_dir: Path, n: int, *, log: Path) -> dict:
    """Migrate and build the demo city into the empty data dir; returns timings and the fingerprint
    of the code that built it (taken before: a change during the build makes the result stale)."""
    code = fingerprint()
    env = app_env(data_dir=data_dir)
    migrate_s = safetynet(["migrate", "--no-input"], env=env, timeout=300, log=log)
    checkpoint(data_dir / DB_FILE)
    shutil.copy2(data_dir / DB_FILE, data_dir / "empty.sqlite3")  # the schema alone, for the floors
    build_s = safetynet(["demo-city", "--households", str(n), "--seed", str(SEED), "--as-of", AS_OF], env=env,
                        timeout=demo_timeout(n), log=log)
    checkpoint(data_dir / DB_FILE)
    return {"migrate_s": migrate_s, "build_s": build_s, "fingerprint": code}


def checkpoint(path: Path) -> None:
    """Fold the WAL into the database file, so its size is the database's size."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def adopt_as_cache(data_dir: Path, n: int, built: dict) -> bool:
    """Make a freshly built data dir the cached database of size n (if there is none current)."""
    with build_lock():
        if cache_is_current(n):
            return False
        target = cache_dir(n)
        (data_dir / "built.json").write_text(json.dumps({"households": n, "seed": SEED, **built}))
        if target.exists():
            shutil.rmtree(target)
        data_dir.rename(target)
        return True


def sqlite_db(n: int) -> Path:
    """The data dir of a demo city of n households (seed 1), built once and reused until the schema or
    the demo code changes (BENCH_REBUILD=1 forces a rebuild)."""
    with build_lock():
        sweep_leftovers()
        if env_flag("BENCH_REBUILD") and cache_dir(n).exists() and not os.environ.get("_BENCH_REBUILT"):
            shutil.rmtree(cache_dir(n))
        os.environ["_BENCH_REBUILT"] = "1"  # once per process
        if cache_is_current(n):
            return cache_dir(n)
        tmp = BENCH_DIR / f"building-{n}-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        note(f"building the demo city of {n} households on SQLite into {cache_dir(n)} (log {tmp}/build.log)")
        built = build_demo(tmp, n, log=tmp / "build.log")
        note(f"built in {built['build_s']:.1f} s")
        (tmp / "built.json").write_text(json.dumps({"households": n, "seed": SEED, **built}))
        if cache_dir(n).exists():
            shutil.rmtree(cache_dir(n))
        tmp.rename(cache_dir(n))
    return cache_dir(n)


def copy_db(source_dir: Path, target_dir: Path) -> Path:
    """A throwaway copy of a data dir's database (and secret key)."""
    if target_dir.exists():
        shutil.rmtree(target_dir)
    target_dir.mkdir(parents=True)
    checkpoint(source_dir / DB_FILE)
    shutil.copy2(source_dir / DB_FILE, target_dir / DB_FILE)
    if (source_dir / "secret_key").exists():
        shutil.copy2(source_dir / "secret_key", target_dir / "secret_key")
    return target_dir


def _tables_in_dependency_order(db: sqlite3.Connection) -> list[str]:
    """The ordinary tables (not full-text indexes, which triggers keep), referenced ones first."""
    listed = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
    virtual = [name for name, sql in listed if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
    tables = [name for name, sql in listed
              if name not in virtual and not any(name.startswith(f"{v}_") for v in virtual)
              and "WITHOUT ROWID" not in (sql or "").upper()]
    needs = {t: {r[2] for r in db.execute(f'PRAGMA foreign_key_list("{t}")')} - {t} for t in tables}
    ordered: list[str] = []
    while needs:
        ready = sorted(t for t, deps in needs.items() if not deps - set(ordered))
        if not ready:  # a cycle between tables (none in this schema): take them as they come
            ready = sorted(needs)
        for t in ready:
            ordered.append(t)
            needs.pop(t)
    return ordered


def _max_rowids(path: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return {t: db.execute(f'SELECT coalesce(max(rowid), 0) FROM "{t}"').fetchone()[0]
                for t in _tables_in_dependency_order(db)}


def new_rows(before: Path, after: Path) -> dict[str, int]:
    """How many rows each table of `after` has beyond those it had in `before` (by rowid)."""
    base = _max_rowids(before)
    with contextlib.closing(sqlite3.connect(after)) as db:
        counts = {t: db.execute(f'SELECT count(*) FROM "{t}" WHERE rowid > ?', (base.get(t, 0),))
                  .fetchone()[0] for t in _tables_in_dependency_order(db)}
    return {t: n for t, n in counts.items() if n}


def open_like_the_app(path: Path) -> sqlite3.Connection:
    """A connection with the app's PRAGMAs (settings.py): WAL, synchronous NORMAL, foreign keys."""
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=20000", "foreign_keys=ON",
                   "cache_size=-65536"):
        db.execute(f"PRAGMA {pragma}")
    return db


def floor_insert(*, before: Path, after: Path, target: Path, chunk: int = 20_000) -> tuple[int, float]:
    """The floor of a write: the rows `after` has beyond `before`, inserted into `target` (a copy of
    `before`) by plain executemany, one transaction per table, tables in foreign-key order, with the
    app's PRAGMAs (foreign keys checked). Returns (rows, seconds) of the inserts alone."""
    base = _max_rowids(before)
    source = sqlite3.connect(after)
    db = open_like_the_app(target)
    rows, seconds = 0, 0.0
    try:
        for table in _tables_in_dependency_order(source):
            columns = [r[1] for r in source.execute(f'PRAGMA table_info("{table}")')]
            names = ", ".join(f'"{c}"' for c in columns)
            insert = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
            cursor = source.execute(f'SELECT {names} FROM "{table}" WHERE rowid > ? ORDER BY rowid',
                                    (base.get(table, 0),))
            while batch := cursor.fetchmany(chunk):  # reading is not timed: the rows exist in memory
                started = time.perf_counter()
                db.execute("BEGIN")
                db.executemany(insert, batch)
                db.execute("COMMIT")
                seconds += time.perf_counter() - started
                rows += len(batch)
    finally:
        source.close()
        db.close()
    return rows, seconds


def db_size_mb(path: Path) -> float:
    total = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    return total / 1e6


def default_pg_url(n: int) -> str:
    return f"postgres://postgres@127.0.0.1:5432/safetynet_bench_{n}"


def pg_url(n: int) -> str | None:
    """BENCH_PG_URL, or the default bench database when BENCH_PG=1; None: no PostgreSQL figure."""
    if url := os.environ.get("BENCH_PG_URL"):
        return url
    if env_flag("BENCH_PG"):
        return default_pg_url(n)
    return None


def pg_connect(url: str, **kwargs):
    import psycopg

    return psycopg.connect(url, connect_timeout=10, **kwargs)


def pg_db(n: int) -> str:
    """The PostgreSQL bench database of n households: created if missing, migrated, built if empty.

    The default database (safetynet_bench_N) is the bench's own: it is dropped and built again when
    the demo code or the schema changed (its fingerprint is the database's comment) or BENCH_REBUILD=1.
    A database given by BENCH_PG_URL is never dropped: it is built only if it has no household."""
    require("psycopg")
    import psycopg

    url = pg_url(n)
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    own = url == default_pg_url(n)
    with build_lock():
        try:
            with pg_connect(admin, autocommit=True) as db:
                row = db.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                                 "WHERE datname = %s", (name,)).fetchone()
                current = row is not None and row[0] == f"fingerprint={fingerprint()}"
                stale = row is not None and not current and not env_flag("BENCH_REUSE")
                if row is not None and own and (stale or env_flag("BENCH_REBUILD")):
                    note(f"dropping the PostgreSQL database {name} (built by other code, or BENCH_REBUILD)")
                    db.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                    row = None
                if row is None:
                    db.execute(f'CREATE DATABASE "{name}"')
                    note(f"created the PostgreSQL database {name}")
        except psycopg.OperationalError as error:
            die(f"cannot use PostgreSQL at {parts.hostname}:{parts.port}: {error}")
        log = BENCH_DIR / f"pg-{n}.log"
        env = app_env(database_url=url)
        safetynet(["migrate", "--no-input"], env=env, timeout=600, log=log)
        with pg_connect(url) as db:
            count = db.execute("SELECT count(*) FROM registry_household").fetchone()[0]
        if count == 0:
            code = fingerprint()
            note(f"building the demo city of {n} households on PostgreSQL ({name}; log {log})")
            seconds = safetynet(["demo-city", "--households", str(n), "--seed", str(SEED), "--as-of", AS_OF],
                                env=env,
                                timeout=demo_timeout(n) * 3, log=log)
            note(f"built in {seconds:.1f} s")
            with pg_connect(url, autocommit=True) as db:
                db.execute("VACUUM ANALYZE")
                if own:
                    db.execute(f"COMMENT ON DATABASE \"{name}\" IS 'fingerprint={code}'")
        elif count != n and own:
            die(f"the PostgreSQL database {name} holds {count} households, not {n}: run with BENCH_REBUILD=1")
    return url


def pg_server_version(url: str) -> str:
    with pg_connect(url) as db:
        return db.execute("SHOW server_version").fetchone()[0].split()[0]


# --- the machine -----------------------------------------------------------------------------------

def _run(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict[str, str]:
    cpu = ""
    with contextlib.suppress(OSError):
        for text_line in Path("/proc/cpuinfo").read_text().splitlines():
            if text_line.startswith("model name"):
                cpu = text_line.split(":", 1)[1].strip()
                break
    mem_gb = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for text_line in Path("/proc/meminfo").read_text().splitlines():
            if text_line.startswith("MemTotal"):
                mem_gb = f"{int(text_line.split()[1]) / 1024 / 1024:.0f}"
    pg = re.search(r"\d+(\.\d+)+", _run(["psql", "--version"]))
    return {"machine": platform.node() or "na", "cpu": re.sub(r"\s+", "_", cpu) or "na",
            "nproc": str(os.cpu_count()), "mem_gb": mem_gb or "na",
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "postgresql_client": pg.group(0) if pg else "na", "households": str(households())}


DOC = ROOT / "docs" / "performance.md"
DOC_BEGIN, DOC_END = "<!-- bench-run:begin -->", "<!-- bench-run:end -->"


def quote_run(output: Path, title: str) -> None:
    """Put a run's output, verbatim, between the markers of docs/performance.md."""
    text = DOC.read_text()
    if DOC_BEGIN not in text or DOC_END not in text:
        die(f"{DOC} has no {DOC_BEGIN} … {DOC_END} block")
    run = output.read_text().rstrip("\n")
    block = f"{DOC_BEGIN}\n{title}\n\n```text\n{run}\n```\n{DOC_END}"
    head, rest = text.split(DOC_BEGIN, 1)
    DOC.write_text(head + block + rest.split(DOC_END, 1)[1])
    print(f"quoted {output} in {DOC}")


if __name__ == "__main__":
    if sys.argv[1:] == ["machine"]:
        line(**machine())
    elif len(sys.argv) >= 3 and sys.argv[1] == "quote":
        # python bench/_bench.py quote var/bench/run.txt "Run of 2026-12-01, BENCH_HOUSEHOLDS=1000000"
        quote_run(Path(sys.argv[2]), " ".join(sys.argv[3:]) or "Latest run:")
    else:
        print(__doc__)
