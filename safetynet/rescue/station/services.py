"""The rescue station's writes: supplies received, issued and handed out on the street (drawn from the
station's stock; earlier hand-outs booked once), minimum levels, the campaign's supplies budget, and
the 24-hour duty roster (shifts booked without double bookings, the leader's signed handover).

An issue of more than is held is refused by one conditional update (the stock never goes below zero,
and two clerks issuing the last coat cannot both succeed); each refusal changes nothing and says why."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.money import parse_yuan
from safetynet.core.scope import in_area, subtree_q
from safetynet.core.services import ConflictError, change_record, hold_key
from safetynet.core.text import text_checked
from safetynet.core.types import ChangeAction, Role, User
from safetynet.institutions.models import Institution
from safetynet.rescue.models import (
    DutyShift,
    Handout,
    Patrol,
    StationStay,
    Stock,
    StockMovement,
    SupplyBudget,
    SupplyItem,
)
from safetynet.rescue.station import selectors

MAX_QUANTITY = 100_000
LONGEST_SHIFT = datetime.timedelta(hours=24)
BOOK_AHEAD = datetime.timedelta(days=92)
# Who may stand a station's duty: its staff, the duty officers and the bureaus' leaders.
DUTY_STAFF_ROLES = frozenset(
    {Role.RESCUE_STATION, Role.INSTITUTION_STAFF, Role.COUNTY_BUREAU, Role.CITY_BUREAU}
)


def _station(actor: User, station_id) -> Institution:
    """The station the actor keeps, or the refusal (elsewhere reads like absent)."""
    station = None
    if isinstance(station_id, int):
        station = selectors.stations(actor=actor).filter(pk=station_id).first()
    if station is None:
        raise ValidationError({"station": _("There is no such rescue station in your area.")})
    if not selectors.may_keep_station(actor, station):
        raise PermissionDenied(_("Your role does not keep this station's supplies and duty."))
    return station


def _item(errors: dict, item) -> str:
    if item not in SupplyItem.values:
        errors["item"] = [_("Choose an item from the list.")]
    return item


def _quantity(errors: dict, quantity, field: str = "quantity", low: int = 1) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not low <= quantity <= MAX_QUANTITY:
        errors[field] = [
            _("Give the quantity as a whole number from %(low)s to %(high)s.")
            % {"low": low, "high": MAX_QUANTITY}
        ]
        return 0
    return quantity


def _stock_row(station: Institution, item: str) -> Stock:
    """The station's stock of `item`, made (empty) the first time it is named."""
    try:
        with transaction.atomic():
            return Stock.objects.get_or_create(
                station=station, item=item, defaults={"division_id": station.division_id}
            )[0]
    except IntegrityError:  # made meanwhile by another request
        return Stock.objects.get(station=station, item=item)


