"""Writes of 特困 care: a willingness survey (a willing person enters the county's queue), a placement
into an institution's bed and the discharge from it, a care agreement drawn up, signed with the
signatures as evidence, ended — or the caregiver replaced after a failed evaluation. The township
office and the county bureau of the person's area act; each step is recorded in the history; a
refusal changes nothing and says why; a step over another's (a stale version) is refused."""

import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from safetynet.care import selectors
from safetynet.care.models import CareAgreement, Placement, WillingnessSurvey
from safetynet.care.purchase.services import coverage_end_for_person
from safetynet.core import grants
from safetynet.core.scope import in_area
from safetynet.core.services import ConflictError, change_record
from safetynet.core.text import text_checked
from safetynet.core.types import Campaign, ChangeAction, Role, User
from safetynet.core.workflows.evidence import evidence_add, evidence_check
from safetynet.institutions.selectors import care_institution_get, care_institution_lock
from safetynet.registry.rules import PERSON_GRANT

WRITE_ROLES = selectors.WRITE_ROLES
OLDEST = datetime.timedelta(days=366)
LONGEST_TERM = datetime.timedelta(days=3 * 366)
HIGHEST_FEE = Decimal("99999.99")
# A bed filled this share of an institution's beds: the capacity warning.
NEARLY_FULL = Decimal("0.9")


def may_write(actor: User) -> bool:
    return actor.is_active and actor.role in WRITE_ROLES


def _supported(actor: User, person_id: int, *, on: datetime.date | None = None):
    """The person's 特困 enrolment in force, in the actor's area (PermissionDenied otherwise)."""
    if not may_write(actor):
        raise PermissionDenied(_("Your role does not record 特困 care."))
    enrolment = (
        selectors.tekun_persons(on=on)
        .filter(person_id=person_id)
        .select_related("household", "person")
        .first()
    )
    if enrolment is None or not in_area(actor, enrolment.household.village_id):
        raise PermissionDenied(_("This person is not supported as a 特困 person in your area."))
    return enrolment


def _text(errors: dict, field: str, value, *, limit: int, label, required: bool = False) -> str:
    return text_checked(errors, field, value, limit=limit, label=label, required=required, lines=True)


def _day(errors: dict, field: str, value, *, label, past_only: bool = True) -> datetime.date | None:
    today = timezone.localdate()
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        errors[field] = [_("Give %(what)s.") % {"what": label}]
        return None
    if past_only and value > today:
        errors[field] = [_("%(what)s cannot be in the future.") % {"what": label}]
    elif value < today - OLDEST:
        errors[field] = [_("%(what)s is more than a year ago.") % {"what": label}]
    return value


def _official(message) -> str:
    with override(settings.LANGUAGE_CODE):
        return str(message)


# --- the willingness survey ------------------------------------------------------------------------------


def survey_record(
    *, actor: User, person_id: int, data: dict, evidence=None, submission=None
) -> WillingnessSurvey:
    """Record a willingness survey; a willing person not yet waiting or placed enters the queue of
    their county. `evidence`: the signed form or a photo (optional); `submission`: the form's
    one-time key — the same form sent again gives back the survey it stored."""
    enrolment = _supported(actor, person_id)
    if submission is not None:
        stored = WillingnessSurvey.objects.filter(submission=submission, person_id=person_id).first()
        if stored is not None:
            return stored
    errors: dict[str, list[str]] = {}
    surveyed_on = _day(errors, "surveyed_on", data.get("surveyed_on"), label=_("the day of the survey"))
    willing = data.get("willing")
    if not isinstance(willing, bool):
        errors["willing"] = [_("Say whether the person is willing.")]
    consent_by = data.get("consent_by")
    if consent_by not in WillingnessSurvey.Consent.values:
        errors["consent_by"] = [_("Say who gave the consent.")]
    consenter = _text(
        errors,
        "consenter",
        data.get("consenter"),
        limit=50,
        label=_("the name of who consented"),
        required=consent_by in ("guardian", "relatives"),
    )
    note = _text(errors, "note", data.get("note"), limit=300, label=_("The note"))
    campaign = data.get("campaign")
    if campaign is not None and (
        not isinstance(campaign, Campaign)
        or not enrolment.household.village_id.startswith(campaign.area_id)
        or not isinstance(surveyed_on, datetime.date)
        or not campaign.starts_on <= surveyed_on <= campaign.ends_on
    ):
        errors["campaign"] = [
            _("Choose a campaign in force on the day of the survey and covering this person.")
        ]
    if evidence is not None:
        try:
            evidence_check("photo" if evidence.content_type.startswith("image/") else "pdf", evidence)
        except ValidationError as error:
            errors["evidence"] = error.messages
    if errors:
        raise ValidationError(errors)
    village = enrolment.household.village_id
    try:
        return _survey_store(
            actor,
            enrolment,
            village,
            data,
            evidence,
            surveyed_on=surveyed_on,
            willing=willing,
            consent_by=consent_by,
            consenter=consenter,
            note=note,
            submission=submission,
        )
    except IntegrityError:  # sent twice at once, or another clerk queued the person at the same moment
        stored = WillingnessSurvey.objects.filter(submission=submission).first() if submission else None
        if stored is not None:
            return stored
        raise ValidationError(_("The person was queued by someone else just now: reload the page.")) from None


