"""Text messages for notices (core.sms) and the live stream's answers outside a stream (core.live)."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core import sms
from safetynet.core.models import ChangeRecord, LiveSignal, Notice, Role, SmsMessage
from safetynet.core.workflows.services import case_open, cases_sweep

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _overdue_problem():
    lanshan = village(LANSHAN_TOWNSHIP + "201")
    return case_open(actor=None, workflow_code="registry.problem", division_code=lanshan.code,
                     title="电线老化", subject_kind="test.thing", subject_id=1,
                     at=datetime.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI))


def test_the_escalation_of_an_overdue_problem_goes_by_sms_and_shows_in_the_log(client):
    county = user(Role.COUNTY_BUREAU, "371302", username="county")
    county.phone = "13912345678"
    county.save()
    no_phone = user(Role.COUNTY_BUREAU, "371302")
    _overdue_problem()
    cases_sweep(datetime.datetime(2026, 10, 31, 8, 0, tzinfo=SHANGHAI))

    queued = {m.user_id: m for m in SmsMessage.objects.all()}
    assert queued[county.pk].status == SmsMessage.Status.QUEUED and "电线老化" in queued[county.pk].text
    assert "已超期" in queued[county.pk].text  # the words of the notice, in Chinese
    assert queued[no_phone.pk].status == SmsMessage.Status.NO_PHONE
    assert "1" in sms.sms_send_queued()
    assert SmsMessage.objects.get(user=county).status == SmsMessage.Status.SENT
    assert "0" in sms.sms_send_queued()  # sent once, not again

    client.force_login(county)
    page = client.get("/sms/").content.decode()
    assert "电线老化" in page and "已发送" in page and "13912345678" not in page  # the phone masked
    other = user(Role.COUNTY_BUREAU, "371321")
    client.force_login(other)
    assert "电线老化" not in client.get("/sms/").content.decode()  # another county's messages


def test_which_notices_go_by_sms_is_chosen_by_the_city_bureau_only(client):
    county = user(Role.COUNTY_BUREAU, "371302")
    with pytest.raises(PermissionDenied):
        sms.sms_rules_set(actor=county, pairs=set())
    city = user(Role.CITY_BUREAU, "3713")
    with pytest.raises(ValidationError):
        sms.sms_rules_set(actor=city, pairs={("case_escalated", "no_such_role")})
    client.force_login(city)
    client.post("/sms/", {"rule": ["case_opened:township_office"]})
    assert sms.sms_rules() == {("case_opened", "township_office")}
    # The change history says who turned which on and off (the three escalation rules were seeded).
    history = ChangeRecord.objects.filter(entity_type="smsrule")
    assert history.filter(actor=city, event="smsrule.added", after__kind="case_opened").count() == 1
    assert history.filter(actor=city, event="smsrule.removed", before__kind="case_escalated").count() == 3
    client.post("/sms/", {"rule": ["case_opened:township_office"]})
    assert history.count() == 4  # sending the same choice again changes nothing
    client.force_login(county)
    client.post("/sms/", {"rule": []})
    assert sms.sms_rules() == {("case_opened", "township_office")}  # refused, unchanged

    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    _overdue_problem()
    assert SmsMessage.objects.filter(user=township, notice__kind="case_opened").count() == 1
    cases_sweep(datetime.datetime(2026, 10, 31, 8, 0, tzinfo=SHANGHAI))
    assert not SmsMessage.objects.filter(notice__kind="case_escalated").exists()


def test_a_notice_signals_its_user_and_a_case_its_area():
    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    _overdue_problem()
    topics = set(LiveSignal.objects.values_list("topic", flat=True))
    assert {f"u{township.pk}", f"d{LANSHAN_TOWNSHIP}201"} <= topics


def test_the_stream_outside_an_asgi_server_sends_what_is_new_and_refuses_nonsense(client):
    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    _overdue_problem()
    first = Notice.objects.get(user=township)
    client.force_login(township)
    body = client.get("/live/?after=0").content.decode()
    assert f"id: {first.pk}" in body and "您的工作台有新事项：电线老化" in body and "retry:" in body
    again = client.get("/live/", headers={"Last-Event-ID": str(first.pk)}).content.decode()
    assert f"id: {first.pk}" not in again
    for nonsense in ("abc", "1\x00", "9" * 40, "-1", "١٢"):
        answer = client.get("/live/", {"after": nonsense})
        assert answer.status_code == 400 and "数字" in answer.content.decode()
    client.logout()
    assert client.get("/live/").status_code in (302, 401)


def test_a_notice_committed_after_a_higher_numbered_one_still_reaches_the_open_page():
    """On PostgreSQL two transactions may commit out of number order: the stream, which has sent
    notice N, still sends a notice numbered below N that appears afterwards — once."""
    from django.utils import timezone

    from safetynet.core.live.selectors import known_notices, notices_after

    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    now = timezone.now()
    first = Notice.objects.create(user=township, at=now, kind="case_opened", params={"title": "甲"})
    sent = Notice.objects.create(pk=first.pk + 10, user=township, at=now, kind="case_opened",
                                 params={"title": "乙"})
    known = known_notices(township.pk, sent.pk)  # what the page has when its stream starts
    assert known == {first.pk, sent.pk}
    assert notices_after(township.pk, sent.pk, "zh-hans", known) == ([], -1)

    late = Notice.objects.create(pk=first.pk + 5, user=township, at=now, kind="case_opened",
                                 params={"title": "丙"})
    notices, unread = notices_after(township.pk, sent.pk, "zh-hans", known)
    assert [n["id"] for n in notices] == [late.pk] and unread == 3
    assert "丙" in notices[0]["text"]
    known.add(late.pk)
    assert notices_after(township.pk, sent.pk, "zh-hans", known) == ([], -1)  # sent once
