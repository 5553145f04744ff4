"""Households and their members: registering a household with its head, members joining, changing,
leaving and moving between households; each step on the household's timeline."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.clock import start_of_day
from safetynet.core.services import change_record, snapshot
from safetynet.core.types import ChangeAction, Division, User
from safetynet.core.workflows.services import cases_move_area
from safetynet.registry import codes, rules
from safetynet.registry.models import Household, Membership, Person, Problem, Visit
from safetynet.registry.moves import household_moved, member_left
from safetynet.registry.services.common import (
    HOUSEHOLD_FIELDS,
    MEMBERSHIP_FIELDS,
    _apply,
    _bump,
    _full_clean,
    _lock,
    _save_changes,
)
from safetynet.registry.services.people import _check_id_number_free, _person_checked, _person_save_new

# --- households ---------------------------------------------------------------------------------


def household_create(
    *,
    actor: User,
    data: dict,
    head: Person,
    head_relation: str = codes.Relation.HEAD,
    joined_on: datetime.date | None = None,
) -> Household:
    """A new household with `head` as its first member."""
    village = data.get("village")
    if not isinstance(village, Division):
        raise ValidationError({"village": _("Choose the village or community.")})
    rules.check_village(village)
    rules.check_may_write(actor, village.code)
    household = Household(head=head if head_relation in codes.HEAD_RELATIONS else None)
    _apply(household, data, HOUSEHOLD_FIELDS)
    with transaction.atomic():
        _full_clean(household, exclude=["head"])
        household.save()
        change_record(
            actor=actor,
            subject=household,
            entity=household,
            action=ChangeAction.CREATE,
            after=snapshot(household),
        )
        member_add(actor=actor, household=household, person=head, relation=head_relation, joined_on=joined_on)
    household.refresh_from_db()
    return household


def household_update(*, actor: User, household: Household, version: int | None, data: dict) -> Household:
    with transaction.atomic():
        current = _lock(Household, household.pk, version)
        rules.check_may_write(actor, current.village_id)
        before = snapshot(current)
        _apply(current, data, HOUSEHOLD_FIELDS)
        rules.check_village(current.village)
        rules.check_may_write(actor, current.village_id)
        _full_clean(current)
        _bump(current)
        if before["village_id"] != current.village_id:
            _follow_the_move(current)
        change_record(
            actor=actor,
            subject=current,
            entity=current,
            action=ChangeAction.UPDATE,
            before=before,
            after=snapshot(current),
        )
    return current


def _follow_the_move(household: Household) -> None:
    """The household has moved to another village: what is kept about it goes with it."""
    # The members move with their household, and so does who may see them.
    Person.objects.filter(memberships__household=household, memberships__left_on__isnull=True).update(
        area=household.village_id
    )
    # Its visits and the problems they found, with their cases and photos, go with it.
    visits = Visit.objects.filter(household=household).values_list("pk", flat=True)
    problems = Problem.objects.filter(household=household).values_list("pk", flat=True)
    for kind, ids in (("registry.visit", visits), ("registry.problem", problems)):
        cases_move_area(subject_kind=kind, subject_ids=ids, division_code=household.village_id)
    # And what the apps above keep about it (applications, reports).
    household_moved(household.pk, household.village_id)


def household_hand_over(*, actor: User, household_id: int, village: Division) -> Household:
    """Move a household to a village of another county (its hukou moved there): the sending county
    hands it over, and from then on the receiving county sees and keeps it. The caller (the
    programmes' transfer) holds the transaction and records why."""
    rules.check_village(village)
    current = _lock(Household, household_id, None)
    rules.check_may_write(actor, current.village_id)
    if village.code[:6] == current.village_id[:6]:
        raise ValidationError({"village": _("This village is in the same county: move the household there.")})
    if village.code[:4] != current.village_id[:4]:
        raise ValidationError({"village": _("Choose a village of another county of this city.")})
    before = snapshot(current)
    current.village = village
    _bump(current)
    _follow_the_move(current)
    change_record(actor=actor, subject=current, entity=current, action=ChangeAction.UPDATE,
                  event="handed_over", before=before, after=snapshot(current))
    return current


# --- members ------------------------------------------------------------------------------------


def _lock_household(household: Household) -> Household:
    """Lock the household so two clerks changing its members queue rather than race."""
    return Household.objects.select_for_update().get(pk=household.pk)


def _set_head(*, actor: User, household: Household, person: Person | None) -> None:
    """Point the household at its head (or at none), and say so on its timeline."""
    if household.head_id == (person.pk if person else None):
        return
    before = {"head_id": household.head_id}
    Household.objects.filter(pk=household.pk).update(head=person, version=F("version") + 1)
    household.head_id = person.pk if person else None
    change_record(
        actor=actor,
        subject=household,
        entity=household,
        action=ChangeAction.UPDATE,
        before=before,
        after={"head_id": household.head_id} | ({"head_name": person.name} if person else {}),
    )


def _has_head(household: Household, *, besides: Membership | None = None) -> bool:
    heads = Membership.objects.filter(
        household=household, left_on__isnull=True, relation__in=codes.HEAD_RELATIONS
    )
    if besides is not None:
        heads = heads.exclude(pk=besides.pk)
    return heads.exists()


def _already_in_a_household(person: Person) -> ValidationError:
    return ValidationError(
        {"person": _("%(name)s already belongs to a household. Move them instead.") % {"name": person.name}}
    )


def member_add(
    *,
    actor: User,
    household: Household,
    person: Person,
    relation: str,
    co_living: bool = True,
    exclusion: str = "",
    joined_on: datetime.date | None = None,
    _moving: bool = False,
) -> Membership:
    """Add a person who is in no household now. To move someone, use member_move."""
    rules.check_may_write(actor, household.village_id)
    if not _moving:  # a move has checked the household the person comes from
        rules.check_may_write(actor, person.area_id)
    rules.check_relation(relation, person.sex)
    rules.check_not_future(joined_on, "joined_on")
    if joined_on and person.birth_date and joined_on < person.birth_date:
        raise ValidationError({"joined_on": _("A person cannot join a household before they were born.")})
    if exclusion:
        co_living = False
    with transaction.atomic():
        household = _lock_household(household)
        membership = Membership(
            household=household,
            person=person,
            relation=relation,
            co_living=co_living,
            exclusion=exclusion,
            joined_on=joined_on or timezone.localdate(),
        )
        if Membership.objects.filter(person=person, left_on__isnull=True).exists():
            raise _already_in_a_household(person)
        if relation in codes.HEAD_RELATIONS and _has_head(household):
            raise ValidationError({"relation": _("The household already has a head.")})
        _full_clean(membership)
        try:
            with transaction.atomic():
                membership.save()
        except IntegrityError:  # another clerk added the same person (or a head) a moment ago
            raise _already_in_a_household(person) from None
        Person.objects.filter(pk=person.pk).update(area=household.village_id)
        change_record(
            actor=actor,
            subject=household,
            entity=membership,
            action=ChangeAction.CREATE,
            after=snapshot(membership) | {"person_name": person.name},
            effective_at=start_of_day(membership.joined_on),
        )
        if relation in codes.HEAD_RELATIONS:
            _set_head(actor=actor, household=household, person=person)
    return membership


def member_update(*, actor: User, membership: Membership, version: int | None, data: dict) -> Membership:
    with transaction.atomic():
        household = _lock_household(membership.household)
        current = _lock(Membership, membership.pk, version)
        if current.left_on:
            raise ValidationError(
                _("This person has left the household; their past membership cannot change.")
            )
        rules.check_may_write(actor, household.village_id)
        before = snapshot(current)
        _apply(current, data, MEMBERSHIP_FIELDS)
        if current.exclusion:
            current.co_living = False
        rules.check_relation(current.relation, current.person.sex)
        is_head, was_head = (
            current.relation in codes.HEAD_RELATIONS,
            before["relation"] in codes.HEAD_RELATIONS,
        )
        if is_head and not was_head and _has_head(household, besides=current):
            raise ValidationError({"relation": _("The household already has a head.")})
        _full_clean(current)
        _save_changes(actor=actor, subject=household, current=current, before=before)
        if is_head != was_head:
            _set_head(actor=actor, household=household, person=current.person if is_head else None)
    return current


def member_remove(
    *,
    actor: User,
    membership: Membership,
    version: int | None = None,
    left_on: datetime.date | None = None,
    reason: str = codes.LeaveReason.OTHER,
) -> Membership:
    """End a membership. History keeps it; the person stays registered."""
    with transaction.atomic():
        household = _lock_household(membership.household)
        current = _lock(Membership, membership.pk, version)
        rules.check_may_write(actor, household.village_id)
        if current.left_on:
            raise ValidationError(_("This person has already left the household."))
        left_on = left_on or timezone.localdate()
        rules.check_not_future(left_on, "left_on")
        if left_on < current.joined_on:
            raise ValidationError({"left_on": _("A person cannot leave before they joined.")})
        before = snapshot(current)
        current.left_on, current.leave_reason = left_on, reason
        _full_clean(current)
        _bump(current)
        person = current.person
        Person.objects.filter(pk=person.pk).update(area=person.residence_division_id)
        change_record(
            actor=actor,
            subject=household,
            entity=current,
            action=ChangeAction.DELETE,
            event="left",
            before=before,
            after=snapshot(current) | {"person_name": person.name},
            reason=reason,
            effective_at=start_of_day(left_on),
        )
        if household.head_id == person.pk:
            _set_head(actor=actor, household=household, person=None)
        member_left(actor, current)
    return current


def member_move(
    *,
    actor: User,
    person: Person,
    to_household: Household,
    relation: str,
    on: datetime.date | None = None,
) -> Membership:
    """Move a person from their current household (if any) to another, keeping both histories.

    The actor must be able to write both households; where the person lives on paper does not
    matter for a move (a village coordinator may move someone between two of their households).
    """
    with transaction.atomic():
        current = Membership.objects.filter(person=person, left_on__isnull=True).first()
        if current is None:
            rules.check_may_write(actor, person.area_id)
        else:
            if current.household_id == to_household.pk:
                raise ValidationError({"household": _("The person already belongs to this household.")})
            member_remove(actor=actor, membership=current, left_on=on, reason=codes.LeaveReason.MOVED)
        person.refresh_from_db()
        return member_add(
            actor=actor, household=to_household, person=person, relation=relation, joined_on=on, _moving=True
        )


# --- several steps that stand or fall together ----------------------------------------------------


def household_create_with_new_head(
    *,
    actor: User,
    data: dict,
    head_data: dict,
    head_relation: str = codes.Relation.HEAD,
) -> tuple[Household, list[str]]:
    """Register a person and a new household headed by them: both are saved, or neither.
    Returns the household and the warnings about the person."""
    head, warnings = _person_checked(actor, head_data)
    lookup = _check_id_number_free(actor=actor, number=head.id_number, channel="form")
    with transaction.atomic():
        _person_save_new(actor=actor, person=head, lookup=lookup)
        household = household_create(actor=actor, data=data, head=head, head_relation=head_relation)
    return household, warnings


def member_add_new_person(
    *,
    actor: User,
    household: Household,
    person_data: dict,
    relation: str,
    co_living: bool = True,
    exclusion: str = "",
    joined_on: datetime.date | None = None,
) -> tuple[Membership, list[str]]:
    """Register a person and add them to the household: both are saved, or neither."""
    person, warnings = _person_checked(actor, person_data)
    lookup = _check_id_number_free(actor=actor, number=person.id_number, channel="form")
    with transaction.atomic():
        _person_save_new(actor=actor, person=person, lookup=lookup)
        membership = member_add(
            actor=actor,
            household=household,
            person=person,
            relation=relation,
            co_living=co_living,
            exclusion=exclusion,
            joined_on=joined_on,
        )
    return membership, warnings


# --- registering: a new or a registered person -------------------------------------------------------
# The household form and the member form (pages), and the API's household and member bodies, all name
# either a registered person or a new one to register with the step: one service each decides which.


def household_register(
    *,
    actor: User,
    data: dict,
    head: Person | None = None,
    head_data: dict | None = None,
    head_relation: str = codes.Relation.HEAD,
) -> tuple[Household, list[str]]:
    """A new household headed by a registered person in no household (`head`), or by a new person
    registered with it (`head_data`, as person_create takes it): exactly one of the two. Both are
    saved, or neither. Returns the household and the warnings about a new head."""
    if (head is None) == (head_data is None):
        raise TypeError("household_register takes either head or head_data")
    if head_data is not None:
        return household_create_with_new_head(actor=actor, data=data, head_data=head_data,
                                              head_relation=head_relation)
    return household_create(actor=actor, data=data, head=head, head_relation=head_relation), []


def member_register(
    *,
    actor: User,
    household: Household,
    relation: str,
    person: Person | None = None,
    person_data: dict | None = None,
    co_living: bool = True,
    exclusion: str = "",
    joined_on: datetime.date | None = None,
) -> tuple[Membership, list[str]]:
    """A member joins the household: a registered person in no household (`person`), or a new
    person registered with it (`person_data`): exactly one of the two. Both are saved, or neither.
    Returns the membership and the warnings about a new person. (To take someone from another
    household, member_move.)"""
    if (person is None) == (person_data is None):
        raise TypeError("member_register takes either person or person_data")
    membership = {"relation": relation, "co_living": co_living, "exclusion": exclusion,
                  "joined_on": joined_on}
    if person_data is not None:
        return member_add_new_person(actor=actor, household=household, person_data=person_data, **membership)
    return member_add(actor=actor, household=household, person=person, **membership), []
