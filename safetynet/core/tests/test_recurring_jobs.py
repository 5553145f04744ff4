"""Recurring jobs: due times on the clock, once per due time however many schedulers look (the
unique key), a failed job recorded without stopping the others, the nightly purge of expired
logins, and the operator's view of it all."""

import datetime
import threading
import time
import zoneinfo

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from conftest import user
from safetynet.core import jobs
from safetynet.core.models import RecurringJobRun, Role

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def registered():
    saved = jobs.snapshot()
    jobs.restore({})
    yield
    jobs.restore(saved)


def counting(name: str, schedule, calls: list, *, fails: bool = False, seconds: float = 0.0):
    def run(due_at):
        calls.append(due_at)
        time.sleep(seconds)
        if fails:
            raise RuntimeError("the feed is away")
        return f"{len(calls)} done"

    return jobs.register_recurring_job(name=name, label=name, schedule=schedule, run=run)


def test_due_times_on_the_clock_in_local_time(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    nightly = jobs.Daily(datetime.time(3, 0))
    assert nightly.latest_due(at(2026, 12, 5, 2, 59)) == at(2026, 12, 4, 3, 0)
    assert nightly.latest_due(at(2026, 12, 5, 3, 0)) == at(2026, 12, 5, 3, 0)
    assert jobs.Every(15).latest_due(at(2026, 12, 5, 10, 7, 31)) == at(2026, 12, 5, 10, 0)
    assert jobs.Every(15).latest_due(at(2026, 12, 5, 10, 15)) == at(2026, 12, 5, 10, 15)
    with pytest.raises(ValueError):
        jobs.Every(7)  # does not divide a day: due times would drift


@pytest.mark.django_db
def test_a_job_runs_once_per_due_time_and_a_scheduler_that_was_down_runs_the_latest_only(
    registered, settings,
):
    settings.TIME_ZONE = "Asia/Shanghai"
    calls: list = []
    counting("test.nightly", jobs.Daily(datetime.time(3, 0)), calls)
    assert [run.outcome for run in jobs.run_due_jobs(at(2026, 12, 5, 9, 0))] == ["done"]
    assert jobs.run_due_jobs(at(2026, 12, 5, 9, 0, 30)) == []  # the same due time: nothing
    assert jobs.run_due_jobs(at(2026, 12, 6, 2, 0)) == []
    jobs.run_due_jobs(at(2026, 12, 9, 4, 0))  # down three nights: the latest only
    assert calls == [at(2026, 12, 5, 3, 0), at(2026, 12, 9, 3, 0)]
    run = RecurringJobRun.objects.get(due_at=at(2026, 12, 9, 3, 0))
    assert (run.outcome, run.summary) == ("done", "2 done") and run.seconds >= 0


@pytest.mark.django_db
def test_a_failed_job_is_recorded_and_the_others_still_run(registered):
    failing, fine = [], []
    counting("test.a_failing", jobs.Every(60), failing, fails=True)
    counting("test.b_fine", jobs.Every(60), fine)
    runs = {run.job: run for run in jobs.run_due_jobs()}
    assert runs["test.a_failing"].outcome == "failed" and "the feed is away" in runs["test.a_failing"].summary
    assert runs["test.b_fine"].outcome == "done" and len(fine) == 1


@pytest.mark.django_db
def test_a_due_time_claimed_by_another_scheduler_is_not_run_again(registered):
    calls: list = []
    job = counting("test.claimed", jobs.Every(60), calls)
    due = job.schedule.latest_due(timezone.now())
    assert jobs._claim(job, due, "server-1") is not None
    assert jobs._claim(job, due, "server-2") is None  # the unique key, as a second server meets it
    assert jobs.run_due_jobs() == [] and calls == []


# serialized_rollback: the rows the migrations seed (content types, the calendar) are there after it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_schedulers_looking_at_the_same_moment_run_the_job_once(registered):
    calls: list = []
    counting("test.race", jobs.Every(60), calls, seconds=0.3)
    now = timezone.now()
    start = threading.Barrier(3)
    errors: list = []

    def scheduler(name):
        try:
            start.wait()
            jobs.run_due_jobs(now, worker=name)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler, args=(f"server-{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert RecurringJobRun.objects.filter(job="test.race").count() == 1
    assert errors == []


@pytest.mark.django_db
def test_the_nightly_job_removes_expired_logins_only():
    live = SessionStore()
    live["x"] = 1
    live.create()
    old = SessionStore()
    old.create()
    yesterday = timezone.now() - datetime.timedelta(days=1)
    Session.objects.filter(session_key=old.session_key).update(expire_date=yesterday)
    summary = jobs._JOBS["core.clear_sessions"].run(timezone.now())
    assert "1" in summary
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


@pytest.mark.django_db
def test_the_operator_sees_each_job_its_schedule_and_its_runs(client, capsys):
    call_command("scheduler", "--once")
    assert "core.clear_sessions" in capsys.readouterr().out
    client.force_login(user(Role.OPERATOR, "3713"))
    page = client.get(reverse("system")).content.decode()
    assert page.count('id="recurring-jobs"') == 1 and "每天 03:00" in page
    assert "<title>系统" in page and "<title>系统<section" not in page
    assert 'id="recurring-runs"' in page and "已完成" in page
