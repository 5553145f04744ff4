"""The casework kernel at a county's scale: the overdue sweep over many open cases, and the work desk
of a township office and of a county bureau among them.

Cases are inserted directly (bulk) into a fresh SQLite database, spread over the townships of
兰山区, a fraction of them past their deadline; then, in this process:
- sweep_s: one run of the overdue sweep (marks the late cases overdue, escalates each to the
  county with a notice to the county bureau's logins);
- desk_ms: the p50 and p95 of building the desk (counts and the first rows) for a township office and
  for the county bureau, after the sweep.

Environment: BENCH_CASES (default 50000), BENCH_LATE_SHARE (0.2), BENCH_REPEATS (30).
"""

import datetime
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench as b  # noqa: E402

COUNTY = "371302"


def main() -> None:
    cases = b.env_int("BENCH_CASES", 50_000)
    late_share = b.env_float("BENCH_LATE_SHARE", 0.2)
    repeats = b.env_int("BENCH_REPEATS", 30)
    data_dir = Path(tempfile.mkdtemp(prefix="bench-casework-"))
    try:
        b.setup_django(data_dir)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from django.utils import timezone

        import safetynet.registry.visits.workflow  # noqa: F401  (the problem workflow is registered by the app)
        from safetynet.core.models import Case, Division, Role, User
        from safetynet.core.workflows.selectors import desk
        from safetynet.core.workflows.services import cases_sweep
        from safetynet.core.workflows.table import workflow

        flow = workflow("registry.problem")
        townships = list(Division.objects.filter(code__startswith=COUNTY, level="township")
                         .values_list("code", flat=True))
        # Accounts without a password (nobody logs in: the desk is built in this process).
        township_user = User.objects.create(username="bench-township", role=Role.TOWNSHIP_OFFICE,
                                            division_id=townships[0])
        county_users = [User.objects.create(username=f"bench-county-{n}", role=Role.COUNTY_BUREAU,
                                            division_id=COUNTY) for n in range(2)]
        rng = random.Random(b.SEED)
        now = timezone.now()
        rows = []
        for n in range(cases):
            late = rng.random() < late_share
            due = now + datetime.timedelta(hours=rng.randrange(-240, -1) if late else rng.randrange(1,
                                                                                                    24 * 20))
            opened = due - datetime.timedelta(days=7)
            rows.append(Case(workflow=flow.code, state="open", division_id=rng.choice(townships),
                             title=f"问题 {n}", subject_kind="bench.problem", subject_id=n, opened_at=opened,
                             entered={"open": opened.isoformat()}, due_at=due))
        started = time.perf_counter()
        Case.objects.bulk_create(rows, batch_size=2000)
        elapsed = time.perf_counter() - started
        b.note(f"{cases} cases inserted in {elapsed:.1f} s over {len(townships)} townships")

        started = time.perf_counter()
        said = cases_sweep(now)
        sweep_s = time.perf_counter() - started
        b.note(said)
        again = time.perf_counter()
        cases_sweep(now + datetime.timedelta(minutes=15))
        resweep_s = time.perf_counter() - again
        b.line(figure="overdue_sweep", cases=cases, late_share=late_share, sweep_s=sweep_s,
               next_sweep_s=resweep_s, escalated=Case.objects.filter(escalated_to="county").count())

        for name, actor in (("township", township_user), ("county", county_users[0])):
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                shown = desk(actor=actor, now=now)
                times.append((time.perf_counter() - started) * 1000)
            b.line(figure="work_desk", actor=name, cases=cases, rows=len(shown.overdue) + len(shown.today)
                   + len(shown.coming), overdue=shown.counts["overdue"], p50_ms=b.percentile(times, 50),
                   p95_ms=b.percentile(times, 95))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
