"""Weather warnings: entered by the city or a county bureau for its own county, read from the
meteorological feed file all or nothing, overlapping warnings refused, withdrawn with a reason, in
force for the apps that react, and values no form would send."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import override

from conftest import user
from safetynet.core import hooks
from safetynet.core.models import ChangeRecord, Role, WeatherWarning
from safetynet.core.weather.files import WeatherFileError, read_weather_file
from safetynet.core.weather.selectors import warnings_in_force, weather_warnings
from safetynet.core.weather.services import weather_warning_withdraw, weather_warnings_create

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
LANSHAN, YINAN = "371302", "371321"


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


COLD_SPELL = at(2026, 12, 6, 20)


def cold_wave(county=LANSHAN, start=COLD_SPELL, hours=60, **more) -> dict:
    return {"county": county, "kind": "cold_wave", "level": "blue", "lowest_temperature": Decimal("-8.0"),
            "starts_at": start, "ends_at": start + datetime.timedelta(hours=hours), "note": ""} | more


@pytest.fixture
def listener():
    saved = hooks.snapshot()
    heard = []

    def entered(warning):
        heard.append(warning.county_id)
        return [f"测试：{warning.county.name}的高风险家庭应在 24 小时内走访"]

    hooks.register_weather_listener(name="test.visits", entered=entered)
    yield heard
    hooks.restore(saved)


def test_a_county_bureau_enters_a_cold_wave_and_the_work_that_reacts_hears_of_it(listener):
    lanshan = user(Role.COUNTY_BUREAU, LANSHAN)
    made, reactions = weather_warnings_create(actor=lanshan, items=[cold_wave()], source="entered")
    assert listener == [LANSHAN] and reactions == ["测试：兰山区的高风险家庭应在 24 小时内走访"]
    assert list(warnings_in_force(at(2026, 12, 7, 8))) == made
    assert list(warnings_in_force(at(2026, 12, 7, 8), county=YINAN)) == []
    assert list(warnings_in_force(at(2026, 12, 6, 19, 59))) == []
    record = ChangeRecord.objects.get(entity_type="weatherwarning", entity_id=made[0].pk)
    assert record.event == "weatherwarning.entered" and record.after["county"] == LANSHAN


def test_a_county_bureau_cannot_enter_or_withdraw_another_countys_warning():
    lanshan = user(Role.COUNTY_BUREAU, LANSHAN)
    with pytest.raises(PermissionDenied):
        weather_warnings_create(actor=lanshan, items=[cold_wave(YINAN)], source="entered")
    (warning,), _ = weather_warnings_create(actor=user(Role.CITY_BUREAU, "3713"), items=[cold_wave(YINAN)],
                                            source="entered")
    with pytest.raises(PermissionDenied):
        weather_warning_withdraw(actor=lanshan, warning=warning, reason="错了")
    with pytest.raises(PermissionDenied):
        weather_warnings_create(actor=user(Role.TOWNSHIP_OFFICE, "371302001"), items=[cold_wave()],
                                source="entered")
    assert weather_warnings(actor=lanshan).count() == 0  # the other county's is not in Lanshan's list


def test_an_overlapping_warning_is_refused_with_the_one_in_force_named(listener):
    city = user(Role.CITY_BUREAU, "3713")
    weather_warnings_create(actor=city, items=[cold_wave()], source="entered")
    with override("zh-hans"), pytest.raises(ValidationError) as refused:
        weather_warnings_create(actor=city, items=[cold_wave(start=at(2026, 12, 7, 8))], source="entered")
    assert "兰山区" in str(refused.value) and "2026-12-06 20:00" in str(refused.value)
    # Another kind, another county, or after the first ends: each stands.
    weather_warnings_create(actor=city, items=[
        cold_wave(kind="low_temperature", level=""), cold_wave(YINAN), cold_wave(start=at(2026, 12, 9, 8))],
        source="entered")
    assert WeatherWarning.objects.count() == 4 and len(listener) == 4


def test_a_withdrawn_warning_no_longer_blocks_nor_reacts():
    city = user(Role.CITY_BUREAU, "3713")
    (warning,), _ = weather_warnings_create(actor=city, items=[cold_wave()], source="entered")
    with pytest.raises(ValidationError):
        weather_warning_withdraw(actor=city, warning=warning, reason="")
    weather_warning_withdraw(actor=city, warning=warning, reason="气象台解除预警")
    assert list(warnings_in_force(at(2026, 12, 7, 8))) == []
    with pytest.raises(ValidationError):
        weather_warning_withdraw(actor=city, warning=warning, reason="再撤一次")
    weather_warnings_create(actor=city, items=[cold_wave()], source="entered")
    assert ChangeRecord.objects.get(event="weatherwarning.withdrawn").reason == "气象台解除预警"


@pytest.mark.parametrize(("changes", "field"), [
    ({"county": "371302001"}, "county"),  # a township
    ({"county": "110101"}, "county"),  # another city's county
    ({"kind": "heat"}, "kind"),
    ({"level": "purple"}, "level"),
    ({"lowest_temperature": Decimal("-99")}, "lowest_temperature"),
    ({"kind": "low_temperature", "lowest_temperature": None}, "lowest_temperature"),
    ({"hours": 0}, "ends_at"),
    ({"hours": 24 * 16}, "ends_at"),
    ({"note": "预警\x00"}, "note"),
])
def test_values_no_form_would_send_are_refused_and_nothing_is_entered(changes, field):
    hours = changes.pop("hours", 60)
    with pytest.raises(ValidationError) as refused:
        weather_warnings_create(actor=None, items=[cold_wave(hours=hours, **changes)], source="entered")
    assert list(refused.value.message_dict) == ["0"]
    assert WeatherWarning.objects.count() == 0


FEED = ("区县代码,类型,级别,最低气温,开始,结束,说明\n"
        "371302,寒潮,蓝,-8,2026-12-06 20:00,2026-12-09 08:00,临沂市气象台寒潮蓝色预警\n"
        "371321,低温,,-12.5,2026-12-07 00:00,2026-12-08 12:00,\n")


def test_the_feed_file_enters_every_warning_or_none():
    items = read_weather_file(FEED.encode("gbk"))
    made, _ = weather_warnings_create(actor=None, items=items, source="feed")
    assert [(w.county_id, w.kind, w.lowest_temperature) for w in made] == [
        (LANSHAN, "cold_wave", Decimal("-8.0")), (YINAN, "low_temperature", Decimal("-12.5"))]
    # The same file again: both overlap what is in force, nothing more is entered.
    with pytest.raises(ValidationError) as refused:
        weather_warnings_create(actor=None, items=read_weather_file(FEED.encode()), source="feed")
    assert sorted(refused.value.message_dict) == ["0", "1"] and WeatherWarning.objects.count() == 2


def test_a_malformed_feed_says_what_is_wrong_on_each_line():
    bad = FEED + "371302,暴雪,紫,冷,2026-12-10,2026-12-11 08:00,\n"
    with override("zh-hans"), pytest.raises(WeatherFileError) as refused:
        read_weather_file(bad.encode())
    (message,) = refused.value.messages
    assert message.startswith("第 4 行：") and "寒潮" in message and "蓝" in message and "摄氏度" in message
    for content in (b"", b"\x00\x01binary", "区县,种类\n".encode()):
        with pytest.raises(WeatherFileError):
            read_weather_file(content)


def test_the_page_lists_and_enters_for_the_county_and_refuses_the_township(client, listener):
    client.force_login(user(Role.COUNTY_BUREAU, LANSHAN))
    page = client.get(reverse("weather"))
    assert page.status_code == 200 and 'id="weather-enter"' in page.content.decode()
    done = client.post(reverse("weather"), {
        "action": "enter", "county": LANSHAN, "kind": "cold_wave", "level": "yellow",
        "lowest_temperature": "-10", "starts_at": "2026-12-06T20:00", "ends_at": "2026-12-08T08:00",
        "note": "寒潮黄色预警"}, follow=True)
    text = done.content.decode()
    assert "测试：兰山区的高风险家庭应在 24 小时内走访" in text and "寒潮黄色预警" in text
    other = client.post(reverse("weather"), {
        "action": "enter", "county": YINAN, "kind": "cold_wave", "starts_at": "2026-12-06T20:00",
        "ends_at": "2026-12-08T08:00"})
    assert other.status_code == 200 and WeatherWarning.objects.filter(county_id=YINAN).count() == 0
    warning = WeatherWarning.objects.get()
    client.post(reverse("weather_withdraw", args=[warning.pk]), {"reason": "解除"})
    assert WeatherWarning.objects.get().withdrawn_at is not None

    client.force_login(user(Role.TOWNSHIP_OFFICE, "371302001"))
    township = client.get(reverse("weather")).content.decode()
    assert "寒潮黄色预警" in township and 'id="weather-enter"' not in township
    assert client.post(reverse("weather"), {"action": "feed"}).status_code == 403
    client.force_login(user(Role.COUNTY_BUREAU, YINAN))
    assert client.post(reverse("weather_withdraw", args=[warning.pk]), {"reason": "x"}).status_code == 404


def test_the_feed_read_on_the_page_reports_lines_and_enters_nothing_when_one_overlaps(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(user(Role.CITY_BUREAU, "3713"))
    overlapping = FEED + "371302,寒潮,黄,-9,2026-12-07 20:00,2026-12-08 08:00,\n"
    with override("zh-hans"):
        page = client.post(reverse("weather"), {
            "action": "feed", "file": SimpleUploadedFile("feed.csv", overlapping.encode())})
    assert "第 4 行" in page.content.decode() and WeatherWarning.objects.count() == 0
    client.post(reverse("weather"), {"action": "feed", "file": SimpleUploadedFile("feed.csv", FEED.encode())})
    assert WeatherWarning.objects.count() == 2
