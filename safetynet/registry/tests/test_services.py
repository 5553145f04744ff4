import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import person_data, user
from safetynet.core.models import ChangeRecord, Role
from safetynet.core.privacy import reveal
from safetynet.core.services import ConflictError
from safetynet.core.tests import sample_files
from safetynet.registry import selectors, services
from safetynet.registry.models import Household, Membership, Person

pytestmark = pytest.mark.django_db

COUPLE = [("王大山", 1, "02", datetime.date(1948, 3, 1)), ("李秀英", 2, "12", datetime.date(1950, 7, 9))]


def test_household_create_records_history_for_household_and_head(
    make_household, lanshan_village, county_user
):
    household = make_household(lanshan_village, county_user, members=COUPLE)
    timeline = list(selectors.household_timeline(actor=county_user, household=household))
    kinds = [(r.entity_type, r.action) for r in timeline]
    assert ("household", "create") in kinds
    assert kinds.count(("membership", "create")) == 2
    assert all(r.actor == county_user for r in timeline)
    assert household.head.name == "王大山"


def test_update_keeps_before_and_after_of_changed_fields_only(make_household, lanshan_village, county_user):
    household = make_household(lanshan_village, county_user, heating="2")
    services.household_update(
        actor=county_user,
        household=household,
        version=household.version,
        data={"heating": "9", "co_alarm": False},
    )
    change = ChangeRecord.objects.filter(entity_type="household", action="update").latest("id")
    assert (change.before, change.after) == ({"heating": "2"}, {"heating": "9"})


def test_an_update_that_changes_nothing_records_nothing(make_household, lanshan_village, county_user):
    household = make_household(lanshan_village, county_user)
    before = ChangeRecord.objects.count()
    services.household_update(
        actor=county_user, household=household, version=household.version, data={"address": household.address}
    )
    assert ChangeRecord.objects.count() == before


def test_concurrent_edit_one_wins_the_other_is_told(make_household, lanshan_village, county_user):
    household = make_household(lanshan_village, county_user)
    seen = household.version
    services.household_update(actor=county_user, household=household, version=seen, data={"address": "A路"})
    with pytest.raises(ConflictError) as error:
        services.household_update(
            actor=county_user, household=household, version=seen, data={"address": "B路"}
        )
    assert "刷新" in str(error.value) or "Reload" in str(error.value)
    assert Household.objects.get(pk=household.pk).address == "A路"


def test_person_in_one_household_at_a_time_and_move_keeps_history(
    make_household, lanshan_village, county_user
):
    first = make_household(lanshan_village, county_user, members=COUPLE)
    second = make_household(
        lanshan_village, county_user, members=[("赵强", 1, "02", datetime.date(1975, 1, 1))]
    )
    wife = first.memberships.get(relation="12").person
    with pytest.raises(ValidationError):
        services.member_add(actor=county_user, household=second, person=wife, relation="12")

    services.member_move(actor=county_user, person=wife, to_household=second, relation="12")

    memberships = Membership.objects.filter(person=wife).order_by("id")
    assert [(m.household_id, m.leave_reason) for m in memberships] == [(first.pk, "moved"), (second.pk, "")]
    assert Person.objects.get(pk=wife.pk).area_id == second.village_id
    first_timeline = [r.action for r in selectors.household_timeline(actor=county_user, household=first)]
    assert "delete" in first_timeline


def test_relation_must_fit_the_persons_sex(make_household, lanshan_village, county_user):
    household = make_household(lanshan_village, county_user)
    man, _ = services.person_create(actor=county_user, data=person_data(lanshan_village, name="刘军", sex=1))
    with pytest.raises(ValidationError) as error:
        services.member_add(actor=county_user, household=household, person=man, relation="12")  # 妻
    assert "relation" in error.value.message_dict


def test_a_household_has_one_head(make_household, lanshan_village, county_user):
    household = make_household(lanshan_village, county_user)
    other, _ = services.person_create(actor=county_user, data=person_data(lanshan_village, name="孙红"))
    with pytest.raises(ValidationError):
        services.member_add(actor=county_user, household=household, person=other, relation="02")


def test_person_create_rejects_a_wrong_id_and_writes_nothing(lanshan_village, county_user):
    data = person_data(lanshan_village) | {"id_number": "371302195001010014"}
    with pytest.raises(ValidationError) as error:
        services.person_create(actor=county_user, data=data)
    assert "id_number" in error.value.message_dict
    assert Person.objects.count() == 0 and ChangeRecord.objects.count() == 0


def test_person_outside_the_area_cannot_be_written(yinan_village, county_user):
    with pytest.raises(PermissionDenied):
        services.person_create(actor=county_user, data=person_data(yinan_village))


