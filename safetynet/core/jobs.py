"""Recurring jobs (issue 8, item 4): work the system does by the clock — the nightly sweep of overdue
work, monthly payroll drafts, month-end snapshots, the purge of expired sessions — run by
`safetynet run` itself (its scheduler process), with no cron and no other service.

An app registers a job in its AppConfig.ready():

    jobs.register_recurring_job(name="registry.overdue_visits", label=_("Overdue visits"),
                                schedule=jobs.Daily(datetime.time(1, 30)), run=services.visits_sweep)

`run(due_at)` does the work and returns a line saying what it did. Each due time runs once,
however many scheduler processes there are (several servers on one PostgreSQL): the first to
insert the run's row (unique per job and due time) runs it, the others see the row and pass. A
scheduler that was down runs only the latest due time it missed, not every one. Each run's start,
end, outcome and what it said are kept (RecurringJobRun) and shown on the operator's system page.
"""

import datetime
import logging
import os
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from safetynet.core.models import RecurringJobRun

logger = logging.getLogger(__name__)

SUMMARY_LENGTH = 2000


@dataclass(frozen=True)
class Daily:
    """Every day at `at`, local time (settings.TIME_ZONE)."""

    at: datetime.time

    def latest_due(self, now: datetime.datetime) -> datetime.datetime:
        local = timezone.localtime(now)
        due = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        if due > local:
            due -= datetime.timedelta(days=1)
        return due

    def describe(self) -> str:
        from django.utils.translation import gettext as _

        return _("every day at %(time)s") % {"time": self.at.strftime("%H:%M")}


@dataclass(frozen=True)
class Every:
    """Every `minutes` minutes, on the clock (every 15 minutes: :00, :15, :30, :45, local time)."""

    minutes: int

    def __post_init__(self):
        if not 1 <= self.minutes <= 24 * 60 or (24 * 60) % self.minutes:
            raise ValueError("minutes must divide a day")

    def latest_due(self, now: datetime.datetime) -> datetime.datetime:
        local = timezone.localtime(now).replace(second=0, microsecond=0)
        since_midnight = local.hour * 60 + local.minute
        return local - datetime.timedelta(minutes=since_midnight % self.minutes)

    def describe(self) -> str:
        from django.utils.translation import gettext as _

        return _("every %(minutes)s minutes") % {"minutes": self.minutes}


@dataclass(frozen=True)
class RecurringJob:
    name: str
    label: object
    schedule: Daily | Every
    run: Callable[[datetime.datetime], str]


_JOBS: dict[str, RecurringJob] = {}


def register_recurring_job(*, name: str, label, schedule: Daily | Every,
                           run: Callable[[datetime.datetime], str]) -> RecurringJob:
    if len(name) > RecurringJobRun._meta.get_field("job").max_length:
        raise ValueError(f"job name too long: {name}")
    job = RecurringJob(name, label, schedule, run)
    _JOBS[name] = job
    return job


def recurring_jobs() -> list[RecurringJob]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


def run_due_jobs(now: datetime.datetime | None = None, *, worker: str | None = None) -> list[RecurringJobRun]:
    """Run each job whose latest due time has not been claimed yet; the runs this call made."""
    now = now or timezone.now()
    worker = worker or f"{socket.gethostname()}:{os.getpid()}"
    made = []
    for job in recurring_jobs():
        due = job.schedule.latest_due(now)
        try:
            if RecurringJobRun.objects.filter(job=job.name, due_at=due).exists():
                continue
            run = _claim(job, due, worker)
        except OperationalError as error:  # the database busy with another writer: the next turn
            logger.warning("recurring job %s not claimed this turn: %s", job.name, error)
            continue
        if run is not None:
            made.append(_run(job, run))
    return made


def _claim(job: RecurringJob, due: datetime.datetime, worker: str) -> RecurringJobRun | None:
    try:
        with transaction.atomic():
            return RecurringJobRun.objects.create(job=job.name, due_at=due, started_at=timezone.now(),
                                                  worker=worker[:120])
    except IntegrityError:  # another scheduler claimed this due time first
        return None


def _run(job: RecurringJob, run: RecurringJobRun) -> RecurringJobRun:
    try:
        summary = job.run(run.due_at) or ""
        outcome = RecurringJobRun.Outcome.DONE
    except Exception as error:  # noqa: BLE001 - a failed job is recorded and the scheduler goes on
        logger.exception("recurring job %s failed", job.name)
        summary = f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=5)}"
        outcome = RecurringJobRun.Outcome.FAILED
    run.finished_at, run.outcome, run.summary = timezone.now(), outcome, str(summary)[:SUMMARY_LENGTH]
    run.save(update_fields=["finished_at", "outcome", "summary"])
    return run


def latest_runs(limit: int = 50) -> list[RecurringJobRun]:
    return list(RecurringJobRun.objects.order_by("-started_at")[:limit])


def schedule_loop(*, interval: float = 30.0, stop: Callable[[], bool] = lambda: False) -> None:
    """The scheduler process's loop: look for due jobs every `interval` seconds until `stop()`."""
    from django.db import close_old_connections

    while not stop():
        close_old_connections()
        try:
            run_due_jobs()
        except Exception:  # a database that is away for a moment: try again at the next turn
            logger.exception("the scheduler could not look for due jobs")
        for _tick in range(int(interval * 5)):
            if stop():
                return
            time.sleep(0.2)


# --- for tests -------------------------------------------------------------------------------------


def snapshot() -> dict:
    return dict(_JOBS)


def restore(saved: dict) -> None:
    _JOBS.clear()
    _JOBS.update(saved)
