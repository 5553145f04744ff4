"""User administration's services: who may create and manage which accounts, where; nobody above
their own rank, outside their area, or themselves; every change recorded; concurrent edits told."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import LANSHAN_TOWNSHIP, YINAN_TOWNSHIP, user, village
from safetynet.core.accounts import services
from safetynet.core.models import ApiToken, ChangeRecord, Role, User
from safetynet.core.services import ConflictError, api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def lanshan():
    return user(Role.COUNTY_BUREAU, "371302")


@pytest.fixture
def city():
    return user(Role.CITY_BUREAU, "3713")


def authenticate(*, username, password):
    """The account a login with these would open (the login page's own check, without its lockout)."""
    account = User.objects.get(username=username)
    return account if account.is_active and account.check_password(password) else None


def create(actor, role=Role.GRID_WORKER, division=None, **extra):
    division = division or village(LANSHAN_TOWNSHIP + "201").code
    values = {"username": extra.pop("username", f"new-{role}-{division}"), "name": "张网格", "role": role,
              "division_code": division, "phone": "", **extra}
    return services.user_admin_create(actor=actor, **values)


def test_a_county_bureau_creates_a_grid_worker_of_its_county_with_a_one_time_password(lanshan):
    account, password = create(lanshan, phone="13912345678")
    assert account.role == Role.GRID_WORKER and account.division_id == LANSHAN_TOWNSHIP + "201"
    assert account.must_change_password
    assert authenticate(username=account.username, password=password) == account
    record = ChangeRecord.objects.get(subject_type="user", subject_id=account.pk)
    assert record.actor == lanshan and record.action == "create"
    assert record.after["first_name"] == "张网格" and "password" not in record.after
    assert password not in str(record.after)


def test_one_time_passwords_differ_and_read_clearly():
    passwords = {services.generate_password() for _ in range(200)}
    assert len(passwords) == 200
    for password in passwords:
        assert len(password) == 14 and password.count("-") == 2
        assert not set(password) & set("0O1lI")


@pytest.mark.parametrize("role", [Role.COUNTY_BUREAU, Role.CITY_BUREAU, Role.AUDITOR, Role.FINANCE_OFFICER,
                                  Role.OPERATOR])
def test_a_county_bureau_cannot_create_its_peers_or_anyone_above(lanshan, role):
    count = User.objects.count()
    with pytest.raises(PermissionDenied):
        create(lanshan, role=role, division="371302")
    assert User.objects.count() == count


def test_a_county_bureau_cannot_create_an_account_in_another_county(lanshan):
    with pytest.raises(PermissionDenied):
        create(lanshan, division=village(YINAN_TOWNSHIP + "201").code)


def test_the_city_bureau_creates_county_bureaus_and_finance_officers(city):
    for role, division in [(Role.COUNTY_BUREAU, "371321"), (Role.FINANCE_OFFICER, "371302")]:
        account, _password = create(city, role=role, division=division)
        assert account.role == role


@pytest.mark.parametrize("role", [Role.CITY_BUREAU, Role.AUDITOR])
def test_no_city_login_manages_another_city_login_or_its_auditor(city, role):
    # Whoever resets an account learns its one-time password: a city login managing the second
    # one would be its own checker, and the audited would manage their auditor.
    with pytest.raises(PermissionDenied):
        create(city, role=role, division="3713")
    other = user(role, "3713")
    for manage in (services.user_admin_reset_password, services.user_admin_deactivate):
        with pytest.raises(PermissionDenied):
            manage(actor=city, user=other, version=other.version)


def test_a_password_reset_ends_the_accounts_api_access(city):
    grid = user(Role.GRID_WORKER, village(LANSHAN_TOWNSHIP + "201").code)
    token, _key = api_token_create(user=grid, name="phone")
    services.user_admin_reset_password(actor=city, user=grid, version=grid.version)
    token.refresh_from_db()
    assert token.revoked


def test_the_operator_manages_only_operator_accounts():
    operator = user(Role.OPERATOR, "3713")
    account, _password = create(operator, role=Role.OPERATOR, division="3713")
    assert account.role == Role.OPERATOR
    for role in (Role.CITY_BUREAU, Role.AUDITOR, Role.GRID_WORKER):
        with pytest.raises(PermissionDenied):
            create(operator, role=role, division="3713" if role != Role.GRID_WORKER else None)


@pytest.mark.parametrize("role", [Role.TOWNSHIP_OFFICE, Role.GRID_WORKER, Role.AUDITOR, Role.OPERATOR,
                                  Role.FINANCE_OFFICER, Role.CAREGIVER])
def test_roles_that_manage_no_accounts_create_none(role):
    actor = user(role, {Role.TOWNSHIP_OFFICE: LANSHAN_TOWNSHIP, Role.GRID_WORKER: LANSHAN_TOWNSHIP + "201",
                        Role.CAREGIVER: LANSHAN_TOWNSHIP}.get(role, "3713"))
    with pytest.raises(PermissionDenied):
        create(actor)


def test_the_role_must_fit_the_division_level(lanshan):
    with pytest.raises(ValidationError) as error:
        create(lanshan, division=LANSHAN_TOWNSHIP)
    assert "division" in error.value.message_dict


@pytest.mark.parametrize("field, value", [("name", "张\x00三"), ("username", "a\x07b"),
                                          ("phone", "139\x001")])
def test_control_characters_are_refused(lanshan, field, value):
    count = User.objects.count()
    with pytest.raises(ValidationError) as error:
        create(lanshan, **{field: value})
    assert field in error.value.message_dict
    assert User.objects.count() == count


def test_a_phone_number_belongs_to_one_account(lanshan):
    create(lanshan, username="first", phone="13912345678")
    with pytest.raises(ValidationError) as error:
        create(lanshan, username="second", phone="139 1234 5678")
    assert "phone" in error.value.message_dict


def test_a_taken_user_name_is_refused(lanshan):
    create(lanshan, username="same")
    with pytest.raises(ValidationError) as error:
        create(lanshan, username="same")
    assert "username" in error.value.message_dict


def test_nobody_deactivates_or_changes_their_own_account(lanshan, city):
    for actor in (lanshan, city):
        with pytest.raises(PermissionDenied):
            services.user_admin_deactivate(actor=actor, user=actor)
        with pytest.raises(PermissionDenied):
            services.user_admin_update(actor=actor, user=actor, version=None, data={"role": Role.AUDITOR})
        actor.refresh_from_db()
        assert actor.is_active


def test_deactivating_ends_logins_and_tokens_and_is_recorded(lanshan):
    account, password = create(lanshan)
    _token, _key = api_token_create(user=account, name="phone")
    services.user_admin_deactivate(actor=lanshan, user=account, reason="调离")
    account.refresh_from_db()
    assert not account.is_active
    assert authenticate(username=account.username, password=password) is None
    assert not ApiToken.objects.filter(user=account, revoked=False).exists()
    record = ChangeRecord.objects.filter(subject_id=account.pk, subject_type="user").first()
    assert record.after == {"is_active": False} and record.reason == "调离" and record.actor == lanshan
    services.user_admin_reactivate(actor=lanshan, user=account)
    account.refresh_from_db()
    assert account.is_active


def test_a_county_cannot_touch_another_county_s_accounts(lanshan):
    yinan_grid = user(Role.GRID_WORKER, village(YINAN_TOWNSHIP + "201").code)
    with pytest.raises(PermissionDenied):
        services.user_admin_deactivate(actor=lanshan, user=yinan_grid)
    with pytest.raises(PermissionDenied):
        services.user_admin_reset_password(actor=lanshan, user=yinan_grid)
    yinan_grid.refresh_from_db()
    assert yinan_grid.is_active and not yinan_grid.must_change_password


def test_binding_to_another_village_is_recorded_and_cannot_leave_the_area(lanshan):
    account, _password = create(lanshan)
    other = village(LANSHAN_TOWNSHIP + "202")
    services.user_admin_update(actor=lanshan, user=account, version=account.version,
                               data={"division": other.code})
    account.refresh_from_db()
    assert account.division_id == other.code and account.version == 2
    record = ChangeRecord.objects.filter(subject_id=account.pk, subject_type="user").first()
    assert record.before == {"division_id": LANSHAN_TOWNSHIP + "201"}
    assert record.after == {"division_id": other.code}
    with pytest.raises(PermissionDenied):
        services.user_admin_update(actor=lanshan, user=account, version=account.version,
                                   data={"division": village(YINAN_TOWNSHIP + "201").code})
    with pytest.raises(PermissionDenied):  # promoted above what the county manages
        services.user_admin_update(actor=lanshan, user=account, version=account.version,
                                   data={"role": Role.COUNTY_BUREAU, "division": "371302"})
    account.refresh_from_db()
    assert account.division_id == other.code and account.role == Role.GRID_WORKER


def test_of_two_administrators_editing_at_once_the_second_is_told(lanshan):
    other_clerk = user(Role.COUNTY_BUREAU, "371302")
    account, _password = create(lanshan)
    seen = account.version
    services.user_admin_update(actor=lanshan, user=account, version=seen, data={"name": "李四"})
    with pytest.raises(ConflictError):
        services.user_admin_update(actor=other_clerk, user=account, version=seen, data={"name": "王五"})
    with pytest.raises(ConflictError):
        services.user_admin_deactivate(actor=other_clerk, user=account, version=seen)
    account.refresh_from_db()
    assert account.first_name == "李四" and account.is_active


def test_a_reset_gives_a_new_one_time_password_and_ends_the_old_one(lanshan):
    account, first = create(lanshan)
    second = services.user_admin_reset_password(actor=lanshan, user=account)
    assert first != second
    assert authenticate(username=account.username, password=first) is None
    assert authenticate(username=account.username, password=second) is not None
    account.refresh_from_db()
    assert account.must_change_password
    record = ChangeRecord.objects.filter(subject_id=account.pk, subject_type="user").first()
    assert record.after["password"] == "reset" and second not in str(record.after)
