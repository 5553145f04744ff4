"""The typed audit log: every history row names its app, model and a declared event; facts keep
when they took effect apart from when they were recorded; a correction is a new record."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from conftest import person_data
from safetynet.core import audit
from safetynet.core.clock import start_of_day
from safetynet.core.models import ChangeRecord
from safetynet.core.services import change_record, change_record_bulk_create, user_set_password
from safetynet.registry import services

pytestmark = pytest.mark.django_db

COUPLE = [("王大山", 1, "02", datetime.date(1948, 3, 1)), ("李秀英", 2, "12", datetime.date(1950, 7, 9))]


def test_each_history_row_names_its_app_model_and_declared_event(
    make_household, lanshan_village, county_user
):
    household = make_household(lanshan_village, county_user, members=COUPLE)
    services.household_update(actor=county_user, household=household, version=household.version,
                              data={"address": "和平路2号"})
    rows = ChangeRecord.objects.filter(subject_type="household", subject_id=household.pk)
    events = sorted({(r.app_label, r.entity_type, r.event) for r in rows})
    assert events == [
        ("registry", "household", "household.changed"),
        ("registry", "household", "household.registered"),
        ("registry", "membership", "membership.joined"),
    ]
    assert audit.event_label("membership.joined") == "加入家庭"


def test_a_member_leaving_records_when_they_left_apart_from_when_it_was_recorded(
    make_household, lanshan_village, county_user
):
    household = make_household(lanshan_village, county_user)
    data = person_data(lanshan_village, name="李秀英", sex=2)
    person = services.person_create(actor=county_user, data=data)[0]
    wife = services.member_add(actor=county_user, household=household, person=person, relation="12",
                               joined_on=datetime.date(2022, 1, 10))
    joined = ChangeRecord.objects.get(entity_type="membership", entity_id=wife.pk, event="membership.joined")
    assert joined.effective_at == start_of_day(datetime.date(2022, 1, 10))
    left_on = datetime.date(2022, 12, 16)
    services.member_remove(actor=county_user, membership=wife, version=wife.version, left_on=left_on)
    record = ChangeRecord.objects.get(entity_type="membership", entity_id=wife.pk, event="membership.left")
    assert record.effective_at == start_of_day(left_on)
    assert record.at.date() > left_on  # recorded today, effective in the 2022-23 winter


def test_an_undeclared_event_is_refused_and_nothing_is_recorded(
    make_household, lanshan_village, county_user
):
    household = make_household(lanshan_village, county_user)
    before = ChangeRecord.objects.count()
    with pytest.raises(audit.UndeclaredEvent):
        change_record(actor=county_user, subject=household, entity=household, action="update",
                      event="demolished", after={"address": "x"})
    with pytest.raises(audit.UndeclaredEvent):  # declared, but as a creation
        change_record(actor=county_user, subject=household, entity=household, action="update",
                      event="registered", after={"address": "x"})
    with pytest.raises(audit.UndeclaredEvent):
        change_record_bulk_create(actor=county_user, at=ChangeRecord.objects.first().at, changes=[{
            "subject_type": "household", "subject_id": household.pk,
            "entity_type": "nothing-declared", "entity_id": 1, "action": "create", "after": {}}])
    assert ChangeRecord.objects.count() == before


def test_a_bulk_reason_over_the_limit_is_refused_not_cut(
    make_household, lanshan_village, county_user
):
    household = make_household(lanshan_village, county_user)
    before = ChangeRecord.objects.count()
    with pytest.raises(ValidationError):
        change_record_bulk_create(actor=county_user, at=ChangeRecord.objects.first().at, changes=[{
            "subject_type": "household", "subject_id": household.pk, "entity_type": "household",
            "entity_id": household.pk, "action": "update", "after": {"address": "x"}, "reason": "长" * 201}])
    assert ChangeRecord.objects.count() == before


def test_a_correction_is_a_new_record_naming_the_one_it_corrects(
    make_household, lanshan_village, county_user
):
    household = make_household(lanshan_village, county_user)
    services.household_update(actor=county_user, household=household, version=household.version,
                              data={"address": "错误地址"})
    wrong = ChangeRecord.objects.filter(event="household.changed").latest("id")
    household.refresh_from_db()
    correction = change_record(actor=county_user, subject=household, entity=household, action="update",
                               before={"address": "错误地址"}, after={"address": "幸福路1号"},
                               reason="更正录入错误", corrects=wrong)
    wrong.refresh_from_db()
    assert (wrong.before, wrong.after) == ({"address": "幸福路1号"}, {"address": "错误地址"})
    assert correction.corrects == wrong and correction.event == "household.changed"


def test_account_events_are_typed_in_core(county_user):
    user_set_password(user=county_user, password="Another-pass-2026", actor=county_user)
    record = ChangeRecord.objects.get(entity_type="user", entity_id=county_user.pk)
    assert (record.app_label, record.event) == ("core", "user.password_changed")


def test_history_recorded_before_events_were_typed_gets_its_default_event(lanshan_village, county_user):
    data = person_data(lanshan_village, name="赵一")
    person = services.person_create(actor=county_user, data=data)[0]
    ChangeRecord.objects.update(app_label="", event="")
    ChangeRecord.objects.create(
        subject_type="x", subject_id=1, entity_type="gone", entity_id=1, action="create"
    )
    migration = importlib.import_module("safetynet.core.migrations.0007_change_record_event")
    # The migration runs it (an upgraded database's history is typed as it migrates) …
    operations = migration.Migration.operations
    assert any(getattr(op, "code", None) is migration.type_the_history for op in operations)
    migration.type_the_history(apps, None)
    assert ChangeRecord.objects.get(entity_type="person", entity_id=person.pk).event == "person.registered"
    assert ChangeRecord.objects.get(entity_type="gone").event == ""  # nobody declares it: left blank


def test_another_app_cannot_claim_a_declared_model():
    with pytest.raises(ValueError):
        audit.declare_events("care", "household", {"registered": ("update", "x")})


def test_membership_dates_in_the_future_or_before_birth_are_refused_and_change_nothing(
    make_household, lanshan_village, county_user
):
    household = make_household(lanshan_village, county_user)
    data = person_data(lanshan_village, name="周小", sex=1, born=datetime.date(2010, 5, 1))
    child = services.person_create(actor=county_user, data=data)[0]
    before = ChangeRecord.objects.count()
    for joined_on in (datetime.date.today() + datetime.timedelta(days=1), datetime.date(2009, 1, 1)):
        with pytest.raises(ValidationError) as refused:
            services.member_add(actor=county_user, household=household, person=child, relation="20",
                                joined_on=joined_on)
        assert "joined_on" in refused.value.message_dict
    head = household.memberships.get()
    with pytest.raises(ValidationError) as refused:
        services.member_remove(actor=county_user, membership=head, version=head.version,
                               left_on=datetime.date.today() + datetime.timedelta(days=30))
    assert refused.value.message_dict["left_on"] == ["该日期晚于今天，请核对。"]
    assert ChangeRecord.objects.count() == before and household.memberships.filter(left_on=None).count() == 1


def test_an_event_name_longer_than_history_keeps_is_refused_when_declared():
    with pytest.raises(ValueError):
        audit.declare_events("care", "agreement", {"x" * 60: ("create", "x")})
    with pytest.raises(ValueError):
        audit.declare_events("c" * 33, "agreement", {"signed": ("create", "x")})
    assert "agreement." + "x" * 60 not in {event.code for event in audit.declared_events()}
