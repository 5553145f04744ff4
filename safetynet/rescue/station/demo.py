"""The demo city's rescue stations: each station's store stocked for the winter (coats, quilts,
food, gloves, hats; what they cost spent against the city's 530,000-yuan supplies budget), with
minimum levels; 兰山区's station a few coats above its minimum, so that an issue takes it below and
its desk says so; and 兰山区's 24-hour roster for the coming week with one day that has no leader on
duty, which the desk flags. The street's earlier hand-outs wait on the station's page to be booked."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.demo import DemoContext, demo_date_written_since, not_after_now

# item → (received, unit cost in yuan, minimum level)
STORE = {
    "coat": (40, Decimal("180.00"), 10),
    "quilt": (30, Decimal("150.00"), 8),
    "food": (200, Decimal("12.00"), 50),
    "gloves": (60, Decimal("15.00"), 20),
    "hat": (60, Decimal("20.00"), 20),
}
CITY_BUDGET = Decimal("530000.00")  # the briefing's winter supplies budget


def build_station(context: DemoContext) -> str | None:
    from safetynet.institutions.selectors import institutions
    from safetynet.rescue.models import StockMovement
    from safetynet.rescue.station import selectors, services

    city = context.users.get("city")
    duty = context.users.get("lanshan-rescue")
    if city is None or duty is None or selectors.stock(actor=city).exists():
        return None
    started = timezone.now()
    today = context.clock.as_of
    campaign_start = datetime.date(today.year if today.month >= 11 else today.year - 1, 11, 15)
    services.budget_set(
        actor=city,
        division_code=city.division_id[:4],
        starts_on=campaign_start,
        ends_on=datetime.date(campaign_start.year + 1, 3, 15),
        amount=CITY_BUDGET,
    )
    from safetynet.registry.demo.city import COUNTIES

    stations = list(institutions(actor=city).filter(kind="rescue_station").order_by("pk"))
    lanshan_station = next((s for s in stations if s.division_id.startswith("371302")), None)
    stocked = 0
    for station in stations:
        county = station.division_id[:6]
        keeper = duty if county == "371302" else context.users.get(COUNTIES.get(county, ("",))[0])
        if keeper is None:
            continue
        for item, (received, unit, minimum) in STORE.items():
            # 兰山区's station: a few coats above the minimum, for the walk to take it below.
            quantity = 12 if station == lanshan_station and item == "coat" else received
            services.stock_receive(
                actor=keeper,
                station_id=station.pk,
                item=item,
                quantity=quantity,
                cost=unit * quantity,
                supplier=_("Winter campaign purchase"),
            )
            services.stock_minimum_set(actor=keeper, station_id=station.pk, item=item, minimum=minimum)
        stocked += 1
    # The stores were stocked on the demo's day; a roster and stays are today's work, made only for a
    # city as of today.
    moment = not_after_now(timezone.make_aware(datetime.datetime.combine(today, datetime.time(8, 0))))
    StockMovement.objects.filter(at__gte=started).update(at=moment)
    demo_date_written_since(since=started, at=moment)
    live = today >= timezone.localdate()
    booked = _roster(context, lanshan_station) if lanshan_station and live else 0
    stays = _stays(context, lanshan_station) if lanshan_station and live else 0
    return _(
        "Rescue stations: %(stocked)s stores stocked for the winter, %(shifts)s duty shifts and %(stays)s "
        "stays in 兰山区."
    ) % {"stocked": stocked, "shifts": booked, "stays": stays}


def _stays(context: DemoContext, station) -> int:
    """Three stays at 兰山区's station for its figures: a man collected by his son, a woman who left by
    herself, and an unidentified man still in the station with his family-search notice out."""
    from safetynet.core.ids import make_id_number
    from safetynet.core.workflows.services import case_transition
    from safetynet.rescue.station import services

    duty = context.users["lanshan-rescue"]

    def arrive(**data):
        stay = services.stay_receive(actor=duty, station_id=station.pk, data=data)
        services.stay_form_print(actor=duty, stay_id=stay.pk, form="registration")
        case = case_transition(
            actor=duty, case_id=stay.case_id, transition="admit", version=stay.case.version
        )
        return stay, case

    stay, case = arrive(
        arrival="patrol",
        name="王德山",
        identity_known=True,
        sex="1",
        approximate_age=67,
        hometown="兰陵县",
        features="灰色棉袄",
        belongings="编织袋一个",
    )
    stay = services.stay_collector_record(
        actor=duty,
        stay_id=stay.pk,
        version=stay.version,
        name="王建国",
        relation="儿子",
        id_number=make_id_number("371324", datetime.date(1982, 3, 5), 13),
    )
    services.stay_form_print(actor=duty, stay_id=stay.pk, form="exit_register")
    case_transition(actor=duty, case_id=case.pk, transition="collect", version=case.version)
    stay, case = arrive(
        arrival="self", name="刘桂英", identity_known=True, sex="2", approximate_age=52, features="蓝色羽绒服"
    )
    services.stay_form_print(actor=duty, stay_id=stay.pk, form="self_exit")
    case_transition(actor=duty, case_id=case.pk, transition="self_exit", version=case.version)
    stay, _case = arrive(
        arrival="patrol",
        sex="1",
        approximate_age=45,
        features="男，约45岁，黑色外套，左手有疤，说不清家在哪里",
        belongings="背包一个",
    )
    services.stay_form_print(actor=duty, stay_id=stay.pk, form="family_search")
    return 3


def _roster(context: DemoContext, station) -> int:
    """A week of 24-hour duty from the 08:00 shift now on: a leader a day (none on the third day) and
    two duty officers by day and by night."""
    from safetynet.rescue.station import services

    leaders = [u for u in (context.users.get("lanshan"), context.users.get("lanshan2")) if u is not None]
    officers = [context.users["lanshan-rescue"], context.users["lanshan-station"]]
    if not leaders:
        return 0
    start = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
    if start > timezone.now():
        start -= datetime.timedelta(days=1)  # before 08:00 the shift on now began yesterday
    count = 0
    for day in range(7):
        morning = start + datetime.timedelta(days=day)
        if day != 2:
            services.shift_book(
                actor=context.users["lanshan-rescue"],
                station_id=station.pk,
                post="leader",
                user_id=leaders[day % len(leaders)].pk,
                starts_at=morning,
                ends_at=morning + datetime.timedelta(days=1),
            )
            count += 1
        for half, officer in enumerate(officers):
            services.shift_book(
                actor=context.users["lanshan-rescue"],
                station_id=station.pk,
                post="officer",
                user_id=officer.pk,
                starts_at=morning + datetime.timedelta(hours=12 * half),
                ends_at=morning + datetime.timedelta(hours=12 * (half + 1)),
            )
            count += 1
    return count
