"""`safetynet scheduler`: run the recurring jobs (core.jobs) when they are due. `safetynet run`
starts it beside the web server and the task worker; run it alone only to debug a job
(`--once`: look once, run what is due, and stop)."""

import signal

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from safetynet.core import jobs


class Command(BaseCommand):
    help = "Run the recurring jobs when they are due (started by `safetynet run`)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is due now, then stop")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between looks (30)")

    def handle(self, *args, once: bool, interval: float, **options):
        if once:
            for run in jobs.run_due_jobs():
                due = f"{run.due_at:%Y-%m-%d %H:%M}"
                self.stdout.write(f"{run.job} {due} {run.get_outcome_display()}: {run.summary}")
            return
        stopping: list[int] = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda signum, frame: stopping.append(signum))
        count = len(jobs.recurring_jobs())
        self.stdout.write(_("The scheduler is running %(count)s recurring jobs.") % {"count": count})
        jobs.schedule_loop(interval=max(interval, 1.0), stop=lambda: bool(stopping))
