"""A payroll step in a process of its own, on the database DATABASE_URL names, for the tests that
kill it with SIGKILL inside its transaction or run two at once (test_payroll_robust.py).

    python -m safetynet.payments.tests.payroll_child STEP PAUSE HOLD ARGS_JSON

STEP is `draft` (args: actor, county, month) or `result` (args: actor, run, version, name, file).
PAUSE names the point inside the step's transaction where the child stops, its writes made and not
committed: it prints PAUSED, then sleeps HOLD seconds and goes on (a test kills it meanwhile, or
lets it commit while another waits). `-` runs the step without pausing. Prints STARTED when it is
about to take the step, then DONE with what the step made, or REFUSED with the message an officer
would read."""

import datetime
import json
import os
import sys
import time


def _pause_after(module, name: str, hold: float) -> None:
    original = getattr(module, name)

    def paused(*args, **kwargs):
        result = original(*args, **kwargs)
        print("PAUSED", flush=True)
        time.sleep(hold)
        return result

    setattr(module, name, paused)


def main() -> None:
    step, pause, hold, args = sys.argv[1], sys.argv[2], float(sys.argv[3]), json.loads(sys.argv[4])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings")
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from safetynet.core.services import ConflictError
    from safetynet.core.types import User
    from safetynet.payments import drafting, ledger, services

    translation.activate("zh-hans")
    points = {
        "lines": (drafting, "insert_lines"),  # a draft's lines inserted
        "case": (services, "case_open"),  # a draft's lines and its case written
        "outcomes": (services, "_apply_outcomes"),  # a result's lines set paid or failed
        "ledger": (ledger, "book_run_lines"),  # ... and their first ledger rows booked
        "transition": (services, "case_transition"),  # a result whole, but for the commit
    }
    if pause != "-":
        _pause_after(*points[pause], hold)
    actor = User.objects.get(pk=args["actor"])
    # PAYROLL_CHILD_SQL_DELAY: seconds each statement takes the longer, so that a kill at a random
    # moment lands inside the step's transaction as often as not.
    delay = float(os.environ.get("PAYROLL_CHILD_SQL_DELAY") or 0)

    def slow(execute, sql, params, many, context):
        time.sleep(delay)
        return execute(sql, params, many, context)

    if delay:
        from django.db import connection

        connection.execute_wrappers.append(slow)
    print("STARTED", flush=True)
    try:
        if step == "draft":
            run = services.payroll_draft(
                actor=actor, county=args["county"], month=datetime.date.fromisoformat(args["month"])
            )
            made = {"run": run.pk, "lines": run.lines, "total": str(run.total)}
            print("DONE", json.dumps(made), flush=True)
        elif step == "result":
            with open(args["file"], "rb") as data:
                result = services.payroll_result_import(
                    actor=actor, run_id=args["run"], version=args["version"], name=args["name"],
                    data=data.read(),
                )
            print("DONE", json.dumps({"result": result.pk, "paid": result.paid, "failed": result.failed}),
                  flush=True)
        else:
            raise SystemExit(f"unknown step {step}")
    except (ValidationError, ConflictError) as refusal:
        messages = getattr(refusal, "messages", None) or [str(refusal)]
        print("REFUSED", json.dumps(messages, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
