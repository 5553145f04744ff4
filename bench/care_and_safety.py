"""The figures of 特困 care and institution safety over the whole city (issues 13 and 14), on a copy
of the cached demo city: each is one set of grouped queries, read as the city bureau reads its pages.

- care_kpis_city_s: support modes and agreement coverage by county and township (care.selectors.kpis);
- service_coverage_city_s: third-party service coverage over this month (care.purchase.selectors);
- care_visits_city_s: visits against due and problems found and solved this month (care.visits);
- care_payees_city_s: where each 特困 person's support goes, for payments (care.selectors.care_payees);
- safety_statistics_city_s: institutions inspected, hazards by grade, category and county, coverage.

Each is run BENCH_REPEAT times (3) after one warm-up; the line gives the median.
Environment: BENCH_HOUSEHOLDS (20000), BENCH_REPEAT (3).
"""

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench as b  # noqa: E402


def _median_s(run, repeat: int) -> float:
    run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 3)


def main() -> None:
    b.require("django")
    n = b.households()
    repeat = b.env_int("BENCH_REPEAT", 3)
    work = Path(tempfile.mkdtemp(prefix="bench-care-"))
    try:
        b.setup_django(b.copy_db(b.sqlite_db(n), work / "data"))
        from django.utils import timezone

        from safetynet.care import selectors
        from safetynet.care.purchase.selectors import service_coverage
        from safetynet.care.visits.selectors import visit_figures
        from safetynet.core.models import User
        from safetynet.institutions.inspections.selectors import statistics as safety_statistics

        city = User.objects.filter(role="city_bureau").order_by("pk").first()
        today = timezone.localdate()
        persons = selectors.tekun_persons(on=today).count()
        dispersed = selectors.dispersed_persons(on=today).count()
        b.line(care_kpis_city_s=_median_s(lambda: selectors.kpis(actor=city, on=today), repeat),
               tekun_persons=persons, households=n)
        b.line(service_coverage_city_s=_median_s(lambda: service_coverage(area=city.division_id), repeat),
               dispersed=dispersed, households=n)
        b.line(care_visits_city_s=_median_s(
            lambda: visit_figures(actor=city, start=today.replace(day=1), end=today), repeat), households=n)
        b.line(care_payees_city_s=_median_s(lambda: list(selectors.care_payees(on=today)), repeat),
               rows=persons, households=n)
        b.line(safety_statistics_city_s=_median_s(lambda: safety_statistics(actor=city), repeat),
               households=n)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
