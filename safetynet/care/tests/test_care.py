"""特困 care: a willing person enters the county's queue and is placed into a free bed of any county's
institution, staying in the supporting county's scope and seen by the institution's staff; a person
at home gets a caregiver and a signed agreement (the caregiver's login granted the person while it is
in force), replaced after a failed evaluation; the KPIs count from these records; refusals change
nothing; steps over another's are refused."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user
from safetynet.care import selectors, services
from safetynet.care.models import CareAgreement, Placement, WillingnessSurvey
from safetynet.core.grants import grant_create
from safetynet.core.models import Division, Grant, Role
from safetynet.core.services import ConflictError
from safetynet.core.tests.sample_files import png
from safetynet.institutions.services import institution_create
from safetynet.programmes.services import enrolment_start
from safetynet.registry.models import Person

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def place(make_household, lanshan_village, yinan_village, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    county = user(Role.COUNTY_BUREAU, "371302")
    yinan = user(Role.COUNTY_BUREAU, "371321")
    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    old = make_household(lanshan_village, county, members=[("孙奶奶", 2, "02", datetime.date(1936, 3, 1))])
    home = make_household(lanshan_village, county, members=[("周大爷", 1, "02", datetime.date(1940, 7, 1))])
    people = {}
    for household in (old, home):
        head = household.head
        enrolment_start(
            actor=county,
            household=household,
            programme="tekun",
            since=datetime.date(2022, 1, 1),
            amount="1095",
            person=head,
        )
        people[head.name] = head
    Person.objects.filter(pk=people["孙奶奶"].pk).update(self_care=3)
    Person.objects.filter(pk=people["周大爷"].pk).update(self_care=2)
    # A home in Yinan (another county) with beds: a Lanshan person may be placed there.
    other_home = institution_create(
        actor=yinan,
        division=Division.objects.get(code=yinan_village.code[:9]),
        data={
            "name": "沂南县敬老院",
            "kind": "elderly_public",
            "address": "沂南1号",
            "beds": 1,
            "heating": "central",
        },
    )
    staff = user(Role.INSTITUTION_STAFF, "371321")
    grant_create(actor=yinan, user=staff, kind="institutions.institution", object_id=other_home.pk)
    return {
        "county": county,
        "yinan": yinan,
        "township": township,
        "people": people,
        "home": other_home,
        "staff": staff,
        "caregiver": user(Role.CAREGIVER, LANSHAN_TOWNSHIP),
    }


def survey(place, name="孙奶奶", **changes):
    return services.survey_record(
        actor=changes.pop("actor", place["township"]),
        person_id=place["people"][name].pk,
        data={
            "surveyed_on": TODAY(),
            "willing": True,
            "consent_by": "guardian",
            "consenter": "孙小明",
            "note": "",
            **changes,
        },
    )


def test_a_willing_person_is_queued_and_placed_in_another_countys_bed(place):
    survey(place)
    [waiting] = Placement.objects.all()
    assert waiting.state == "waiting" and waiting.division_id.startswith("371302")
    placed = services.placement_admit(
        actor=place["township"],
        placement_id=waiting.pk,
        version=waiting.version,
        data={"institution": place["home"].pk, "bed": "101-1", "admitted_on": TODAY()},
    )
    assert placed.state == "placed"
    # The supporting county keeps the person; the institution's staff see their resident; Yinan's bureau not.
    assert selectors.placement_get(actor=place["county"], pk=placed.pk)
    assert selectors.placement_get(actor=place["staff"], pk=placed.pk)
    with pytest.raises(ObjectDoesNotExist):
        selectors.placement_get(actor=place["yinan"], pk=placed.pk)
    # The one bed is taken: the next willing person is refused it.
    survey(place, name="周大爷", consent_by="person", consenter="")
    second = Placement.objects.get(state="waiting")
    with pytest.raises(ValidationError, match="没有空余床位"):
        services.placement_admit(
            actor=place["township"],
            placement_id=second.pk,
            version=second.version,
            data={"institution": place["home"].pk, "bed": "", "admitted_on": TODAY()},
        )
    assert Placement.objects.get(pk=second.pk).state == "waiting"
    figures = selectors.kpis(actor=place["county"])["total"]
    assert (figures["unable"], figures["unable_centralised"], figures["centralised_rate"]) == (2, 1, 50.0)


def test_a_survey_refuses_what_no_form_sends_and_an_unwilling_person_is_not_queued(place):
    with pytest.raises(ValidationError) as refused:
        survey(
            place,
            surveyed_on=TODAY() + datetime.timedelta(days=1),
            consent_by="guardian",
            consenter="",
            note="a\x00b",
        )
    assert {"surveyed_on", "consenter", "note"} <= set(refused.value.message_dict)
    with pytest.raises(PermissionDenied):
        survey(place, actor=place["yinan"])
    survey(place, willing=False, consent_by="person", consenter="")
    assert WillingnessSurvey.objects.count() == 1 and not Placement.objects.exists()


def test_a_signed_agreement_grants_the_caregiver_and_a_failed_evaluation_replaces_it(
    place,
):
    person = place["people"]["周大爷"]
    data = {
        "caregiver_kind": "person",
        "caregiver_name": "李护理",
        "caregiver_phone": "13800000000",
        "duties": "日常照料",
        "visit_every_days": 7,
        "monthly_fee": Decimal("300"),
        "starts_on": TODAY(),
        "ends_on": TODAY() + datetime.timedelta(days=365),
        "caregiver_user": place["caregiver"],
        "visiting_officer": None,
    }
    with pytest.raises(ValidationError) as refused:
        services.agreement_draft(
            actor=place["township"],
            person_id=person.pk,
            data={
                **data,
                "visit_every_days": 60,
                "monthly_fee": Decimal("-1"),
                "ends_on": TODAY() - datetime.timedelta(days=400),
            },
        )
    assert {"visit_every_days", "monthly_fee", "ends_on"} <= set(refused.value.message_dict)
    agreement = services.agreement_draft(actor=place["township"], person_id=person.pk, data=data)
    with pytest.raises(ValidationError, match="生效的照料协议"):
        services.agreement_draft(actor=place["township"], person_id=person.pk, data=data)
    assert selectors.kpis(actor=place["county"])["total"]["agreed"] == 0  # drawn up is not signed
    with pytest.raises(ValidationError):
        services.agreement_sign(
            actor=place["township"],
            agreement_id=agreement.pk,
            version=agreement.version,
            signed_on=TODAY(),
            signature=None,
        )
    signature = SimpleUploadedFile("签名.png", png(), content_type="image/png")
    signed = services.agreement_sign(
        actor=place["township"],
        agreement_id=agreement.pk,
        version=agreement.version,
        signed_on=TODAY(),
        signature=signature,
    )
    assert signed.state == "signed"
    assert Grant.objects.filter(
        user=place["caregiver"], object_id=person.pk, revoked_at__isnull=True
    ).exists()
    with pytest.raises(ConflictError):
        services.agreement_end(
            actor=place["county"],
            agreement_id=signed.pk,
            version=agreement.version,
            data={"ended_on": TODAY(), "reason": "other", "note": "x"},
        )
    figures = selectors.kpis(actor=place["county"])["total"]
    assert (figures["dispersed"], figures["agreed"], figures["agreement_rate"]) == (2, 1, 50.0)
    nxt = services.caregiver_replace(
        actor=place["township"],
        agreement_id=signed.pk,
        version=signed.version,
        evaluation="多次未按约定探视",
        data={**data, "caregiver_name": "王护理", "caregiver_user": None},
    )
    old = CareAgreement.objects.get(pk=signed.pk)
    assert (old.state, old.end_reason, nxt.previous_id, nxt.state) == (
        "ended",
        "failed_evaluation",
        old.pk,
        "draft",
    )
    assert not Grant.objects.filter(
        user=place["caregiver"], object_id=person.pk, revoked_at__isnull=True
    ).exists()


def test_placing_a_person_ends_their_agreement_and_payments_read_where_support_goes(place):
    person = place["people"]["孙奶奶"]
    agreement = services.agreement_draft(
        actor=place["township"],
        person_id=person.pk,
        data={
            "caregiver_kind": "organisation",
            "caregiver_name": "兰山护理站",
            "duties": "照料",
            "visit_every_days": 7,
            "monthly_fee": "0",
            "starts_on": TODAY() - datetime.timedelta(days=30),
            "ends_on": TODAY() + datetime.timedelta(days=300),
            "caregiver_user": None,
            "visiting_officer": None,
        },
    )
    services.agreement_sign(
        actor=place["township"],
        agreement_id=agreement.pk,
        version=agreement.version,
        signed_on=TODAY() - datetime.timedelta(days=30),
        signature=SimpleUploadedFile("s.png", png(), content_type="image/png"),
    )
    payees = {row["person"]: row for row in selectors.care_payees(on=TODAY())}
    assert payees[person.pk]["caregiver"] == "兰山护理站" and payees[person.pk]["institution"] is None
    survey(place)
    waiting = Placement.objects.get()
    services.placement_admit(
        actor=place["county"],
        placement_id=waiting.pk,
        version=waiting.version,
        data={"institution": place["home"].pk, "bed": "", "admitted_on": TODAY()},
    )
    assert CareAgreement.objects.get().end_reason == "person_placed"
    payees = {row["person"]: row for row in selectors.care_payees(on=TODAY())}
    assert payees[person.pk]["institution"] == place["home"].pk and payees[person.pk]["caregiver"] is None


def test_pages_as_the_township_and_refused_to_others(place):
    township, yinan = Client(), Client()
    township.force_login(place["township"])
    yinan.force_login(place["yinan"])
    person = place["people"]["孙奶奶"]
    page = township.get(f"/care/persons/{person.pk}/")
    assert page.status_code == 200 and "孙奶奶" in page.content.decode()
    assert yinan.get(f"/care/persons/{person.pk}/").status_code == 404
    form = {"surveyed_on": TODAY().isoformat(), "willing": "yes", "consent_by": "person", "note": "",
            "submission": "6f1c2a4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"}
    sent = township.post(f"/care/persons/{person.pk}/surveys/new/", form)
    assert sent.status_code == 302 and Placement.objects.get().state == "waiting"
    again = township.post(f"/care/persons/{person.pk}/surveys/new/", form)  # the same form, resent
    assert again.status_code == 302 and WillingnessSurvey.objects.count() == 1
    placement = Placement.objects.get()
    assert yinan.post(f"/care/placements/{placement.pk}/admit/", {}).status_code == 404
    admitted = township.post(
        f"/care/placements/{placement.pk}/admit/",
        {
            "version": placement.version,
            "institution": place["home"].pk,
            "bed": "",
            "admitted_on": TODAY().isoformat(),
        },
    )
    assert admitted.status_code == 302 and Placement.objects.get().state == "placed"
    for url in (
        "/care/",
        "/care/persons/?show=missing",
        "/care/placements/",
        "/care/persons/?show=" + "9" * 20,
    ):
        assert township.get(url).status_code == 200, url
    # The person placed in Yinan shows where she lives; the beds page lists the area's own homes.
    assert "沂南县敬老院" in township.get(f"/care/persons/{person.pk}/").content.decode()
    assert "沂南县敬老院" not in township.get("/care/placements/").content.decode()
    provider = Client()
    provider.force_login(user(Role.SERVICE_PROVIDER, "371302"))
    assert provider.get("/care/").status_code == 403


def test_the_kpi_page_and_api_give_the_same_figures_to_the_area_and_nothing_to_others(place):
    from safetynet.core.services import api_token_create

    survey(place)
    waiting = Placement.objects.get()
    services.placement_admit(
        actor=place["county"],
        placement_id=waiting.pk,
        version=waiting.version,
        data={"institution": place["home"].pk, "bed": "", "admitted_on": TODAY()},
    )
    county = Client(
        headers={"Authorization": f"Bearer {api_token_create(user=place['county'], name='t')[1]}"}
    )
    figures = county.get("/api/v1/care/kpis").json()
    assert figures["kpis"]["total"]["centralised_rate"] == 50.0 and figures["kpis"]["total"]["dispersed"] == 1
    assert "visits" in figures and figures["visits"]["total"]["households"] == 1
    page = Client()
    page.force_login(place["county"])
    text = page.get("/care/").content.decode()
    assert "50.0" in text and "周大爷" not in text
    yinan = Client(headers={"Authorization": f"Bearer {api_token_create(user=place['yinan'], name='t')[1]}"})
    assert yinan.get("/api/v1/care/kpis").json()["kpis"]["total"]["persons"] == 0
    key = api_token_create(user=user(Role.SERVICE_PROVIDER, "371302"), name="t")[1]
    provider = Client(headers={"Authorization": f"Bearer {key}"})
    assert provider.get("/api/v1/care/kpis").status_code == 403


def test_an_institutions_staff_see_their_residents_and_no_one_waiting(place):
    survey(place)
    survey(place, name="周大爷", consent_by="person", consenter="")
    first = Placement.objects.get(person=place["people"]["孙奶奶"])
    services.placement_admit(
        actor=place["county"],
        placement_id=first.pk,
        version=first.version,
        data={"institution": place["home"].pk, "bed": "1", "admitted_on": TODAY()},
    )
    staff = Client()
    staff.force_login(place["staff"])
    page = staff.get("/care/residents/").content.decode()
    assert "孙奶奶" in page and "周大爷" not in page
    assert staff.get("/care/persons/").status_code == 403
    township = Client()
    township.force_login(place["township"])
    unsurveyed = township.get("/care/persons/", {"show": "unsurveyed"}).content.decode()
    assert "孙奶奶" not in unsurveyed


def test_terms_that_run_out_end_by_themselves_and_the_caregiver_sees_the_person_no_more(place):
    person = place["people"]["周大爷"]
    agreement = services.agreement_draft(
        actor=place["township"],
        person_id=person.pk,
        data={
            "caregiver_kind": "person",
            "caregiver_name": "李护理",
            "duties": "照料",
            "visit_every_days": 7,
            "monthly_fee": "300",
            "starts_on": TODAY() - datetime.timedelta(days=30),
            "ends_on": TODAY(),
            "caregiver_user": place["caregiver"],
            "visiting_officer": None,
        },
    )
    services.agreement_sign(
        actor=place["township"],
        agreement_id=agreement.pk,
        version=agreement.version,
        signed_on=TODAY() - datetime.timedelta(days=30),
        signature=SimpleUploadedFile("s.png", png(), content_type="image/png"),
    )
    held = Grant.objects.filter(user=place["caregiver"], object_id=person.pk, revoked_at__isnull=True)
    assert held.exists()
    services.care_terms_end(timezone.now())  # the last day: still in force
    assert CareAgreement.objects.get().state == "signed"
    said = services.care_terms_end(timezone.now() + datetime.timedelta(days=1))
    ended = CareAgreement.objects.get()
    assert (ended.state, ended.end_reason, ended.ended_on) == ("ended", "expired", TODAY())
    assert not held.exists() and "1" in said


def test_an_institution_without_beds_takes_no_one(place):
    place["home"].__class__.objects.filter(pk=place["home"].pk).update(beds=0)
    survey(place)
    waiting = Placement.objects.get()
    with pytest.raises(ValidationError):
        services.placement_admit(
            actor=place["township"],
            placement_id=waiting.pk,
            version=waiting.version,
            data={"institution": place["home"].pk, "bed": "", "admitted_on": TODAY()},
        )
    assert Placement.objects.get().state == "waiting"


def test_a_survey_belongs_to_a_campaign_covering_the_person_on_its_day_or_to_none(place):
    from safetynet.core.campaigns.services import campaign_create

    city = user(Role.CITY_BUREAU, "3713")
    drive = campaign_create(
        actor=city,
        data={
            "name": "集中供养意愿摸排",
            "kind": "other",
            "area": "3713",
            "starts_on": TODAY() - datetime.timedelta(days=5),
            "ends_on": TODAY() + datetime.timedelta(days=30),
        },
    )
    yinan_drive = campaign_create(
        actor=place["yinan"],
        data={
            "name": "沂南摸排",
            "kind": "other",
            "area": "371321",
            "starts_on": TODAY(),
            "ends_on": TODAY(),
        },
    )
    with pytest.raises(ValidationError) as refused:
        survey(place, campaign=yinan_drive)
    assert "campaign" in refused.value.message_dict and not WillingnessSurvey.objects.exists()
    assert survey(place, campaign=drive).campaign == drive
    township = Client()
    township.force_login(place["township"])
    page = township.get(f"/care/persons/{place['people']['周大爷'].pk}/").content.decode()
    assert "集中供养意愿摸排" in page and "沂南摸排" not in page
