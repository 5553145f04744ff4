"""The rescue station's store and duty (issue 17): supplies received, issued and handed out on the
street (drawn from the stock, earlier hand-outs booked once), minimum levels on the desk, the
campaign's budget, the 24-hour roster with its gaps, double bookings and the signed handover."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from conftest import user
from safetynet.core.hooks import desk_items
from safetynet.core.models import Division, Role
from safetynet.institutions.services import institution_create
from safetynet.rescue import services as street
from safetynet.rescue.models import Handout, RescueTeam, Stock, StockMovement, StreetContact
from safetynet.rescue.station import selectors, services

pytestmark = pytest.mark.django_db

LANSHAN = "371302"


@pytest.fixture
def county():
    return user(Role.COUNTY_BUREAU, LANSHAN)


@pytest.fixture
def station(county):
    return institution_create(
        actor=county,
        division=Division.objects.get(code="371302001"),
        data={"name": "兰山区救助管理站", "kind": "rescue_station", "address": "沂河路1号"},
    )


@pytest.fixture
def duty():
    return user(Role.RESCUE_STATION, LANSHAN)


def test_supplies_received_and_issued_and_too_many_refused(duty, station):
    services.stock_receive(
        actor=duty, station_id=station.pk, item="coat", quantity=20, cost="3600.00", supplier="临沂被服厂"
    )
    issued = services.stock_issue(
        actor=duty, station_id=station.pk, item="coat", quantity=5, recipient="站内受助人员"
    )
    assert issued.kind == "issue" and Stock.objects.get(station=station, item="coat").on_hand == 15
    with pytest.raises(ValidationError) as refused:
        services.stock_issue(actor=duty, station_id=station.pk, item="coat", quantity=16, recipient="某人")
    assert "15" in str(refused.value.message_dict["quantity"])
    with pytest.raises(ValidationError):
        services.stock_issue(actor=duty, station_id=station.pk, item="quilt", quantity=1, recipient="某人")
    with pytest.raises(ValidationError) as nobody:
        services.stock_issue(actor=duty, station_id=station.pk, item="coat", quantity=1)
    assert "recipient" in nobody.value.message_dict
    for bad in (0, -3, True, "5", 10**9):
        with pytest.raises(ValidationError):
            services.stock_receive(actor=duty, station_id=station.pk, item="coat", quantity=bad)
    with pytest.raises(ValidationError):
        services.stock_receive(actor=duty, station_id=station.pk, item="coat", quantity=1, cost="12.345")
    with pytest.raises(ValidationError):
        services.stock_receive(actor=duty, station_id=station.pk, item="car", quantity=1)
    # Nothing the refusals touched: one receipt, one issue, 15 coats.
    assert StockMovement.objects.count() == 2 and Stock.objects.get(item="coat").on_hand == 15


def test_another_countys_duty_keeps_nothing_here(station):
    stranger = user(Role.RESCUE_STATION, "371321")
    with pytest.raises(ValidationError):
        services.stock_receive(actor=stranger, station_id=station.pk, item="coat", quantity=1)
    reader = user(Role.CITY_BUREAU, "3713")
    with pytest.raises(PermissionDenied):
        services.stock_receive(actor=reader, station_id=station.pk, item="coat", quantity=1)
    assert not StockMovement.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clerks_issuing_the_last_coats_one_succeeds(duty, station):
    services.stock_receive(actor=duty, station_id=station.pk, item="coat", quantity=3)
    outcomes = []

    def issue():
        try:
            services.stock_issue(actor=duty, station_id=station.pk, item="coat", quantity=2, recipient="甲")
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        except Exception as error:  # noqa: BLE001
            outcomes.append(repr(error))
        finally:
            connection.close()

    if connection.vendor == "sqlite":
        # The tests' in-memory SQLite locks whole tables across threads: the two clerks in turn.
        issue(), issue()
    else:
        threads = [threading.Thread(target=issue) for _ in range(2)]
        [t.start() for t in threads]
        [t.join() for t in threads]
    assert sorted(outcomes) == ["ok", "refused"] and Stock.objects.get(item="coat").on_hand == 1


def test_low_stock_is_on_the_desk_of_the_stations_keepers(duty, station):
    services.stock_receive(actor=duty, station_id=station.pk, item="coat", quantity=12)
    services.stock_minimum_set(actor=duty, station_id=station.pk, item="coat", minimum=10)
    assert selectors.low_stock(actor=duty).count() == 0
    services.stock_issue(actor=duty, station_id=station.pk, item="coat", quantity=5, recipient="巡查队")
    assert [s.item for s in selectors.low_stock(actor=duty)] == ["coat"]
    from safetynet.core.hooks import desk_queues

    queue = next(q for q in desk_queues(duty) if q.name == "rescue.low_stock")
    assert queue.count == 1
    assert selectors.low_stock(actor=user(Role.RESCUE_STATION, "371321")).count() == 0


def test_street_handouts_are_drawn_from_the_teams_station_and_earlier_ones_booked_once(duty, station):
    team = street.team_create(actor=duty, county=LANSHAN, name="一队", station_id=station.pk, members=[duty])
    incident = street.incident_receive(
        actor=duty, data={"source": "hotline", "division": LANSHAN, "place": "桥下"}
    )
    street.team_dispatch(actor=duty, incident_id=incident.pk, version=incident.version, team_id=team.pk)
    street.contact_record(
        actor=duty,
        incident_id=incident.pk,
        data={"outcome": "refused", "description": "男，约60岁", "card_given": True},
        handouts={"coat": 1, "food": 2},
    )
    assert Handout.objects.filter(booked_at__isnull=True).count() == 2  # no stock yet: they wait
    services.stock_receive(actor=duty, station_id=station.pk, item="coat", quantity=10)
    assert services.handouts_book_earlier(actor=duty, station_id=station.pk) == (1, 1)  # no food in store
    assert services.handouts_book_earlier(actor=duty, station_id=station.pk) == (0, 1)  # once only
    assert Stock.objects.get(item="coat").on_hand == 9

    incident = street.incident_receive(
        actor=duty, data={"source": "hotline", "division": LANSHAN, "place": "ATM"}
    )
    street.team_state_set(actor=duty, team_id=team.pk, state="available")
    team.refresh_from_db()
    street.team_dispatch(actor=duty, incident_id=incident.pk, version=incident.version, team_id=team.pk)
    street.contact_record(
        actor=duty,
        incident_id=incident.pk,
        data={"outcome": "refused", "description": "女，约50岁", "card_given": True},
        handouts={"coat": 2},
    )
    assert Stock.objects.get(item="coat").on_hand == 7  # drawn at once now
    last = StreetContact.objects.latest("pk").handouts.get()
    assert last.booked_at is not None and last.movement.kind == "handout"


def test_the_budget_shows_what_the_receipts_cost(duty, station):
    city = user(Role.CITY_BUREAU, "3713")
    today = timezone.localdate()
    services.budget_set(
        actor=city,
        division_code="3713",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=100),
        amount="530000",
    )
    services.stock_receive(actor=duty, station_id=station.pk, item="coat", quantity=100, cost="18000.00")
    services.stock_receive(actor=duty, station_id=station.pk, item="food", quantity=100, cost="")
    [use] = selectors.budgets(actor=city)
    assert use.spent == Decimal("18000.00") and use.left == Decimal("512000.00") and use.share == 3
    assert [b.spent for b in selectors.budgets(actor=duty)] == [
        Decimal("18000.00")
    ]  # the county sees the city's
    with pytest.raises(ValidationError):
        services.budget_set(
            actor=city,
            division_code="3713",
            starts_on=today,
            ends_on=today - datetime.timedelta(1),
            amount="1",
        )
    with pytest.raises(PermissionDenied):
        services.budget_set(actor=duty, division_code=LANSHAN, starts_on=today, ends_on=today, amount="1")
    with pytest.raises(ValidationError) as ancient:
        services.budget_set(
            actor=city, division_code="3713", starts_on=datetime.date(1, 1, 1), ends_on=today, amount="1"
        )
    assert "starts_on" in ancient.value.message_dict
    with pytest.raises(ValidationError):  # more than the ledger keeps
        services.stock_receive(
            actor=duty, station_id=station.pk, item="coat", quantity=1, cost="1" + "0" * 13
        )


def _at(days: int, hour: int) -> datetime.datetime:
    base = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return base + datetime.timedelta(days=days, hours=hour)


def test_the_roster_flags_a_leader_gap_refuses_a_double_booking_and_the_leader_signs(duty, station, county):
    leader, other = user(Role.COUNTY_BUREAU, LANSHAN), user(Role.RESCUE_STATION, LANSHAN)
    for day in range(0, 3):
        if day != 1:
            services.shift_book(
                actor=duty,
                station_id=station.pk,
                post="leader",
                user_id=leader.pk,
                starts_at=_at(day, 0),
                ends_at=_at(day + 1, 0),
            )
    services.shift_book(
        actor=duty,
        station_id=station.pk,
        post="officer",
        user_id=other.pk,
        starts_at=_at(1, 8),
        ends_at=_at(1, 20),
    )
    gaps = selectors.roster_gaps(station=station, since=_at(0, 0), until=_at(3, 0))
    assert gaps == [(_at(1, 0), _at(2, 0))]
    titles = [i.title for i in desk_items(duty, timezone.now()) if "兰山区救助管理站" in i.title]
    assert titles, "the leader gap is on the keeper's desk"

    with pytest.raises(ValidationError) as double:
        services.shift_book(
            actor=duty,
            station_id=station.pk,
            post="leader",
            user_id=other.pk,
            starts_at=_at(1, 12),
            ends_at=_at(1, 23),
        )
    assert "兰山区救助管理站" in str(double.value.message_dict["user"])
    with pytest.raises(ValidationError):  # longer than a day
        services.shift_book(
            actor=duty,
            station_id=station.pk,
            post="leader",
            user_id=other.pk,
            starts_at=_at(1, 0),
            ends_at=_at(2, 1),
        )
    with pytest.raises(ValidationError):
        services.shift_book(
            actor=duty,
            station_id=station.pk,
            post="chief",
            user_id=other.pk,
            starts_at=_at(1, 0),
            ends_at=_at(1, 8),
        )

    first = selectors.shifts(station=station, since=_at(0, 0), until=_at(1, 0)).get()
    with pytest.raises(PermissionDenied):
        services.shift_sign(actor=other, shift_id=first.pk, handover="无异常")
    with pytest.raises(ValidationError):
        services.shift_sign(actor=leader, shift_id=first.pk, handover="  ")
    services.shift_sign(actor=leader, shift_id=first.pk, handover="夜间接警2起，均已处置。")
    with pytest.raises(ValidationError):
        services.shift_sign(actor=leader, shift_id=first.pk, handover="再签一次")
    later = selectors.shifts(station=station, since=_at(2, 0), until=_at(3, 0)).get(post="leader")
    with pytest.raises(ValidationError):  # not begun
        services.shift_sign(actor=leader, shift_id=later.pk, handover="提前签")
    services.shift_cancel(actor=duty, shift_id=later.pk)
    with pytest.raises(ValidationError):  # started shifts stay
        services.shift_cancel(actor=duty, shift_id=first.pk)


def test_the_station_page_walk(client, duty, station):
    client.force_login(duty)
    page = client.get("/rescue/stations/")
    assert page.status_code == 200 and "兰山区救助管理站" in page.content.decode()
    url = f"/rescue/stations/{station.pk}/"
    assert (
        client.post(
            url + "receive/", {"item": "coat", "quantity": "12", "cost": "2160", "supplier": "被服厂"}
        ).status_code
        == 302
    )
    assert client.post(url + "minimum/", {"item": "coat", "minimum": "10"}).status_code == 302
    refused = client.post(url + "issue/", {"item": "coat", "quantity": "13", "recipient": "甲"})
    assert refused.status_code == 400 and "库存不足" in refused.content.decode()
    assert (
        client.post(url + "issue/", {"item": "coat", "quantity": "5", "recipient": "甲"}).status_code == 302
    )
    shown = client.get(url).content.decode()
    assert "低于最低库存" in shown and "没有带班领导" in shown
    nul = client.post(url + "receive/", {"item": "coat", "quantity": "1", "supplier": "厂\x00"})
    assert nul.status_code == 400 and Stock.objects.get(item="coat").on_hand == 7
    assert (
        client.post(
            url + "shifts/new/",
            {
                "post": "leader",
                "user": "99999",
                "starts_at": "2026-12-08T08:00",
                "ends_at": "2026-12-08T20:00",
            },
        ).status_code
        == 400
    )
    outsider = user(Role.RESCUE_STATION, "371321")
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url + "receive/", {"item": "coat", "quantity": "1"}).status_code == 404
    assert RescueTeam.objects.count() == 0


def _arrive(duty, station, **extra):
    data = {
        "arrival": "patrol",
        "features": "男，约60岁，红色外套，说不清家在哪里",
        "sex": "1",
        "approximate_age": 60,
        "belongings": "编织袋一个，旧棉被一床",
        **extra,
    }
    return services.stay_receive(actor=duty, station_id=station.pk, data=data)


def test_an_unknown_man_is_screened_admitted_searched_for_and_collected(duty, station):
    from safetynet.core.workflows.services import case_transition

    stay = _arrive(duty, station)
    assert stay.case.state == "screening" and not stay.identity_known
    with pytest.raises(ValidationError) as unprinted:  # admitting needs the registration form
        case_transition(actor=duty, case_id=stay.case_id, transition="admit", version=stay.case.version)
    assert "求助登记表" in str(unprinted.value)
    services.stay_form_print(actor=duty, stay_id=stay.pk, form="registration")
    case = case_transition(actor=duty, case_id=stay.case_id, transition="admit", version=stay.case.version)
    assert case.state == "in_station" and (case.due_at - timezone.now()).days in (9, 10)
    # His family-search notice is due within the day, on the keeper's desk until it is out.
    kinds = [item.kind for item in desk_items(duty, timezone.now() + datetime.timedelta(days=1))]
    assert "发布寻亲公告" in kinds
    notice = services.stay_form_print(actor=duty, stay_id=stay.pk, form="family_search", fmt="pdf")
    assert notice.content.startswith(b"%PDF")
    kinds = [item.kind for item in desk_items(duty, timezone.now() + datetime.timedelta(days=1))]
    assert "发布寻亲公告" not in kinds

    stay.refresh_from_db()
    services.stay_form_print(actor=duty, stay_id=stay.pk, form="exit_register")  # too early: no collector yet
    with pytest.raises(ValidationError):  # the collector first
        case_transition(actor=duty, case_id=case.pk, transition="collect", version=case.version)
    with pytest.raises(ValidationError) as bad_id:
        services.stay_collector_record(
            actor=duty,
            stay_id=stay.pk,
            version=stay.version,
            name="王某",
            relation="儿子",
            id_number="371302199001011234",
        )
    assert "collector_id_number" in bad_id.value.message_dict
    from safetynet.core.ids import make_id_number

    son = make_id_number("371302", datetime.date(1990, 1, 1), 12)
    stay = services.stay_collector_record(
        actor=duty, stay_id=stay.pk, version=stay.version, name="王某", relation="儿子", id_number=son
    )
    with pytest.raises(ValidationError) as stale:  # and the exit register printed with him named
        case_transition(actor=duty, case_id=case.pk, transition="collect", version=case.version)
    assert "重新打印" in str(stale.value)
    services.stay_form_print(actor=duty, stay_id=stay.pk, form="exit_register", fmt="docx")
    case = case_transition(actor=duty, case_id=case.pk, transition="collect", version=case.version)
    stay.refresh_from_db()
    assert case.state == "collected" and stay.left_at is not None
    figures = selectors.stay_figures(actor=duty)
    assert figures["by_exit"] == {"collected": 1} and figures["searches_opened"] == 1
    assert figures["in_station_by_day"][-1][1] == 0


def test_a_stay_is_extended_only_with_a_reason_and_the_limit_depends_on_the_person(duty, station):
    from safetynet.core.workflows.services import case_extend, case_transition

    child = _arrive(duty, station, needs_care=True, approximate_age=12)
    services.stay_form_print(actor=duty, stay_id=child.pk, form="registration")
    with pytest.raises(ValidationError):  # a minor: no 10-day limit
        case_transition(actor=duty, case_id=child.case_id, transition="admit", version=child.case.version)
    case = case_transition(
        actor=duty, case_id=child.case_id, transition="admit_care", version=child.case.version
    )
    assert case.state == "in_care" and (case.due_at - timezone.now()).days >= 29  # reviewed monthly

    adult = _arrive(duty, station, name="李某", identity_known=True, features="")
    services.stay_form_print(actor=duty, stay_id=adult.pk, form="registration")
    case = case_transition(actor=duty, case_id=adult.case_id, transition="admit", version=adult.case.version)
    with pytest.raises(ValidationError):
        case_extend(actor=duty, case_id=case.pk, version=case.version, amount=5, reason="")
    due = case.due_at
    bureau = user(Role.COUNTY_BUREAU, LANSHAN)
    case = case_extend(actor=duty, case_id=case.pk, version=case.version, amount=5, reason="等待家属来接")
    assert case.due_at > due
    from safetynet.core.models import Notice

    report = Notice.objects.get(user=bureau, kind="case_extended")  # reported upward, with the reason
    assert report.params["reason"] == "等待家属来接" and report.case_id == case.pk
    with pytest.raises(ValidationError):  # no family search for a person who said who he is
        services.stay_form_print(actor=duty, stay_id=adult.pk, form="family_search")
    with pytest.raises(ValidationError):  # leaving by himself needs the declaration printed
        case_transition(actor=duty, case_id=case.pk, transition="self_exit", version=case.version)
    with pytest.raises(ValidationError):
        _arrive(duty, station, features="", name="")
    with pytest.raises(ValidationError):
        _arrive(duty, station, arrival="teleport")
    with pytest.raises(ValidationError):
        _arrive(duty, station, features="男\x00")


def test_the_stay_pages_walk_and_another_county_reads_none(client, duty, station):
    client.force_login(duty)
    answer = client.post(
        f"/rescue/stations/{station.pk}/stays/new/",
        {"arrival": "patrol", "features": "男，约60岁", "sex": "1", "approximate_age": "60"},
    )
    assert answer.status_code == 302
    stay_url = answer["Location"]
    page = client.get(stay_url).content.decode()
    assert "请在" in page and "发布寻亲公告" in page  # the family search, due within a day
    assert "求助登记表" in page and "甄别" in page
    pk = int(stay_url.rstrip("/").split("/")[-1])
    assert client.get(f"/rescue/stays/{pk}/forms/registration/pdf/").status_code == 405  # printing is a write
    pdf = client.post(f"/rescue/stays/{pk}/forms/registration/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.post(f"/rescue/stays/{pk}/forms/nonsense/pdf/").status_code == 404
    assert (
        client.post(
            f"/rescue/stays/{pk}/collector/",
            {
                "version": "1",
                "collector_name": "王某",
                "collector_relation": "儿子",
                "collector_id_number": "123",
            },
        ).status_code
        == 400
    )
    client.force_login(user(Role.RESCUE_STATION, "371321"))
    assert client.get(stay_url).status_code == 404
    assert client.post(f"/rescue/stays/{pk}/forms/registration/pdf/").status_code == 404
