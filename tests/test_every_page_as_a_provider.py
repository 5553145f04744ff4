"""A service provider sees the persons granted to it and nothing else: every page and every API route
walked as a provider of the county granted two of its persons (core.grants, core.scope).

The walks reuse the other-county walks' routes and records (test_every_page_as_other_county,
registry.tests.test_api_scope), so a page or route added later is walked here too.
"""

import datetime

import pytest
from django.test import Client
from test_every_page_as_other_county import _case, _has_id, _url, page_routes, searches

from conftest import user
from safetynet.core.grants import grant_create, grant_revoke
from safetynet.core.models import ChangeRecord, Role, UnmaskLog
from safetynet.registry.tests.test_api_scope import (
    PREFIX,
    call,
    path_parameters,
    routes,
    text_of,
    token_client,
)

pytestmark = pytest.mark.django_db

GRANTED = ("服务甲某", "服务乙某")
NOT_GRANTED = ("同户丙某", "别户丁某")
PERSON_PAGES = {("get", "registry/people/<int:pk>/"), ("post", "registry/people/<int:pk>/grants/")}


@pytest.fixture(params=[Role.SERVICE_PROVIDER, Role.CAREGIVER])
def provider_case(request, make_household, yinan_village, settings, tmp_path):
    """A county's provider granted two persons: the head of one household (whose wife is not
    granted) and a member (not the head) of another, beside a third household of the county with
    every kind of record (`_case`)."""
    county = user(Role.COUNTY_BUREAU, "371321")
    first = make_household(yinan_village, county, members=[
        (GRANTED[0], 1, "02", datetime.date(1940, 1, 1)),
        (NOT_GRANTED[0], 2, "12", datetime.date(1942, 2, 2))])
    second = make_household(yinan_village, county, members=[
        (NOT_GRANTED[1], 1, "02", datetime.date(1960, 3, 3)),
        (GRANTED[1], 2, "30", datetime.date(1990, 4, 4))])
    others = _case(make_household, yinan_village, county, settings, tmp_path)
    provider = user(request.param, "371321")  # a provider's worker, or a caregiver: the same rule
    granted = [first.head, second.memberships.get(relation="30").person]
    for person in granted:
        grant_create(actor=county, user=provider, kind="registry.person", object_id=person.pk, reason="合同")
    wife = first.memberships.get(relation="12").person
    return {"county": county, "provider": provider, "granted": granted, "households": [first, second],
            "not_granted": [wife, second.head], "others": others}


def _names(text: str, names) -> set[str]:
    return {name for name in names if name in text}


def test_provider_granted_two_persons_sees_exactly_those_two_through_pages_and_api(client, provider_case):
    provider, granted = provider_case["provider"], provider_case["granted"]
    hidden = [*NOT_GRANTED, *provider_case["others"]["names"]]
    client.force_login(provider)

    # The home page says whose records these are: those given, not the area's.
    home = client.get("/").content.decode()
    assert "授权给您的记录" in home and "您只能查看本辖区的记录" not in home
    # Pages: the home page and the people list name exactly the two; each one's page opens.
    for page in ("/", "/registry/people/"):
        text = client.get(page).content.decode()
        assert _names(text, GRANTED) == set(GRANTED), page
        assert _names(text, hidden) == set(), page
    for person in granted:
        response = client.get(f"/registry/people/{person.pk}/")
        assert response.status_code == 200
        text = response.content.decode()
        assert person.name in text and person.id_number not in text  # masked for a provider
        assert "幸福路1号" in text  # the household's address, for the visit
        assert _names(text, hidden) == set()  # not the other members
    for person in provider_case["not_granted"]:
        assert client.get(f"/registry/people/{person.pk}/").status_code == 404
    # A search finds a granted person, and never anyone else, however precisely named.
    found = client.get("/registry/people/", {"q": GRANTED[0]}).content.decode()
    assert _names(found, GRANTED) == {GRANTED[0]}
    for name in hidden:
        assert name not in client.get("/registry/people/", {"q": name[1:]}).content.decode()
    # The households themselves stay the area's: their page is refused.
    household = provider_case["households"][0]
    assert client.get(f"/registry/households/{household.pk}/").status_code in (403, 404)

    # The API: the same two, masked, and nobody else.
    api = token_client(provider)
    listed = api.get(f"{PREFIX}/persons", {"page_size": 200}).json()
    assert sorted(item["id"] for item in listed["items"]) == sorted(p.pk for p in granted)
    assert listed["count"] == 2
    for person in granted:
        answer = api.get(f"{PREFIX}/persons/{person.pk}", {"unmask": "true"}).json()
        assert answer["name"] == person.name
        assert answer["id_number"] != person.id_number and answer["unmasked"] is False
        assert answer["birth_date"] is None
    for person in provider_case["not_granted"]:
        assert api.get(f"{PREFIX}/persons/{person.pk}").status_code == 404
    searched = api.get(f"{PREFIX}/persons", {"q": NOT_GRANTED[0]}).json()
    assert searched["count"] == 0
    assert api.get(f"{PREFIX}/households/{household.pk}").status_code in (403, 404)
    assert api.get(f"{PREFIX}/households/{household.pk}/timeline").status_code in (403, 404)


