"""`safetynet user …` and `safetynet token …`: accounts and API tokens from the console."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from safetynet.core.models import ApiToken, ChangeRecord, Role, User

pytestmark = pytest.mark.django_db

PASSWORD = "Kettle-lantern-77"  # noqa: S105 — a test account's


def create(username: str, role: str, division: str, password: str = PASSWORD, *extra) -> tuple[str, str]:
    return run("user", "create", username, "--role", role, "--division", division, "--password", password,
               *extra)


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_user_create_binds_role_to_division():
    out, _err = create("lanshan-ca", "county_bureau", "371302", PASSWORD, "--name", "张科长")
    user = User.objects.get(username="lanshan-ca")
    assert (user.role, user.division_id, user.first_name, user.is_active) == (Role.COUNTY_BUREAU, "371302",
                                                                              "张科长", True)
    assert user.check_password(PASSWORD)
    assert "lanshan-ca" in out
    assert ChangeRecord.objects.filter(entity_type="user", entity_id=user.pk, action="create").exists()


def test_township_user_bound_to_a_county_code_is_refused():
    with pytest.raises(CommandError) as refused:
        create("wrong", "township_office", "371302")
    assert str(refused.value).startswith("division: ") or "371302" in str(refused.value)
    assert not User.objects.filter(username="wrong").exists()


@translation.override("en")
def test_user_create_refusals_are_clear_and_in_english_when_asked():
    with pytest.raises(CommandError) as refused:
        create("wrong", "township_office", "371302")
    assert "is bound to a Township" in str(refused.value)
    assert "371302" in str(refused.value)

    with pytest.raises(CommandError) as refused:
        create("x", "mayor", "371302001")
    assert "There is no role mayor" in str(refused.value)

    with pytest.raises(CommandError) as refused:
        create("x", "township_office", "999999999")
    assert "There is no division with code 999999999" in str(refused.value)

    with pytest.raises(CommandError) as refused:
        create("x", "township_office", "371302001", "123")
    assert str(refused.value).startswith("password: ")
    assert not User.objects.exists()


def test_user_create_refuses_a_taken_name():
    create("same", "city_bureau", "3713")
    with pytest.raises(CommandError):
        create("same", "city_bureau", "3713")
    assert User.objects.filter(username="same").count() == 1


def test_set_password_checks_the_rules():
    create("pw", "city_bureau", "3713")
    with pytest.raises(CommandError):
        run("user", "set-password", "pw", "--password", "short")
    run("user", "set-password", "pw", "--password", "Another-lantern-88")
    assert User.objects.get(username="pw").check_password("Another-lantern-88")
    with pytest.raises(CommandError):
        run("user", "set-password", "nobody", "--password", "Another-lantern-88")


def test_token_create_use_list_revoke():
    create("api-user", "county_bureau", "371302")
    key, err = run("token", "create", "api-user", "--name", "低保系统", "--days", "30")
    key = key.strip()
    assert key.startswith("sn_") and "\n" not in key
    assert key not in err  # shown once, on stdout only
    assert ApiToken.objects.get().key_hash != key
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert client.get("/api/v1/me").status_code == 200

    listing, _err = run("token", "list", "api-user")
    assert key[:8] in listing and "低保系统" in listing and key not in listing

    with pytest.raises(CommandError):
        run("token", "revoke", "sn_")  # too short to be sure which token is meant
    run("token", "revoke", key[:8])
    assert client.get("/api/v1/me").status_code == 401
    with pytest.raises(CommandError):
        run("token", "revoke", key[:8])


def test_deactivate_stops_tokens():
    create("leaver", "county_bureau", "371302")
    key = run("token", "create", "leaver")[0].strip()
    run("user", "deactivate", "leaver")
    assert User.objects.get(username="leaver").is_active is False
    assert Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/me").status_code == 401
    assert ApiToken.objects.get().revoked is True
    with pytest.raises(CommandError):
        run("token", "create", "leaver")


def test_token_for_unknown_user_is_refused():
    with pytest.raises(CommandError) as refused:
        run("token", "create", "nobody")
    assert "nobody" in str(refused.value)
