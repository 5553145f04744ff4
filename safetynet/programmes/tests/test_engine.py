"""The engine (programmes.engine): the rows moved out of the system of record as Arrow — by ADBC on
PostgreSQL, through Django's connection from SQLite in memory — and the rules run over them in
DuckDB give the answers the database gives, household by household, for all five programmes."""

import datetime
import sqlite3
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import Role
from safetynet.programmes.batch import eligibility_rows, what_if_rows
from safetynet.programmes.engine import (
    _joined,
    _read_sqlite,
    eligibility_in_duckdb,
    extract,
    what_if_in_duckdb,
)
from safetynet.programmes.extraction import KEY_RANGES, parts
from safetynet.registry import services

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _plain(row) -> tuple:
    return tuple(value if value is None or isinstance(value, str) else int(value) for value in row)


def test_the_engine_answers_as_the_database_does(make_household):
    clerk = user(Role.COUNTY_BUREAU, "371302")
    place = village(LANSHAN_TOWNSHIP + "201")
    today = timezone.localdate()
    poor = make_household(place, clerk, urban_rural="urban", members=[
        ("甲一", 1, "02", datetime.date(1950, 1, 1)), ("甲二", 2, "10", datetime.date(2012, 2, 2))])
    services.income_item_create(actor=clerk, household=poor, data={
        "category": "wage", "amount": Decimal("6000.50"), "person": poor.head,
        "period_start": today - datetime.timedelta(days=400), "period_end": today})
    alone = make_household(place, clerk, members=[("乙一", 1, "02", datetime.date(1940, 3, 3))])
    services.supporter_create(actor=clerk, household=alone, data={
        "person": alone.head, "name": "乙子", "relation": "child", "birth_date": datetime.date(1950, 5, 5),
        "income_year": Decimal("12000"), "assistance": "dibao"})
    services.expense_create(actor=clerk, household=alone, data={
        "expense_type": "medical", "amount": Decimal("9999.99"),
        "incurred_on": today - datetime.timedelta(days=3)})
    make_household(village(LANSHAN_TOWNSHIP + "202"), clerk,
                   members=[("丙一", 1, "02", datetime.date(1990, 1, 1))])

    tables = extract("371302")
    assert tables["registry_household"].num_rows == 3 and tables["registry_supporter"].num_rows == 1
    columns, rows = eligibility_rows(area="371302", on=today)
    engine_columns, engine_rows = eligibility_in_duckdb(area="371302", on=today, tables=tables)
    assert engine_columns == columns and len(rows) == 3
    assert [_plain(row) for row in engine_rows] == [_plain(row) for row in rows]
    answers = dict(zip(columns, _plain(next(row for row in engine_rows if row[0] == alone.pk)), strict=True))
    assert answers["q_tekun"] == 1 and answers["q_dibao"] == 1  # his son is 60 or more and on 低保
    # A what-if (the urban standard of 兰山 raised to 800) gives the same answer in both.
    starting = today + datetime.timedelta(days=31)
    overrides = {("dibao", "371302", "urban"): Decimal(800)}
    asked = {"area": "371302", "on": today, "starting": starting, "overrides": overrides}
    assert what_if_in_duckdb(**asked) == what_if_rows(**asked)
    assert sum(row[5] for row in what_if_rows(**asked)) > 0  # the amounts grow


def _sorted_rows(table) -> list[tuple]:
    return sorted(zip(*(table.column(name).to_pylist() for name in table.column_names), strict=True))


def test_tables_read_in_parts_are_the_tables_read_whole(make_household, tmp_path):
    """The engine reads each table in parts side by side — by processes of their own from SQLite's
    file, by connections of their own from PostgreSQL — and joins them: the same rows as one
    reading through Django, none lost or twice, whatever the number of parts."""
    clerk = user(Role.COUNTY_BUREAU, "371302")
    for number in range(7):
        make_household(village(LANSHAN_TOWNSHIP + "201"), clerk, urban_rural="urban", members=[
            (f"丁{number}一", 1, "02", datetime.date(1950, 1, 1 + number)),
            (f"丁{number}二", 2, "10", datetime.date(2012, 2, 1 + number))])
    whole = extract("371302", through_django=True)
    if connection.vendor == "sqlite":  # a copy of the tests' database in memory, as a file
        database = str(tmp_path / "copy.sqlite3")
        with sqlite3.connect(database) as copy:
            connection.connection.backup(copy)
        with connection.cursor() as cursor:
            cursor.execute(KEY_RANGES)
            key_ranges = cursor.fetchall()
        read = {count: _joined(_read_sqlite(database, "371302", parts(key_ranges, count)))
                for count in (1, 3)}
    else:
        read = {count: extract("371302", workers=count) for count in (1, 3)}
    for tables in read.values():
        assert set(tables) == set(whole)
        for table in whole:
            assert _sorted_rows(tables[table]) == _sorted_rows(whole[table]), table
    assert read[3]["registry_membership"].num_rows == 14
    # An area with nothing in it reads as empty tables, not as an error.
    assert all(table.num_rows == 0 for table in extract("371312", workers=3).values())


def test_the_engine_refuses_an_area_that_is_not_a_division_code():
    with pytest.raises(ValueError, match="division code"):
        extract("3713' OR 1=1 --")
