# ruff: noqa: S608, E501  (SQL is built from table names of the schema and numbers, never from input; long SQL lines)
"""A county's monthly payroll at scale (the issue's target: a million lines), through the services:

- draft: payroll_draft over N 低保 enrolments of 兰山区 (the lines worked out as rows, inserted in bulk);
- approve: the step that books every line as an entitlement in the ledger (one INSERT … SELECT);
- export: the bank file (fixed width, the 农商行 layout), the lines marked sent, booked as sent;
- result: the bank's result file read back (1 line in 100 failed), all or nothing.

The county is made set-based on an empty migrated database (people, households, enrolments and
accounts by INSERT … SELECT over a counter, one account in 100 missing: those lines are held).

Floor, in the same run: the same rows written by plain SQL into empty copies of the line and ledger
tables (same columns, constraints and indexes): the lines by executemany, each booking by one
INSERT … SELECT of the ledger's rows, export and result by one UPDATE of the lines' status each.

Environment: BENCH_PAYROLL_LINES (100000); BENCH_PG / BENCH_PG_URL: the same on PostgreSQL too (a
database of its own, safetynet_bench_payroll, dropped and made again each run).
"""

import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bench as b  # noqa: E402

COUNTY = "371302"
VILLAGE = "371302001201"
LINES = "payments_payrollline"
LEDGER = "payments_ledgerentry"


def lines_wanted() -> int:
    n = b.env_int("BENCH_PAYROLL_LINES", 100_000)
    if n < 100:
        b.die("BENCH_PAYROLL_LINES must be at least 100")
    return n


def schema_db() -> Path:
    """A migrated empty SQLite database, kept until the migrations change."""
    folder = b.BENCH_DIR / f"payroll-schema-{b.fingerprint()}"
    with b.build_lock():
        if not (folder / b.DB_FILE).exists():
            for old in b.BENCH_DIR.glob("payroll-schema-*"):
                shutil.rmtree(old, ignore_errors=True)
            tmp = b.BENCH_DIR / f"building-payroll-{os.getpid()}"
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            b.note("migrating an empty database for the payroll bench")
            b.safetynet(["migrate", "--no-input"], env=b.app_env(data_dir=tmp), timeout=600, log=tmp / "log")
            b.checkpoint(tmp / b.DB_FILE)
            tmp.rename(folder)
    return folder


def populate(n: int, month: datetime.date) -> dict:
    """N households of one person each on 低保 since `month`, with accounts but one in 100: rows made
    by the database from a counter, not by model objects."""
    from django.db import connection, transaction

    from safetynet.core.models import Division, Role, User

    Division.objects.get_or_create(code=VILLAGE, defaults={
        "name": "基准村", "level": "village", "parent_id": VILLAGE[:9], "urban_rural_default": "rural"})
    users = {name: User.objects.create_user(username=f"bench-{name}", password="Bench-pass-2026",  # noqa: S106
                                            role=role, division_id=COUNTY)
             for name, role in (("maker", Role.COUNTY_BUREAU), ("checker", Role.FINANCE_OFFICER),
                                ("approver", Role.COUNTY_BUREAU))}
    pg = connection.vendor == "postgresql"

    def padded(width: int) -> str:
        return f"lpad(i::text, {width}, '0')" if pg else f"printf('%0{width}d', i)"

    now = "now()" if pg else "datetime('now')"
    series = f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) "
    if pg:
        series = f"WITH s(i) AS (SELECT generate_series(1, {n})) "
    false = "false" if pg else "0"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_person (id, id_number, id_note, name, sex, birth_date, ethnicity, address, "
            "urban_rural, phone, marital, education, employment, labour_capacity, health, "
            "disability_cert_no, serious_illness, mental_illness, in_school, status, name_pinyin, name_initials, id_reversed, "
            "version, created_at, updated_at, area_id, hukou_division_id, residence_division_id, name_given) "
            f"{series}SELECT i, '3713' || {padded(14)}, '', '户主' || i, 1, '1960-01-01', '01', '', "
            f"'rural', '', '', '', '', '', '', '', '', {false}, {false}, '1', '', '', '', 1, {now}, {now}, "
            f"'{VILLAGE}', '{VILLAGE}', '{VILLAGE}', '' FROM s")
        cursor.execute(
            "INSERT INTO registry_household (id, address, urban_rural, phone, housing_status, "
            "house_structure, heating, co_alarm, status, version, created_at, updated_at, village_id, head_id) "
            f"{series}SELECT i, '', 'rural', '', '', '', '', {false}, 'active', 1, {now}, {now}, '{VILLAGE}', "
            "i FROM s")
        cursor.execute(
            "INSERT INTO programmes_enrolment (id, programme, amount, since, until, decision, end_reason, "
            "version, decided_by_id, household_id, person_id, county_id, previous_id) "
            f"{series}SELECT i, 'dibao', 300 + (i % 5) * 50, '{month}', NULL, '兰民低保〔2026〕' || i, "
            f"'', 1, NULL, i, NULL, '{COUNTY}', NULL FROM s")
        cursor.execute(
            "INSERT INTO payments_payeeaccount (id, holder_kind, holder_name, kind, bank, number, opened_at, "
            "closed_at, closed_reason, agreement_id, area_id, institution_id, opened_by_id, person_id) "
            f"{series}SELECT i, 'person', '户主' || i, 'one_card', 'rcb', '62284800' || {padded(11)}, {now}, "
            f"NULL, '', NULL, '{VILLAGE}', NULL, NULL, i FROM s WHERE i % 100 <> 0")
        if pg:
            for table in ("registry_person", "registry_household", "programmes_enrolment",
                          "payments_payeeaccount"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {n})")
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    b.note(f"{n} households, enrolments and accounts made in {time.perf_counter() - started:.1f} s")
    return users


