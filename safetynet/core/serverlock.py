"""Who is using the data folder: `safetynet run`, `serve` and `worker` hold a shared lock on
DATA_DIR/safetynet.lock for as long as they run; `restore` needs it exclusively, so it refuses to
replace the database and the documents under a running server, and a server cannot start in the
middle of a restore.

flock(2) locks belong to the open file and vanish with the process, so a server killed with
kill -9 or a power cut leaves no stale lock behind (unlike a pid file).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

LOCK_NAME = "safetynet.lock"


class Busy(Exception):
    """The lock is held the other way: a server is running, or a restore is."""


def lock_path() -> Path:
    return Path(settings.DATA_DIR) / LOCK_NAME


@contextlib.contextmanager
def _locked(mode: int) -> Iterator[None]:
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(str(path)) from None
        yield
    finally:
        os.close(descriptor)  # releases the lock


def server_running() -> contextlib.AbstractContextManager[None]:
    """Held by each server process (web server, task worker, `run` itself); raises Busy during a restore."""
    return _locked(fcntl.LOCK_SH)


def nothing_running() -> contextlib.AbstractContextManager[None]:
    """Held by restore; raises Busy while any server process of this data folder runs."""
    return _locked(fcntl.LOCK_EX)