def test_grid_worker_reads_but_cannot_write(make_household, lanshan_village, county_user):
    household = make_household(lanshan_village, county_user)
    grid = user(Role.GRID_WORKER, lanshan_village.code)
    assert list(selectors.household_list(actor=grid)) == [household]
    with pytest.raises(PermissionDenied):
        services.household_update(actor=grid, household=household, version=None, data={"address": "x"})


def test_income_keeps_exact_decimals_and_needs_a_reason_to_be_excluded(
    make_household, lanshan_village, county_user
):
    household = make_household(lanshan_village, county_user)
    period = {"period_start": datetime.date(2022, 1, 1), "period_end": datetime.date(2022, 12, 31)}
    item = services.income_item_create(
        actor=county_user,
        household=household,
        data={"category": "wage", "amount": Decimal("12345.67"), **period},
    )
    item.refresh_from_db()
    assert item.amount == Decimal("12345.67")
    with pytest.raises(ValidationError):
        services.income_item_create(
            actor=county_user,
            household=household,
            data={"category": "transfer_net", "amount": Decimal("100"), "excluded": True, **period},
        )
    with pytest.raises(ValidationError):
        services.income_item_create(
            actor=county_user,
            household=household,
            data={
                "category": "wage",
                "amount": Decimal("1"),
                "period_start": datetime.date(2022, 2, 1),
                "period_end": datetime.date(2022, 1, 1),
            },
        )


