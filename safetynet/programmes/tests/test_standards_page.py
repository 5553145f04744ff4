"""The standards page as the city bureau's two officers and a county officer use it."""

import datetime

import pytest
from django.utils import timezone

from conftest import user
from safetynet.core.models import Role
from safetynet.programmes.models import Standard

pytestmark = pytest.mark.django_db
PAGE = "/programmes/standards/"


def test_a_value_scheduled_on_the_page_is_approved_by_a_second_officer(client):
    maker, checker = user(Role.CITY_BUREAU, "3713"), user(Role.CITY_BUREAU, "3713")
    client.force_login(maker)
    page = client.get(PAGE).content.decode()
    assert "低保标准" in page and "730" in page and "合成（演示）" in page  # Lanshan's 2022 value
    start = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    answer = client.post(PAGE, {"action": "schedule", "kind": "dibao", "division": "371302",
                                "urban_rural": "urban", "valid_from": start, "value": "800", "note": "提标"})
    assert answer.status_code == 302
    proposed = Standard.objects.get(status=Standard.Status.PROPOSED)
    mine = client.get(PAGE).content.decode()
    assert "由另一名工作人员批准" in mine and 'value="approve"' not in mine  # not by the maker

    client.force_login(checker)
    assert 'value="approve"' in client.get(PAGE).content.decode()
    client.post(PAGE, {"action": "approve", "standard": proposed.pk, "version": proposed.version})
    assert Standard.objects.get(pk=proposed.pk).status == Standard.Status.APPROVED
    # The same button pressed again (a second tab): told, nothing changes.
    again = client.post(PAGE, {"action": "approve", "standard": proposed.pk, "version": proposed.version})
    assert again.status_code == 400 and "已由他人审批" in again.content.decode()


@pytest.mark.parametrize("sent", [
    {"action": "schedule", "kind": "dibao", "division": "371302", "urban_rural": "urban",
     "valid_from": "2020-01-01", "value": "800"},
    {"action": "schedule", "kind": "dibao", "division": "371302", "urban_rural": "urban",
     "valid_from": "99999-01-01", "value": "800"},
    {"action": "schedule", "kind": "dibao\x00", "division": "371302", "urban_rural": "urban",
     "valid_from": "2099-01-01", "value": "800"},
    {"action": "schedule", "kind": "dibao", "division": "371302", "urban_rural": "urban",
     "valid_from": "2099-01-01", "value": "1e999"},
    {"action": "approve", "standard": "9" * 40, "version": "1"},
    {"action": "approve", "standard": "١", "version": "1"},
    {"action": "nonsense"},
])
def test_values_no_form_would_send_get_a_chinese_reason_and_change_nothing(client, sent):
    client.force_login(user(Role.CITY_BUREAU, "3713"))
    before = Standard.objects.count()
    answer = client.post(PAGE, sent)
    assert answer.status_code == 400
    assert Standard.objects.count() == before
    assert 'class="error"' in answer.content.decode() or 'role="alert"' in answer.content.decode()


def test_a_county_officer_reads_the_standards_but_cannot_set_them(client):
    client.force_login(user(Role.COUNTY_BUREAU, "371302"))
    page = client.get(PAGE).content.decode()
    assert "低保标准" in page and 'id="standard-schedule"' not in page
    before = Standard.objects.count()
    assert client.post(PAGE, {"action": "schedule", "kind": "dibao"}).status_code == 403
    assert Standard.objects.count() == before
