"""Writes of temporary aid (临时救助): recording an emergency (for a registered person or a
traveller, where it happened), paying it first within 24 hours up to the township's cap and in
further stages, completing the paperwork within 5 days, referring what is above the cap to the
county and its case-by-case decision; the expenditure type's application, investigation and
decision (at most what the TEMPORARY rule gives); and the winter heating aid decided as a batch.

Each service locks the aid, checks the version the user saw (ConflictError), checks the area
(another area's aid is "not found"), validates everything before changing anything, and takes the
kernel's step (core.workflows.services.case_transition) in the same transaction. Payments are
recorded as paid: the payments module books them and never pays them again."""

import datetime
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.money import parse_yuan
from safetynet.core.scope import in_area
from safetynet.core.services import ConflictError, change_record
from safetynet.core.types import ChangeAction, Role, User
from safetynet.core.workflows.services import case_open, case_transition
from safetynet.programmes.aid import workflow
from safetynet.programmes.applications.services import checked_text as application_text
from safetynet.programmes.models import (
    AidInstalment,
    AidPayment,
    HeatingAidBatch,
    HeatingAidGrant,
    TemporaryAid,
)

EMERGENCY_CAUSES = ("fire", "traffic", "accident", "illness", "hardship")
EXPENDITURE_CAUSES = ("medical", "education", "living")
MEANS = ("cash", "bank", "in_kind")
RECORDING_ROLES = {Role.TOWNSHIP_OFFICE, Role.COUNTY_BUREAU}
PAYING_ROLES = RECORDING_ROLES
HEATING_ROLES = {Role.COUNTY_BUREAU, Role.CITY_BUREAU}
HEATING_PROGRAMMES = ("dibao", "tekun", "edge")
EARLIEST = datetime.datetime(2022, 1, 1, tzinfo=datetime.UTC)
# No single temporary aid is larger than this (a typo of zeros, not a decision).
MOST = Decimal("1000000")


class NotFound(TemporaryAid.DoesNotExist):
    pass


def checked_text(value, *, field: str, limit: int, required: bool = False) -> str:
    """The applications' text check (a text box from 500 characters), a missing value read as empty."""
    return application_text("" if value is None else value, field=field, limit=limit, required=required)


def checked_amount(value, *, field: str, zero: bool = False) -> Decimal:
    """Yuan with at most two decimals, above zero (or zero where allowed) and below MOST."""
    try:
        amount = parse_yuan(value) if not isinstance(value, Decimal) else value
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    if amount is None:
        raise ValidationError({field: _("Give the amount in yuan.")})
    if amount < 0 or (amount == 0 and not zero):
        raise ValidationError({field: _("The amount must be more than zero.")})
    if amount > MOST:
        raise ValidationError(
            {
                field: _("No temporary aid is as large as %(amount)s yuan: check the digits.")
                % {"amount": MOST}
            }
        )
    return amount