def test_document_type_is_judged_by_content_not_name(
    make_household, lanshan_village, county_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    household = make_household(lanshan_village, county_user)
    fake = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00 this is a program", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.document_upload(actor=county_user, household=household, upload=fake, material_type="202")
    real = SimpleUploadedFile("证明.pdf", sample_files.pdf(), content_type="application/pdf")
    document = services.document_upload(
        actor=county_user, household=household, upload=real, material_type="202"
    )
    assert document.file.read() == sample_files.pdf()
    assert document.original_name == "证明.pdf"


def test_reveal_is_logged_and_refused_to_a_grid_worker(make_household, lanshan_village, county_user):
    from safetynet.core.models import UnmaskLog

    household = make_household(lanshan_village, county_user)
    full = reveal(actor=county_user, record=household.head, channel="page")
    assert full["id_number"] == household.head.id_number
    assert UnmaskLog.objects.filter(actor=county_user, subject_id=household.head.pk).count() == 1
    with pytest.raises(PermissionDenied):
        reveal(actor=user(Role.GRID_WORKER, lanshan_village.code), record=household.head, channel="page")


def test_demoting_the_head_leaves_the_household_without_one(make_household, lanshan_village, county_user):
    household = make_household(lanshan_village, county_user, members=COUPLE)
    head = household.memberships.get(relation="02")
    services.member_update(actor=county_user, membership=head, version=head.version, data={"relation": "11"})
    household.refresh_from_db()
    assert household.head_id is None
    wife = household.memberships.get(relation="12")
    services.member_update(actor=county_user, membership=wife, version=wife.version, data={"relation": "02"})
    household.refresh_from_db()
    assert household.head.name == "李秀英"
    changes = ChangeRecord.objects.filter(entity_type="household", action="update").order_by("id")
    assert [c.after.get("head_name") for c in changes][-2:] == [None, "李秀英"]


def test_the_database_refuses_a_second_head(make_household, lanshan_village, county_user):
    from django.db import IntegrityError, transaction

    household = make_household(lanshan_village, county_user)
    other, _ = services.person_create(actor=county_user, data=person_data(lanshan_village, name="周二"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            household=household, person=other, relation="01", joined_on=datetime.date(2022, 1, 1)
        )


def test_search_keeps_the_whole_member_count(make_household, lanshan_village, county_user):
    make_household(lanshan_village, county_user, members=COUPLE)
    [found] = selectors.household_list(actor=county_user, query="李秀英")
    assert found.member_count == 2


def test_correcting_a_mistyped_id_number_takes_its_birth_date_and_sex(lanshan_village, county_user):
    from safetynet.core.ids import make_id_number

    person, _ = services.person_create(actor=county_user, data=person_data(lanshan_village, sex=1))
    right = make_id_number("371302", datetime.date(1948, 4, 5), 124)  # a woman born 1948
    person, _ = services.person_update(
        actor=county_user, person=person, version=person.version, data={"id_number": right}
    )
    assert (person.birth_date, person.sex) == (datetime.date(1948, 4, 5), 2)


def test_a_coordinator_moves_someone_between_two_households_of_the_village(
    make_household, lanshan_village, county_user
):
    coordinator = user(Role.VILLAGE_COORDINATOR, lanshan_village.code)
    first = make_household(lanshan_village, county_user, members=COUPLE)
    second = make_household(
        lanshan_village, county_user, members=[("赵强", 1, "02", datetime.date(1975, 1, 1))]
    )
    wife = first.memberships.get(relation="12").person
    # Her place of residence on paper is the whole township: the move is judged by the households.
    Person.objects.filter(pk=wife.pk).update(residence_division_id=lanshan_village.code[:9])
    wife.refresh_from_db()
    services.member_move(actor=coordinator, person=wife, to_household=second, relation="12")
    assert Membership.objects.get(person=wife, left_on__isnull=True).household == second


def test_old_15_digit_number_finds_the_person(lanshan_village, county_user):
    data = person_data(lanshan_village) | {"id_number": "371302500101001"}
    person, _ = services.person_create(actor=county_user, data=data)
    assert list(selectors.person_search(actor=county_user, query="371302500101001")) == [person]


def test_masked_roles_search_id_endings_no_longer_than_what_they_see(
    make_household, lanshan_village, county_user
):
    household = make_household(lanshan_village, county_user)
    grid = user(Role.GRID_WORKER, lanshan_village.code)
    number = household.head.id_number
    assert list(selectors.person_search(actor=grid, query=number[-4:])) == [household.head]
    assert list(selectors.person_search(actor=grid, query=number[-6:])) == []
    assert list(selectors.person_search(actor=county_user, query=number[-6:])) == [household.head]


def test_a_role_that_sees_numbers_masked_cannot_change_them(make_household, lanshan_village, county_user):
    household = make_household(lanshan_village, county_user)
    coordinator = user(Role.VILLAGE_COORDINATOR, lanshan_village.code)
    head = household.head
    with pytest.raises(PermissionDenied):
        services.person_update(
            actor=coordinator, person=head, version=head.version, data={"phone": "13800000000"}
        )
    services.person_update(actor=coordinator, person=head, version=head.version, data={"name": "王大川"})
    assert Person.objects.get(pk=head.pk).name == "王大川"


def test_a_person_cannot_be_moved_to_live_outside_the_area(lanshan_village, yinan_village, county_user):
    person, _ = services.person_create(actor=county_user, data=person_data(lanshan_village))
    with pytest.raises(PermissionDenied):
        services.person_update(
            actor=county_user,
            person=person,
            version=person.version,
            data={"residence_division": yinan_village},
        )


# --- registering a household or a member: a registered person, or a new one ------------------------

def _household_values(village) -> dict:
    return {"village": village, "address": "幸福路9号", "urban_rural": "rural"}


def test_household_register_with_a_new_head_saves_both(lanshan_village, county_user):
    household, warnings = services.household_register(
        actor=county_user, data=_household_values(lanshan_village),
        head_data=person_data(lanshan_village, name="赵新户"))
    assert household.head.name == "赵新户" and warnings == []
    assert selectors.household_members(household=household).get().person == household.head


def test_household_register_with_a_registered_head(lanshan_village, county_user):
    head, _warnings = services.person_create(actor=county_user,
                                             data=person_data(lanshan_village, name="钱已登"))
    household, warnings = services.household_register(
        actor=county_user, data=_household_values(lanshan_village), head=head)
    assert household.head == head and warnings == []


def test_household_register_saves_neither_when_the_household_is_refused(
    lanshan_village, yinan_village, county_user
):
    people, households = Person.objects.count(), Household.objects.count()
    with pytest.raises(PermissionDenied):  # the household's village is another county's
        services.household_register(actor=county_user, data=_household_values(yinan_village),
                                    head_data=person_data(lanshan_village, name="孙未存"))
    assert (Person.objects.count(), Household.objects.count()) == (people, households)


def test_household_register_takes_one_head(lanshan_village, county_user):
    head, _warnings = services.person_create(actor=county_user, data=person_data(lanshan_village))
    with pytest.raises(TypeError):
        services.household_register(actor=county_user, data=_household_values(lanshan_village))
    with pytest.raises(TypeError):
        services.household_register(actor=county_user, data=_household_values(lanshan_village), head=head,
                                    head_data=person_data(lanshan_village))


def test_member_register_adds_a_new_or_a_registered_person(make_household, lanshan_village, county_user):
    household = make_household(lanshan_village, county_user)
    wife, _warnings = services.member_register(
        actor=county_user, household=household, relation="12",
        person_data=person_data(lanshan_village, name="周新妻", sex=2))
    registered, _warnings = services.person_create(
        actor=county_user, data=person_data(lanshan_village, name="吴已登", born=datetime.date(1980, 1, 1)))
    son, warnings = services.member_register(actor=county_user, household=household, relation="20",
                                             person=registered)
    assert warnings == []
    members = {m.person.name for m in selectors.household_members(household=household)}
    assert {"周新妻", "吴已登"} <= members and (wife.person.name, son.person) == ("周新妻", registered)