def test_a_revoked_grant_hides_the_person_again(client, provider_case):
    county, provider, person = provider_case["county"], provider_case["provider"], provider_case["granted"][0]
    client.force_login(provider)
    assert client.get(f"/registry/people/{person.pk}/").status_code == 200
    grant = provider.grants.get(object_id=person.pk)
    grant_revoke(actor=county, grant=grant, reason="合同到期")
    assert client.get(f"/registry/people/{person.pk}/").status_code == 404
    assert token_client(provider).get(f"{PREFIX}/persons/{person.pk}").status_code == 404
    assert person.name not in client.get("/registry/people/").content.decode()


def test_every_page_as_a_provider_granted_two_persons(client, provider_case):
    """Every page with the ids of records not granted: refused (403 for the registry's own pages,
    which the role may not open at all) or not found; none shows a name of theirs, and nothing is
    changed or unmasked."""
    client.force_login(provider_case["provider"])
    others = provider_case["others"]
    changes, unmasks = ChangeRecord.objects.count(), UnmaskLog.objects.count()
    leaks = []
    for route in page_routes():
        url = _url(route, others)
        probes = [("get", url, {}), ("post", url, {"version": "1", "address": "x", "user": "1"})]
        if not _has_id(route):
            probes += [(method, url, data) for method, _u, data in searches(others)]
        for method, target, data in probes:
            response = getattr(client, method)(target, data)
            body = b"".join(response) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            if _has_id(route) and response.status_code not in (403, 404, 405):
                leaks.append(f"{method.upper()} {target} → {response.status_code}")
            # What the role may do to a person it is granted (read the page) is "not found" for others.
            if (method, route) in PERSON_PAGES and response.status_code != 404:
                leaks.append(f"{method.upper()} {target}: a person not granted is not 'not found'")
            secrets = [v for v in [*others["names"], *NOT_GRANTED, others["id_number"]]
                       if v not in data.values()]
            if any(secret in text for secret in secrets):
                leaks.append(f"{method.upper()} {target} {data} shows someone not granted")
    assert leaks == []
    assert ChangeRecord.objects.count() == changes
    assert UnmaskLog.objects.count() == unmasks


def test_every_api_route_as_a_provider_granted_two_persons(provider_case, settings):
    """Every API operation on records not granted is refused (never 2xx); every list the provider
    may read names only the two granted persons."""
    api = token_client(provider_case["provider"])
    document = api.get(f"{PREFIX}/openapi.json").json()
    others = provider_case["others"]
    ids = {"household_id": others["household"], "person_id": others["person"],
           "member_id": others["membership"],
           "income_id": others["income"], "asset_id": others["asset"], "expense_id": others["expense"],
           "supporter_id": others["supporter"],
           "document_id": others["document"], "job_id": others["import_job"], "case_id": others["case"],
           "standard_id": 10**9,  # standards belong to no one: a number that names none
           "run_id": others["eligibility_run"], "application_id": others["application"],
           "aid_id": others["temporary_aid"],
           "complaint_id": others["complaint"], "review_id": others["review"],
           "transfer_id": others["transfer"], "institution_id": others["institution"],
           "township": others["township"], "payroll_id": others["payroll_run"]}
    hidden = [*others["names"], *NOT_GRANTED]
    changes = ChangeRecord.objects.count()
    leaks = []
    for method, template in sorted(routes(), key=lambda route: route[0] != "GET"):
        if path_parameters(template):
            response = call(api, method, template, ids, document)
            if 200 <= response.status_code < 300:
                leaks.append((method, template, response.status_code))
        elif method == "GET":
            response = api.get(template, {"unmask": "true"})
            text = text_of(response) if 200 <= response.status_code < 300 else ""
            if _names(text, hidden):
                leaks.append((method, template, "shows someone not granted"))
    assert leaks == []
    assert ChangeRecord.objects.count() == changes
    granted = provider_case["granted"]
    for person in granted:
        assert call(api, "GET", f"{PREFIX}/persons/{{person_id}}", {"person_id": person.pk},
                    document).status_code == 200


def test_a_provider_of_another_county_sees_none_of_them(provider_case):
    stranger = user(Role.SERVICE_PROVIDER, "371302")
    api = token_client(stranger)
    assert api.get(f"{PREFIX}/persons").json()["count"] == 0
    for person in provider_case["granted"]:
        assert api.get(f"{PREFIX}/persons/{person.pk}").status_code == 404
    assert Client().get("/registry/people/").status_code == 302  # and nobody signed out sees anything
