"""Schemathesis over the whole /api/v1 OpenAPI document (`make test-api-fuzz`, a step of .ci/run).

Every operation gets generated requests — valid ones, and ones the schema says are wrong — sent
in-process to the real WSGI application with a county bureau's bearer token, against households
in its county and in another county. No response may be a server error, and every response must
be one the document describes (status, content type, body schema), and what the schema refuses
must be refused. The check that every schema-valid request is accepted is left out: the services
refuse valid-looking requests for rules no schema can say (a version someone else has saved, an
ID number already registered, a person of another household).
"""

import datetime

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from schemathesis.specs.openapi.checks import positive_data_acceptance

from safetynet.api import api
from safetynet.core.services import api_token_create

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WSGIHandler()
# The API ignores query parameters it does not know (as its description says), as HTTP APIs do:
# a request with one is no schema violation to be refused.
schema.config.generation.update(allow_extra_parameters=False)


@pytest.fixture
def token(make_household, lanshan_village, yinan_village, county_user, other_county_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "documents"
    for actor, where in ((county_user, lanshan_village), (other_county_user, yinan_village)):
        make_household(where, actor, phone="13812345678", members=[
            ("王大", 1, "02", datetime.date(1960, 1, 1)), ("李二", 2, "12", datetime.date(1962, 2, 2))])
    # Requests run inside the test's transaction: the handler must not close the connection after
    # each one (Django's own test client unhooks the same signal).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield api_token_create(user=county_user, name="fuzz")[1]
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis.settings(max_examples=12, deadline=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))
def test_api_conforms_and_never_fails(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                           excluded_checks=[positive_data_acceptance])