def _id(value) -> int | None:
    """A record's id as sent: a whole number that could be one, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**62 else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value) or None
    return None


def _locked(aid_id, actor: User, version=None) -> TemporaryAid:
    pk = _id(aid_id)
    if pk is None:
        raise NotFound
    try:
        aid = TemporaryAid.objects.select_for_update(of=("self",)).select_related("case").get(pk=pk)
    except TemporaryAid.DoesNotExist:
        raise NotFound from None
    if not in_area(actor, aid.area_id):
        raise NotFound  # another area's aid is not found, never forbidden
    if version is not None and aid.version != version:
        raise ConflictError(
            _(
                "Someone else saved this temporary aid meanwhile: reload the page and look before "
                "saving again."
            )
        )
    return aid


def township_cap(area_code: str, on: datetime.date) -> Decimal | None:
    """The most a township approves by itself on a day (the `temp_township_cap` standard)."""
    from safetynet.programmes.selectors import standard_at

    found = standard_at(kind="temp_township_cap", county=area_code[:6], on=on)
    return None if found is None else found.value.quantize(Decimal("0.01"))


def _subject(aid: TemporaryAid):
    """Whose history records it: the household aided, else the aid itself (a traveller)."""
    return aid.household if aid.household_id else aid


def _record(actor, aid, event, after, action=ChangeAction.UPDATE, reason=""):
    change_record(
        actor=actor, subject=_subject(aid), entity=aid, action=action, event=event, after=after, reason=reason
    )


def _area(actor: User, area_code) -> str:
    from safetynet.core.selectors import division_get

    code = area_code if isinstance(area_code, str) else ""
    if not (code.isascii() and code.isdigit() and len(code) in (9, 12)):
        raise ValidationError({"area": _("Choose the village or township where it happened.")})
    division = division_get(actor=actor, code=code)
    if division is None:
        raise ValidationError({"area": _("That place is not in your area.")})
    return division.code


def _moment(value, *, field: str) -> datetime.datetime:
    now = timezone.now()
    if value is None:
        return now
    if not isinstance(value, datetime.datetime):
        raise ValidationError({field: _("Give a date and time.")})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + datetime.timedelta(minutes=5):
        raise ValidationError({field: _("This time is in the future.")})
    if value < EARLIEST:
        raise ValidationError({field: _("This time is before 2022.")})
    return value


def _step(actor, aid, transition, *, reason="", data=None, at=None):
    case = aid.case
    return case_transition(
        actor=actor,
        case_id=case.pk,
        transition=transition,
        version=case.version,
        reason=reason,
        data={"recorded": True, **(data or {})},
        at=at,
    )


def _title(aid: TemporaryAid) -> str:
    from safetynet.programmes.applications.services import official_language

    with official_language():  # stored: in the bureau's language, whoever typed it
        return _("Temporary aid (%(cause)s): %(name)s") % {"cause": aid.get_cause_display(), "name": aid.name}


# --- the emergency type ----------------------------------------------------------------------------


def emergency_report(
    *,
    actor: User,
    area_code: str,
    cause: str,
    what: str,
    person_id=None,
    name: str = "",
    id_number: str = "",
    home_place: str = "",
    phone: str = "",
    reported_at: datetime.datetime | None = None,
) -> TemporaryAid:
    """Record an emergency where it happened: for a registered person of the actor's area (found by
    the person search), or a traveller by name (and ID number, home place, phone if known). A
    traveller's ID number that names a person registered anywhere links that person, who is not
    moved and of whom nothing more is shown. The township must pay within 24 hours of `reported_at`."""
    from safetynet.core.ids import check_id_number
    from safetynet.registry.models import Membership, Person
    from safetynet.registry.selectors import person_get

    if actor.role not in RECORDING_ROLES:
        raise PermissionDenied(_("Temporary aid is recorded by the township or the county."))
    errors = {}
    try:
        area = _area(actor, area_code)
    except ValidationError as error:
        errors.update(error.message_dict)
    if cause not in EMERGENCY_CAUSES:
        errors["cause"] = _(
            "Choose the cause: fire, traffic accident, other accident, sudden serious illness "
            "or other special hardship."
        )
    person = None
    fields = {}
    for field, value, limit in (
        ("what", what, 1000),
        ("name", name, 50),
        ("home_place", home_place, 100),
        ("phone", phone, 20),
        ("id_number", id_number, 18),
    ):
        try:
            fields[field] = checked_text(value, field=field, limit=limit, required=field == "what")
        except ValidationError as error:
            errors.update(error.message_dict)
    try:
        reported = _moment(reported_at, field="reported_at")
    except ValidationError as error:
        errors.update(error.message_dict)
    if person_id not in (None, ""):
        pk = _id(person_id)
        try:
            if pk is None:
                raise Person.DoesNotExist
            person = person_get(actor=actor, pk=pk)
        except Person.DoesNotExist:
            errors["person"] = _("That person is not registered in your area: record a traveller instead.")
    elif "name" in fields and not fields["name"]:
        errors["name"] = _("Give the name of the person aided, or choose a registered person.")
    phone_given = fields.get("phone", "")
    if phone_given and not (phone_given.isascii() and phone_given.replace("-", "").isdigit()):
        errors["phone"] = _("A phone number has digits only.")
    if person is None and fields.get("id_number"):
        try:
            fields["id_number"] = check_id_number(fields["id_number"]).number
        except ValidationError as error:
            errors["id_number"] = error.messages
    if errors:
        raise ValidationError(errors)
    household = None
    if person is not None:
        fields.update(name=person.name, id_number=person.id_number, phone=person.phone)
    elif fields["id_number"]:
        # A traveller registered elsewhere: linked, not moved, not shown.
        person = Person.objects.filter(id_number=fields["id_number"]).first()
    if person is not None:
        current = Membership.objects.filter(person=person, left_on__isnull=True).first()
        household = current.household if current else None
    with transaction.atomic():
        now = timezone.now()
        aid = TemporaryAid.objects.create(
            kind=TemporaryAid.Kind.EMERGENCY,
            cause=cause,
            area_id=area,
            household=household,
            person=person,
            name=fields["name"],
            id_number=fields["id_number"],
            home_place=fields["home_place"],
            phone=fields["phone"],
            what=fields["what"],
            reported_at=reported,
            created_at=now,
            created_by=actor,
            cap=township_cap(area, timezone.localtime(reported).date()),
        )
        aid.case = case_open(
            actor=actor,
            workflow_code=workflow.EMERGENCY,
            division_code=area,
            title=_title(aid),
            subject_kind=workflow.SUBJECT,
            subject_id=aid.pk,
            at=reported,
        )
        aid.save(update_fields=["case"])
        _record(
            actor,
            aid,
            "reported",
            {"kind": aid.kind, "cause": cause, "name": aid.name, "area": area},
            action=ChangeAction.CREATE,
        )
    return aid


def aid_pay(
    *,
    actor: User,
    aid_id,
    version: int,
    amount,
    means: str,
    from_reserve: bool = False,
    note: str = "",
    approved_amount=None,
    paid_at: datetime.datetime | None = None,
) -> AidPayment:
    """Pay a temporary aid, recorded as paid. The emergency's first payment is the township's
    先行救助: its approval (`approved_amount`, at most the township's cap unless the county decided)
    and the first stage at once; later stages of the same approval never pay more than approved in
    all. The expenditure type is paid once approved, in stages too."""
    if actor.role not in PAYING_ROLES:
        raise PermissionDenied(_("Temporary aid is paid by the township or the county."))
    errors = {}
    try:
        amount = checked_amount(amount, field="amount")
    except ValidationError as error:
        errors.update(error.message_dict)
    if means not in MEANS:
        errors["means"] = _("Say how it was paid: cash, bank transfer or in kind.")
    try:
        note = checked_text(note, field="note", limit=200)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not isinstance(from_reserve, bool):
        errors["from_reserve"] = _("Say whether it came from the reserve fund.")
    if approved_amount not in (None, ""):
        try:
            approved_amount = checked_amount(approved_amount, field="approved_amount")
        except ValidationError as error:
            errors.update(error.message_dict)
    else:
        approved_amount = None
    try:
        paid = _moment(paid_at, field="paid_at")
    except ValidationError as error:
        errors.update(error.message_dict)
    if means == "in_kind" and not note and "note" not in errors:
        errors["note"] = _("Say what was given in kind.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        aid = _locked(aid_id, actor, version)
        if paid < aid.reported_at:
            raise ValidationError({"paid_at": _("A payment is made after the report, not before it.")})
        state = aid.case.state
        first = None
        if aid.kind == TemporaryAid.Kind.EMERGENCY and state == "reported":
            approved = approved_amount if approved_amount is not None else amount
            cap = township_cap(aid.area_id, timezone.localtime(paid).date())
            if cap is None:
                raise ValidationError(_("No township cap for temporary aid is in force: the county decides."))
            if approved > cap:
                raise ValidationError(
                    {
                        "approved_amount": _(
                            "%(amount)s yuan is above the township's cap of %(cap)s yuan: "
                            "refer it to the county, "
                            "which decides case by case."
                        )
                        % {"amount": approved, "cap": cap}
                    }
                )
            aid.approved_amount, aid.cap = approved, cap
            aid.decided_at, aid.decided_by = paid, actor
            first = "pay_first"
        elif aid.kind == TemporaryAid.Kind.EMERGENCY and state == "county_approved":
            first = "pay_first"
        elif aid.kind == TemporaryAid.Kind.EXPENDITURE and state == "approved":
            first = "pay"
        elif state not in ("first_aid_paid", "paperwork_completed", "paid"):
            raise ValidationError(
                _("This temporary aid cannot be paid while it is “%(state)s”.")
                % {"state": workflow.flow_of(aid).state(state).label}
            )
        if approved_amount is not None and first != "pay_first" and approved_amount != aid.approved_amount:
            raise ValidationError({"approved_amount": _("The approval is made once: pay within it.")})
        if aid.instalments.exists():
            raise ValidationError(_(
                "The county decided to pay this aid in stages through its payroll: "
                "the payroll pays it, not the township."))
        left = aid.approved_amount - aid.paid_total
        if amount > left:
            raise ValidationError(
                {
                    "amount": _(
                        "%(amount)s yuan is more than is left of the approved %(approved)s yuan "
                        "(%(left)s yuan left)."
                    )
                    % {"amount": amount, "approved": aid.approved_amount, "left": left}
                }
            )
        stage = aid.payments.count() + 1
        payment = AidPayment.objects.create(
            aid=aid,
            stage=stage,
            amount=amount,
            means=means,
            note=note,
            from_reserve=from_reserve,
            paid_at=paid,
            paid_by=actor,
        )
        aid.paid_total += amount
        aid.first_paid_at = aid.first_paid_at or paid
        aid.version += 1
        aid.save()
        if first:
            _step(
                actor, aid, first, data={"amount": str(amount), "approved": str(aid.approved_amount)}, at=paid
            )
        _record(
            actor,
            aid,
            "paid",
            {
                "stage": stage,
                "amount": str(amount),
                "means": means,
                "from_reserve": from_reserve,
                "approved_amount": str(aid.approved_amount),
            },
        )
    return payment


def paperwork_complete(
    *, actor: User, aid_id, version: int, registrar: str, signatories, note: str = "", at=None
) -> TemporaryAid:
    """The emergency's paperwork after the first payment: who registered it, the signatures, and
    anything to add (the reason and the amount are the aid's). Late past 5 days: completed all the
    same, and marked late."""
    if actor.role not in PAYING_ROLES:
        raise PermissionDenied(_("The paperwork is completed by the township or the county."))
    errors = {}
    try:
        registrar = checked_text(registrar, field="registrar", limit=50, required=True)
        note = checked_text(note, field="note", limit=500)
    except ValidationError as error:
        errors.update(error.message_dict)
    names = []
    for name in signatories if isinstance(signatories, list | tuple) else []:
        if not isinstance(name, str):
            continue
        name = name.strip()
        if "\x00" in name or len(name) > 30 or any(ord(c) < 32 for c in name):
            errors["signatories"] = _(
                "Each name that signed is at most 30 characters, without control characters."
            )
        elif name and name not in names:
            names.append(name)
    if not names and "signatories" not in errors:
        errors["signatories"] = _(
            "Name who signed: the person aided (or the one who received it) and the staff."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        aid = _locked(aid_id, actor, version)
        if aid.case.state != "first_aid_paid":
            raise ValidationError(_("The paperwork is completed after the first payment, once."))
        now = at or timezone.now()  # `at`: the demo city's paperwork of days past
        aid.paperwork_registrar, aid.paperwork_signatories, aid.paperwork_note = registrar, names, note
        aid.paperwork_completed_at = now
        aid.paperwork_late = bool(aid.case.due_at and now > aid.case.due_at)
        aid.version += 1
        aid.save()
        _step(actor, aid, "complete_paperwork", data={"late": aid.paperwork_late}, at=now)
        _record(
            actor,
            aid,
            "paperwork",
            {"registrar": registrar, "signatories": "、".join(names), "late": aid.paperwork_late},
        )
    return aid


def aid_refer_county(*, actor: User, aid_id, version: int, amount, reason: str) -> TemporaryAid:
    """The township refers an aid above its cap to the county (一事一议), with the amount it needs."""
    if actor.role != Role.TOWNSHIP_OFFICE:
        raise PermissionDenied(_("The township refers temporary aid above its cap to the county."))
    errors = {}
    try:
        amount = checked_amount(amount, field="amount")
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        reason = checked_text(reason, field="reason", limit=500, required=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        aid = _locked(aid_id, actor, version)
        cap = township_cap(aid.area_id, timezone.localdate())
        if cap is not None and amount <= cap:
            raise ValidationError(
                {
                    "amount": _(
                        "%(amount)s yuan is within the township's cap of %(cap)s yuan: "
                        "the township decides it itself."
                    )
                    % {"amount": amount, "cap": cap}
                }
            )
        if aid.case.state not in ("reported", "investigated"):
            raise ValidationError(_("Only an aid not yet decided is referred to the county."))
        aid.cap = cap
        aid.reasons = reason
        aid.version += 1
        aid.save()
        _step(actor, aid, "refer_county", reason=reason, data={"asked": str(amount)})
        _record(actor, aid, "referred", {"asked": str(amount)}, reason="")
    return aid


def aid_county_decide(
    *, actor: User, aid_id, version: int, amount, reason: str, stages=0
) -> TemporaryAid:
    """The county's case-by-case decision on an aid above the township's cap: the amount approved,
    paid by the township as usual, or (`stages` ≥ 1) in that many monthly stages through the
    county's payroll from this month's, to the household's account (a registered household of the
    county only: a traveller's aid is paid by the township)."""
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied(_("The county decides temporary aid above the township's cap."))
    errors = {}
    try:
        amount = checked_amount(amount, field="amount")
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        reason = checked_text(reason, field="reason", limit=500, required=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    stages = _stage_count(stages, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        aid = _locked(aid_id, actor, version)
        if aid.case.state != "county_review":
            raise ValidationError(_("Only an aid referred to the county is decided by it."))
        if aid.kind == TemporaryAid.Kind.EXPENDITURE:
            _within_rule(aid, amount)
        now = timezone.now()
        schedule = _schedule(aid, amount, stages, timezone.localdate(now)) if stages else []
        aid.approved_amount, aid.decided_by_county = amount, True
        aid.decided_at, aid.decided_by, aid.reasons = now, actor, reason
        aid.version += 1
        aid.save()
        AidInstalment.objects.bulk_create(schedule)
        _step(actor, aid, "county_decide_stages" if schedule else "county_decide", reason=reason,
              data={"amount": str(amount), "stages": len(schedule)}, at=now)
        _record(actor, aid, "decided", {
            "approved_amount": str(amount), "by_county": True,
            "stages": [[f"{row.month:%Y-%m}", str(row.amount)] for row in schedule]})
    return aid


MOST_STAGES = 12


def _stage_count(stages, errors: dict) -> int:
    """How many monthly stages the payroll pays (0: the township pays), as sent by a form or API."""
    if stages in (None, ""):
        return 0
    if isinstance(stages, str) and stages.isascii() and stages.isdigit() and len(stages) < 3:
        stages = int(stages)
    if isinstance(stages, bool) or not isinstance(stages, int) or not 0 <= stages <= MOST_STAGES:
        errors["stages"] = _("Give the number of monthly stages, from 1 to %(most)s, or leave it empty.") % {
            "most": MOST_STAGES}
        return 0
    return stages


def _schedule(aid: TemporaryAid, amount: Decimal, stages: int, today: datetime.date) -> list:
    """The stages of `amount` over `stages` months from the decision's month: whole yuan each, what
    does not divide evenly paid with the first. A stage whose month's payroll was drafted already
    is paid by the next one. Only a household registered in the aid's county is paid through its
    payroll."""
    county = aid.area_id[:6]
    if aid.household_id is None or not aid.household.village_id.startswith(county):
        raise ValidationError({"stages": _(
            "Only a household registered in this county is paid through the county's payroll: "
            "leave the stages empty and the township pays it.")})
    if amount != amount.quantize(Decimal("1")):
        raise ValidationError(
            {"amount": _("An aid paid in stages through the payroll is approved in whole yuan.")}
        )
    each = (amount / stages).quantize(Decimal("1"), rounding=ROUND_DOWN)
    if each < 1:
        raise ValidationError({"stages": _("Each stage would be less than 1 yuan: choose fewer stages.")})
    first = amount - each * (stages - 1)
    month = today.replace(day=1)
    rows = []
    for stage in range(1, stages + 1):
        rows.append(AidInstalment(aid=aid, stage=stage, month=month, amount=first if stage == 1 else each))
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return rows


def aid_stages_stop(*, actor: User, aid_id, version: int, reason: str) -> int:
    """The county stops the stages of an aid the payroll has not taken yet (the person died, the
    need ended, the aid proved wrong), with the reason: no later payroll drafts them. A stage on a
    payroll already is paid or failed there as the bank says."""
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied(_("The county stops the stages it decided."))
    reason = checked_text(reason, field="reason", limit=500, required=True)
    with transaction.atomic():
        aid = _locked(aid_id, actor, version)
        waiting = AidInstalment.objects.select_for_update().filter(
            aid=aid, payment__isnull=True, stopped_at__isnull=True)
        stages = [row.stage for row in waiting]
        if not stages:
            raise ValidationError(_("No stage of this aid waits for the payroll."))
        now = timezone.now()
        waiting.update(stopped_at=now, stop_reason=reason)
        aid.version += 1
        aid.save(update_fields=["version"])
        _record(actor, aid, "stages_stopped", {"stages": stages}, reason=reason)
    return len(stages)


def aid_instalments_paid(*, actor: User, paid: list[tuple[int, datetime.datetime, str]]) -> int:
    """Record the stages the payroll's bank reported paid ((instalment id, paid at, note) each) as
    payments of their aids, once each: a stage already recorded is skipped. The payroll's ledger
    holds these amounts already; the aid's own booking leaves them out (aid_payments_to_book)."""
    done = 0
    with transaction.atomic():
        for instalment_id, paid_at, note in sorted(paid):
            instalment = (AidInstalment.objects.select_for_update().select_related("aid")
                          .filter(pk=instalment_id, payment__isnull=True).first())
            if instalment is None:
                continue
            aid = TemporaryAid.objects.select_for_update(of=("self",)).select_related("case").get(
                pk=instalment.aid_id)
            payment = AidPayment.objects.create(
                aid=aid, stage=aid.payments.count() + 1, amount=instalment.amount,
                means=AidPayment.Means.BANK, note=note[:200], from_reserve=False, paid_at=paid_at,
                paid_by=actor)
            instalment.payment = payment
            instalment.save(update_fields=["payment"])
            aid.paid_total += instalment.amount
            aid.first_paid_at = aid.first_paid_at or paid_at
            aid.version += 1
            aid.save()
            first = None
            if aid.case.state == "payroll_stages":  # the first stage paid
                first = "pay_first" if aid.kind == TemporaryAid.Kind.EMERGENCY else "pay"
            if first:
                _step(actor, aid, first, data={"amount": str(instalment.amount),
                                               "approved": str(aid.approved_amount)}, at=paid_at)
            _record(actor, aid, "paid", {"stage": payment.stage, "amount": str(instalment.amount),
                                         "means": "bank", "payroll_stage": instalment.stage})
            done += 1
    return done


# --- the expenditure type --------------------------------------------------------------------------


def expenditure_apply(*, actor: User, household_id, cause: str, what: str, person_id=None) -> TemporaryAid:
    """A household's application for the expenditure type (a medical, education or basic-living
    expense beyond its means), handed in at its village's township."""
    from safetynet.registry.models import Household
    from safetynet.registry.selectors import household_get, household_members

    if actor.role not in RECORDING_ROLES:
        raise PermissionDenied(_("Temporary aid is recorded by the township or the county."))
    pk = _id(household_id)
    try:
        if pk is None:
            raise Household.DoesNotExist
        household = household_get(actor=actor, pk=pk)
    except Household.DoesNotExist:
        raise NotFound from None
    errors = {}
    if cause not in EXPENDITURE_CAUSES:
        errors["cause"] = _("Choose the expense: medical, education or basic living.")
    try:
        what = checked_text(what, field="what", limit=1000, required=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    members = {m.person_id: m.person for m in household_members(household=household) if m.left_on is None}
    person = members.get(_id(person_id) if person_id not in (None, "") else household.head_id)
    if person is None:
        errors["person"] = _("Choose the member who applies.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        now = timezone.now()
        aid = TemporaryAid.objects.create(
            kind=TemporaryAid.Kind.EXPENDITURE,
            cause=cause,
            area_id=household.village_id,
            household=household,
            person=person,
            name=person.name,
            id_number=person.id_number,
            phone=person.phone,
            what=what,
            reported_at=now,
            created_at=now,
            created_by=actor,
        )
        aid.case = case_open(
            actor=actor,
            workflow_code=workflow.EXPENDITURE,
            division_code=household.village_id,
            title=_title(aid),
            subject_kind=workflow.SUBJECT,
            subject_id=aid.pk,
            at=now,
        )
        aid.save(update_fields=["case"])
        _record(
            actor,
            aid,
            "applied",
            {"kind": aid.kind, "cause": cause, "name": aid.name},
            action=ChangeAction.CREATE,
        )
    return aid


def most_by_rule(actor: User, aid: TemporaryAid) -> tuple[Decimal | None, dict]:
    """The most the TEMPORARY rule gives the household (temp_cap_months × standard × members), with
    the rule's explanation as plain values; None where the household does not qualify."""
    from safetynet.programmes.facts import explanation_data, household_explanation

    explained = household_explanation(actor=actor, household=aid.household, on=timezone.localdate())
    data = explanation_data(explained)
    result = next((r for r in data["results"] if r["programme"] == "temporary"), None)
    if result is None or not result["qualifies"] or result["amount"] is None:
        return None, {**data, "results": [result] if result else []}
    return Decimal(result["amount"]), {**data, "results": [result]}


def _within_rule(aid: TemporaryAid, amount: Decimal) -> None:
    rule = (aid.explanation or {}).get("results") or []
    most = rule[0].get("amount") if rule and rule[0].get("qualifies") else None
    if most is None:
        raise ValidationError(_("The household does not meet the rule of the expenditure type: reject it."))
    if amount > Decimal(most):
        raise ValidationError(
            {
                "amount": _("%(amount)s yuan is more than the rule gives: at most %(most)s yuan.")
                % {"amount": amount, "most": most}
            }
        )


def expenditure_investigate(*, actor: User, aid_id, version: int, findings: str) -> TemporaryAid:
    """The township's investigation; freezes the rule's explanation (the most that may be given)."""
    if actor.role != Role.TOWNSHIP_OFFICE:
        raise PermissionDenied(_("The township investigates."))
    findings = checked_text(findings, field="findings", limit=1000, required=True)
    with transaction.atomic():
        aid = _locked(aid_id, actor, version)
        if aid.kind != TemporaryAid.Kind.EXPENDITURE or aid.case.state != "accepted":
            raise ValidationError(_("The investigation is recorded once the application is accepted."))
        most, explanation = most_by_rule(actor, aid)
        aid.investigation, aid.explanation = findings, explanation
        aid.version += 1
        aid.save()
        _step(actor, aid, "investigate", data={"most": None if most is None else str(most)})
        _record(actor, aid, "investigated", {"findings": findings})
    return aid


def expenditure_decide(*, actor: User, aid_id, version: int, amount, reason: str = "") -> TemporaryAid:
    """The township's decision up to its cap and at most what the rule gives; above the cap it refers
    the aid to the county (aid_refer_county)."""
    if actor.role != Role.TOWNSHIP_OFFICE:
        raise PermissionDenied(_("The township decides temporary aid up to its cap."))
    amount = checked_amount(amount, field="amount")
    reason = checked_text(reason, field="reason", limit=500)
    with transaction.atomic():
        aid = _locked(aid_id, actor, version)
        if aid.kind != TemporaryAid.Kind.EXPENDITURE or aid.case.state != "investigated":
            raise ValidationError(_("The decision follows the investigation."))
        now = timezone.now()
        cap = township_cap(aid.area_id, timezone.localdate())
        if cap is None or amount > cap:
            raise ValidationError(
                {
                    "amount": _(
                        "%(amount)s yuan is above the township's cap of %(cap)s yuan: "
                        "refer it to the county, "
                        "which decides case by case."
                    )
                    % {"amount": amount, "cap": cap}
                }
            )
        _within_rule(aid, amount)
        aid.approved_amount, aid.cap, aid.reasons = amount, cap, reason
        aid.decided_at, aid.decided_by = now, actor
        aid.version += 1
        aid.save()
        _step(actor, aid, "decide", reason=reason, data={"amount": str(amount)}, at=now)
        _record(actor, aid, "decided", {"approved_amount": str(amount), "by_county": False})
    return aid


# --- winter heating aid ----------------------------------------------------------------------------


def heating_aid_grant(
    *, actor: User, area_code: str, season, programmes, on: datetime.date, amount
) -> HeatingAidBatch:
    """Grant the season's heating aid, at `amount` per household, to every household of the area
    receiving one of `programmes` on `on`: one INSERT … SELECT. A household granted already this
    season (by this or another batch) is left out, and the database refuses a second grant."""
    if actor.role not in HEATING_ROLES:
        raise PermissionDenied(_("Heating aid is decided by the county or the city bureau."))
    errors = {}
    code = area_code if isinstance(area_code, str) else ""
    if not (code.isascii() and code.isdigit() and len(code) in (4, 6, 9, 12)) or not in_area(actor, code):
        errors["area"] = _("Choose an area inside yours.")
    if not isinstance(season, int) or isinstance(season, bool) or not 2022 <= season <= 2100:
        errors["season"] = _("Give the year the winter starts in, such as 2026.")
    chosen = [p for p in HEATING_PROGRAMMES if isinstance(programmes, list | tuple) and p in programmes]
    if not chosen or len(chosen) != len(set(programmes if isinstance(programmes, list | tuple) else [])):
        errors["programmes"] = _("Choose the programmes whose households receive it.")
    if not isinstance(on, datetime.date):
        errors["on"] = _("Give the day the households are receiving on.")
    try:
        amount = checked_amount(amount, field="amount")
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    from safetynet.core.selectors import division_get

    if division_get(actor=actor, code=code) is None:
        raise ValidationError({"area": _("Choose an area inside yours.")})
    with transaction.atomic():
        batch = HeatingAidBatch.objects.create(
            season=season,
            area_id=code,
            programmes=chosen,
            on=on,
            amount=amount,
            decided_at=timezone.now(),
            decided_by=actor,
        )
        from safetynet.programmes.models import Enrolment
        from safetynet.registry.models import Household

        grant, enrolment, household = (
            HeatingAidGrant._meta.db_table,
            Enrolment._meta.db_table,
            Household._meta.db_table,
        )
        marks = ", ".join(["%s"] * len(chosen))
        # Table names are the models' own; every value is a parameter.
        sql = (
            f"INSERT INTO {grant} (batch_id, season, household_id, village_id, amount) "  # noqa: S608
            f"SELECT %s, %s, h.id, h.village_id, %s FROM {household} h "
            f"WHERE h.village_id LIKE %s AND EXISTS (SELECT 1 FROM {enrolment} e WHERE e.household_id = h.id "
            f"AND e.programme IN ({marks}) AND e.since <= %s AND (e.until IS NULL OR e.until > %s)) "
            f"AND NOT EXISTS (SELECT 1 FROM {grant} g WHERE g.household_id = h.id AND g.season = %s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [batch.pk, season, amount, code + "%", *chosen, on, on, season])
            batch.granted = cursor.rowcount
        batch.save(update_fields=["granted"])
        change_record(
            actor=actor,
            subject=batch,
            entity=batch,
            action=ChangeAction.CREATE,
            event="decided",
            after={
                "season": season,
                "area": code,
                "programmes": ",".join(chosen),
                "amount": str(amount),
                "granted": batch.granted,
            },
        )
    return batch
