"""Settings for one long batch job in this process (an import of a hundred thousand rows, the demo
city): what suits a web request costs a batch job most of its time.

- SQLite's page cache: the connection's 64 MB (settings.py) holds a small part of the indexes of a
  million households, and every insert into them reads pages back from the operating system. The
  job's connection gets `cache_mb` while it runs (memory is taken only as pages are read) and its
  own size back afterwards. PostgreSQL keeps its cache in the server: nothing to do there.
- Python's cyclic garbage collector: a job holding a million small objects (rows, cells, records)
  lets the collector walk all of them again and again. Objects alive when the job starts are frozen
  out of its walks, and collections run far less often; everything is put back afterwards.
"""

import contextlib
import gc
from collections.abc import Iterator

from django.db import connection

BATCH_CACHE_MB = 1024
# First-generation threshold while a job runs (Python's default is 2 000 in 3.13, 700 before).
BATCH_GC_THRESHOLD = 200_000


@contextlib.contextmanager
def batch_work(*, cache_mb: int = BATCH_CACHE_MB) -> Iterator[None]:
    thresholds = gc.get_threshold()
    previous_cache = None
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            previous_cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
            cursor.execute(f"PRAGMA cache_size=-{int(cache_mb) * 1024}")
    gc.freeze()
    gc.set_threshold(BATCH_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        if previous_cache is not None and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size={int(previous_cache)}")


def freeze_what_is_alive() -> None:
    """Leave what the job holds now (say, a file's rows once read) out of later collections; the
    job's `batch_work` puts it back at its end."""
    gc.freeze()