def _survey_store(
    actor,
    enrolment,
    village,
    data,
    evidence,
    *,
    surveyed_on,
    willing,
    consent_by,
    consenter,
    note,
    submission,
) -> WillingnessSurvey:
    person_id = enrolment.person_id
    with transaction.atomic():
        survey = WillingnessSurvey.objects.create(
            person_id=person_id,
            division_id=village,
            campaign=data.get("campaign"),
            surveyed_on=surveyed_on,
            willing=willing,
            consent_by=consent_by,
            consenter=consenter if consent_by != "person" else "",
            note=note,
            surveyed_by=actor,
            recorded_at=timezone.now(),
            submission=submission,
        )
        change_record(
            actor=actor,
            subject=enrolment.person,
            entity=survey,
            action=ChangeAction.CREATE,
            event="surveyed",
            after={"willing": willing, "consent_by": consent_by, "surveyed_on": surveyed_on.isoformat()},
        )
        if evidence is not None:
            kind = "photo" if evidence.content_type.startswith("image/") else "pdf"
            evidence_add(actor=actor, kind=kind, upload=evidence, subject=("care.survey", survey.pk, village))
        open_placement = Placement.objects.filter(
            person_id=person_id, state__in=[Placement.State.WAITING, Placement.State.PLACED]
        ).exists()
        if willing and not open_placement:
            queued = Placement.objects.create(
                person_id=person_id, division_id=village, survey=survey, requested_on=surveyed_on
            )
            change_record(
                actor=actor,
                subject=enrolment.person,
                entity=queued,
                action=ChangeAction.CREATE,
                event="queued",
                after={"requested_on": surveyed_on.isoformat()},
            )
    return survey


# --- placement ----------------------------------------------------------------------------------------------


def _locked(actor: User, model, pk: int, version: int):
    """The placement or agreement, locked for the step, if the actor writes care in its area and saw
    it at `version` (ConflictError otherwise)."""
    record = model.objects.select_for_update(of=("self",)).select_related("person").get(pk=pk)
    if not may_write(actor) or not in_area(actor, record.division_id):
        raise PermissionDenied(_("This record is outside your area."))
    if record.version != version:
        raise ConflictError()
    return record


