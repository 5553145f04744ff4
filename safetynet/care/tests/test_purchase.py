"""Purchased third-party services (issue 14, item 4): providers, contracts covering 特困 persons cared
for at home (granted to the provider's staff), service logs from a phone, and the coverage rate."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import user
from safetynet.care.models import ContractPerson, ServiceLog
from safetynet.care.purchase import selectors, services
from safetynet.core.models import Evidence, Grant, Role
from safetynet.core.tests import sample_files
from safetynet.programmes.services import enrolment_start
from safetynet.registry.tests.test_api_scope import PREFIX, token_client

pytestmark = pytest.mark.django_db


def _tekun(make_household, village, county, name):
    household = make_household(village, county, members=[(name, 1, "02", datetime.date(1940, 1, 1))])
    enrolment_start(
        actor=county,
        household=household,
        programme="tekun",
        since=datetime.date(2022, 1, 1),
        amount="900",
        person=household.head,
    )
    return household.head


@pytest.fixture
def case(make_household, lanshan_village, yinan_village):
    county = user(Role.COUNTY_BUREAU, "371302")
    first = services.provider_create(
        actor=county,
        data={
            "name": "甲服务社",
            "credit_code": "52371302MJD000001A",
            "contact": "王甲",
            "phone": "13900000001",
        },
    )
    second = services.provider_create(
        actor=county,
        data={
            "name": "乙服务社",
            "credit_code": "52371302MJD000002B",
            "contact": "王乙",
            "phone": "13900000002",
        },
    )
    worker, rival = user(Role.SERVICE_PROVIDER, "371302"), user(Role.SERVICE_PROVIDER, "371302")
    services.provider_staff_add(actor=county, provider=first, user=worker)
    services.provider_staff_add(actor=county, provider=second, user=rival)
    mine, theirs = (
        _tekun(make_household, lanshan_village, county, "照料甲某"),
        _tekun(make_household, lanshan_village, county, "照料乙某"),
    )
    today = timezone.localdate()
    data = {
        "area": "371302",
        "title": "居家照料",
        "starts_on": today - datetime.timedelta(days=40),
        "ends_on": today + datetime.timedelta(days=300),
        "budget": "100000.50",
        "kinds": ["visiting_care", "errands"],
    }
    data["starts_on"] = max(data["starts_on"], today.replace(day=1) - datetime.timedelta(days=40))
    contract = services.contract_create(actor=county, provider=first, data=data)
    other = services.contract_create(actor=county, provider=second, data=data)
    services.contract_person_add(actor=county, contract=contract, person_id=mine.pk)
    services.contract_person_add(actor=county, contract=other, person_id=theirs.pk)
    # Covered since the contracts began, as the demo city has them: the services logged below an
    # hour or two ago fall on yesterday's date just after midnight (Beijing time), and the service
    # dates a person's cover from the day it is added.
    ContractPerson.objects.filter(contract__in=[contract, other]).update(added_on=data["starts_on"])
    return {
        "county": county,
        "first": first,
        "second": second,
        "worker": worker,
        "rival": rival,
        "mine": mine,
        "theirs": theirs,
        "contract": contract,
        "other": other,
    }


def _log_data(**changes):
    now = timezone.now()
    data = {
        "kind": "visiting_care",
        "started_at": now - datetime.timedelta(hours=2),
        "ended_at": now - datetime.timedelta(hours=1),
        "place": "家中",
        "done": "打扫卫生",
    }
    return data | changes


def _log(case, person=None, **changes):
    return services.service_log_create(
        actor=case["worker"],
        person_id=(person or case["mine"]).pk,
        data=_log_data(**changes),
        submission=uuid.uuid4(),
    )


def _in_force(user_, person):
    return Grant.objects.filter(
        user=user_, kind="registry.person", object_id=person.pk, revoked_at__isnull=True
    ).exists()


def test_covering_a_person_grants_the_providers_staff_and_removing_revokes(case):
    assert _in_force(case["worker"], case["mine"]) and not _in_force(case["worker"], case["theirs"])
    assert _in_force(case["rival"], case["theirs"]) and not _in_force(case["rival"], case["mine"])
    services.contract_person_remove(
        actor=case["county"], contract=case["contract"], person_id=case["mine"].pk
    )
    assert not _in_force(case["worker"], case["mine"])
    assert selectors.my_persons(actor=case["worker"]) == []
    services.contract_person_add(actor=case["county"], contract=case["contract"], person_id=case["mine"].pk)
    assert _in_force(case["worker"], case["mine"])
    services.contract_end(actor=case["county"], contract=case["contract"], version=case["contract"].version)
    assert not _in_force(case["worker"], case["mine"])
    assert not ContractPerson.objects.filter(contract=case["contract"], removed_on__isnull=True).exists()


def test_a_worker_added_later_is_granted_the_persons_covered(case):
    late = user(Role.SERVICE_PROVIDER, "371302")
    services.provider_staff_add(actor=case["county"], provider=case["first"], user=late)
    assert _in_force(late, case["mine"]) and not _in_force(late, case["theirs"])


def test_a_provider_user_sees_and_logs_only_its_covered_persons(client, case):
    worker, theirs = case["worker"], case["theirs"]
    assert [row.person_id for row in selectors.my_persons(actor=worker)] == [case["mine"].pk]
    log = _log(case)
    with pytest.raises(ValidationError) as refused:
        _log(case, person=theirs)
    assert "person" in refused.value.message_dict
    assert ServiceLog.objects.count() == 1
    other = services.service_log_create(
        actor=case["rival"], person_id=theirs.pk, data=_log_data(), submission=uuid.uuid4()
    )
    client.force_login(worker)
    page = client.get("/care/my-persons/").content.decode()
    assert "照料甲某" in page and "照料乙某" not in page
    assert client.get(f"/care/my-persons/{case['mine'].pk}/log/").status_code == 200
    assert client.get(f"/care/my-persons/{theirs.pk}/log/").status_code == 404
    assert (
        client.post(f"/care/my-persons/{theirs.pk}/log/", {"submission": str(uuid.uuid4())}).status_code
        == 404
    )
    assert client.get(f"/care/service-logs/{log.pk}/").status_code == 200
    assert client.get(f"/care/service-logs/{other.pk}/").status_code == 404
    assert client.get(f"/care/contracts/{case['other'].pk}/").status_code == 404
    assert client.get(f"/care/providers/{case['second'].pk}/").status_code == 404
    assert client.get("/care/providers/").status_code == 403  # the bureaus' list
    assert ServiceLog.objects.count() == 2


def test_a_contract_covers_only_tekun_persons_at_home_of_its_own_area(
    case, make_household, lanshan_village, yinan_village
):
    county, first = case["county"], case["first"]
    data = {
        "area": "371321",
        "title": "越界",
        "starts_on": timezone.localdate(),
        "ends_on": timezone.localdate(),
        "budget": "1",
        "kinds": ["errands"],
    }
    with pytest.raises(ValidationError) as refused:
        services.contract_create(actor=county, provider=first, data=data)
    assert "area" in refused.value.message_dict
    township = services.contract_create(actor=county, provider=first, data=data | {"area": "371302001"})
    assert township.area_id == "371302001"
    yinan = user(Role.COUNTY_BUREAU, "371321")
    elsewhere = _tekun(make_household, yinan_village, yinan, "沂南特困")
    plain = make_household(
        lanshan_village, county, members=[("不是特困", 1, "02", datetime.date(1950, 1, 1))]
    )
    for person_id in (elsewhere.pk, plain.head_id, 10**9):
        with pytest.raises(ValidationError):
            services.contract_person_add(actor=county, contract=township, person_id=person_id)
    with pytest.raises(ValidationError):  # already covered
        services.contract_person_add(actor=county, contract=case["contract"], person_id=case["mine"].pk)
    with pytest.raises(PermissionDenied):
        services.contract_person_add(actor=yinan, contract=case["contract"], person_id=elsewhere.pk)
    with pytest.raises(PermissionDenied):
        services.contract_create(actor=user(Role.TOWNSHIP_OFFICE, "371302001"), provider=first, data=data)
    assert ContractPerson.objects.filter(contract=township).count() == 0


@pytest.mark.parametrize(
    "changes, field",
    [
        (
            {
                "started_at": timezone.now() + datetime.timedelta(hours=2),
                "ended_at": timezone.now() + datetime.timedelta(hours=3),
            },
            "started_at",
        ),
        (
            {
                "started_at": timezone.now() - datetime.timedelta(days=31),
                "ended_at": timezone.now() - datetime.timedelta(days=31) + datetime.timedelta(hours=1),
            },
            "started_at",
        ),
        ({"ended_at": timezone.now() - datetime.timedelta(hours=3)}, "ended_at"),
        ({"place": "家\x00中"}, "place"),
        ({"done": "打扫\x00"}, "done"),
        ({"kind": "counselling"}, "kind"),  # not bought by the contract
        ({"kind": "massage"}, "kind"),
        ({"latitude": "95", "longitude": "118"}, "latitude"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(case, changes, field):
    with pytest.raises(ValidationError) as refused:
        _log(case, **changes)
    assert field in refused.value.message_dict
    assert ServiceLog.objects.count() == 0 and Evidence.objects.count() == 0


def test_the_same_submission_twice_is_stored_once(client, case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    key = uuid.uuid4()
    first = services.service_log_create(
        actor=case["worker"], person_id=case["mine"].pk, data=_log_data(), submission=key
    )
    again = services.service_log_create(
        actor=case["worker"], person_id=case["mine"].pk, data=_log_data(), submission=key
    )
    assert first.pk == again.pk and ServiceLog.objects.count() == 1
    # The phone's form, sent twice (the outbox after a lost answer), with a photo.
    client.force_login(case["worker"])
    now = timezone.localtime()
    form = {
        "submission": str(uuid.uuid4()),
        "kind": "errands",
        "place": "家中",
        "done": "代购药品",
        "started_at": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ended_at": now.strftime("%Y-%m-%dT%H:%M"),
    }
    url = f"/care/my-persons/{case['mine'].pk}/log/"
    for _time in range(2):
        photo = SimpleUploadedFile("a.jpg", sample_files.jpeg(), content_type="image/jpeg")
        response = client.post(url, form | {"photo": photo})
        assert response.status_code == 302
    assert ServiceLog.objects.count() == 2
    log = ServiceLog.objects.get(submission=form["submission"])
    assert Evidence.objects.filter(subject_kind="care.service_log", subject_id=log.pk).count() == 1
    detail = client.get(f"/care/service-logs/{log.pk}/").content.decode()
    assert "代购药品" in detail and "a.jpg" in detail
    # Without a photo or a signature the page refuses it.
    response = client.post(url, form | {"submission": str(uuid.uuid4())})
    assert response.status_code == 400 and ServiceLog.objects.count() == 2


def test_the_coverage_counts_services_logged_not_contracts(case):
    coverage = selectors.service_coverage(area="371302")
    assert (coverage["dispersed"], coverage["served"]) == (2, 0)
    rates = {row.pk: row for row in selectors.provider_rates(actor=case["county"])}
    assert (rates[case["first"].pk].covered, rates[case["first"].pk].served) == (1, 0)
    _log(case)
    _log(case)
    coverage = selectors.service_coverage(area="371302")
    assert (coverage["dispersed"], coverage["served"], coverage["rate"]) == (2, 1, 50.0)
    rates = {row.pk: row for row in selectors.provider_rates(actor=case["county"])}
    first, second = rates[case["first"].pk], rates[case["second"].pk]
    assert (first.covered, first.served, first.delivery_rate, first.logs) == (1, 1, 100.0, 2)
    assert (second.covered, second.served, second.delivery_rate, second.logs) == (1, 0, 0.0, 0)
    # A service of last month is not this month's coverage.
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    assert selectors.service_coverage(area="371302", start=last_month, end=last_month)["served"] == 0
    # Another county's coverage counts none of them.
    assert selectors.service_coverage(area="371321")["dispersed"] == 0


def test_pages_open_for_the_right_users(client, case):
    _log(case)
    contract = case["contract"]
    readers = [
        case["county"],
        user(Role.CITY_BUREAU, "3713"),
        user(Role.TOWNSHIP_OFFICE, "371302001"),
        user(Role.AUDITOR, "371302"),
    ]
    for reader in readers:
        client.force_login(reader)
        for url in (
            "/care/providers/",
            f"/care/providers/{case['first'].pk}/",
            f"/care/contracts/{contract.pk}/",
        ):
            assert client.get(url).status_code == 200, (reader.role, url)
        assert "照料甲某" in client.get(f"/care/contracts/{contract.pk}/").content.decode()
    client.force_login(case["county"])
    assert client.get("/care/providers/new/").status_code == 200
    assert client.get("/care/contracts/new/").status_code == 200
    home = client.get("/care/").content.decode()
    assert 'id="service-coverage"' in home and "50.0" in home
    # A township reads but does not write.
    client.force_login(readers[2])
    assert client.get("/care/contracts/new/").status_code == 403
    assert (
        client.post(f"/care/contracts/{contract.pk}/end/", {"version": contract.version}).status_code == 403
    )
    for outsider in (user(Role.GRID_WORKER, "371302001201"), user(Role.COUNTY_BUREAU, "371321")):
        client.force_login(outsider)
        assert client.get(f"/care/contracts/{contract.pk}/").status_code in (403, 404)
        assert client.get(f"/care/providers/{case['first'].pk}/").status_code in (403, 404)
    # The county bureau adds a person and ends the contract from the page.
    client.force_login(case["county"])
    response = client.post(f"/care/contracts/{contract.pk}/end/", {"version": contract.version})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.state == "ended"


def test_the_api_lists_and_logs_in_scope(case):
    api = token_client(case["worker"])
    now = timezone.now()
    body = {
        "person": case["mine"].pk,
        "kind": "errands",
        "started_at": (now - datetime.timedelta(hours=1)).isoformat(),
        "ended_at": now.isoformat(),
        "place": "家中",
        "done": "代办",
        "submission": str(uuid.uuid4()),
    }
    assert api.post(f"{PREFIX}/care/service-logs", body, content_type="application/json").status_code == 201
    assert api.post(f"{PREFIX}/care/service-logs", body, content_type="application/json").status_code == 201
    assert ServiceLog.objects.count() == 1
    refused = api.post(
        f"{PREFIX}/care/service-logs",
        body | {"person": case["theirs"].pk, "submission": str(uuid.uuid4())},
        content_type="application/json",
    )
    assert refused.status_code in (400, 422) and ServiceLog.objects.count() == 1
    services.service_log_create(
        actor=case["rival"], person_id=case["theirs"].pk, data=_log_data(), submission=uuid.uuid4()
    )
    assert [row["person"] for row in api.get(f"{PREFIX}/care/service-logs").json()] == [case["mine"].pk]
    assert [row["id"] for row in api.get(f"{PREFIX}/care/contracts").json()] == [case["contract"].pk]
    county = token_client(case["county"])
    assert len(county.get(f"{PREFIX}/care/service-logs").json()) == 2
    assert token_client(user(Role.COUNTY_BUREAU, "371321")).get(f"{PREFIX}/care/service-logs").json() == []


def test_a_contract_past_its_last_day_and_a_person_entering_an_institution_end_the_cover(case):
    from safetynet.care import services as care_services
    from safetynet.care.models import ServiceContract

    # The person of the second contract enters centralised care: its cover and its grant end.
    services.coverage_end_for_person(person_id=case["theirs"].pk, day=timezone.localdate(), why="入院")
    assert not _in_force(case["rival"], case["theirs"])
    # The first contract's last day passes: the daily job ends it and the worker sees no one.
    ServiceContract.objects.filter(pk=case["contract"].pk).update(
        ends_on=timezone.localdate() - datetime.timedelta(days=1))
    care_services.care_terms_end(timezone.now())
    ended = ServiceContract.objects.get(pk=case["contract"].pk)
    assert ended.state == "ended" and not _in_force(case["worker"], case["mine"])
    assert selectors.my_persons(actor=case["worker"]) == []
