"""Who receives a programme: recorded by the county bureau from a decision, ended with a reason;
the household page says whether a household that qualifies receives nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.models import ChangeRecord, Role
from safetynet.programmes import services
from safetynet.programmes.batch import eligibility_rows
from safetynet.programmes.facts import household_explanation
from safetynet.programmes.models import Enrolment, Standard
from safetynet.programmes.selectors import eligibility_households, first_of_next_month
from safetynet.registry import services as registry_services
from safetynet.registry.models import Household, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(make_household):
    return make_household(village(LANSHAN_TOWNSHIP + "201"), user(Role.COUNTY_BUREAU, "371302"),
                          urban_rural="urban", members=[("韩一", 1, "02", datetime.date(1980, 1, 1))])


def test_an_enrolment_is_recorded_once_ended_with_a_reason_and_on_the_households_history(client, home):
    officer = user(Role.COUNTY_BUREAU, "371302")
    client.force_login(officer)
    assert "符合条件但未享受" in client.get(f"/registry/households/{home.pk}/").content.decode()

    enrolment = services.enrolment_start(actor=officer, household=home, programme="dibao",
                                         since=datetime.date(2022, 1, 1), amount="730",
                                         decision="兰民〔2022〕8号")
    page = client.get(f"/registry/households/{home.pk}/").content.decode()
    assert "自 2022-01-01 起享受，每月 730.00 元" in page and "符合条件但未享受" not in page
    with pytest.raises(ValidationError, match="已在享受"):
        services.enrolment_start(actor=officer, household=home, programme="dibao",
                                 since=datetime.date(2022, 6, 1), amount="730")
    with pytest.raises(ValidationError):
        services.enrolment_end(actor=officer, enrolment=enrolment, version=1, until=timezone.localdate(),
                               reason=" ")
    services.enrolment_end(actor=officer, enrolment=enrolment, version=1, until=timezone.localdate(),
                           reason="收入超过标准")
    with pytest.raises(ValidationError, match="刷新"):  # the same end sent twice
        services.enrolment_end(actor=officer, enrolment=enrolment, version=1, until=timezone.localdate(),
                               reason="收入超过标准")
    history = client.get(f"/registry/households/{home.pk}/").content.decode().split('id="timeline"')[1]
    assert "救助享受记录" in history and "最低生活保障" in history and "enrolment" not in history
    events = list(ChangeRecord.objects.filter(entity_type="enrolment").order_by("pk")
                  .values_list("event", flat=True))
    assert events == ["enrolment.started", "enrolment.ended"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"programme": "nope"}, "programme"), ({"amount": "-1"}, "amount"), ({"amount": "NaN"}, "amount"),
    ({"amount": "12.345"}, "amount"), ({"amount": "1e9"}, "amount"), ({"since": "2022-01-01"}, "since"),
    ({"decision": "号\x00"}, "decision"),
])
def test_bad_enrolments_are_refused_with_the_reason_and_nothing_saved(home, changes, field):
    given = {"programme": "dibao", "since": datetime.date(2022, 1, 1), "amount": "730", **changes}
    with pytest.raises(ValidationError) as refused:
        services.enrolment_start(actor=user(Role.COUNTY_BUREAU, "371302"), household=home, **given)
    assert field in refused.value.message_dict
    assert not Enrolment.objects.exists()


def test_only_the_county_bureau_of_the_household_records_it(home):
    for actor, error in ((user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP), PermissionDenied),
                         (user(Role.COUNTY_BUREAU, "371321"), Household.DoesNotExist)):
        with pytest.raises(error):
            services.enrolment_start(actor=actor, household=home, programme="dibao",
                                     since=datetime.date(2022, 1, 1), amount="730")
    assert not Enrolment.objects.exists()


def test_a_county_officer_records_and_ends_an_enrolment_from_the_household_page(client, home):
    officer = user(Role.COUNTY_BUREAU, "371302")
    client.force_login(officer)
    page = client.get(f"/registry/households/{home.pk}/").content.decode()
    start = f"/programmes/households/{home.pk}/enrolments/add/?programme=dibao&amp;amount=730"
    assert start in page  # the rule's amount offered: no income, one member, 730
    form = client.get(start.replace("&amp;", "&")).content.decode()
    assert 'value="730"' in form
    answer = client.post(start.replace("&amp;", "&"), {
        "programme": "dibao", "since": "2022-01-01", "amount": "730", "decision": "兰民〔2022〕9号"})
    assert answer.status_code == 302
    assert answer["Location"].endswith(f"/registry/households/{home.pk}/#eligibility")
    enrolment = Enrolment.objects.get()
    assert (enrolment.amount, enrolment.decision, enrolment.decided_by) == (730, "兰民〔2022〕9号", officer)
    page = client.get(f"/registry/households/{home.pk}/").content.decode()
    assert "自 2022-01-01 起享受" in page and f"/programmes/enrolments/{enrolment.pk}/end/" in page

    ended = client.post(f"/programmes/enrolments/{enrolment.pk}/end/", {
        "until": timezone.localdate().isoformat(), "end_reason": "家庭收入增加", "version": "1"})
    assert ended.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.until == timezone.localdate() and enrolment.end_reason == "家庭收入增加"
    again = client.post(f"/programmes/enrolments/{enrolment.pk}/end/", {
        "until": timezone.localdate().isoformat(), "end_reason": "重复提交", "version": "1"})
    assert again.status_code == 200 and "刷新" in again.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.end_reason == "家庭收入增加"


@pytest.mark.parametrize("sent", [
    {"amount": "-5"}, {"amount": "七百"}, {"since": "2022-02-30"}, {"decision": "号\x00"},
    {"programme": "welfare"}, {"amount": "9" * 25}, {"person": "99999999999999999999"},
])
def test_the_enrolment_page_refuses_bad_input_with_the_reason_and_saves_nothing(client, home, sent):
    client.force_login(user(Role.COUNTY_BUREAU, "371302"))
    answer = client.post(f"/programmes/households/{home.pk}/enrolments/add/", {
        "programme": "dibao", "since": "2022-01-01", "amount": "730", **sent})
    assert answer.status_code == 200 and 'class="errorlist' in answer.content.decode()
    assert not Enrolment.objects.exists()


def test_extreme_poverty_is_recorded_for_each_member_and_two_may_receive_it_in_one_household(
        client, make_household):
    officer = user(Role.COUNTY_BUREAU, "371302")
    home = make_household(village(LANSHAN_TOWNSHIP + "201"), officer, members=[
        ("孤老甲", 1, "02", datetime.date(1938, 1, 1)), ("孤老乙", 2, "10", datetime.date(1940, 1, 1))])
    first, second = (m.person for m in home.memberships.order_by("person__birth_date"))
    client.force_login(officer)
    page = client.get(f"/registry/households/{home.pk}/").content.decode()
    for person in (first, second):
        assert f"programme=tekun&amp;person={person.pk}" in page
    url = f"/programmes/households/{home.pk}/enrolments/add/"
    sent = {"programme": "tekun", "since": "2022-01-01", "amount": "874"}
    refused = client.post(url, sent)
    assert refused.status_code == 200 and "请选择享受的成员" in refused.content.decode()
    for person in (first, second):
        assert client.post(url, {**sent, "person": person.pk}).status_code == 302
    twice = client.post(url, {**sent, "person": first.pk})
    assert "该成员已在享受" in twice.content.decode()
    assert sorted(Enrolment.objects.values_list("person_id", flat=True)) == sorted([first.pk, second.pk])
    assert client.post(url, {"programme": "dibao", "since": "2022-01-01", "amount": "100",
                             "person": first.pk}).status_code == 200  # 低保 is for the household
    page = client.get(f"/registry/households/{home.pk}/").content.decode()
    assert page.count("自 2022-01-01 起享受") == 2
    # Both receive 特困: the household is not one that qualifies for 低保 but receives nothing.
    assert 'data-enrolled="covered"' in page
    columns, rows = eligibility_rows(area=home.village_id, on=timezone.localdate())
    row = dict(zip(columns, next(r for r in rows if r[0] == home.pk), strict=True))
    assert row["enrolled_dibao"] == 1 and row["enrolled_tekun"] == 1


def test_only_the_county_bureau_of_the_household_opens_the_enrolment_pages(client, home):
    enrolment = services.enrolment_start(actor=user(Role.COUNTY_BUREAU, "371302"), household=home,
                                         programme="dibao", since=datetime.date(2022, 1, 1), amount="730")
    for actor, status in ((user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP), 403),
                          (user(Role.COUNTY_BUREAU, "371321"), 404)):
        client.force_login(actor)
        assert client.get(f"/programmes/households/{home.pk}/enrolments/add/").status_code == status
        assert client.post(f"/programmes/enrolments/{enrolment.pk}/end/", {
            "until": "2023-01-01", "end_reason": "冒名", "version": "1"}).status_code == status
    client.force_login(user(Role.COUNTY_BUREAU, "371302"))
    assert client.get(f"/programmes/enrolments/{'9' * 20}/end/").status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.until is None


@pytest.fixture
def elders(make_household):
    """A rural couple of 80 in 兰山 with nothing: both qualify for 特困 and the household for 低保."""
    officer = user(Role.COUNTY_BUREAU, "371302")
    home = make_household(village(LANSHAN_TOWNSHIP + "201"), officer, members=[
        ("老周", 1, "02", datetime.date(1944, 1, 1)), ("周妻", 2, "10", datetime.date(1945, 1, 1))])
    husband, wife = (m.person for m in home.memberships.order_by("person__birth_date"))
    return officer, home, husband, wife


def _row(home):
    columns, rows = eligibility_rows(area=home.village_id, on=timezone.localdate())
    return dict(zip(columns, next(r for r in rows if r[0] == home.pk), strict=True))


def _result(officer, home, programme):
    explained = household_explanation(actor=officer, household=home, on=timezone.localdate())
    return next(r for r in explained["results"] if r["programme"] == programme)


def test_extreme_poverty_is_received_by_the_household_only_when_each_member_who_qualifies_has_it(elders):
    officer, home, husband, _wife = elders
    services.enrolment_start(actor=officer, household=home, programme="tekun", person=husband,
                             since=datetime.date(2022, 1, 1), amount="874")
    # The wife qualifies and receives nothing: the household stays on the 政策找人 list, both ways.
    assert _row(home)["enrolled_tekun"] == 0 and not _result(officer, home, "tekun")["receiving"]
    # Nor is 低保 covered by 特困: one member of two receives it (counted once, however many rows).
    first = Enrolment.objects.get(person=husband)
    services.enrolment_end(actor=officer, enrolment=first, version=1, reason="重新核定",
                           until=first_of_next_month(timezone.localdate()))
    services.enrolment_start(actor=officer, household=home, programme="tekun", person=husband,
                             since=first_of_next_month(timezone.localdate()), amount="900")
    assert _row(home)["enrolled_dibao"] == 0 and not _result(officer, home, "dibao")["receiving"]


def test_an_amount_that_cannot_be_worked_out_is_unknown_in_both_and_the_page_still_opens(client, elders):
    officer, home, _husband, _wife = elders
    Standard.objects.filter(kind="tekun_basic_ratio").delete()
    tekun = _result(officer, home, "tekun")
    assert tekun["qualifies"] and tekun["amount"] is None
    assert _row(home)["q_tekun"] == 1 and _row(home)["amount_tekun"] is None
    client.force_login(officer)
    page = client.get(f"/registry/households/{home.pk}/")
    assert page.status_code == 200 and "None" not in page.content.decode().split('id="eligibility"')[1][:5000]


def test_a_member_no_longer_decided_for_who_still_receives_it_is_shown_to_be_ended(client, elders):
    officer, home, husband, wife = elders
    enrolment = services.enrolment_start(actor=officer, household=home, programme="tekun", person=wife,
                                         since=datetime.date(2022, 1, 1), amount="874")
    Person.objects.filter(pk=wife.pk).update(status="03")  # deceased: no longer decided for
    client.force_login(officer)
    page = client.get(f"/registry/households/{home.pk}/").content.decode()
    assert 'data-enrolled="other"' in page and f"/programmes/enrolments/{enrolment.pk}/end/" in page
    assert _result(officer, home, "tekun")["others"] == [enrolment]
    assert _row(home)["no_longer_tekun"] == 1


def test_a_run_finds_a_member_paid_without_qualifying_though_another_member_qualifies(elders):
    """特困 is decided per member: the household where the husband qualifies and receives it, and the
    wife receives it though she no longer qualifies (her own pension now) or died, is on the run's
    list of those who receive without qualifying as well as on the list of those who qualify."""
    officer, home, husband, wife = elders
    today = timezone.localdate()
    for person in (husband, wife):
        services.enrolment_start(actor=officer, household=home, programme="tekun", person=person,
                                 since=datetime.date(2022, 1, 1), amount="874")
    run = services.eligibility_run(actor=officer, area_code="371302", on=today)
    assert run.counts["tekun"] == {"qualifies": 1, "not_enrolled": 0, "no_longer": 0}
    # Both receive 特困, so the household's 低保 is covered: it is not a 低保 paid without qualifying.
    assert run.counts["dibao"]["no_longer"] == 0

    registry_services.income_item_create(actor=officer, household=home, data={
        "category": "transfer_net", "amount": Decimal("60000"), "person": wife,
        "period_start": today - datetime.timedelta(days=364), "period_end": today})
    row = _row(home)
    assert (row["q_tekun"], row["enrolled_tekun"], row["no_longer_tekun"]) == (1, 1, 1)
    run = services.eligibility_run(actor=officer, area_code="371302", on=today)
    assert run.counts["tekun"] == {"qualifies": 1, "not_enrolled": 0, "no_longer": 1}
    listed = eligibility_households(actor=officer, run=run, programme="tekun", township=LANSHAN_TOWNSHIP,
                                    kind="no_longer")
    assert [entry["household_id"] for entry in listed] == [home.pk]
    # Ended with a reason, the household is off that list and still on the list of those who qualify.
    services.enrolment_end(actor=officer, enrolment=Enrolment.objects.get(person=wife), version=1,
                           until=today, reason="本人有养老金收入")
    assert _row(home)["no_longer_tekun"] == 0 and _row(home)["q_tekun"] == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"since": datetime.date(2099, 1, 1)}, "since"), ({"since": datetime.date(1900, 1, 1)}, "since"),
    ({"programme": "temporary"}, "programme"),
])
def test_an_enrolment_far_in_the_future_or_the_past_or_of_one_off_aid_is_refused(home, changes, field):
    given = {"programme": "dibao", "since": datetime.date(2022, 1, 1), "amount": "730", **changes}
    with pytest.raises(ValidationError) as refused:
        services.enrolment_start(actor=user(Role.COUNTY_BUREAU, "371302"), household=home, **given)
    assert field in refused.value.message_dict
    assert not Enrolment.objects.exists()


def test_a_household_paid_when_no_standard_decides_it_is_listed_as_paid_without_qualifying(home):
    """No 低保 standard in force on the day: the rule cannot be met, the household page says it no
    longer qualifies, and the run lists it among those paid without qualifying, not nowhere."""
    officer = user(Role.COUNTY_BUREAU, "371302")
    services.enrolment_start(actor=officer, household=home, programme="dibao",
                             since=datetime.date(2022, 1, 1), amount="730")
    Standard.objects.filter(kind="dibao").delete()
    assert not _result(officer, home, "dibao")["qualifies"]
    row = _row(home)
    assert (row["q_dibao"], row["no_longer_dibao"]) == (0, 1)
