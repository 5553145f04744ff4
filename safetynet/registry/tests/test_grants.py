"""A county bureau gives a service provider of its county access to a person (core.grants, kind
"registry.person"), from the person's page or the console, and only inside its own area; the one
scope function honours it in lists and object checks alike."""

import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import user
from safetynet.core import grants
from safetynet.core.models import ChangeRecord, Grant, Role
from safetynet.core.scope import in_scope
from safetynet.core.services import api_token_create
from safetynet.registry import selectors

pytestmark = pytest.mark.django_db

PERSON = "registry.person"


@pytest.fixture
def yinan(db):
    return user(Role.COUNTY_BUREAU, "371321")


@pytest.fixture
def provider(db):
    return user(Role.SERVICE_PROVIDER, "371321")


@pytest.fixture
def person(make_household, yinan_village, yinan):
    members = [("受助甲某", 1, "02", datetime.date(1944, 4, 4))]
    return make_household(yinan_village, yinan, members=members).head


def test_a_county_grants_a_provider_a_person_from_the_persons_page(client, yinan, provider, person):
    client.force_login(yinan)
    page = client.get(f"/registry/people/{person.pk}/").content.decode()
    assert "授权查看" in page and provider.username in page
    response = client.post(f"/registry/people/{person.pk}/grants/",
                           {"user": provider.pk, "reason": "合同 17 号"})
    assert response.status_code == 302
    grant = Grant.objects.get(user=provider, kind=PERSON, object_id=person.pk)
    assert grant.granted_by == yinan and grant.reason == "合同 17 号"
    record = ChangeRecord.objects.get(entity_type="grant", entity_id=grant.pk)
    assert record.actor == yinan and record.after["object_id"] == person.pk
    assert "合同 17 号" in client.get(f"/registry/people/{person.pk}/").content.decode()
    client.force_login(provider)
    assert client.get(f"/registry/people/{person.pk}/").status_code == 200


def test_the_same_grant_twice_is_refused_and_one_stays_in_force(client, yinan, provider, person):
    grants.grant_create(actor=yinan, user=provider, kind=PERSON, object_id=person.pk)
    client.force_login(yinan)
    response = client.post(f"/registry/people/{person.pk}/grants/", {"user": provider.pk})
    assert response.status_code == 400
    assert "已有查看这条记录的权限" in response.content.decode()
    assert Grant.objects.filter(user=provider, revoked_at__isnull=True).count() == 1


def test_a_county_cannot_grant_another_countys_person(client, provider, person):
    lanshan = user(Role.COUNTY_BUREAU, "371302")
    with pytest.raises(ValidationError) as refused:
        grants.grant_create(actor=lanshan, user=provider, kind=PERSON, object_id=person.pk)
    assert "object_id" in refused.value.message_dict
    client.force_login(lanshan)
    assert client.post(f"/registry/people/{person.pk}/grants/", {"user": provider.pk}).status_code == 404
    assert not Grant.objects.exists() and not ChangeRecord.objects.filter(entity_type="grant").exists()


def test_a_county_cannot_grant_to_a_provider_of_another_county_or_to_a_role_that_is_not_granted(
        yinan, person, lanshan_village):
    elsewhere = user(Role.SERVICE_PROVIDER, "371302")
    with pytest.raises(ValidationError, match="不是本辖区的用户"):
        grants.grant_create(actor=yinan, user=elsewhere, kind=PERSON, object_id=person.pk)
    grid = user(Role.GRID_WORKER, person.area_id)
    with pytest.raises(ValidationError, match="只能授权给"):
        grants.grant_create(actor=yinan, user=grid, kind=PERSON, object_id=person.pk)
    assert not Grant.objects.exists()


def test_a_township_office_may_not_grant(client, provider, person):
    township = user(Role.TOWNSHIP_OFFICE, person.area_id[:9])
    with pytest.raises(PermissionDenied):
        grants.grant_create(actor=township, user=provider, kind=PERSON, object_id=person.pk)
    client.force_login(township)
    page = client.get(f"/registry/people/{person.pk}/").content.decode()
    assert "授权查看" not in page
    assert client.post(f"/registry/people/{person.pk}/grants/", {"user": provider.pk}).status_code == 403


