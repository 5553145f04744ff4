"""Writing to the append-only ledger as sets: one INSERT … SELECT over a run's lines, whatever
their number. Only rows are added; the database refuses any update or delete of them."""

import datetime

from django.db import connection

from safetynet.payments.models import LedgerEntry, PayrollLine

LEDGER = LedgerEntry._meta.db_table
LINES = PayrollLine._meta.db_table
COLUMNS = (
    "at",
    "kind",
    "amount",
    "month",
    "for_month",
    "programme",
    "county_id",
    "village_id",
    "household_id",
    "person_id",
    "fund",
    "run_id",
    "line_id",
    "aid_payment_id",
    "recovery_id",
    "decision",
    "standard_id",
    "corrects_id",
    "note",
    "actor_id",
)

# Which of a run's lines each booking takes (conditions on the line table, aliased l).
WHICH = {
    LedgerEntry.Kind.ENTITLED: "l.kind IN ('regular', 'arrears', 'adjustment', 'stage') AND l.amount > 0",
    LedgerEntry.Kind.REISSUED: "l.kind = 'reissue'",
    LedgerEntry.Kind.SENT: "l.status = 'sent'",
}


def book_run_lines(
    *, run, kind: str, at: datetime.datetime, actor, where: str | None = None, params: tuple = ()
) -> int:
    """Book each of the run's lines that `kind` takes (or `where` says) once as a `kind` row."""
    condition = where or WHICH[kind]
    ops = connection.ops
    columns = ", ".join(COLUMNS)
    sql = (
        f"INSERT INTO {LEDGER} ({columns}) "  # noqa: S608 - table names and conditions are ours
        "SELECT %s, %s, l.amount, %s, l.month, l.programme, %s, l.village_id, l.household_id, l.person_id, "
        "l.fund, l.run_id, l.id, NULL, NULL, l.decision, l.standard_id, NULL, '', %s "
        f"FROM {LINES} l WHERE l.run_id = %s AND {condition}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                ops.adapt_datetimefield_value(at),
                kind,
                ops.adapt_datefield_value(run.month),
                run.county_id,
                actor.pk if actor else None,
                run.pk,
                *params,
            ],
        )
        return cursor.rowcount
