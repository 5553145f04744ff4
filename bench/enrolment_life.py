# ruff: noqa: S608  (the statement is the service's own, counted; never made from input)
"""The life of the enrolments over the whole city (issue 12), on a copy of the cached demo city:

- a new urban 低保 standard for the whole city: the batch that adjusts every enrolment it changes
  from its month (the rules twice in the engine, the enrolments ended and continued in bulk, one
  decision with its notice each) — end to end, and how many it adjusted;
- the periodic reviews due: the one statement that finds them over the city, and the daily job
  opening the capped first run (each review with its case), per review.

Environment: BENCH_HOUSEHOLDS (20000).
"""

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench as b  # noqa: E402


def main() -> None:
    b.require("django", "duckdb", "pyarrow", "adbc_driver_sqlite")
    n = b.households()
    work = Path(tempfile.mkdtemp(prefix="bench-life-"))
    try:
        b.setup_django(b.copy_db(b.sqlite_db(n), work / "data"))
        from django.db import connection
        from django.utils import timezone

        from safetynet.core.models import User
        from safetynet.programmes.life import services
        from safetynet.programmes.models import Enrolment, Standard
        from safetynet.programmes.selectors import first_of_next_month, standard_at

        city = User.objects.filter(role="city_bureau").order_by("pk")
        maker, checker = city[0], city[1]
        effective = first_of_next_month(timezone.localdate())
        old = standard_at(kind="dibao", county="371302", urban_rural="urban", on=effective)
        standard = Standard.objects.create(kind="dibao", division_id="3713", urban_rural="urban",
                                           valid_from=effective, value=old.value + 50, status="approved",
                                           proposed_by=maker, decided_by=checker, decided_at=timezone.now())
        receiving = Enrolment.objects.filter(until__isnull=True, programme__in=["dibao", "tekun"]).count()
        started = time.perf_counter()
        run = services.standard_adjust(actor=maker, standard_id=standard.pk)
        b.line(standard_adjust_city_s=round(time.perf_counter() - started, 2), adjusted=run.adjusted,
               left_for_review=run.left_for_review, receiving=receiving, households=n)

        sql, params = services.reviews_due_sql(timezone.localdate())
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("SELECT e.id", "SELECT COUNT(*) FROM (SELECT e.id", 1) + ") due",
                           params[:-1] + [10**9])
            due = cursor.fetchone()[0]
        b.line(reviews_due_query_s=round(time.perf_counter() - started, 2), due=due, households=n)
        started = time.perf_counter()
        services.reviews_schedule()
        elapsed = time.perf_counter() - started
        opened = min(due, services.REVIEWS_PER_RUN)
        b.line(reviews_opened=opened, reviews_schedule_s=round(elapsed, 2),
               ms_per_review=round(1000 * elapsed / max(opened, 1), 2), households=n)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
