"""Settings for one long batch job in this process (an import of a hundred thousand rows, the demo
city): what suits a web request costs a batch job most of its time. Each is set back afterwards,
since the process (a task worker) goes on to other work."""

import contextlib
import gc
from collections.abc import Iterator

from django.db import connection

IMPORT_CACHE_MB = 1024


@contextlib.contextmanager
def large_page_cache(cache_mb: int = IMPORT_CACHE_MB) -> Iterator[None]:
    """On SQLite, a page cache of up to `cache_mb` (taken only as pages are read) for this
    connection while the job writes.

    People are indexed by ID number, name, pinyin, phone …: keys that land all over their indexes.
    The connection's usual 64 MB (settings.py) holds a small part of them at a million households,
    and every new row would read pages back from the operating system and write them out again.
    PostgreSQL keeps its cache in the server: nothing to do there.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{int(cache_mb) * 1024}")
    try:
        yield
    finally:
        if connection.connection is not None:  # a job that closed its connection gets a new one
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(before)}")


@contextlib.contextmanager
def quiet_collector() -> Iterator[None]:
    """Keep Python's cycle collector off the job's hot path.

    A job allocates millions of short-lived objects; the collector's full passes over everything
    alive (Django's own start-up state, a file's rows) would cost a quarter of the time. What
    exists now is frozen out of its reach (`freeze_what_is_alive` adds what the job holds for
    good, say the rows it has read); what the job drops is plain reference-counted garbage, freed
    at once. One collection at the end clears the few cycles left.
    """
    enabled = gc.isenabled()
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
        gc.collect()


def freeze_what_is_alive() -> None:
    gc.freeze()


@contextlib.contextmanager
def batch_work(cache_mb: int = IMPORT_CACHE_MB) -> Iterator[None]:
    with quiet_collector(), large_page_cache(cache_mb):
        yield