def placement_admit(*, actor: User, placement_id: int, version: int, data: dict) -> Placement:
    """Admit a waiting person into an institution's bed (an institution of the city taking 特困
    persons, in any county): refused when it has no free bed or the bed is taken. A care agreement in
    force ends: the person is now cared for by the institution."""
    errors: dict[str, list[str]] = {}
    admitted_on = _day(errors, "admitted_on", data.get("admitted_on"), label=_("the day of admission"))
    bed = _text(errors, "bed", data.get("bed"), limit=20, label=_("The bed"))
    institution = care_institution_get(data.get("institution"))
    if institution is None:
        errors["institution"] = [_("Choose an institution in operation that takes 特困 persons.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            placement = _locked(actor, Placement, placement_id, version)
            if placement.state != Placement.State.WAITING:
                raise ValidationError(_("Only a person waiting for a bed is admitted."))
            if admitted_on < placement.requested_on:
                raise ValidationError(
                    {"admitted_on": [_("The admission cannot be before the person entered the queue.")]}
                )
            # The institution's row is locked while its beds are counted: two clerks admitting two
            # persons at once do not both take the last bed.
            care_institution_lock(institution.pk)
            taken = Placement.objects.filter(institution=institution, state=Placement.State.PLACED).count()
            if taken >= institution.beds:
                raise ValidationError(
                    {
                        "institution": [
                            _("%(name)s has no free bed (%(beds)s beds, all taken).")
                            % {"name": institution.name, "beds": institution.beds}
                        ]
                    }
                )
            placement.state, placement.institution, placement.bed = Placement.State.PLACED, institution, bed
            placement.admitted_on, placement.version = admitted_on, placement.version + 1
            placement.save()
            change_record(
                actor=actor,
                subject=placement.person,
                entity=placement,
                action=ChangeAction.UPDATE,
                event="admitted",
                after={"institution": institution.pk, "bed": bed, "admitted_on": admitted_on.isoformat()},
            )
            for agreement in CareAgreement.objects.select_for_update().filter(
                person_id=placement.person_id,
                state__in=[CareAgreement.State.DRAFT, CareAgreement.State.SIGNED],
            ):
                _end(actor, agreement, admitted_on, CareAgreement.EndReason.PERSON_PLACED, "")
            # Cared for by the institution now: no provider serves them at home any more.
            coverage_end_for_person(
                person_id=placement.person_id, day=admitted_on, why=_official(_("Entered centralised care"))
            )
    except IntegrityError:
        raise ValidationError({"bed": [_("This bed is taken: choose another.")]}) from None
    return placement


def placement_discharge(*, actor: User, placement_id: int, version: int, data: dict) -> Placement:
    errors: dict[str, list[str]] = {}
    day = _day(errors, "discharged_on", data.get("discharged_on"), label=_("the day of discharge"))
    reason = data.get("reason")
    if reason not in Placement.Discharge.values:
        errors["reason"] = [_("Say why the person left.")]
    note = _text(errors, "note", data.get("note"), limit=300, label=_("The note"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        placement = _locked(actor, Placement, placement_id, version)
        if placement.state != Placement.State.PLACED:
            raise ValidationError(_("Only a person in an institution is discharged."))
        if day < placement.admitted_on:
            raise ValidationError({"discharged_on": [_("The discharge cannot be before the admission.")]})
        placement.state, placement.discharged_on, placement.discharge_reason = (
            Placement.State.DISCHARGED,
            day,
            reason,
        )
        placement.note, placement.version = note, placement.version + 1
        placement.save()
        change_record(
            actor=actor,
            subject=placement.person,
            entity=placement,
            action=ChangeAction.UPDATE,
            event="discharged",
            after={"discharged_on": day.isoformat(), "reason": reason},
            reason=note,
        )
    return placement


def placement_withdraw(*, actor: User, placement_id: int, version: int, reason: str) -> Placement:
    """The person no longer waits for a bed (changed their mind, moved, died): said why."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, limit=300, label=_("the reason"), required=True)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        placement = _locked(actor, Placement, placement_id, version)
        if placement.state != Placement.State.WAITING:
            raise ValidationError(_("Only a person waiting for a bed leaves the queue."))
        placement.state, placement.note, placement.version = (
            Placement.State.WITHDRAWN,
            reason,
            placement.version + 1,
        )
        placement.save()
        change_record(
            actor=actor,
            subject=placement.person,
            entity=placement,
            action=ChangeAction.UPDATE,
            event="withdrawn",
            after={"state": "withdrawn"},
            reason=reason,
        )
    return placement


# --- care agreements ------------------------------------------------------------------------------------


def _agreement_fields(actor: User, data: dict, errors: dict) -> dict:
    kind = data.get("caregiver_kind")
    if kind not in CareAgreement.CaregiverKind.values:
        errors["caregiver_kind"] = [_("Say whether the caregiver is a person or an organisation.")]
    name = _text(
        errors,
        "caregiver_name",
        data.get("caregiver_name"),
        limit=100,
        label=_("the caregiver"),
        required=True,
    )
    phone = _text(errors, "caregiver_phone", data.get("caregiver_phone"), limit=20, label=_("The phone"))
    duties = _text(errors, "duties", data.get("duties"), limit=500, label=_("the duties"), required=True)
    every = data.get("visit_every_days")
    if not isinstance(every, int) or isinstance(every, bool) or not 1 <= every <= 31:
        errors["visit_every_days"] = [_("The caregiver visits at least monthly: every 1 to 31 days.")]
    fee = data.get("monthly_fee")
    try:
        fee = Decimal(str(fee if fee not in (None, "") else "0"))
        if not fee.is_finite() or not Decimal(0) <= fee <= HIGHEST_FEE or fee != round(fee, 2):
            raise InvalidOperation
    except InvalidOperation:
        errors["monthly_fee"] = [_("Give the monthly fee in yuan, at most two decimals.")]
        fee = None
    starts, ends = data.get("starts_on"), data.get("ends_on")
    today = timezone.localdate()
    if not isinstance(starts, datetime.date) or not isinstance(ends, datetime.date):
        errors["starts_on"] = [_("Give the agreement's first and last day.")]
    elif ends < starts:
        errors["ends_on"] = [_("The agreement must end on or after its first day.")]
    elif ends - starts > LONGEST_TERM:
        errors["ends_on"] = [_("An agreement runs for at most three years.")]
    elif ends < today:
        errors["ends_on"] = [_("The agreement has already ended.")]
    caregiver_user = data.get("caregiver_user")
    if caregiver_user is not None and (
        not isinstance(caregiver_user, User)
        or caregiver_user.role != Role.CAREGIVER
        or not caregiver_user.is_active
        or not in_area(actor, caregiver_user.division_id)
    ):
        errors["caregiver_user"] = [_("Choose a caregiver's login of your area.")]
    officer = data.get("visiting_officer")
    if officer is not None and (
        not isinstance(officer, User)
        or not officer.is_active
        or officer.role not in (Role.VILLAGE_COORDINATOR, Role.TOWNSHIP_OFFICE, Role.GRID_WORKER)
        or not in_area(actor, officer.division_id)
    ):
        errors["visiting_officer"] = [
            _("Choose a coordinator, grid worker or township officer of your area.")
        ]
    return {
        "caregiver_kind": kind,
        "caregiver_name": name,
        "caregiver_phone": phone,
        "duties": duties,
        "visit_every_days": every,
        "monthly_fee": fee,
        "starts_on": starts,
        "ends_on": ends,
        "caregiver_user": caregiver_user,
        "visiting_officer": officer,
    }


def agreement_draft(
    *, actor: User, person_id: int, data: dict, replaces: CareAgreement | None = None
) -> CareAgreement:
    """Draw up a care agreement for a person cared for at home (one in force per person)."""
    enrolment = _supported(actor, person_id)
    errors: dict[str, list[str]] = {}
    fields = _agreement_fields(actor, data, errors)
    if errors:
        raise ValidationError(errors)
    if Placement.objects.filter(person_id=person_id, state=Placement.State.PLACED).exists():
        raise ValidationError(_("This person lives in an institution: the institution cares for them."))
    try:
        with transaction.atomic():
            agreement = CareAgreement.objects.create(
                person_id=person_id,
                division_id=enrolment.household.village_id,
                previous=replaces,
                created_by=actor,
                created_at=timezone.now(),
                **fields,
            )
            change_record(
                actor=actor,
                subject=enrolment.person,
                entity=agreement,
                action=ChangeAction.CREATE,
                event="drafted",
                after={
                    "caregiver": fields["caregiver_name"],
                    "starts_on": fields["starts_on"].isoformat(),
                    "ends_on": fields["ends_on"].isoformat(),
                    "monthly_fee": str(fields["monthly_fee"]),
                },
            )
    except IntegrityError:
        raise ValidationError(_("This person already has a care agreement in force: end it first.")) from None
    return agreement


def agreement_sign(*, actor: User, agreement_id: int, version: int, signed_on, signature) -> CareAgreement:
    """Signed by the person (or guardian) and the caregiver: the signature or the signed agreement
    (a photo, a drawn signature or a PDF) is kept as evidence. The caregiver's login, if any, is
    granted the person while the agreement is in force."""
    errors: dict[str, list[str]] = {}
    signed_on = _day(errors, "signed_on", signed_on, label=_("the day of signing"))
    kind = "pdf" if signature is not None and signature.content_type == "application/pdf" else "signature"
    if signature is None:
        errors["signature"] = [_("Add the signatures: the signed agreement or the signatures drawn.")]
    else:
        try:
            evidence_check("photo" if signature.content_type.startswith("image/jpeg") else kind, signature)
        except ValidationError as error:
            errors["signature"] = error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        agreement = _locked(actor, CareAgreement, agreement_id, version)
        if agreement.state != CareAgreement.State.DRAFT:
            raise ValidationError(_("Only an agreement to be signed is signed."))
        kind = "photo" if signature.content_type.startswith("image/jpeg") else kind
        evidence_add(
            actor=actor,
            kind=kind,
            upload=signature,
            note=_official(_("signed agreement")),
            subject=("care.agreement", agreement.pk, agreement.division_id),
        )
        agreement.state, agreement.signed_on, agreement.version = (
            CareAgreement.State.SIGNED,
            signed_on,
            agreement.version + 1,
        )
        agreement.save()
        change_record(
            actor=actor,
            subject=agreement.person,
            entity=agreement,
            action=ChangeAction.UPDATE,
            event="signed",
            after={"signed_on": signed_on.isoformat()},
        )
        if agreement.caregiver_user_id:
            held = (
                grants.grants_of_user(user=agreement.caregiver_user, kind=PERSON_GRANT)
                .filter(object_id=agreement.person_id)
                .exists()
            )
            if not held:
                # Given by the agreement itself (a township office signs it but grants nothing by hand).
                grants.grant_create(
                    actor=None,
                    user=agreement.caregiver_user,
                    kind=PERSON_GRANT,
                    object_id=agreement.person_id,
                    reason=_official(_("Care agreement signed")),
                )
    return agreement


def _end(actor: User, agreement: CareAgreement, day: datetime.date, reason: str, note: str) -> None:
    agreement.state, agreement.ended_on, agreement.end_reason = CareAgreement.State.ENDED, day, reason
    agreement.end_note, agreement.version = note, agreement.version + 1
    agreement.save()
    change_record(
        actor=actor,
        subject=agreement.person,
        entity=agreement,
        action=ChangeAction.UPDATE,
        event="ended",
        after={"ended_on": day.isoformat(), "reason": reason},
        reason=note,
    )
    if agreement.caregiver_user_id:
        others = CareAgreement.objects.filter(
            caregiver_user_id=agreement.caregiver_user_id,
            person_id=agreement.person_id,
            state=CareAgreement.State.SIGNED,
        ).exclude(pk=agreement.pk)
        if not others.exists():
            for grant in grants.grants_of_user(user=agreement.caregiver_user, kind=PERSON_GRANT).filter(
                object_id=agreement.person_id
            ):
                grants.grant_revoke(actor=None, grant=grant, reason=_official(_("Care agreement ended")))


def agreement_end(*, actor: User, agreement_id: int, version: int, data: dict) -> CareAgreement:
    errors: dict[str, list[str]] = {}
    day = _day(errors, "ended_on", data.get("ended_on"), label=_("the day it ended"))
    reason = data.get("reason")
    if reason not in CareAgreement.EndReason.values:
        errors["reason"] = [_("Say why the agreement ended.")]
    note = _text(
        errors,
        "note",
        data.get("note"),
        limit=300,
        label=_("The note"),
        required=reason in ("failed_evaluation", "other"),
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        agreement = _locked(actor, CareAgreement, agreement_id, version)
        if agreement.state == CareAgreement.State.ENDED:
            raise ValidationError(_("This agreement has ended already."))
        if day < agreement.starts_on and agreement.state == CareAgreement.State.SIGNED:
            raise ValidationError({"ended_on": [_("The agreement cannot end before it started.")]})
        _end(actor, agreement, max(day, agreement.starts_on), reason, note)
    return agreement


def caregiver_replace(
    *, actor: User, agreement_id: int, version: int, evaluation: str, data: dict
) -> CareAgreement:
    """The caregiver failed an evaluation (said how): the agreement ends today and the next caregiver's
    agreement is drawn up, to be signed."""
    errors: dict[str, list[str]] = {}
    evaluation = _text(errors, "evaluation", evaluation, limit=300, label=_("the evaluation"), required=True)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        agreement = _locked(actor, CareAgreement, agreement_id, version)
        if agreement.state != CareAgreement.State.SIGNED:
            raise ValidationError(_("Only a caregiver of a signed agreement is replaced."))
        _end(actor, agreement, timezone.localdate(), CareAgreement.EndReason.FAILED_EVALUATION, evaluation)
        return agreement_draft(actor=actor, person_id=agreement.person_id, data=data, replaces=agreement)


def care_terms_end(due_at: datetime.datetime) -> str:
    """The daily job: signed agreements whose term has run out end (the caregiver's login no longer
    sees the person) and contracts past their last day end (nor do the providers' workers)."""
    from safetynet.care.purchase.services import contracts_expire

    today = timezone.localtime(due_at).date()
    with transaction.atomic():
        expired = list(
            CareAgreement.objects.select_for_update(of=("self",))
            .select_related("person")
            .filter(state=CareAgreement.State.SIGNED, ends_on__lt=today)
        )
        for agreement in expired:
            _end(None, agreement, agreement.ends_on, CareAgreement.EndReason.EXPIRED, "")
        contracts = contracts_expire(today)
    return _(
        "%(agreements)s care agreements and %(contracts)s service contracts ended at the end of their term."
    ) % {"agreements": len(expired), "contracts": contracts}
