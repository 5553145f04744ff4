"""Street rescue's writes: an incident received (a hotline call, a referral, a public report, an
Open311 request), a team dispatched to it, on scene, what happened there, the team free again. Each
refusal changes nothing and says why; two officers sending teams to one incident: one wins, the
other is told. Every change reaches the open duty boards of its area (core.live) and the team's
phones (an inbox notice, by SMS where so configured)."""

import datetime
import hashlib
import hmac
import re
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.filecheck import check_document, check_upload_size, sha256_of
from safetynet.core.live.publish import live_publish
from safetynet.core.scope import in_area, subtree_q
from safetynet.core.selectors import divisions_by_code, divisions_under
from safetynet.core.services import ConflictError, change_record, hold_key, snapshot
from safetynet.core.text import text_checked
from safetynet.core.types import ChangeAction, User
from safetynet.core.workflows.services import notices_send_to
from safetynet.rescue import rules
from safetynet.rescue.models import (
    ColdSwitch,
    Handout,
    Hotspot,
    Patrol,
    PatrolCheck,
    RescueTeam,
    StreetContact,
    StreetIncident,
    SupplyItem,
)
from safetynet.rescue.selectors import is_member, may_keep_duty, member_ids, public_reports_since
from safetynet.rescue.station.services import handouts_draw

NOTICE_DISPATCHED = "rescue_dispatched"
LATEST_BACKDATE = datetime.timedelta(days=7)
TRACKED = ("state", "team_id", "dispatched_at", "on_scene_at", "closed_at", "closing", "division_id")


def _reference() -> str:
    return secrets.token_hex(6)


def _coordinate(errors: dict, field: str, value, low: int, high: int, label) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = [_("%(what)s must be a number in degrees.") % {"what": label}]
        return None
    if not number.is_finite() or not low <= number <= high:
        errors[field] = [
            _("%(what)s must lie between %(low)s and %(high)s degrees.")
            % {"what": label, "low": low, "high": high}
        ]
        return None
    return number.quantize(Decimal("0.000001"))


def _location(errors: dict, data: dict) -> dict:
    """The place in words and the coordinates, checked: at least one of them, coordinates in pairs."""
    place = text_checked(errors, "place", data.get("place"), limit=200, label=_("the place"))
    latitude = _coordinate(errors, "latitude", data.get("latitude"), -90, 90, _("The latitude"))
    longitude = _coordinate(errors, "longitude", data.get("longitude"), -180, 180, _("The longitude"))
    if "latitude" not in errors and "longitude" not in errors and (latitude is None) != (longitude is None):
        errors["longitude" if latitude is not None else "latitude"] = [
            _("Give both the latitude and the longitude, or neither.")
        ]
    if not place and latitude is None and not errors.keys() & {"place", "latitude", "longitude"}:
        errors["place"] = [_("Say where the person is: a place in words or a point on the map.")]
    return {"place": place, "latitude": latitude, "longitude": longitude}


def _persons(errors: dict, value) -> int:
    if value in (None, ""):
        return 1
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= 50:
        errors["persons"] = [_("The number of persons seen must be a whole number from 1 to 50.")]
        return 1
    return number


def _publish(*codes: str) -> None:
    live_publish(areas=[code for code in codes if code])


def _record(actor, incident: StreetIncident, event: str, before: dict | None = None) -> None:
    after = snapshot(incident, TRACKED)
    action = ChangeAction.CREATE if before is None else ChangeAction.UPDATE
    change_record(
        actor=actor, subject=incident, entity=incident, action=action, event=event, before=before, after=after
    )


# --- intake --------------------------------------------------------------------------------------------


def _area_for_officer(actor: User, errors: dict, code) -> str:
    code = (code or "").strip() if isinstance(code, str) else ""
    if not code:
        code = actor.division_id[:6] if len(actor.division_id) >= 6 else ""
    if not code:
        errors["division"] = [_("Choose the county where the person is.")]
        return ""
    if (
        not code.isdigit()
        or len(code) not in (4, 6)
        or not in_area(actor, code)
        or code not in divisions_by_code([code])
    ):
        errors["division"] = [_("Choose a county of your area.")]
        return ""
    return code


