"""The ledger and the reserve funds are append-only. On PostgreSQL the database itself refuses an
UPDATE or a DELETE of their rows, whatever code or console tries it (TRUNCATE, which empties a
whole table as a test database's flush does, is left to the table's owner). On SQLite, where the
test suite's flush deletes row by row, a test watches every statement of a payroll's whole life
and finds none that updates or deletes a ledger row."""

from django.db import migrations

TABLES = ("payments_ledgerentry", "payments_reservemovement")


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION payments_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'payments: % rows are only added, never %', TG_TABLE_NAME, TG_OP; "
            "END; $$ LANGUAGE plpgsql")
        for table in TABLES:
            cursor.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                           "FOR EACH ROW EXECUTE FUNCTION payments_append_only()")


def drop(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        cursor.execute("DROP FUNCTION IF EXISTS payments_append_only()")


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