def test_values_no_form_sends_are_refused(yinan, provider, person):
    for object_id in (0, -1, 10**12):
        with pytest.raises(ValidationError):
            grants.grant_create(actor=yinan, user=provider, kind=PERSON, object_id=object_id)
    with pytest.raises(ValidationError, match="不存在可授权的记录类型"):
        grants.grant_create(actor=yinan, user=provider, kind="registry.nothing", object_id=person.pk)
    with pytest.raises(ValidationError):
        grants.grant_create(actor=yinan, user=provider, kind=PERSON, object_id=person.pk, reason="长" * 201)
    assert not Grant.objects.exists()


def test_revoking_from_the_page_ends_access_and_a_second_revoke_changes_nothing(client, yinan, provider,
                                                                                person):
    grant = grants.grant_create(actor=yinan, user=provider, kind=PERSON, object_id=person.pk)
    client.force_login(yinan)
    assert client.post(f"/registry/grants/{grant.pk}/revoke/", {"reason": "合同到期"}).status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_by == yinan and grant.revoke_reason == "合同到期"
    assert client.post(f"/registry/grants/{grant.pk}/revoke/").status_code == 404  # no longer in force
    with pytest.raises(ValidationError):
        grants.grant_revoke(actor=yinan, grant=grant)
    assert ChangeRecord.objects.filter(entity_type="grant", entity_id=grant.pk).count() == 2
    # Granted again later: a new grant, the old one kept in history.
    grants.grant_create(actor=yinan, user=provider, kind=PERSON, object_id=person.pk)
    assert Grant.objects.filter(user=provider).count() == 2


def test_another_county_cannot_revoke(client, yinan, provider, person):
    grant = grants.grant_create(actor=yinan, user=provider, kind=PERSON, object_id=person.pk)
    client.force_login(user(Role.COUNTY_BUREAU, "371302"))
    assert client.post(f"/registry/grants/{grant.pk}/revoke/").status_code == 404
    grant.refresh_from_db()
    assert grant.in_force


def test_the_console_grants_lists_and_revokes_through_the_same_rules(yinan, provider, person):
    out = io.StringIO()
    call_command("grant", "add", provider.username, PERSON, str(person.pk), "--by", yinan.username,
                 "--reason", "合同", stdout=out)
    grant = Grant.objects.get(user=provider)
    out = io.StringIO()
    call_command("grant", "list", provider.username, stdout=out)
    assert "受助甲某" in out.getvalue()
    lanshan = user(Role.COUNTY_BUREAU, "371302")
    with pytest.raises(CommandError, match="本辖区内没有这条记录"):
        call_command("grant", "add", provider.username, PERSON, str(person.pk), "--by", lanshan.username)
    with pytest.raises(CommandError):
        call_command("grant", "revoke", str(grant.pk), "--by", lanshan.username)
    call_command("grant", "revoke", str(grant.pk), "--by", yinan.username, stdout=io.StringIO())
    grant.refresh_from_db()
    assert not grant.in_force


def test_lists_and_object_checks_agree_and_a_list_is_one_query(yinan, provider, person, make_household,
                                                               yinan_village):
    members = [("受助乙某", 1, "02", datetime.date(1950, 1, 1))]
    other = make_household(yinan_village, yinan, members=members).head
    grants.grant_create(actor=yinan, user=provider, kind=PERSON, object_id=person.pk)
    with CaptureQueriesContext(connection) as queries:
        listed = set(selectors.person_list(actor=provider).values_list("pk", flat=True))
    assert listed == {person.pk}
    assert len(queries) == 1
    for each in (person, other):
        assert in_scope(provider, each.area_id, granted=(PERSON, each.pk)) == (each.pk in listed)
    # The area rule alone gives a provider nothing, though it is bound to the county.
    assert not in_scope(provider, person.area_id)
    # The county still sees both by its area.
    assert {person.pk, other.pk} <= set(selectors.person_list(actor=yinan).values_list("pk", flat=True))


def test_the_household_timeline_tells_the_county_who_was_given_access(client, yinan, provider, person):
    grant = grants.grant_create(actor=yinan, user=provider, kind=PERSON, object_id=person.pk)
    grants.grant_revoke(actor=yinan, grant=grant)
    household = selectors.person_current_membership(person=person).household
    client.force_login(yinan)
    page = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert f"授权 {provider} 查看 受助甲某" in page and f"撤销 {provider} 查看 受助甲某 的权限" in page
    key = api_token_create(user=yinan, name="t")[1]
    entries = client.get(f"/api/v1/households/{household.pk}/timeline",
                         headers={"Authorization": f"Bearer {key}"}).json()["items"]
    assert [e["kind"] for e in entries[:2]] == ["grant_revoked", "grant"]
    # A grid worker of the village sees the household's history, not who was given access.
    client.force_login(user(Role.GRID_WORKER, person.area_id))
    assert "查看 受助甲某" not in client.get(f"/registry/households/{household.pk}/").content.decode()


