"""The official working-day calendar: real dates around Spring Festival and National Day (as the
migration seeds them from chinesecalendar), provisional deadlines past the last year entered, a
State Council schedule entered from a CSV (page and console), and files that enter nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.translation import override

from conftest import user
from safetynet.core import hooks
from safetynet.core.models import CalendarDay, CalendarYear, ChangeRecord, Role
from safetynet.core.workdays.calendar import WorkCalendar
from safetynet.core.workdays.files import CalendarFileError, read_calendar_file
from safetynet.core.workdays.selectors import work_calendar
from safetynet.core.workdays.services import calendar_years_replace

pytestmark = pytest.mark.django_db

D = datetime.date
SCHEDULE_2027 = ("日期,类型,名称\n2027-01-01,休,元旦\n2027-02-06,休,春节\n2027-02-07,休,春节\n"
                 "2027-02-14,班,春节\n")


@pytest.fixture
def calendar():
    return work_calendar()


@pytest.fixture
def listener():
    saved = hooks.snapshot()
    heard = []

    def changed(calendar, years):
        heard.append(sorted(years))
        return [f"测试：{year} 年的期限已重算" for year in sorted(years)]

    hooks.register_calendar_listener(name="test.listener", changed=changed)
    yield heard
    hooks.restore(saved)


def test_spring_festival_2024_holidays_and_the_working_sundays_around_them(calendar):
    assert not calendar.is_working_day(D(2024, 2, 12))  # Monday, 春节
    assert calendar.is_working_day(D(2024, 2, 4))  # Sunday, 班
    assert calendar.is_working_day(D(2024, 2, 18))  # Sunday, 班
    assert calendar.is_working_day(D(2024, 2, 9))  # Friday before the holiday: not a statutory holiday
    # Two working days from Thursday 8 February: Friday 9, then Sunday 18 (the whole week off between).
    assert calendar.add_working_days(D(2024, 2, 8), 2).due == D(2024, 2, 18)
    assert calendar.add_working_days(D(2024, 2, 8), 2).provisional is False


def test_national_day_2023_the_first_working_day_after_is_a_saturday(calendar):
    assert [calendar.is_working_day(D(2023, 9, 29) + datetime.timedelta(days=i)) for i in range(10)] == (
        [False] * 8 + [True, True]  # 29 September to 6 October off; Saturday 7 and Sunday 8 worked
    )
    assert calendar.add_working_days(D(2023, 9, 28), 1).due == D(2023, 10, 7)
    assert calendar.working_days_between(D(2023, 9, 28), D(2023, 10, 9)) == 3
    assert calendar.working_days_between(D(2023, 10, 9), D(2023, 9, 28)) == -3


def test_spring_festival_2022_with_its_working_saturday_and_sunday_before(calendar):
    assert calendar.is_working_day(D(2022, 1, 29)) and calendar.is_working_day(D(2022, 1, 30))
    assert not calendar.is_working_day(D(2022, 2, 4))
    # An application received on Friday 28 January 2022: investigation started within 3 working days.
    assert calendar.add_working_days(D(2022, 1, 28), 3).due == D(2022, 2, 7)


def test_a_period_in_calendar_days_ending_on_a_holiday_ends_on_the_next_working_day(calendar):
    assert calendar.add_calendar_days(D(2023, 9, 22), 7).due == D(2023, 10, 7)
    assert calendar.add_calendar_days(D(2023, 9, 22), 5).due == D(2023, 9, 27)
    # Seven days of public notice from Monday 4 December 2023 end on a Monday: no move.
    assert calendar.add_calendar_days(D(2023, 12, 4), 7).due == D(2023, 12, 11)


def test_hours_run_by_the_clock_through_a_holiday_night(calendar):
    call = datetime.datetime(2024, 2, 10, 23, 30, tzinfo=datetime.UTC)  # 除夕 night
    assert calendar.add_hours(call, 1) == calendar.add_hours(call, 1.0)
    assert calendar.add_hours(call, 1).due == datetime.datetime(2024, 2, 11, 0, 30, tzinfo=datetime.UTC)
    assert calendar.add_hours(call, 1).provisional is False


def test_the_seeded_years_reach_2026_and_2027_is_reckoned_by_the_week_and_marked_provisional(calendar):
    assert {2022, 2023, 2024, 2025, 2026} <= calendar.years and 2027 not in calendar.years
    assert calendar.last_year == 2026
    due = calendar.add_working_days(D(2026, 12, 30), 5)
    assert due == calendar.add_working_days(D(2026, 12, 30), 5)
    assert (due.due, due.provisional) == (D(2027, 1, 6), True)  # 1 January 2027 counted: not entered
    inside = calendar.add_working_days(D(2026, 12, 1), 5)
    assert inside.provisional is False
    assert calendar.add_calendar_days(D(2026, 12, 28), 7).provisional is True


def test_entering_2027_from_the_schedule_recomputes_and_tells_what_moved(listener):
    years = read_calendar_file(SCHEDULE_2027.encode())
    moved = calendar_years_replace(actor=None, years=years, source=CalendarYear.Source.FILE)
    assert listener == [[2027]]
    assert moved == ["测试：2027 年的期限已重算"]
    calendar = work_calendar()
    due = calendar.add_working_days(D(2026, 12, 30), 5)
    assert (due.due, due.provisional) == (D(2027, 1, 7), False)
    assert calendar.is_working_day(D(2027, 2, 14))  # a Sunday worked
    record = ChangeRecord.objects.get(entity_type="calendaryear", entity_id=2027)
    assert record.event == "calendaryear.entered" and "02-14" in record.after["workdays"]


def test_entering_a_year_again_replaces_its_days_and_history_keeps_both():
    calendar_years_replace(actor=None, years=read_calendar_file(SCHEDULE_2027.encode()), source="file")
    second = "日期,类型,名称\n2027-01-01,休,元旦\n"
    calendar_years_replace(actor=None, years=read_calendar_file(second.encode()), source="file")
    assert list(CalendarDay.objects.filter(year_id=2027).values_list("date", flat=True)) == [D(2027, 1, 1)]
    replaced = ChangeRecord.objects.get(entity_type="calendaryear", entity_id=2027,
                                        event="calendaryear.replaced")
    assert "02-06" in replaced.before["holidays"] and "02-06" not in replaced.after["holidays"]


def test_only_the_city_bureau_changes_the_calendar():
    county = user(Role.COUNTY_BUREAU, "371302")
    years = read_calendar_file(SCHEDULE_2027.encode())
    with pytest.raises(PermissionDenied):
        calendar_years_replace(actor=county, years=years, source="file")
    assert not CalendarYear.objects.filter(year=2027).exists()
    city = user(Role.CITY_BUREAU, "3713")
    calendar_years_replace(actor=city, years=years, source="file")
    assert CalendarYear.objects.get(year=2027).entered_by == city


@pytest.mark.parametrize(("content", "expected"), [
    ("日期,类型,名称\n2027-13-01,休,元旦\n", "第 2 行：“2027-13-01”不是"),
    ("日期,类型,名称\n2027-01-04,班,调休\n", "第 2 行：2027-01-04 是工作日"),
    ("日期,类型,名称\n2027-01-01,放假,元旦\n", "第 2 行：类型"),
    ("日期,类型,名称\n2027-01-01,休,元旦\n2027-01-01,休,元旦\n", "第 3 行：2027-01-01 已在第 2 行"),
    ("日期,类型,名称\n2027-01-01,休,元\x00旦\n", "不是文本"),
    ("date,kind\n", "没有日期"),
    ("", "文件为空"),
    ("名称,日期\n2027-01-01,休\n", "第一行"),
    ("日期,类型,名称\n1989-01-01,休,元旦\n", "1990"),
])
def test_a_malformed_schedule_is_refused_with_its_reasons_and_enters_nothing(content, expected):
    before = CalendarDay.objects.count()
    with override("zh-hans"), pytest.raises(CalendarFileError) as refused:
        read_calendar_file(content.encode())
    assert any(expected in message for message in refused.value.messages), refused.value.messages
    assert CalendarDay.objects.count() == before


def test_every_bad_line_of_a_schedule_is_reported_at_once():
    content = "日期,类型,名称\n2027-01-01,休,元旦\n2027-02-30,休,春节\n2027-01-05,班,调休\n"
    with override("zh-hans"), pytest.raises(CalendarFileError) as refused:
        read_calendar_file(content.encode())
    assert [message[:6] for message in refused.value.messages] == ["第 3 行：", "第 4 行："]


def test_a_schedule_saved_by_excel_in_gbk_with_english_kinds_is_read():
    content = "日期,类型,名称\n2027-01-01,holiday,元旦\n2027-02-14,workday,春节\n".encode("gbk")
    years = read_calendar_file(content)
    assert years == {2027: [(D(2027, 1, 1), "holiday", "元旦"), (D(2027, 2, 14), "workday", "春节")]}


def test_the_console_enters_a_schedule_and_refuses_a_bad_one(tmp_path, capsys):
    good = tmp_path / "2027.csv"
    good.write_text(SCHEDULE_2027, encoding="utf-8")
    with override("zh-hans"):
        call_command("calendar", "import", str(good))
    assert "2027" in capsys.readouterr().out
    assert CalendarYear.objects.get(year=2027).source == "file"
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,类型,名称\n2028-01-03,班,调休\n", encoding="utf-8")
    with override("zh-hans"), pytest.raises(CommandError, match="第 2 行"):
        call_command("calendar", "import", str(bad))
    assert not CalendarYear.objects.filter(year=2028).exists()


def test_a_county_clerk_reckons_a_deadline_on_the_page_and_sees_2027_marked_provisional(client):
    client.force_login(user(Role.COUNTY_BUREAU, "371302"))
    page = client.get(reverse("calendar"), {"start": "2023-09-28", "amount": "1", "unit": "working_days"})
    assert page.status_code == 200
    assert "2023-10-07" in page.content.decode() and "provisional" not in page.content.decode()
    later = client.get(reverse("calendar"), {"start": "2026-12-30", "amount": "5", "unit": "working_days"})
    with override("zh-hans"):
        assert "2027-01-06" in later.content.decode() and "暂定" in later.content.decode()
    assert 'id="calendar-upload"' not in page.content.decode()  # no form to change it
    refused = client.post(reverse("calendar"), {"file": _upload(SCHEDULE_2027)})
    assert refused.status_code == 403 and not CalendarYear.objects.filter(year=2027).exists()
    year = client.get(reverse("calendar_year", args=[2027]))
    assert 'id="not-entered"' in year.content.decode()


@pytest.mark.parametrize("query", [
    {"start": "2023-09-28", "amount": "-1", "unit": "working_days"},
    {"start": "99999999999999999999", "amount": "1", "unit": "working_days"},
    {"start": "0001-01-01", "amount": "1", "unit": "calendar_days"},
    {"start": "2023-09-28", "amount": "99999999999999999999999", "unit": "working_days"},
    {"start": "2023-09-28", "amount": "1", "unit": "hours\x00"},
])
def test_values_no_form_sends_get_a_message_not_a_server_error(client, query):
    client.force_login(user(Role.TOWNSHIP_OFFICE, "371302001"))
    page = client.get(reverse("calendar"), query)
    assert page.status_code == 200 and 'id="reckoned"' not in page.content.decode()


def test_the_city_bureau_enters_a_year_on_the_page_and_a_bad_file_changes_nothing(client, listener):
    client.force_login(user(Role.CITY_BUREAU, "3713"))
    with override("zh-hans"):
        bad = client.post(reverse("calendar"), {"file": _upload("日期,类型,名称\n2027-01-04,班,调休\n")},
                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert bad.status_code == 200 and "第 2 行" in bad.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists() and listener == []
    done = client.post(reverse("calendar"), {"file": _upload(SCHEDULE_2027)}, follow=True)
    assert done.status_code == 200
    text = done.content.decode()
    assert "测试：2027 年的期限已重算" in text and reverse("calendar_year", args=[2027]) in text
    year = client.get(reverse("calendar_year", args=[2027])).content.decode()
    assert "2027-02-14" in year and 'id="not-entered"' not in year


def test_a_calendar_without_any_year_entered_is_all_provisional():
    empty = WorkCalendar()
    assert empty.last_year is None
    assert empty.add_working_days(D(2024, 2, 8), 2) == empty.add_working_days(D(2024, 2, 8), 2)
    assert empty.add_working_days(D(2024, 2, 8), 2).due == D(2024, 2, 12)
    assert empty.add_working_days(D(2024, 2, 8), 2).provisional is True


def test_the_api_gives_the_years_and_a_deadline_marked_provisional_past_them():
    from django.test import Client

    from safetynet.core.services import api_token_create

    key = api_token_create(user=user(Role.TOWNSHIP_OFFICE, "371302001"), name="test")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    years = api.get("/api/v1/calendar").json()
    assert years["last_year"] == 2026 and {y["year"] for y in years["years"]} >= {2022, 2026}
    due = api.get("/api/v1/calendar/deadline", {"start": "2023-09-28", "amount": 1}).json()
    assert (due["due"], due["provisional"], due["working_day"]) == ("2023-10-07", False, True)
    later = api.get("/api/v1/calendar/deadline", {"start": "2026-12-30", "amount": 5}).json()
    assert (later["due"], later["provisional"]) == ("2027-01-06", True)
    holiday = api.get("/api/v1/calendar/deadline",
                      {"start": "2023-09-22", "amount": 7, "unit": "calendar_days"}).json()
    assert holiday["due"] == "2023-10-07"
    for bad in ({"start": "0", "amount": 1}, {"start": "2023-09-28", "amount": -1},
                {"start": "2023-09-28", "amount": 1, "unit": "hours"}, {"start": "1900-01-01", "amount": 1},
                {"start": "2023-09-28", "amount": "99999999999999999999999"}):
        refused = api.get("/api/v1/calendar/deadline", bad)
        assert refused.status_code == 422 and isinstance(refused.json()["detail"], list), bad
    assert Client().get("/api/v1/calendar").status_code == 401


def _upload(text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("schedule.csv", text.encode("utf-8"), content_type="text/csv")