def incident_receive(*, actor: User, data: dict) -> StreetIncident:
    """A call to the hotline, a referral (police, 城管, a hospital) or a person found on patrol,
    logged by the duty officer: where, who called, what they said, the recording's reference."""
    if not may_keep_duty(actor):
        raise PermissionDenied(_("Your role does not keep the rescue duty."))
    errors: dict = {}
    source = data.get("source") or StreetIncident.Source.HOTLINE
    if source not in (
        StreetIncident.Source.HOTLINE,
        StreetIncident.Source.REFERRAL,
        StreetIncident.Source.PATROL,
    ):
        errors["source"] = [_("Choose how the report came in.")]
    referrer = data.get("referrer") or ""
    if source == StreetIncident.Source.REFERRAL and referrer not in StreetIncident.Referrer.values:
        errors["referrer"] = [
            _("Say who referred the person: the police, 城管, a hospital or another department.")
        ]
    if source != StreetIncident.Source.REFERRAL:
        referrer = ""
    division = _area_for_officer(actor, errors, data.get("division"))
    location = _location(errors, data)
    description = text_checked(
        errors, "description", data.get("description"), limit=2000, label=_("the description"), lines=True
    )
    caller_name = text_checked(
        errors, "caller_name", data.get("caller_name"), limit=50, label=_("the caller")
    )
    caller_phone = text_checked(
        errors, "caller_phone", data.get("caller_phone"), limit=20, label=_("the caller's phone")
    )
    if caller_phone and not re.fullmatch(r"[0-9+\- ]{3,20}", caller_phone):
        errors["caller_phone"] = [_("A phone number is digits (with + or -).")]
    recording = text_checked(
        errors, "recording", data.get("recording"), limit=200, label=_("the recording's reference")
    )
    persons = _persons(errors, data.get("persons"))
    now = timezone.now()
    reported_at = data.get("reported_at") or now
    if reported_at > now + datetime.timedelta(minutes=1):
        errors["reported_at"] = [_("The time of the report cannot lie in the future.")]
    elif reported_at < now - LATEST_BACKDATE:
        errors["reported_at"] = [_("A report older than seven days is not logged here.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = StreetIncident.objects.create(
            reference=_reference(),
            source=source,
            referrer=referrer,
            division_id=division,
            description=description,
            persons=persons,
            caller_name=caller_name,
            caller_phone=caller_phone,
            recording=recording,
            reported_at=reported_at,
            received_by=actor,
            **location,
        )
        _record(actor, incident, "received")
        _publish(division)
    return incident


def sender_key(address: str | None) -> str:
    """A keyed digest of the sender's network address: enough to count their reports, not to read it back."""
    return hmac.new(settings.SECRET_KEY.encode(), (address or "unknown").encode(), hashlib.sha256).hexdigest()


def _public_area(errors: dict, code, *texts: str) -> str:
    """The county a public report names, or one whose name the place or description mentions, or
    else the city (its duty officer passes it on)."""
    city = settings.SAFETYNET_CITY_CODE
    counties = {d.code: d.name for d in divisions_under(city, level="county")}
    code = code.strip() if isinstance(code, str) else ""
    if code:
        if code not in counties:
            errors["division"] = [_("Choose a county of the list, or leave it empty.")]
        return code
    for county, name in sorted(counties.items(), key=lambda item: -len(item[1])):
        short = name[:-1] if len(name) > 2 and name[-1] in "区县市" else name
        if any(name in text or (len(short) >= 2 and short in text) for text in texts if text):
            return county
    return city


def _photo_checked(photo) -> tuple[str, str] | None:
    if photo is None:
        return None
    check_upload_size(photo)
    extension, _content_type = check_document(photo, photo.name or "")
    if extension.lstrip(".") not in rules.PUBLIC_PHOTO_TYPES:
        raise ValidationError({"photo": _("A photo must be a JPG or PNG picture.")})
    return extension, sha256_of(photo)


def _refuse_a_flood(sender: str, now: datetime.datetime) -> None:
    """Too many reports from one sender: refused. Counted inside the writing transaction, one sender
    at a time (SQLite's transactions take the write lock at BEGIN; PostgreSQL: a lock per sender), so
    that reports sent at once cannot all slip under the limit."""
    hold_key(f"rescue.public.{sender}")
    if (
        public_reports_since(sender, now - datetime.timedelta(minutes=10))
        >= rules.PUBLIC_REPORTS_PER_10_MINUTES
        or public_reports_since(sender, now - datetime.timedelta(days=1)) >= rules.PUBLIC_REPORTS_PER_DAY
    ):
        raise PermissionDenied(
            _("Too many reports were sent from your address. Wait a while, or call the rescue hotline.")
        )


def public_report(
    *, data: dict, sender: str, source: str = StreetIncident.Source.PUBLIC, photo=None
) -> StreetIncident:
    """A report from the public (the public page, or an Open311 client): where, what was seen, a
    contact if the reporter leaves one, a photo. No login; a sender sending too many is turned away."""
    now = timezone.now()
    errors: dict = {}
    location = _location(errors, data)
    description = text_checked(
        errors, "description", data.get("description"), limit=2000, label=_("the description"), lines=True
    )
    caller_name = text_checked(errors, "caller_name", data.get("caller_name"), limit=50, label=_("your name"))
    caller_phone = text_checked(
        errors, "caller_phone", data.get("caller_phone"), limit=20, label=_("your phone")
    )
    if caller_phone and not re.fullmatch(r"[0-9+\- ]{3,20}", caller_phone):
        errors["caller_phone"] = [_("A phone number is digits (with + or -).")]
    persons = _persons(errors, data.get("persons"))
    division = _public_area(errors, data.get("division"), location["place"], description)
    try:
        checked = _photo_checked(photo)
    except ValidationError as error:
        errors["photo"] = [message for messages in error.message_dict.values() for message in messages]
        checked = None
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _refuse_a_flood(sender, now)
        incident = StreetIncident(
            reference=_reference(),
            source=source,
            division_id=division,
            description=description,
            persons=persons,
            caller_name=caller_name,
            caller_phone=caller_phone,
            sender=sender,
            reported_at=now,
            service_code=rules.OPEN311_SERVICE if source == StreetIncident.Source.OPEN311 else "",
            **location,
        )
        if checked is not None:
            extension, digest = checked
            incident.photo.save(f"{digest}{extension}", photo, save=False)
        try:
            incident.save()
        except Exception:
            if incident.photo:
                incident.photo.delete(save=False)
            raise
        _record(None, incident, "received")
        _publish(division)
    return incident


# --- dispatch and the scene ------------------------------------------------------------------------------


def _incident_locked(pk: int) -> StreetIncident:
    return StreetIncident.objects.select_for_update(of=("self",)).select_related("team").get(pk=pk)


def team_dispatch(*, actor: User, incident_id: int, version: int, team_id: int) -> StreetIncident:
    """Send a team to an incident: the team's members are told at once (their open pages, SMS), the
    duty boards redraw. A team already out, an incident already served or closed: refused."""
    if not may_keep_duty(actor):
        raise PermissionDenied(_("Your role does not keep the rescue duty."))
    with transaction.atomic():
        incident = _incident_locked(incident_id)
        if not in_area(actor, incident.division_id):
            raise PermissionDenied(_("This incident is outside your area."))
        if incident.version != version:
            raise ConflictError()
        if incident.state != StreetIncident.State.RECEIVED:
            raise ValidationError(_("A team was already sent to this incident, or it is closed."))
        team = RescueTeam.objects.select_for_update().filter(pk=team_id).first()
        if team is None or not in_area(actor, team.county_id):
            raise ValidationError({"team": _("Choose a team of your area.")})
        if team.state not in (RescueTeam.State.AVAILABLE, RescueTeam.State.RETURNING):
            raise ValidationError(
                {
                    "team": _("%(team)s is %(state)s: choose a team that is free.")
                    % {"team": team.name, "state": team.get_state_display()}
                }
            )
        before = snapshot(incident, TRACKED)
        now = timezone.now()
        if len(incident.division_id) < 6:
            # A report the city received without a county goes to the county of the team sent.
            incident.division_id = team.county_id
        incident.state, incident.team, incident.dispatched_at = StreetIncident.State.DISPATCHED, team, now
        incident.dispatched_by, incident.version = actor, incident.version + 1
        try:
            with transaction.atomic():
                incident.save()
        except IntegrityError:
            raise ValidationError(
                {"team": _("%(team)s is already out on another incident.") % {"team": team.name}}
            ) from None
        _team_move(actor, team, RescueTeam.State.DISPATCHED, now)
        _record(actor, incident, "dispatched", before)
        notices_send_to(
            user_ids=member_ids(team.pk),
            kind=NOTICE_DISPATCHED,
            at=now,
            params={
                "incident": incident.pk,
                "team": team.name,
                "place": incident.place or f"{incident.latitude}, {incident.longitude}",
            },
        )
        _publish(incident.division_id, team.county_id, before["division_id"])
    return incident


def _team_move(actor, team: RescueTeam, state: str, at) -> None:
    before = {"state": team.state}
    team.state, team.state_since, team.version = state, at, team.version + 1
    team.save(update_fields=["state", "state_since", "version"])
    change_record(
        actor=actor,
        subject=team,
        entity=team,
        action=ChangeAction.UPDATE,
        event="state",
        before=before,
        after={"state": state},
    )


def _on_scene_actor(actor: User, incident: StreetIncident) -> None:
    """A member of the team sent, or the duty officer of the area (reporting for the team by radio)."""
    if incident.team_id is not None and is_member(actor, incident.team_id):
        return
    if may_keep_duty(actor) and in_area(actor, incident.division_id):
        return
    raise PermissionDenied(_("Only the team sent to this incident, or the duty officer, records this."))


def team_arrive(*, actor: User, incident_id: int) -> StreetIncident:
    """The team is on scene: the response time is measured to now."""
    with transaction.atomic():
        incident = _incident_locked(incident_id)
        _on_scene_actor(actor, incident)
        if incident.state != StreetIncident.State.DISPATCHED:
            raise ValidationError(_("The team's arrival is recorded only once, after it was sent."))
        before = snapshot(incident, TRACKED)
        now = timezone.now()
        incident.state, incident.on_scene_at, incident.version = (
            StreetIncident.State.ON_SCENE,
            now,
            incident.version + 1,
        )
        incident.save()
        _team_move(actor, incident.team, RescueTeam.State.ON_SCENE, now)
        _record(actor, incident, "on_scene", before)
        _publish(incident.division_id)
    return incident


def _handouts(errors: dict, handouts: dict) -> dict[str, int]:
    given = {}
    for item, quantity in (handouts or {}).items():
        if item not in SupplyItem.values:
            errors["handouts"] = [_("Choose the supplies from the list.")]
            continue
        if quantity in (None, "", 0):
            continue
        if not isinstance(quantity, int) or not 1 <= quantity <= 100:
            errors["handouts"] = [_("Each item is handed out 1 to 100 times.")]
            continue
        given[item] = quantity
    return given


def contact_record(
    *,
    actor: User,
    incident_id: int,
    data: dict,
    handouts: dict | None = None,
    close: bool = True,
    submission=None,
) -> StreetContact:
    """What the team found: the person (described, or a registered person), the outcome, the supplies
    handed out, a contact card, and for a refusal the revisit (within 24 hours, sooner in a cold
    wave). With `close`, the incident is closed and the team is on its way back."""
    errors: dict = {}
    outcome = data.get("outcome") or ""
    if outcome not in StreetContact.Outcome.values:
        errors["outcome"] = [_("Choose the outcome.")]
    description = text_checked(
        errors, "description", data.get("description"), limit=200, label=_("the person"), required=True
    )
    sex = data.get("sex") or ""
    if sex not in ("", "1", "2"):
        errors["sex"] = [_("Choose the sex from the list.")]
    age = data.get("approximate_age")
    if age is not None and not (isinstance(age, int) and 0 <= age <= 120):
        errors["approximate_age"] = [_("The approximate age is a whole number of years, 0 to 120.")]
    note = text_checked(errors, "note", data.get("note"), limit=500, label=_("the note"), lines=True)
    given = _handouts(errors, handouts or {})
    now = timezone.now()
    revisit = data.get("revisit_due_at")
    if outcome == StreetContact.Outcome.REFUSED:
        if revisit is None:
            revisit = now + rules.REVISIT_WITHIN
        elif revisit <= now or revisit > now + datetime.timedelta(days=7):
            errors["revisit_due_at"] = [_("The revisit falls within the next seven days.")]
        if not given and not data.get("card_given"):
            errors["handouts"] = [
                _("A person who refuses help is given supplies or at least a contact card.")
            ]
    else:
        revisit = None
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = _incident_locked(incident_id)
        _on_scene_actor(actor, incident)
        if submission is not None:
            # The same form arriving twice (a double tap, a retry on a weak signal): the first contact.
            earlier = StreetContact.objects.filter(submission=submission).first()
            if earlier is not None:
                if earlier.incident_id != incident.pk:
                    raise ValidationError(
                        _("This form was already sent for another incident: reload the page.")
                    )
                return earlier
        if incident.state == StreetIncident.State.DISPATCHED:
            # The team records without having pressed "on scene": it is there now.
            incident.state, incident.on_scene_at = StreetIncident.State.ON_SCENE, now
            _team_move(actor, incident.team, RescueTeam.State.ON_SCENE, now)
        if incident.state != StreetIncident.State.ON_SCENE:
            raise ValidationError(_("A contact is recorded while the team is on scene."))
        contact = StreetContact.objects.create(
            incident=incident,
            team=incident.team,
            division_id=incident.division_id,
            at=now,
            outcome=outcome,
            description=description,
            sex=sex,
            approximate_age=age,
            card_given=bool(data.get("card_given")),
            revisit_due_at=revisit,
            note=note,
            recorded_by=actor,
            submission=submission,
        )
        handed = Handout.objects.bulk_create(
            [
                Handout(contact=contact, item=item, quantity=quantity)
                for item, quantity in sorted(given.items())
            ]
        )
        # Drawn from the team's station's stock where it covers them; the rest booked later.
        handouts_draw(handouts=handed, station_id=incident.team.station_id if incident.team else None,
                      actor=actor, at=now)
        change_record(
            actor=actor,
            subject=incident,
            entity=contact,
            action=ChangeAction.CREATE,
            event="recorded",
            after={
                "outcome": outcome,
                "handouts": given,
                "revisit_due_at": revisit.isoformat() if revisit else None,
            },
        )
        before = snapshot(incident, TRACKED)
        if close:
            incident.state, incident.closed_at = StreetIncident.State.CLOSED, now
            incident.closing = StreetIncident.Closing.HELPED
            _team_move(actor, incident.team, RescueTeam.State.RETURNING, now)
        incident.version += 1
        incident.save()
        _record(actor, incident, "closed" if close else "on_scene", before)
        _publish(incident.division_id)
    return contact


def incident_close(
    *, actor: User, incident_id: int, version: int, closing: str, reason: str = ""
) -> StreetIncident:
    """Close an incident without a contact: no one found, a duplicate, not a rescue matter. A team
    sent to it is on its way back."""
    if closing not in (
        StreetIncident.Closing.NOT_FOUND,
        StreetIncident.Closing.DUPLICATE,
        StreetIncident.Closing.NOT_OURS,
    ):
        raise ValidationError({"closing": _("Choose why the incident is closed.")})
    with transaction.atomic():
        incident = _incident_locked(incident_id)
        _on_scene_actor(actor, incident)
        if incident.version != version:
            raise ConflictError()
        if incident.state == StreetIncident.State.CLOSED:
            raise ValidationError(_("This incident is closed already."))
        before = snapshot(incident, TRACKED)
        now = timezone.now()
        if incident.team_id is not None:
            _team_move(actor, incident.team, RescueTeam.State.RETURNING, now)
        incident.state, incident.closed_at, incident.closing = StreetIncident.State.CLOSED, now, closing
        incident.version += 1
        incident.save()
        change_record(
            actor=actor,
            subject=incident,
            entity=incident,
            action=ChangeAction.UPDATE,
            event="closed",
            before=before,
            after=snapshot(incident, TRACKED),
            reason=reason,
        )
        _publish(incident.division_id)
    return incident


def team_state_set(*, actor: User, team_id: int, state: str) -> RescueTeam:
    """A member (or the duty officer) says the team is back and free, returning, or off duty. A team
    out on an incident is freed by the incident's close, not here."""
    if state not in (RescueTeam.State.AVAILABLE, RescueTeam.State.RETURNING, RescueTeam.State.OFF_DUTY):
        raise ValidationError({"state": _("Choose the team's state.")})
    with transaction.atomic():
        team = RescueTeam.objects.select_for_update().get(pk=team_id)
        if not is_member(actor, team.pk) and not (may_keep_duty(actor) and in_area(actor, team.county_id)):
            raise PermissionDenied(_("Only the team's members, or the duty officer, set its state."))
        if team.state in (RescueTeam.State.DISPATCHED, RescueTeam.State.ON_SCENE):
            raise ValidationError(_("The team is out on an incident: record what happened there first."))
        if team.state != state:
            _team_move(actor, team, state, timezone.now())
            _publish(team.county_id)
    return team


def _county_for_setup(actor: User, errors: dict, county) -> str:
    county = county.strip() if isinstance(county, str) else ""
    if not (
        county.isascii()
        and county.isdigit()
        and len(county) == 6
        and in_area(actor, county)
        and county in divisions_by_code([county])
    ):
        errors["county"] = [_("Choose a county of your area.")]
        return ""
    return county


def _base(errors: dict, base) -> tuple[Decimal | None, Decimal | None]:
    latitude, longitude = base or (None, None)
    latitude = _coordinate(errors, "latitude", latitude, -90, 90, _("The latitude"))
    longitude = _coordinate(errors, "longitude", longitude, -180, 180, _("The longitude"))
    if "latitude" not in errors and "longitude" not in errors and (latitude is None) != (longitude is None):
        errors["longitude" if latitude is not None else "latitude"] = [
            _("Give both the latitude and the longitude, or neither.")
        ]
    return latitude, longitude


def team_create(
    *,
    actor: User,
    county: str,
    name: str,
    vehicle: str = "",
    station_id: int | None = None,
    staff_count: int = 2,
    base: tuple | None = None,
    members=(),
) -> RescueTeam:
    """Set up a team of a county of the actor's area: its name (once per county), vehicle, staff,
    base on the map and members (accounts of the area, who get its orders on their phones)."""
    if not may_keep_duty(actor):
        raise PermissionDenied(_("Your role does not set up rescue teams here."))
    errors: dict = {}
    county = _county_for_setup(actor, errors, county)
    name = text_checked(errors, "name", name, limit=60, label=_("the team's name"), required=True)
    vehicle = text_checked(errors, "vehicle", vehicle, limit=20, label=_("the vehicle"))
    if not isinstance(staff_count, int) or not 1 <= staff_count <= 50:
        errors["staff_count"] = [_("The staff on a team are a whole number from 1 to 50.")]
    latitude, longitude = _base(errors, base)
    members = list(members)
    if any(not member.is_active or not in_area(actor, member.division_id) for member in members):
        errors["members"] = [_("Choose members among the active accounts of your area.")]
    if county and name and RescueTeam.objects.filter(county_id=county, name=name).exists():
        errors["name"] = [_("This county has a team of this name already.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        team = RescueTeam.objects.create(
            name=name,
            county_id=county,
            vehicle=vehicle,
            station_id=station_id,
            staff_count=staff_count,
            base_latitude=latitude,
            base_longitude=longitude,
            state_since=timezone.now(),
        )
        team.members.set(members)
        change_record(
            actor=actor,
            subject=team,
            entity=team,
            action=ChangeAction.CREATE,
            event="created",
            after={
                "name": name,
                "county": county,
                "vehicle": vehicle,
                "members": sorted(member.pk for member in members),
            },
        )
        _publish(county)
    return team


def hotspot_create(*, actor: User, county: str, name: str, kind: str, base: tuple | None = None) -> Hotspot:
    """A point patrols check (an underpass, a bridge, an ATM room …), in a county of the actor's area."""
    if not may_keep_duty(actor):
        raise PermissionDenied(_("Your role does not keep the rescue duty."))
    errors: dict = {}
    county = _county_for_setup(actor, errors, county)
    name = text_checked(errors, "name", name, limit=100, label=_("the point's name"), required=True)
    if kind not in Hotspot.Kind.values:
        errors["kind"] = [_("Choose the kind of place.")]
    latitude, longitude = _base(errors, base)
    if county and name and Hotspot.objects.filter(county_id=county, name=name).exists():
        errors["name"] = [_("This county has a point of this name already.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        point = Hotspot.objects.create(
            county_id=county, name=name, kind=kind, latitude=latitude, longitude=longitude
        )
        _publish(county)
    return point


def recordings_forget(cutoff: datetime.datetime) -> int:
    """Retention: the references of call recordings made before `cutoff` are cleared (the recordings
    themselves live in the telephone system, which deletes them on its own schedule)."""
    return StreetIncident.objects.filter(reported_at__lt=cutoff).exclude(recording="").update(recording="")


# --- patrols -------------------------------------------------------------------------------------------


def _patrol_locked(pk: int) -> Patrol:
    return Patrol.objects.select_for_update(of=("self",)).select_related("team").get(pk=pk)


def patrol_plan(
    *, actor: User, team_id: int, planned_for: datetime.datetime, hotspot_ids: list[int]
) -> Patrol:
    """Plan a team's patrol for a shift over chosen points of its county."""
    if not may_keep_duty(actor):
        raise PermissionDenied(_("Your role does not keep the rescue duty."))
    team = RescueTeam.objects.filter(pk=team_id).first()
    if team is None or not in_area(actor, team.county_id):
        raise ValidationError({"team": _("Choose a team of your area.")})
    errors: dict = {}
    now = timezone.now()
    if planned_for is None or not now - datetime.timedelta(days=1) <= planned_for <= now + datetime.timedelta(
        days=14
    ):
        errors["planned_for"] = [_("A patrol is planned for a time between yesterday and two weeks ahead.")]
    ids = sorted(set(hotspot_ids or []))
    points = list(Hotspot.objects.filter(pk__in=ids, county_id=team.county_id, active=True))
    if not ids:
        errors["points"] = [_("Choose the points the patrol checks.")]
    elif len(points) != len(ids):
        errors["points"] = [_("Choose points of the team's county.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        patrol = Patrol.objects.create(
            county_id=team.county_id, team=team, planned_for=planned_for, planned_by=actor
        )
        patrol.points.set(points)
        _publish(team.county_id)
    return patrol


def _patrol_actor(actor: User, patrol: Patrol) -> None:
    if is_member(actor, patrol.team_id) or (may_keep_duty(actor) and in_area(actor, patrol.county_id)):
        return
    raise PermissionDenied(_("Only the patrol's team, or the duty officer, records its patrol."))


def patrol_start(*, actor: User, patrol_id: int) -> Patrol:
    with transaction.atomic():
        patrol = _patrol_locked(patrol_id)
        _patrol_actor(actor, patrol)
        if patrol.state != Patrol.State.PLANNED:
            raise ValidationError(_("This patrol has already started."))
        patrol.state, patrol.started_at, patrol.version = (
            Patrol.State.ON_PATROL,
            timezone.now(),
            patrol.version + 1,
        )
        patrol.save()
        _publish(patrol.county_id)
    return patrol


def patrol_log(*, actor: User, patrol_id: int, checks: dict[int, int], note: str = "") -> Patrol:
    """The patrol's log: the points actually checked (any of the county's, the planned ones first)
    with the persons found at each; the persons met are their sum. Logged once."""
    errors: dict = {}
    note = text_checked(errors, "note", note, limit=500, label=_("the note"), lines=True)
    if not checks:
        errors["checks"] = [_("Tick the points the patrol checked.")]
    elif any(not isinstance(found, int) or not 0 <= found <= 50 for found in checks.values()):
        errors["checks"] = [_("The persons found at a point are a whole number from 0 to 50.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        patrol = _patrol_locked(patrol_id)
        _patrol_actor(actor, patrol)
        if patrol.state == Patrol.State.LOGGED:
            raise ValidationError(_("This patrol is logged already."))
        known = set(
            Hotspot.objects.filter(pk__in=list(checks), county_id=patrol.county_id).values_list(
                "pk", flat=True
            )
        )
        if known != set(checks):
            raise ValidationError({"checks": _("Tick points of the patrol's county.")})
        now = timezone.now()
        PatrolCheck.objects.bulk_create(
            [
                PatrolCheck(patrol=patrol, hotspot_id=pk, persons_found=found)
                for pk, found in sorted(checks.items())
            ]
        )
        patrol.state, patrol.ended_at = Patrol.State.LOGGED, now
        patrol.started_at = patrol.started_at or now
        patrol.persons_met, patrol.note, patrol.version = sum(checks.values()), note, patrol.version + 1
        patrol.save()
        _publish(patrol.county_id)
    return patrol


# --- cold mode -------------------------------------------------------------------------------------------


def _station_checks(county: str, since, until) -> list[str]:
    """Cold mode's look at the county's stations: supplies below their minimum, and hours of the
    warning without a leader on duty on the roster."""
    from safetynet.rescue.station import selectors as station

    words = []
    for row in station.county_stations_check(county, since, until):
        if row["low"]:
            words.append(
                _("%(station)s is low on %(items)s.")
                % {"station": row["station"].name, "items": "、".join(str(label) for label in row["low"])}
            )
        if row["gaps"]:
            first = timezone.localtime(row["gaps"][0][0]).strftime("%m-%d %H:%M")
            words.append(
                _("%(station)s has no leader on duty on the roster from %(time)s.")
                % {"station": row["station"].name, "time": first}
            )
    return words


def cold_wave_entered(warning) -> list[str]:
    """Cold mode for the warning's county (a cold-wave warning, or a temperature below 0 °C): the
    refusers not yet revisited are due within hours; each team on duty gets an extra patrol over all
    the county's points from the warning's start; the duty is checked. The switch and what it did are
    logged (ColdSwitch) and said."""
    freezing = warning.lowest_temperature is not None and warning.lowest_temperature < 0
    if warning.kind != "cold_wave" and not freezing:
        return []
    county = warning.county_id
    now = timezone.now()
    if warning.ends_at <= now:
        return []  # entered after the fact: nothing to switch
    if ColdSwitch.objects.filter(
        county_id=county,
        warning__ends_at__gt=max(now, warning.starts_at),
        warning__starts_at__lt=warning.ends_at,
        warning__withdrawn_at__isnull=True,
    ).exists():
        return []  # cold mode is on already for an overlapping warning: its patrols stand
    sooner = max(now, warning.starts_at) + rules.REVISIT_WITHIN_COLD
    revisits = StreetContact.objects.filter(
        subtree_q("division_id", county),
        outcome=StreetContact.Outcome.REFUSED,
        revisited_at__isnull=True,
        revisit_due_at__gt=sooner,
    ).update(revisit_due_at=sooner)
    on_duty = list(
        RescueTeam.objects.filter(county_id=county).exclude(state=RescueTeam.State.OFF_DUTY).order_by("pk")
    )
    if not on_duty and not revisits and not RescueTeam.objects.filter(county_id=county).exists():
        return []  # street rescue is not set up in this county: nothing to switch
    points = list(Hotspot.objects.filter(county_id=county, active=True).values_list("pk", flat=True))
    start = max(warning.starts_at, now)
    added = []
    if points:
        added = Patrol.objects.bulk_create(
            [Patrol(county_id=county, team=team, planned_for=start, cold=True) for team in on_duty]
        )
        Patrol.points.through.objects.bulk_create(
            [
                Patrol.points.through(patrol_id=patrol.pk, hotspot_id=point)
                for patrol in added
                for point in points
            ],
            batch_size=1000,
        )
    name = divisions_by_code([county]).get(county)
    words = [
        _(
            "Cold mode for %(county)s: %(revisits)s refusers to be revisited by %(time)s; %(patrols)s extra "
            "patrols planned; %(teams)s teams on duty."
        )
        % {
            "county": name.name if name else county,
            "revisits": revisits,
            "patrols": len(added),
            "teams": len(on_duty),
            "time": timezone.localtime(sooner).strftime("%H:%M"),
        }
    ]
    if not on_duty:
        words.append(
            _("No rescue team of %(county)s is on duty: call a team in.")
            % {"county": name.name if name else county}
        )
    words.extend(_station_checks(county, start, warning.ends_at))
    ColdSwitch.objects.create(
        county_id=county,
        warning=warning,
        at=now,
        revisits_brought_forward=revisits,
        patrols_added=len(added),
        teams_on_duty=len(on_duty),
        summary=" ".join(words),
    )
    _publish(county)
    return words


def contact_link_person(*, actor: User, contact_id: int, person_id: int) -> StreetContact:
    """Link the person met on the street to a registered person (found on the registry's pages, by
    its number there): nothing changes in the registry, and a person is never linked twice over."""
    from django.core.exceptions import ObjectDoesNotExist

    from safetynet.registry.selectors import person_get

    if not may_keep_duty(actor):
        raise PermissionDenied(_("Your role does not keep the rescue duty."))
    with transaction.atomic():
        contact = StreetContact.objects.select_for_update().select_related("incident").get(pk=contact_id)
        if not in_area(actor, contact.division_id):
            raise PermissionDenied(_("This incident is outside your area."))
        try:
            person = person_get(actor=actor, pk=person_id)
        except ObjectDoesNotExist:
            raise ValidationError(
                {"person": _("There is no registered person of your area with this number.")}
            ) from None
        if contact.person_id is not None and contact.person_id != person.pk:
            raise ValidationError(
                {"person": _("This contact is linked to another registered person already.")}
            )
        if contact.person_id != person.pk:
            contact.person = person
            contact.save(update_fields=["person"])
            change_record(
                actor=actor,
                subject=contact.incident,
                entity=contact,
                action=ChangeAction.UPDATE,
                event="linked",
                before={"person": None},
                after={"person": person.pk},
            )
            _publish(contact.division_id)
    return contact
