"""A record's own history is read by an index, not by scanning the whole history table (a household
page of a 1 M city took 4 s without it: the timeline's names as they were, a member's joining)."""

import pytest
from django.db import connection

from safetynet.core.models import ChangeRecord
from safetynet.core.selectors import entity_history, field_changes

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " ".join(str(row[-1]) for row in cursor.fetchall())


def test_a_records_history_is_read_through_the_entity_index():
    if connection.vendor == "sqlite":
        # SQLite plans without statistics: the plan of a small table is the plan of a large one.
        assert "change_entity_time" in _plan(entity_history(entity_type="person", entity_ids=[1, 2]))
        names = ChangeRecord.objects.filter(entity_type="person", entity_id__in=[1], action="update",
                                            after__has_key="name")
        assert "change_entity_time" in _plan(names)
    else:
        # PostgreSQL plans by its statistics (a tiny test table is scanned whatever its indexes):
        # the index is there for the planner to use.
        with connection.cursor() as cursor:
            indexes = connection.introspection.get_constraints(cursor, ChangeRecord._meta.db_table)
        assert indexes["change_entity_time"]["columns"] == ["entity_type", "entity_id", "at"]
    assert field_changes(entity_type="person", entity_ids=[1], field="name") == []
