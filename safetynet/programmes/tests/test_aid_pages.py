"""Temporary aid on its pages and through the API: a township clerk records an emergency for a
traveller, pays it first and completes the paperwork; the list marks late paperwork; numbers are
masked for everyone on the pages and whole through the API only for those who may ask; another
county's user gets 404; bad input is answered in Chinese with nothing changed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.ids import make_id_number
from safetynet.core.models import ChangeRecord, Role, UnmaskLog
from safetynet.core.services import api_token_create
from safetynet.programmes.aid import services
from safetynet.programmes.models import AidPayment, TemporaryAid

pytestmark = pytest.mark.django_db
VILLAGE = LANSHAN_TOWNSHIP + "201"
HENAN_ID = make_id_number("410102", datetime.date(1985, 3, 4), 17)
MASKED = HENAN_ID[:4] + "*" * 10 + HENAN_ID[-4:]


@pytest.fixture
def township(db):
    village(VILLAGE)
    return user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def traveller(township, **kwargs):
    return services.emergency_report(
        actor=township,
        area_code=VILLAGE,
        cause="traffic",
        what="车祸",
        name="过路人",
        id_number=HENAN_ID,
        phone="13912345678",
        **kwargs,
    )


def test_a_clerk_records_a_traveller_pays_first_and_completes_the_paperwork(client, township):
    client.force_login(township)
    page = client.get(reverse("programmes:aid_emergency"))
    assert page.status_code == 200 and "登记急难情况" in page.content.decode()
    response = client.post(
        reverse("programmes:aid_emergency"),
        {
            "area": VILLAGE,
            "cause": "traffic",
            "what": "途经本地遭遇车祸",
            "name": "过路人",
            "id_number": HENAN_ID,
            "home_place": "河南省郑州市",
            "phone": "13912345678",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    aid = TemporaryAid.objects.get()
    assert aid.person_id is None and aid.area_id == VILLAGE
    detail = client.get(response.url).content.decode()
    assert MASKED in detail and HENAN_ID not in detail and "24小时" in detail
    paid = client.post(
        reverse("programmes:aid_record", args=[aid.pk, "pay"]),
        {
            "approved_amount": "2,000元",
            "amount": "1500",
            "means": "cash",
            "from_reserve": "on",
            "version": aid.version,
        },
    )
    assert paid.status_code == 302
    aid.refresh_from_db()
    assert aid.paid_total == 1500 and aid.case.state == "first_aid_paid"
    done = client.post(
        reverse("programmes:aid_record", args=[aid.pk, "paperwork"]),
        {"registrar": "王登记", "signatories": "过路人，王登记", "version": aid.version},
    )
    assert done.status_code == 302
    aid.refresh_from_db()
    assert aid.paperwork_signatories == ["过路人", "王登记"] and aid.case.state == "paperwork_completed"
    listing = client.get(reverse("programmes:aid_list")).content.decode()
    assert "过路人" in listing and MASKED in listing and "late-paperwork" not in listing


def test_the_list_marks_late_paperwork(client, township):
    reported = timezone.now() - datetime.timedelta(days=9)
    aid = traveller(township, reported_at=reported)
    services.aid_pay(
        actor=township,
        aid_id=aid.pk,
        version=aid.version,
        amount="300",
        means="cash",
        paid_at=reported + datetime.timedelta(hours=2),
    )
    client.force_login(township)
    listing = client.get(reverse("programmes:aid_list"), {"late": "1"}).content.decode()
    assert "late-paperwork" in listing and "手续逾期" in listing


def test_bad_input_on_the_page_is_answered_in_chinese_and_nothing_changes(client, township):
    client.force_login(township)
    for data in (
        {"what": "失火\x00", "name": "某"},
        {"what": "x", "name": "某", "id_number": "1" * 20},
        {"what": "x", "name": ""},
    ):
        response = client.post(
            reverse("programmes:aid_emergency"), {"area": VILLAGE, "cause": "fire", **data}
        )
        assert response.status_code == 400 and chinese(response.content.decode())
    assert not TemporaryAid.objects.exists()
    aid = traveller(township)
    changes = ChangeRecord.objects.count()
    for amount in ("-100", "1" * 20, "abc", "3000.01"):
        response = client.post(
            reverse("programmes:aid_record", args=[aid.pk, "pay"]),
            {"approved_amount": amount, "amount": amount, "means": "cash", "version": aid.version},
        )
        assert response.status_code == 400 and chinese(response.content.decode())
    # A stale version: told, nothing paid.
    services.aid_pay(actor=township, aid_id=aid.pk, version=aid.version, amount="100", means="cash")
    changes = ChangeRecord.objects.count()
    stale = client.post(
        reverse("programmes:aid_record", args=[aid.pk, "pay"]),
        {"amount": "100", "means": "cash", "version": aid.version},
    )
    assert stale.status_code == 400 and "刷新" in stale.content.decode()
    assert AidPayment.objects.count() == 1 and ChangeRecord.objects.count() == changes
    assert client.get("/programmes/aid/12345678901234567890/").status_code == 404


def test_another_county_gets_404_and_roles_that_may_not_record_are_refused(client, township):
    aid = traveller(township)
    client.force_login(user(Role.COUNTY_BUREAU, "371321"))
    assert client.get(reverse("programmes:aid", args=[aid.pk])).status_code == 404
    assert (
        client.post(
            reverse("programmes:aid_record", args=[aid.pk, "pay"]),
            {"amount": "1", "means": "cash", "version": 1},
        ).status_code
        == 404
    )
    assert "过路人" not in client.get(reverse("programmes:aid_list")).content.decode()
    client.force_login(user(Role.VILLAGE_COORDINATOR, VILLAGE))
    page = client.get(reverse("programmes:aid", args=[aid.pk])).content.decode()
    assert MASKED in page and HENAN_ID not in page and "pay-form" not in page
    assert client.get(reverse("programmes:aid_emergency")).status_code == 403


def test_the_api_masks_numbers_and_unmasks_only_for_those_who_may(township):
    from django.test import Client

    def api(actor):
        return Client(headers={"Authorization": f"Bearer {api_token_create(user=actor, name='t')[1]}"})

    created = api(township).post(
        "/api/v1/programmes/temporary-aid/emergencies",
        {"area": VILLAGE, "cause": "fire", "what": "家中失火", "name": "过路人", "id_number": HENAN_ID},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    aid_id = created.json()["id"]
    assert created.json()["id_number"] == MASKED
    coordinator = api(user(Role.VILLAGE_COORDINATOR, VILLAGE))
    shown = coordinator.get(f"/api/v1/programmes/temporary-aid/{aid_id}?unmask=true").json()
    assert shown["id_number"] == MASKED
    county = api(user(Role.COUNTY_BUREAU, "371302"))
    logs = UnmaskLog.objects.count()
    assert (
        county.get(f"/api/v1/programmes/temporary-aid/{aid_id}?unmask=true").json()["id_number"] == HENAN_ID
    )
    assert UnmaskLog.objects.count() == logs + 1
    other = api(user(Role.COUNTY_BUREAU, "371321"))
    assert other.get(f"/api/v1/programmes/temporary-aid/{aid_id}").status_code == 404
    assert (
        other.post(
            f"/api/v1/programmes/temporary-aid/{aid_id}/payments",
            {"version": 1, "amount": "100", "means": "cash"},
            content_type="application/json",
        ).status_code
        == 404
    )
    client = api(township)
    for amount in ("-1", "99999999999999999999", "1.001"):
        refused = client.post(
            f"/api/v1/programmes/temporary-aid/{aid_id}/payments",
            {"version": 1, "amount": amount, "means": "cash"},
            content_type="application/json",
        )
        assert refused.status_code == 422 and chinese(str(refused.json())), refused.content
    nul = client.post(
        "/api/v1/programmes/temporary-aid/emergencies",
        {"area": VILLAGE, "cause": "fire", "what": "失\x00火", "name": "某"},
        content_type="application/json",
    )
    assert nul.status_code == 422 and chinese(str(nul.json()))
    assert client.get("/api/v1/programmes/temporary-aid/12345678901234567890").status_code in (404, 422)
    paid = client.post(
        f"/api/v1/programmes/temporary-aid/{aid_id}/payments",
        {"version": 1, "amount": "1000", "means": "cash", "from_reserve": True},
        content_type="application/json",
    )
    assert paid.status_code == 200 and paid.json()["state"] == "first_aid_paid"
    stale = client.post(
        f"/api/v1/programmes/temporary-aid/{aid_id}/payments",
        {"version": 1, "amount": "10", "means": "cash"},
        content_type="application/json",
    )
    assert stale.status_code == 409 and chinese(stale.json()["detail"])
    assert AidPayment.objects.count() == 1


def test_heating_page_grants_for_the_county(client, township):
    county = user(Role.COUNTY_BUREAU, "371302")
    client.force_login(county)
    assert client.get(reverse("programmes:aid_heating")).status_code == 200
    response = client.post(
        reverse("programmes:aid_heating"),
        {
            "area": "371302",
            "season": "2026",
            "programmes": ["dibao", "tekun"],
            "on": "2026-11-15",
            "amount": "300",
        },
    )
    assert response.status_code == 302
    client.force_login(township)
    assert client.post(reverse("programmes:aid_heating"), {"area": "371302"}).status_code == 403
