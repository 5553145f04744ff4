"""/healthz: for load balancers and operators; answers without a login and says when the database is down."""

import pytest
from django.db import OperationalError, connection

from safetynet.core import views


@pytest.mark.django_db
def test_healthz_answers_without_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == connection.vendor


class _BrokenConnection:
    vendor = "sqlite"

    def cursor(self):
        raise OperationalError("unable to open database file")


@pytest.mark.django_db
def test_healthz_reports_a_dead_database_with_503_and_logs_why(client, monkeypatch, caplog):
    monkeypatch.setattr(views, "connection", _BrokenConnection())

    response = client.get("/healthz")

    assert response.status_code == 503
    # What went wrong may name hosts, users or paths: the log has it, the anonymous caller does not.
    assert response.json() == {"status": "error"}
    assert "unable to open database file" in caplog.text