def result_file(content: bytes) -> bytes:
    """The bank's answer to a fixed-width payment file: each line S, one in 100 F with a reason."""
    out = []
    for number, record in enumerate(content.split(b"\r\n")):
        if record[:1] == b"D":
            record += b"S" if number % 100 else "F账户已销户".encode("gb18030")
        out.append(record)
    return b"\r\n".join(out)


def floor_tables() -> None:
    """Empty copies of the line and ledger tables: the same columns, constraints and indexes."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in (LINES, LEDGER):
                cursor.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
            return
        for table in (LINES, LEDGER):
            cursor.execute("SELECT sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [table])
            for (sql,) in cursor.fetchall():
                if sql.startswith("CREATE TABLE"):
                    sql = sql.replace(f'"{table}"', f'"floor_{table}"', 1)
                else:
                    sql = sql.replace('INDEX "', 'INDEX "floor_', 1).replace(f' ON "{table}"', f' ON "floor_{table}"')
                cursor.execute(sql)


def timed_sql(statements: list[tuple[str, list]]) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
    return time.perf_counter() - started


def measure(label: str, n: int) -> None:
    """Populate, then the run's four steps through the services, each against its floor."""
    from django.db import connection, transaction
    from django.utils import timezone

    from safetynet.payments import services
    from safetynet.payments.models import LedgerEntry, PayrollLine

    month = timezone.localdate().replace(day=1)
    users = populate(n, month)

    started = time.perf_counter()
    run = services.payroll_draft(actor=users["maker"], county=COUNTY, month=month)
    draft_s = time.perf_counter() - started
    run = services.payroll_step(actor=users["checker"], run_id=run.pk, step="check", version=run.case.version)
    started = time.perf_counter()
    run = services.payroll_step(actor=users["approver"], run_id=run.pk, step="approve",
                                version=run.case.version)
    approve_s = time.perf_counter() - started
    started = time.perf_counter()
    bank_file = services.payroll_export(actor=users["checker"], run_id=run.pk, version=run.case.version)
    export_s = time.perf_counter() - started
    run.case.refresh_from_db()
    data = result_file(bytes(bank_file.content))
    started = time.perf_counter()
    result = services.payroll_result_import(actor=users["checker"], run_id=run.pk, version=run.case.version,
                                            name="result.txt", data=data)
    result_s = time.perf_counter() - started
    entries = LedgerEntry.objects.filter(run_id=run.pk).count()

    # The floor: the same rows, written by plain SQL into empty copies of the tables.
    floor_tables()
    columns = [f.column for f in PayrollLine._meta.concrete_fields]
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {names} FROM {LINES} WHERE run_id = %s ORDER BY id", [run.pk])
        rows = cursor.fetchall()
    status = columns.index("status")
    # As drafted: to pay, or held for want of an account.
    rows = [(*row[:status], "held" if row[status] == "held" else "pending", *row[status + 1:])
            for row in rows]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO floor_{LINES} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",
                           rows)
    floor_draft_s = time.perf_counter() - started
    del rows
    ledger_columns = ", ".join(f.column for f in LedgerEntry._meta.concrete_fields if f.column != "id")

    def copy_ledger(kinds: tuple[str, ...]) -> tuple[str, list]:
        marks = ", ".join(["%s"] * len(kinds))
        return (f"INSERT INTO floor_{LEDGER} ({ledger_columns}) SELECT {ledger_columns} FROM {LEDGER} "
                f"WHERE run_id = %s AND kind IN ({marks})", [run.pk, *kinds])

    floor_approve_s = timed_sql([copy_ledger(("entitled", "reissued"))])
    floor_export_s = timed_sql([
        (f"UPDATE floor_{LINES} SET status = 'sent' WHERE run_id = %s AND status = 'pending'", [run.pk]),
        copy_ledger(("sent",))])
    floor_result_s = timed_sql([
        (f"UPDATE floor_{LINES} SET status = CASE WHEN id %% 100 = 0 THEN 'failed' ELSE 'paid' END "
         "WHERE run_id = %s AND status = 'sent'", [run.pk]),
        copy_ledger(("paid", "failed"))])

    figures = {"lines": run.lines, "sent": bank_file.lines, "paid": result.paid, "failed": result.failed,
               "ledger_rows": entries}
    b.line(**{f"payroll_draft_{label}_s": round(draft_s, 2)}, **figures,
           lines_per_s=round(run.lines / draft_s), floor_s=round(floor_draft_s, 2),
           ratio=b.ratio(draft_s, floor_draft_s))
    for step, ours, floor in (("approve", approve_s, floor_approve_s), ("export", export_s, floor_export_s),
                              ("result", result_s, floor_result_s)):
        b.line(**{f"payroll_{step}_{label}_s": round(ours, 2)}, lines=run.lines,
               floor_s=round(floor, 2), ratio=b.ratio(ours, floor))
    b.line(**{f"payroll_month_{label}_s": round(draft_s + approve_s + export_s + result_s, 2)},
           lines=run.lines, bank_file_mb=round(len(bytes(bank_file.content)) / 1e6, 1),
           floor_s=round(floor_draft_s + floor_approve_s + floor_export_s + floor_result_s, 2))


