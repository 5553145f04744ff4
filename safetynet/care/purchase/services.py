"""Writes of purchased third-party services: the bureau records providers (and links their user
accounts), signs contracts for an area and adds the 特困 persons cared for at home there — each
covered person granted to the provider's users (core.grants "registry.person"), the grant revoked
when the person is removed or the contract ends; a provider's worker logs a service given to a
covered person from a phone, once per form however often the phone sends it. Refusals change
nothing and say why in the user's language."""

import datetime
import re
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from safetynet.care.models import (
    ContractPerson,
    ServiceContract,
    ServiceKind,
    ServiceLog,
    ServiceProvider,
    ServiceProviderStaff,
)
from safetynet.care.purchase.selectors import covered_q
from safetynet.care.selectors import dispersed_persons
from safetynet.core import grants
from safetynet.core.scope import in_area
from safetynet.core.selectors import divisions_by_code
from safetynet.core.services import ConflictError, change_record
from safetynet.core.text import text_checked as _text
from safetynet.core.types import ChangeAction, Role, User
from safetynet.core.workflows.evidence import evidence_add, evidence_check

PERSON_GRANT = "registry.person"
LOG_SUBJECT = "care.service_log"
PROVIDER_WRITERS = frozenset({Role.CITY_BUREAU, Role.COUNTY_BUREAU})
CONTRACT_WRITERS = frozenset({Role.COUNTY_BUREAU})
OLDEST_LOG = datetime.timedelta(days=30)
CLOCK_SKEW = datetime.timedelta(minutes=10)
LONGEST_SERVICE = datetime.timedelta(hours=24)
HIGHEST_BUDGET = Decimal("9999999999.99")
CREDIT_CODE = re.compile(r"^[0-9A-Z]{18}$")
PHONE = re.compile(r"^[0-9+\- ]{5,20}$")


def may_write_providers(actor: User) -> bool:
    return actor.is_authenticated and actor.is_active and actor.role in PROVIDER_WRITERS


def may_write_contracts(actor: User) -> bool:
    return actor.is_authenticated and actor.is_active and actor.role in CONTRACT_WRITERS


def may_log(actor: User) -> bool:
    return actor.is_authenticated and actor.is_active and actor.role == Role.SERVICE_PROVIDER




def _is_date(value) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _grant_reason() -> str:
    # History keeps the reason in the system's language, whoever's page gave the grant.
    with override(settings.LANGUAGE_CODE):
        return _("Purchased care services contract")


def _ungrant_reason() -> str:
    with override(settings.LANGUAGE_CODE):
        return _("No longer covered by a purchased care services contract")


# --- providers -----------------------------------------------------------------------------------------