def test_the_timeline_api_is_scoped_and_masked_like_the_page(client, yinan, person):
    household = selectors.person_current_membership(person=person).household
    lanshan_key = api_token_create(user=user(Role.COUNTY_BUREAU, "371302"), name="t")[1]
    answer = client.get(f"/api/v1/households/{household.pk}/timeline",
                        headers={"Authorization": f"Bearer {lanshan_key}"})
    assert answer.status_code == 404
    grid_key = api_token_create(user=user(Role.GRID_WORKER, person.area_id), name="t")[1]
    text = json.dumps(client.get(f"/api/v1/households/{household.pk}/timeline", {"unmask": "true"},
                                 headers={"Authorization": f"Bearer {grid_key}"}).json(), ensure_ascii=False)
    assert "受助甲某" in text and person.id_number not in text
    for bad in ({"page": 0}, {"page_size": 201}, {"unmask": "yes"}):
        response = client.get(f"/api/v1/households/{household.pk}/timeline", bad,
                              headers={"Authorization": f"Bearer {grid_key}"})
        assert response.status_code == 422


def test_a_role_that_holds_no_grants_keeps_the_plain_area_filter(yinan, provider):
    """A county's lists stay one range read of the area index: no grant is looked up for a role that
    cannot hold one; a provider's list is its grants alone, never the county it is bound to."""
    assert "core_grant" not in str(selectors.person_list(actor=yinan).query)
    assert "core_grant" in str(selectors.person_list(actor=provider).query)
    assert not selectors.person_list(actor=provider).exists()


def test_the_people_list_shows_the_areas_people_newest_first_and_searches_them(client, yinan, person,
                                                                               make_household, yinan_village):
    members = [("受助乙某", 1, "02", datetime.date(1950, 1, 1))]
    newer = make_household(yinan_village, yinan, members=members).head
    client.force_login(yinan)
    page = client.get("/registry/people/").content.decode()
    assert page.index(newer.name) < page.index(person.name)
    assert person.id_number not in page  # masked in lists, as everywhere
    found = client.get("/registry/people/", {"q": "受助乙"}).content.decode()
    assert newer.name in found and person.name not in found
    client.force_login(user(Role.COUNTY_BUREAU, "371302"))
    assert person.name not in client.get("/registry/people/", {"q": "受助"}).content.decode()


def test_a_provider_moved_to_another_area_keeps_none_of_its_grants(yinan, provider, person):
    from safetynet.core.accounts import services as accounts

    grants.grant_create(actor=yinan, user=provider, kind=PERSON, object_id=person.pk, reason="合同")
    city = user(Role.CITY_BUREAU, "3713")
    accounts.user_admin_update(actor=city, user=provider, version=provider.version,
                               data={"division": "371302"})
    assert not selectors.person_list(actor=provider).exists()
    grant = Grant.objects.get(user=provider)
    assert grant.revoked_at is not None and grant.revoked_by == city
    revoked = ChangeRecord.objects.filter(entity_type="grant", entity_id=grant.pk, event="grant.revoked")
    assert revoked.exists()


def test_the_operators_system_page_shows_no_grant_or_its_reason(client, yinan, provider, person):
    grants.grant_create(actor=yinan, user=provider, kind=PERSON, object_id=person.pk,
                        reason="合同 17 号 受助甲某")
    client.force_login(user(Role.OPERATOR, "3713"))
    page = client.get("/system/").content.decode()
    assert "合同 17 号" not in page and "受助甲某" not in page


def test_the_account_page_lists_what_is_granted_to_the_account(client, yinan, provider, person):
    grants.grant_create(actor=yinan, user=provider, kind=PERSON, object_id=person.pk, reason="合同 17 号")
    client.force_login(yinan)
    page = client.get(f"/users/{provider.pk}/").content.decode()
    section = page[page.index('id="held"'):]
    assert person.name in section and "合同 17 号" in section