def pg_database(url: str) -> str:
    """A database of this bench's own on the server of `url`: made empty and migrated."""
    b.require("psycopg")
    parts = urllib.parse.urlsplit(url)
    name = "safetynet_bench_payroll"
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with b.pg_connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    own = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    b.note("migrating the PostgreSQL database of the payroll bench")
    b.safetynet(["migrate", "--no-input"], env=b.app_env(database_url=own), timeout=900,
                log=b.BENCH_DIR / "payroll-pg.log")
    return own


def main() -> None:
    b.require("django")
    n = lines_wanted()
    if len(sys.argv) == 3 and sys.argv[1] == "--postgresql":  # the second process: Django on PostgreSQL
        os.environ["DATABASE_URL"] = sys.argv[2]
        os.environ["DJANGO_SETTINGS_MODULE"] = "safetynet.settings"
        os.environ.setdefault("SAFETYNET_DATA_DIR", str(b.BENCH_DIR / "pg-data"))
        import django

        from safetynet.datadir import prepare

        prepare()
        django.setup()
        measure("pg", n)
        return

    work = Path(tempfile.mkdtemp(prefix="bench-payroll-"))
    try:
        b.setup_django(b.copy_db(schema_db(), work / "data"))
        measure("sqlite", n)
        b.note(f"database {b.db_size_mb(work / 'data' / b.DB_FILE):.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if b.pg_url(0):
        own = pg_database(os.environ.get("BENCH_PG_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
        subprocess.run([sys.executable, __file__, "--postgresql", own], check=True,
                       env=b.app_env(database_url=own))


if __name__ == "__main__":
    main()