def stock_receive(
    *, actor: User, station_id: int, item: str, quantity: int, cost=None, supplier: str = ""
) -> StockMovement:
    """Supplies received into the station's store: how many, from whom, at what cost (spent against
    the campaign's supplies budget; blank for a donation)."""
    station = _station(actor, station_id)
    errors: dict = {}
    _item(errors, item)
    _quantity(errors, quantity)
    supplier = text_checked(errors, "supplier", supplier, limit=100, label=_("the supplier"))
    try:
        cost = parse_yuan(cost)
    except ValidationError as refusal:
        errors["cost"], cost = refusal.messages, None
    if cost is not None and cost < 0:
        errors["cost"] = [_("The cost cannot be below zero.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stock = _stock_row(station, item)
        Stock.objects.filter(pk=stock.pk).update(on_hand=F("on_hand") + quantity, version=F("version") + 1)
        return StockMovement.objects.create(
            stock=stock,
            kind=StockMovement.Kind.RECEIPT,
            quantity=quantity,
            at=timezone.now(),
            by=actor,
            cost=cost,
            supplier=supplier,
        )


def _draw(stock: Stock, quantity: int) -> bool:
    """Take `quantity` from the stock if it holds that many: one conditional update, so two
    requests cannot both take the last of it."""
    return bool(
        Stock.objects.filter(pk=stock.pk, on_hand__gte=quantity).update(
            on_hand=F("on_hand") - quantity, version=F("version") + 1
        )
    )


def _short(stock: Stock, quantity: int) -> ValidationError:
    if stock.pk is not None:
        stock.refresh_from_db(fields=["on_hand"])
    return ValidationError(
        {
            "quantity": [
                _("Not enough in stock: the station holds %(on_hand)s of %(item)s, not %(quantity)s.")
                % {"on_hand": stock.on_hand, "item": SupplyItem(stock.item).label, "quantity": quantity}
            ]
        }
    )


def stock_issue(
    *,
    actor: User,
    station_id: int,
    item: str,
    quantity: int,
    recipient: str = "",
    patrol_id: int | None = None,
) -> StockMovement:
    """Supplies issued from the store: to a person in the station (named or described) or to a
    patrol of the station's county, which takes them onto the street."""
    station = _station(actor, station_id)
    errors: dict = {}
    _item(errors, item)
    _quantity(errors, quantity)
    recipient = text_checked(errors, "recipient", recipient, limit=100, label=_("the receiver"))
    patrol = None
    if patrol_id is not None:
        patrol = Patrol.objects.filter(pk=patrol_id, county_id=station.division_id[:6]).first()
        if patrol is None:
            errors["patrol"] = [_("Choose a patrol of the station's county.")]
    elif not recipient and "recipient" not in errors:
        errors["recipient"] = [_("Say to whom the supplies go: a person, or a patrol.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stock = Stock.objects.filter(station=station, item=item).first() or Stock(station=station, item=item)
        if stock.pk is None or not _draw(stock, quantity):
            raise _short(stock, quantity)
        return StockMovement.objects.create(
            stock=stock,
            kind=StockMovement.Kind.ISSUE,
            quantity=quantity,
            at=timezone.now(),
            by=actor,
            recipient=recipient,
            patrol=patrol,
        )


def stock_minimum_set(
    *, actor: User, station_id: int, item: str, minimum: int, version: int | None = None
) -> Stock:
    """The level below which the station's desk warns that an item is running low."""
    station = _station(actor, station_id)
    errors: dict = {}
    _item(errors, item)
    _quantity(errors, minimum, field="minimum", low=0)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stock = Stock.objects.select_for_update().get(pk=_stock_row(station, item).pk)
        if version is not None and stock.version != version:
            raise ConflictError()
        before = stock.minimum
        stock.minimum = minimum
        stock.version += 1
        stock.save(update_fields=["minimum", "version"])
        change_record(
            actor=actor,
            subject=station,
            entity=stock,
            action=ChangeAction.UPDATE,
            event="minimum",
            before={"item": item, "minimum": before},
            after={"item": item, "minimum": minimum},
        )
    return stock


def handouts_draw(*, handouts: list[Handout], station_id: int | None, actor: User | None, at=None) -> int:
    """Book supplies handed out on the street against the stock of the team's station: each one that
    the stock covers is drawn (a ledger line, `booked_at` set); one it does not cover waits to be
    booked once supplies are received. Inside the caller's transaction. How many were booked."""
    if station_id is None:
        return 0
    at = at or timezone.now()
    booked = 0
    stocks = {stock.item: stock for stock in Stock.objects.filter(station_id=station_id)}
    for handout in handouts:
        stock = stocks.get(handout.item)
        if handout.booked_at is not None or stock is None or not _draw(stock, handout.quantity):
            continue
        StockMovement.objects.create(
            stock=stock,
            kind=StockMovement.Kind.HANDOUT,
            quantity=handout.quantity,
            at=at,
            by=actor,
            handout=handout,
        )
        Handout.objects.filter(pk=handout.pk).update(booked_at=at)
        handout.booked_at = at
        booked += 1
    return booked


def handouts_book_earlier(*, actor: User, station_id: int) -> tuple[int, int]:
    """Book the hand-outs of the station's teams that its stock did not cover when they were made
    (or that came before the station kept stock), oldest first, each once: (booked, still waiting)."""
    station = _station(actor, station_id)
    with transaction.atomic():
        waiting = list(
            selectors.handouts_waiting(station).select_for_update(of=("self",)).order_by("contact__at", "pk")
        )
        booked = handouts_draw(handouts=waiting, station_id=station.pk, actor=actor)
    return booked, len(waiting) - booked


def _day(errors: dict, field: str, value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors[field] = [_("Give a date such as 2026-11-15.")]
        return None


def budget_set(*, actor: User, division_code: str, starts_on, ends_on, amount) -> SupplyBudget:
    """The winter campaign's supplies budget of a county or of the city, from one day to another
    (set again, it replaces the amount of the budget starting that day)."""
    if actor.role not in selectors.BUDGET_ROLES:
        raise PermissionDenied(_("The supplies budget is set by the city or county bureau."))
    errors: dict = {}
    if (
        not isinstance(division_code, str)
        or len(division_code) not in (4, 6)
        or not in_area(actor, division_code)
    ):
        errors["division"] = [_("Choose your county, or the city.")]
    starts_on, ends_on = _day(errors, "starts_on", starts_on), _day(errors, "ends_on", ends_on)
    for field, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if day is not None and not 2000 <= day.year <= 2100:
            errors[field] = [_("Give a date between 2000 and 2100.")]
    if starts_on and ends_on and ends_on < starts_on and "starts_on" not in errors:
        errors["ends_on"] = [_("The end comes before the start.")]
    try:
        amount = parse_yuan(amount)
    except ValidationError as refusal:
        errors["amount"] = refusal.messages
    else:
        if amount is None or amount < 0:
            errors["amount"] = [_("Give the budget in yuan.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        budget, made = SupplyBudget.objects.select_for_update().get_or_create(
            division_id=division_code,
            starts_on=starts_on,
            defaults={"ends_on": ends_on, "amount": amount, "set_by": actor, "set_at": timezone.now()},
        )
        before = None if made else {"ends_on": str(budget.ends_on), "amount": str(budget.amount)}
        if not made:
            budget.ends_on, budget.amount, budget.set_by, budget.set_at = (
                ends_on,
                amount,
                actor,
                timezone.now(),
            )
            budget.save()
        change_record(
            actor=actor,
            subject=budget,
            entity=budget,
            action=ChangeAction.CREATE if made else ChangeAction.UPDATE,
            event="set" if made else "changed",
            before=before,
            after={"ends_on": str(ends_on), "amount": str(amount)},
        )
    return budget


def shift_book(*, actor: User, station_id: int, post: str, user_id: int, starts_at, ends_at) -> DutyShift:
    """A turn of the station's duty for one person. The same person on duty twice at the same time (at
    any station) is refused, naming the shift already booked."""
    station = _station(actor, station_id)
    errors: dict = {}
    if post not in DutyShift.Post.values:
        errors["post"] = [_("Choose the leader on duty or a duty officer.")]
    person = None
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        person = selectors.duty_people(actor=actor, station=station).filter(pk=user_id).first()
    if person is None:
        errors["user"] = [_("Choose a member of the station's staff or a leader of the bureau.")]
    if not isinstance(starts_at, datetime.datetime) or not isinstance(ends_at, datetime.datetime):
        errors["starts_at"] = [_("Give the start and the end of the shift.")]
    else:
        now = timezone.now()
        if ends_at <= starts_at:
            errors["ends_at"] = [_("The end of the shift comes after its start.")]
        elif ends_at - starts_at > LONGEST_SHIFT:
            errors["ends_at"] = [_("A shift is at most 24 hours.")]
        elif ends_at < now - datetime.timedelta(days=1) or starts_at > now + BOOK_AHEAD:
            errors["starts_at"] = [_("Book shifts from yesterday up to three months ahead.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        hold_key(f"rescue.duty.{person.pk}")  # one booking of a person at a time
        clash = selectors.overlapping_shift(user_id=person.pk, starts_at=starts_at, ends_at=ends_at)
        if clash is not None:
            raise ValidationError(
                {
                    "user": [
                        _(
                            "Double booking: %(user)s is on duty at %(station)s from %(from)s to %(to)s "
                            "already."
                        )
                        % {
                            "user": person,
                            "station": clash.station.name,
                            "from": timezone.localtime(clash.starts_at).strftime("%Y-%m-%d %H:%M"),
                            "to": timezone.localtime(clash.ends_at).strftime("%Y-%m-%d %H:%M"),
                        }
                    ]
                }
            )
        shift = DutyShift.objects.create(
            station=station,
            division_id=station.division_id,
            post=post,
            user=person,
            starts_at=starts_at,
            ends_at=ends_at,
            booked_by=actor,
        )
        change_record(
            actor=actor,
            subject=station,
            entity=shift,
            action=ChangeAction.CREATE,
            after={
                "post": post,
                "user": person.pk,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
            },
        )
    return shift


def shift_cancel(*, actor: User, shift_id: int) -> None:
    """Take a shift that has not started off the roster."""
    shift = DutyShift.objects.filter(pk=shift_id).select_related("station").first()
    if shift is None:
        raise ValidationError(_("There is no such shift."))
    station = _station(actor, shift.station_id)
    with transaction.atomic():
        locked = DutyShift.objects.select_for_update().filter(pk=shift.pk).first()
        if locked is None:
            raise ValidationError(_("There is no such shift."))
        if locked.starts_at <= timezone.now():
            raise ValidationError(_("A shift that has started stays on the roster."))
        change_record(
            actor=actor,
            subject=station,
            entity=locked,
            action=ChangeAction.DELETE,
            event="cancelled",
            before={"post": locked.post, "user": locked.user_id, "starts_at": locked.starts_at.isoformat()},
        )
        locked.delete()


def shift_sign(*, actor: User, shift_id: int, handover: str) -> DutyShift:
    """The leader on duty signs the shift's handover note (what happened, what the next shift must
    do): only the leader of that shift, once it has begun, and once."""
    errors: dict = {}
    handover = text_checked(
        errors, "handover", handover, limit=4000, label=_("the handover note"), required=True, lines=True
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        shift = DutyShift.objects.select_for_update().filter(pk=shift_id, user=actor).first()
        if shift is None or shift.post != DutyShift.Post.LEADER:
            raise PermissionDenied(_("Only the leader on duty of this shift signs its handover."))
        if shift.signed_at is not None:
            raise ValidationError(_("This handover is signed already."))
        if shift.starts_at > timezone.now():
            raise ValidationError(_("The shift has not begun yet."))
        shift.handover, shift.signed_at = handover, timezone.now()
        shift.save(update_fields=["handover", "signed_at"])
        change_record(
            actor=actor,
            subject=shift.station,
            entity=shift,
            action=ChangeAction.UPDATE,
            event="signed",
            after={"signed": True},
        )
    return shift


# --- stays: from screening to exit ---------------------------------------------------------------------


def stay_receive(*, actor: User, station_id: int, data: dict) -> StationStay:
    """A person arrives at the station: recorded for screening (a kernel case, due within 24 hours),
    named if they say who they are, else described — someone met on the street is linked to the
    contact that brought them."""
    from safetynet.core.workflows.services import case_open
    from safetynet.rescue.station import workflow

    station = _station(actor, station_id)
    errors: dict = {}
    arrival = data.get("arrival")
    if arrival not in StationStay.Arrival.values:
        errors["arrival"] = [_("Say how the person came to the station.")]
    name = text_checked(errors, "name", data.get("name"), limit=50, label=_("the name"))
    hometown = text_checked(errors, "hometown", data.get("hometown"), limit=100, label=_("the home town"))
    features = text_checked(
        errors, "features", data.get("features"), limit=1000, label=_("the appearance"), lines=True
    )
    belongings = text_checked(
        errors, "belongings", data.get("belongings"), limit=1000, label=_("the belongings"), lines=True
    )
    sex = data.get("sex") or ""
    if sex not in ("", "1", "2"):
        errors["sex"] = [_("Choose man or woman, or leave it blank.")]
    age = data.get("approximate_age")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 120):
        errors["approximate_age"] = [_("The approximate age is a whole number of years, 0 to 120.")]
    if not name and not features and "name" not in errors and "features" not in errors:
        errors["features"] = [_("Give the person's name, or describe how they look.")]
    contact = None
    if data.get("contact_id") is not None:
        from safetynet.rescue.models import StreetContact

        contact = StreetContact.objects.filter(
            subtree_q("division_id", station.division_id[:6]), pk=data["contact_id"]
        ).first()
        if contact is None:
            errors["contact_id"] = [_("There is no such contact on the street in the station's county.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        stay = StationStay.objects.create(
            station=station,
            division_id=station.division_id,
            contact=contact,
            arrived_at=now,
            arrival=arrival,
            name=name,
            sex=sex,
            approximate_age=age,
            hometown=hometown,
            features=features,
            belongings=belongings,
            identity_known=bool(data.get("identity_known")) and bool(name),
            needs_care=bool(data.get("needs_care")),
            recorded_by=actor,
        )
        title = name or features[:40]
        stay.case = case_open(
            actor=actor,
            workflow_code=workflow.CODE,
            division_code=station.division_id,
            title=_("Stay: %(who)s") % {"who": title},
            subject_kind=workflow.SUBJECT,
            subject_id=stay.pk,
            at=now,
        )
        stay.save(update_fields=["case"])
        change_record(
            actor=actor,
            subject=stay,
            entity=stay,
            action=ChangeAction.CREATE,
            event="received",
            after={"arrival": arrival, "name": name, "identity_known": stay.identity_known},
        )
    return stay


def _stay_locked(actor: User, stay_id: int, version: int | None) -> StationStay:
    from safetynet.rescue.station.selectors import stay_get

    stay = stay_get(actor=actor, pk=stay_id)  # DoesNotExist for another area's
    _station(actor, stay.station_id)
    stay = StationStay.objects.select_for_update().get(pk=stay.pk)
    if version is not None and stay.version != version:
        raise ConflictError()
    return stay


def stay_collector_record(
    *, actor: User, stay_id: int, version: int, name: str, relation: str, id_number: str
):
    """Who collects the person (a relative, an employer): their name, relation and ID number, checked
    and kept (a copy of the document is kept on paper, as the 规程 asks)."""
    from safetynet.core.ids import check_id_number

    errors: dict = {}
    name = text_checked(
        errors, "collector_name", name, limit=50, label=_("the collector's name"), required=True
    )
    relation = text_checked(
        errors, "collector_relation", relation, limit=20, label=_("the relation"), required=True
    )
    try:
        number = check_id_number(id_number or "").number
    except ValidationError as refusal:
        errors["collector_id_number"] = refusal.messages
        number = ""
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stay = _stay_locked(actor, stay_id, version)
        if stay.left_at is not None:
            raise ValidationError(_("This person has left the station."))
        stay.collector_name, stay.collector_relation, stay.collector_id_number = name, relation, number
        stay.collector_recorded_at = timezone.now()
        stay.version += 1
        stay.save(
            update_fields=[
                "collector_name",
                "collector_relation",
                "collector_id_number",
                "collector_recorded_at",
                "version",
            ]
        )
        change_record(
            actor=actor,
            subject=stay,
            entity=stay,
            action=ChangeAction.UPDATE,
            event="collector",
            after={"collector_name": name, "collector_relation": relation},
        )
    return stay


def stay_search_step(*, actor: User, stay_id: int, step: str, name: str = "", hometown: str = ""):
    """The family search's steps: the police took a DNA sample (`dna`), or the family was found and the
    person's identity is confirmed (`found`, with the name and home town)."""
    errors: dict = {}
    if step not in ("dna", "found"):
        errors["step"] = [_("Choose a step of the family search.")]
    if step == "found":
        name = text_checked(errors, "name", name, limit=50, label=_("the name"), required=True)
        hometown = text_checked(errors, "hometown", hometown, limit=100, label=_("the home town"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stay = _stay_locked(actor, stay_id, None)
        if stay.left_at is not None:
            raise ValidationError(_("This person has left the station."))
        now = timezone.now()
        if step == "dna":
            if stay.dna_sampled_at is not None:
                raise ValidationError(_("The DNA sample is recorded already."))
            stay.dna_sampled_at = now
        else:
            if stay.identity_known:
                raise ValidationError(_("This person's identity is confirmed already."))
            stay.identity_known, stay.search_resolved_at = True, now
            stay.name, stay.hometown = name, hometown or stay.hometown
        stay.version += 1
        stay.save()
        change_record(
            actor=actor,
            subject=stay,
            entity=stay,
            action=ChangeAction.UPDATE,
            event="search",
            after={"step": step},
        )
    return stay


def stay_form_print(*, actor: User, stay_id: int, form: str, fmt: str = "pdf"):
    """One of the station's official forms for the stay, as PDF or DOCX, kept with the stay as first
    issued (kernel documents). The family-search notice published marks the search opened."""
    from safetynet.rescue.station import documents, workflow

    if form not in workflow.FORMS or fmt not in ("pdf", "docx"):
        raise ValidationError(_("There is no such form."))
    with transaction.atomic():
        stay = _stay_locked(actor, stay_id, None)
        if form == "family_search" and stay.identity_known:
            raise ValidationError(_("The person's identity is confirmed: no family search is needed."))
        generated = documents.stay_form(actor=actor, stay=stay, form=form, fmt=fmt)
        if form == "family_search" and stay.search_published_at is None:
            stay.search_published_at = timezone.now()
            stay.save(update_fields=["search_published_at"])
    return generated