def provider_create(*, actor: User, data: dict) -> ServiceProvider:
    """Record a provider in the actor's area (a county's, or the city's): data = name, credit_code,
    contact, phone. ValidationError with every reason, nothing saved."""
    if not may_write_providers(actor):
        raise PermissionDenied(_("Service providers are recorded by the city and county bureaus."))
    errors: dict[str, list[str]] = {}
    name = _text(errors, "name", data.get("name"), limit=100, required=True, label=_("the name"))
    code = _text(
        errors,
        "credit_code",
        data.get("credit_code"),
        limit=18,
        required=True,
        label=_("the unified social credit code"),
    ).upper()
    if "credit_code" not in errors and not CREDIT_CODE.match(code):
        errors["credit_code"] = [_("A unified social credit code is 18 digits and capital letters.")]
    contact = _text(
        errors, "contact", data.get("contact"), limit=50, required=True, label=_("the contact person")
    )
    phone = _text(errors, "phone", data.get("phone"), limit=20, required=True, label=_("the phone number"))
    if "phone" not in errors and not PHONE.match(phone):
        errors["phone"] = [_("Give a phone number of digits.")]
    if "credit_code" not in errors and ServiceProvider.objects.filter(credit_code=code).exists():
        errors["credit_code"] = [_("A provider with this credit code is already recorded.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            provider = ServiceProvider.objects.create(
                division_id=actor.division_id,
                name=name,
                credit_code=code,
                contact=contact,
                phone=phone,
                created_by=actor,
                created_at=timezone.now(),
            )
            change_record(
                actor=actor,
                subject=provider,
                entity=provider,
                action=ChangeAction.CREATE,
                after={"name": name, "credit_code": code, "division": actor.division_id},
            )
    except IntegrityError:
        raise ValidationError(
            {"credit_code": _("A provider with this credit code is already recorded.")}
        ) from None
    return provider


def _check_provider_writer(actor: User, provider: ServiceProvider) -> None:
    if not may_write_providers(actor) or not in_area(actor, provider.division_id):
        raise PermissionDenied(_("Only the bureau that recorded this provider changes it."))


def provider_staff_add(*, actor: User, provider: ServiceProvider, user: User) -> ServiceProviderStaff:
    """Make `user` (a service-provider account of the actor's area, working for no other provider)
    one of the provider's staff: they are granted the persons its contracts cover."""
    _check_provider_writer(actor, provider)
    if (
        not isinstance(user, User)
        or not user.is_active
        or user.role != Role.SERVICE_PROVIDER
        or not in_area(actor, user.division_id)
    ):
        raise ValidationError({"user": _("Choose an active service-provider account of your area.")})
    if ServiceProviderStaff.objects.filter(user=user).exists():
        raise ValidationError({"user": _("This account already works for a provider.")})
    try:
        with transaction.atomic():
            staff = ServiceProviderStaff.objects.create(
                provider=provider, user=user, added_by=actor, added_at=timezone.now()
            )
            change_record(
                actor=actor,
                subject=provider,
                entity=staff,
                action=ChangeAction.CREATE,
                after={"user": user.pk},
            )
            today = timezone.localdate()
            covered = ContractPerson.objects.filter(
                covered_q(today), contract__provider=provider
            ).values_list("person_id", flat=True)
            for person_id in sorted(set(covered)):
                _grant(actor, user, person_id)
    except IntegrityError:
        raise ValidationError({"user": _("This account already works for a provider.")}) from None
    return staff


# --- contracts -----------------------------------------------------------------------------------------


def _check_contract_writer(actor: User, contract: ServiceContract) -> None:
    if not may_write_contracts(actor) or not in_area(actor, contract.area_id):
        raise PermissionDenied(_("Only the county bureau of the contract's area changes it."))


def contract_create(*, actor: User, provider: ServiceProvider, data: dict) -> ServiceContract:
    """Sign a contract with `provider` for an area of the actor's county (the county or one of its
    townships): data = area (code), title, starts_on, ends_on, budget (yuan), kinds (ServiceKind
    values). ValidationError with every reason, nothing saved."""
    if not may_write_contracts(actor):
        raise PermissionDenied(_("Service contracts are signed by the county bureau."))
    errors: dict[str, list[str]] = {}
    # The provider is the county's own or the city's (recorded above it).
    if not (
        provider.division_id.startswith(actor.division_id)
        or actor.division_id.startswith(provider.division_id)
    ):
        errors["provider"] = [_("Choose a provider of your area.")]
    elif not provider.active:
        errors["provider"] = [_("This provider is no longer active.")]
    area = data.get("area") or ""
    area = area.strip() if isinstance(area, str) else ""
    division = divisions_by_code([area]).get(area) if len(area) in (6, 9) and area.isdigit() else None
    if division is None or not in_area(actor, area) or division.abolished:
        errors["area"] = [_("Choose your county or one of its townships.")]
    title = _text(errors, "title", data.get("title"), limit=100, required=True, label=_("the title"))
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if not _is_date(starts_on):
        errors["starts_on"] = [_("Give the first day of the contract.")]
    if not _is_date(ends_on):
        errors["ends_on"] = [_("Give the last day of the contract.")]
    elif _is_date(starts_on) and ends_on < starts_on:
        errors["ends_on"] = [_("The contract ends on or after the day it starts.")]
    elif ends_on < timezone.localdate():
        errors["ends_on"] = [_("The contract has already ended: record contracts still running.")]
    try:
        budget = Decimal(str(data.get("budget", ""))).quantize(Decimal("0.01"))
        if not budget.is_finite() or not Decimal(0) <= budget <= HIGHEST_BUDGET:
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors["budget"] = [_("Give the budget in yuan (up to two decimal places, not negative).")]
        budget = None
    kinds = data.get("kinds") or []
    if (
        not isinstance(kinds, list | tuple)
        or not kinds
        or any(kind not in ServiceKind.values for kind in kinds)
    ):
        errors["kinds"] = [_("Choose the services the contract buys.")]
    if errors:
        raise ValidationError(errors)
    kinds = [kind for kind in ServiceKind.values if kind in kinds]
    with transaction.atomic():
        contract = ServiceContract.objects.create(
            provider=provider,
            area=division,
            title=title,
            starts_on=starts_on,
            ends_on=ends_on,
            budget=budget,
            kinds=kinds,
            created_by=actor,
            created_at=timezone.now(),
        )
        change_record(
            actor=actor,
            subject=contract,
            entity=contract,
            action=ChangeAction.CREATE,
            after={
                "provider": provider.pk,
                "area": area,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
                "budget": str(budget),
                "kinds": kinds,
            },
        )
    return contract


def _staff(provider_id: int) -> list[User]:
    return [
        row.user
        for row in ServiceProviderStaff.objects.filter(provider_id=provider_id)
        .select_related("user")
        .order_by("pk")
    ]


def _grant(actor: User, user: User, person_id: int) -> None:
    """Let a provider's worker see the person, unless they already do (by another contract, or
    another grant) or the account lies outside the granting county (it cannot be given it)."""
    if not user.is_active or not in_area(actor, user.division_id):
        return
    if grants.grants_of_user(user=user, kind=PERSON_GRANT).filter(object_id=person_id).exists():
        return
    grants.grant_create(
        actor=actor, user=user, kind=PERSON_GRANT, object_id=person_id, reason=_grant_reason()
    )


def _ungrant(actor: User | None, provider_id: int, person_id: int) -> None:
    """The provider's workers no longer see the person, unless another contract of the provider still
    covers them. Grants given otherwise (not by a contract) are left alone."""
    today = timezone.localdate()
    if ContractPerson.objects.filter(
        covered_q(today), contract__provider_id=provider_id, person_id=person_id
    ).exists():
        return
    for user in _staff(provider_id):
        for grant in grants.grants_of_user(user=user, kind=PERSON_GRANT).filter(
            object_id=person_id, reason=_grant_reason()
        ):
            grants.grant_revoke(actor=actor, grant=grant, reason=_ungrant_reason())


def contract_person_add(*, actor: User, contract: ServiceContract, person_id: int) -> ContractPerson:
    """Cover a 特困 person cared for at home in the contract's area; the provider's workers are
    granted the person."""
    _check_contract_writer(actor, contract)
    today = timezone.localdate()
    with transaction.atomic():
        current = ServiceContract.objects.select_for_update().get(pk=contract.pk)
        if current.state != ServiceContract.State.ACTIVE or current.ends_on < today:
            raise ValidationError(_("This contract has ended: it covers no one more."))
        eligible = dispersed_persons(on=today, area=current.area_id).filter(person_id=person_id)
        if not isinstance(person_id, int) or not eligible.exists():
            raise ValidationError(
                {"person": _("Choose a 特困 person cared for at home in the contract's area.")}
            )
        if current.persons.filter(person_id=person_id, removed_on__isnull=True).exists():
            raise ValidationError({"person": _("This person is already covered by the contract.")})
        try:
            with transaction.atomic():
                covered = ContractPerson.objects.create(
                    contract=current,
                    person_id=person_id,
                    added_on=max(today, current.starts_on),
                    added_by=actor,
                )
        except IntegrityError:
            raise ValidationError({"person": _("This person is already covered by the contract.")}) from None
        change_record(
            actor=actor,
            subject=current,
            entity=covered,
            action=ChangeAction.CREATE,
            after={"person": person_id},
        )
        for user in _staff(current.provider_id):
            _grant(actor, user, person_id)
    return covered


def contract_person_remove(*, actor: User, contract: ServiceContract, person_id: int) -> ContractPerson:
    """The contract covers the person no longer (from today); the provider's workers stop seeing them
    unless another contract of the provider covers them."""
    _check_contract_writer(actor, contract)
    today = timezone.localdate()
    with transaction.atomic():
        current = ServiceContract.objects.select_for_update().get(pk=contract.pk)
        covered = (
            current.persons.select_for_update().filter(person_id=person_id, removed_on__isnull=True).first()
        )
        if covered is None:
            raise ValidationError({"person": _("This person is not covered by the contract.")})
        covered.removed_on, covered.removed_by = max(today, covered.added_on), actor
        covered.save(update_fields=["removed_on", "removed_by"])
        change_record(
            actor=actor,
            subject=current,
            entity=covered,
            action=ChangeAction.UPDATE,
            before={"removed_on": None},
            after={"removed_on": covered.removed_on.isoformat()},
        )
        _ungrant(actor, current.provider_id, person_id)
    return covered


def contract_end(*, actor: User, contract: ServiceContract, version: int) -> ServiceContract:
    """End the contract today (read at `version`): it covers no one any more and the provider's
    workers stop seeing its persons."""
    _check_contract_writer(actor, contract)
    today = timezone.localdate()
    with transaction.atomic():
        current = ServiceContract.objects.select_for_update().get(pk=contract.pk)
        if current.version != version:
            raise ConflictError()
        if current.state != ServiceContract.State.ACTIVE:
            raise ValidationError(_("This contract has ended already."))
        current.state, current.ended_on, current.version = (
            ServiceContract.State.ENDED,
            today,
            current.version + 1,
        )
        current.save(update_fields=["state", "ended_on", "version"])
        change_record(
            actor=actor,
            subject=current,
            entity=current,
            action=ChangeAction.UPDATE,
            before={"state": "active"},
            after={"state": "ended", "ended_on": today.isoformat()},
        )
        persons = list(current.persons.filter(removed_on__isnull=True).order_by("pk"))
        for covered in persons:
            covered.removed_on, covered.removed_by = max(today, covered.added_on), actor
            covered.save(update_fields=["removed_on", "removed_by"])
        for covered in persons:
            _ungrant(actor, current.provider_id, covered.person_id)
    return current


# --- service logs --------------------------------------------------------------------------------------


def provider_of(user: User) -> ServiceProvider | None:
    """The active provider a service-provider account works for, if any."""
    if not may_log(user):
        return None
    staff = ServiceProviderStaff.objects.select_related("provider").filter(user_id=user.pk).first()
    return staff.provider if staff is not None and staff.provider.active else None


def _position(errors: dict, latitude, longitude) -> tuple[Decimal | None, Decimal | None]:
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    try:
        lat = Decimal(str(latitude)).quantize(Decimal("0.000001"))
        lon = Decimal(str(longitude)).quantize(Decimal("0.000001"))
        if not (lat.is_finite() and lon.is_finite() and -90 <= lat <= 90 and -180 <= lon <= 180):
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors["latitude"] = [
            _("Give the position as latitude and longitude in degrees, or leave both empty.")
        ]
        return None, None
    return lat, lon


def service_log_create(
    *,
    actor: User,
    person_id: int,
    data: dict,
    submission: uuid.UUID,
    photo=None,
    signature=None,
) -> ServiceLog:
    """A provider's worker logs a service given to a person its provider's contract covered that day:
    data = kind, started_at, ended_at (aware datetimes), place, done, latitude and longitude
    (optional, both or neither); `photo` and `signature` (uploads, optional) are kept as evidence.
    `submission` is the form's one-time key: the same form sent again stores nothing twice (the log
    already saved is returned). ValidationError with every reason, nothing saved."""
    provider = provider_of(actor)
    if provider is None:
        raise PermissionDenied(_("Services are logged by the staff of a contracted service provider."))
    if not isinstance(submission, uuid.UUID):
        raise ValidationError(_("The form is incomplete: open it again."))
    earlier = ServiceLog.objects.filter(submission=submission).first()
    if earlier is not None:
        if earlier.logged_by_id == actor.pk:
            return earlier
        raise ValidationError(_("The form is incomplete: open it again."))
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    started_at, ended_at = data.get("started_at"), data.get("ended_at")
    if not isinstance(started_at, datetime.datetime) or timezone.is_naive(started_at):
        errors["started_at"] = [_("Give the date and time the service started.")]
        started_at = None
    elif started_at > now + CLOCK_SKEW:
        errors["started_at"] = [_("The service cannot start in the future.")]
    elif started_at < now - OLDEST_LOG:
        errors["started_at"] = [_("Log services within 30 days of giving them.")]
    if not isinstance(ended_at, datetime.datetime) or timezone.is_naive(ended_at):
        errors["ended_at"] = [_("Give the date and time the service ended.")]
    elif ended_at > now + CLOCK_SKEW:
        errors["ended_at"] = [_("The service cannot end in the future.")]
    elif started_at is not None and ended_at < started_at:
        errors["ended_at"] = [_("The service ends after it starts.")]
    elif started_at is not None and ended_at - started_at > LONGEST_SERVICE:
        errors["ended_at"] = [_("One log is one service of at most a day.")]
    kind = data.get("kind")
    if kind not in ServiceKind.values:
        errors["kind"] = [_("Choose the service given.")]
    place = _text(errors, "place", data.get("place"), limit=200, required=True, label=_("where it was given"))
    done = _text(
        errors, "done", data.get("done"), limit=1000, required=True, label=_("what was done"), lines=True
    )
    latitude, longitude = _position(errors, data.get("latitude"), data.get("longitude"))
    contract = person = None
    if "started_at" not in errors:
        day = timezone.localdate(started_at)
        covering = (
            ContractPerson.objects.filter(
                covered_q(day),
                contract__provider=provider,
                person_id=person_id if isinstance(person_id, int) else 0,
            )
            .select_related("contract", "person")
            .order_by("contract_id")
        )
        covering = list(covering)
        if not covering:
            errors["person"] = [_("This person is not covered by a contract of your provider on that day.")]
        elif kind in ServiceKind.values:
            person = covering[0].person
            contract = next((c.contract for c in covering if kind in c.contract.kinds), None)
            if contract is None:
                errors["kind"] = [_("The contract does not buy this service for this person.")]
    for field, upload, what in (("photo", photo, "photo"), ("signature", signature, "signature")):
        if upload is not None:
            try:
                evidence_check(what, upload)
            except ValidationError as error:
                errors.setdefault(field, []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    stored = []
    try:
        with transaction.atomic():
            log = ServiceLog.objects.create(
                contract=contract,
                person_id=person_id,
                division_id=person.area_id,
                kind=kind,
                started_at=started_at,
                ended_at=ended_at,
                place=place,
                latitude=latitude,
                longitude=longitude,
                done=done,
                logged_by=actor,
                logged_at=now,
                submission=submission,
            )
            change_record(
                actor=actor,
                subject=contract,
                entity=log,
                action=ChangeAction.CREATE,
                after={"person": person_id, "kind": kind, "started_at": started_at.isoformat()},
            )
            subject = (LOG_SUBJECT, log.pk, log.division_id)
            if photo is not None:
                stored.append(evidence_add(actor=actor, kind="photo", upload=photo, subject=subject))
            if signature is not None:
                stored.append(evidence_add(actor=actor, kind="signature", upload=signature, subject=subject))
    except IntegrityError:
        for evidence in stored:
            evidence.file.delete(save=False)
        again = ServiceLog.objects.filter(submission=submission, logged_by=actor).first()
        if again is not None:
            return again  # the same form, sent twice at once: saved by the first
        raise ValidationError(_("The form is incomplete: open it again.")) from None
    except Exception:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return log


# --- ends no one has to take by hand -------------------------------------------------------------------


def coverage_end_for_person(*, person_id: int, day, why: str) -> int:
    """The person is no longer a provider's to serve (entered an institution, support ended): every
    contract's cover of them ends on `day` and the providers' workers stop seeing them. How many."""
    covered = list(ContractPerson.objects.select_for_update(of=("self",)).select_related("contract").filter(
        person_id=person_id, removed_on__isnull=True))
    for row in covered:
        row.removed_on = max(day, row.added_on)
        row.save(update_fields=["removed_on"])
        change_record(actor=None, subject=row.contract, entity=row, action=ChangeAction.UPDATE,
                      before={"removed_on": None}, after={"removed_on": row.removed_on.isoformat()},
                      reason=why)
    for provider_id in {row.contract.provider_id for row in covered}:
        _ungrant(None, provider_id, person_id)
    return len(covered)


def contracts_expire(today) -> int:
    """Contracts whose last day has passed end (as of that day): they cover no one any more and the
    providers' workers stop seeing their persons. How many."""
    ended = 0
    for contract in ServiceContract.objects.select_for_update().filter(state=ServiceContract.State.ACTIVE,
                                                                       ends_on__lt=today):
        contract.state, contract.ended_on, contract.version = (
            ServiceContract.State.ENDED, contract.ends_on, contract.version + 1)
        contract.save(update_fields=["state", "ended_on", "version"])
        change_record(actor=None, subject=contract, entity=contract, action=ChangeAction.UPDATE,
                      before={"state": "active"},
                      after={"state": "ended", "ended_on": contract.ends_on.isoformat()},
                      reason=_ungrant_reason())
        persons = list(contract.persons.filter(removed_on__isnull=True))
        for covered in persons:
            covered.removed_on = max(contract.ends_on, covered.added_on)
            covered.save(update_fields=["removed_on"])
        for covered in persons:
            _ungrant(None, contract.provider_id, covered.person_id)
        ended += 1
    return ended
