"""The registry through /api/v1: scope, validation in the user's language, versions, money, masking."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import person_data
from safetynet.core.masking import mask_id_number, mask_phone
from safetynet.core.models import ChangeRecord, Role, UnmaskLog, User
from safetynet.core.services import api_token_create
from safetynet.core.tests import sample_files
from safetynet.registry import services
from safetynet.registry.models import Household, IncomeItem, Person

pytestmark = pytest.mark.django_db

PDF = sample_files.pdf()


def api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=user, name='test')[1]}"})


def staff(role: str, division_code: str) -> User:
    return User.objects.create_user(username=f"{role}-{division_code}", password="Pass-word-2022",  # noqa: S106
                                    role=role, division_id=division_code)


def fill(household: Household, actor: User) -> SimpleNamespace:
    """An income item, an asset, an expense and a document on the household."""
    return SimpleNamespace(
        income=services.income_item_create(actor=actor, household=household, data={
            "category": "wage", "amount": Decimal("1500.00"), "period_start": datetime.date(2022, 1, 1),
            "period_end": datetime.date(2022, 12, 31)}),
        asset=services.asset_item_create(actor=actor, household=household, data={
            "asset_type": "101", "value": Decimal("3000.00")}),
        expense=services.expense_create(actor=actor, household=household, data={
            "expense_type": "medical", "amount": Decimal("800.00"),
            "incurred_on": datetime.date(2022, 5, 1)}),
        document=services.document_upload(actor=actor, household=household, material_type="101",
                                          upload=SimpleUploadedFile("户口本.pdf", PDF, "application/pdf")),
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "documents"
    return settings.MEDIA_ROOT


@pytest.fixture
def mine(make_household, lanshan_village, county_user, media):
    household = make_household(lanshan_village, county_user, phone="13812345678", members=[
        ("王大", 1, "02", datetime.date(1960, 1, 1)), ("李二", 2, "12", datetime.date(1962, 2, 2))])
    return SimpleNamespace(household=household, **vars(fill(household, county_user)))


@pytest.fixture
def theirs(make_household, yinan_village, other_county_user, media):
    household = make_household(yinan_village, other_county_user, members=[
        ("沂南甲", 1, "02", datetime.date(1955, 3, 3)), ("沂南乙", 2, "12", datetime.date(1957, 4, 4))])
    return SimpleNamespace(household=household, **vars(fill(household, other_county_user)))


def new_person(village, **extra) -> dict:
    data = person_data(village, name="赵新", **extra)
    return {**data, "birth_date": data["birth_date"].isoformat(), "hukou_division": village.code,
            "residence_division": village.code}


# --- scope -----------------------------------------------------------------------------------------

def test_county_token_lists_only_its_county(county_user, mine, theirs):
    response = api(county_user).get("/api/v1/households")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [h["id"] for h in body["items"]] == [mine.household.pk]
    assert body["items"][0]["member_count"] == 2
    assert "沂南" not in response.content.decode()
    assert [p["name"] for p in api(county_user).get("/api/v1/persons").json()["items"]] == ["李二", "王大"]


def test_other_county_household_is_404_everywhere(county_user, mine, theirs):
    client, pk = api(county_user), theirs.household.pk
    changes = ChangeRecord.objects.count()
    assert client.get(f"/api/v1/households/{pk}").status_code == 404
    assert client.patch(f"/api/v1/households/{pk}", {"version": theirs.household.version, "address": "x"},
                        content_type="application/json").status_code == 404
    assert client.delete(f"/api/v1/households/{pk}").status_code == 404
    for kind in ("members", "income", "assets", "expenses", "documents"):
        assert client.get(f"/api/v1/households/{pk}/{kind}").status_code == 404, kind
    assert client.post(f"/api/v1/households/{pk}/income", {
        "category": "wage", "amount": "1.00", "period_start": "2022-01-01", "period_end": "2022-01-31"},
        content_type="application/json").status_code == 404
    assert client.get(f"/api/v1/documents/{theirs.document.pk}/file").status_code == 404
    assert client.delete(f"/api/v1/documents/{theirs.document.pk}").status_code == 404
    assert client.delete(f"/api/v1/income/{theirs.income.pk}").status_code == 404
    assert client.get(f"/api/v1/persons/{theirs.household.head_id}").status_code == 404
    # Not found reads the same as a household that does not exist at all.
    assert client.get("/api/v1/households/999999").json() == client.get(f"/api/v1/households/{pk}").json()
    theirs.household.refresh_from_db()
    assert theirs.household.status == "active"
    assert ChangeRecord.objects.count() == changes


def test_a_person_of_another_county_cannot_be_named_in_a_body(county_user, other_county_user, mine, theirs):
    other = services.person_create(actor=other_county_user, data=person_data(theirs.household.village))[0]
    response = api(county_user).post(f"/api/v1/households/{mine.household.pk}/members",
                                     {"person": other.pk, "relation": "20"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "person"


def test_role_without_registry_access_is_403(mine):
    rescue = staff(Role.RESCUE_STATION, "371302")
    assert api(rescue).get("/api/v1/households").status_code == 403
    assert api(rescue).get(f"/api/v1/households/{mine.household.pk}").status_code == 403


def test_grid_worker_reads_but_cannot_write(mine, lanshan_village):
    grid = staff(Role.GRID_WORKER, lanshan_village.code)
    client = api(grid)
    assert client.get(f"/api/v1/households/{mine.household.pk}").status_code == 200
    response = client.patch(f"/api/v1/households/{mine.household.pk}",
                            {"version": mine.household.version, "address": "新地址"},
                            content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"]


# --- create, update, versions ----------------------------------------------------------------------

def test_create_household_with_new_head_then_update_with_version(county_user, lanshan_village, media):
    client = api(county_user)
    response = client.post("/api/v1/households", {
        "village": lanshan_village.code, "address": "幸福路9号", "urban_rural": "rural", "heating": "2",
        "floor_area": "65.50", "head": new_person(lanshan_village, phone="13900001111"),
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    household = response.json()
    assert household["head"]["name"] == "赵新"
    assert household["floor_area"] == "65.50"
    assert household["member_count"] == 1

    pk, version = household["id"], household["version"]
    response = client.patch(f"/api/v1/households/{pk}", {"version": version, "co_alarm": True},
                            content_type="application/json")
    assert response.status_code == 200
    assert response.json()["co_alarm"] is True
    assert response.json()["version"] == version + 1

    stale = client.patch(f"/api/v1/households/{pk}", {"version": version, "address": "别的路"},
                         content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["detail"]
    assert Household.objects.get(pk=pk).address == "幸福路9号"


def test_create_person_and_update_with_stale_version(county_user, lanshan_village):
    client = api(county_user)
    response = client.post("/api/v1/persons", new_person(lanshan_village), content_type="application/json")
    assert response.status_code == 201, response.content
    person = response.json()
    assert person["household"] is None
    pk = person["id"]
    ok = client.patch(f"/api/v1/persons/{pk}", {"version": person["version"], "health": "20"},
                      content_type="application/json")
    assert ok.status_code == 200 and ok.json()["health"] == "20"
    stale = client.patch(f"/api/v1/persons/{pk}", {"version": person["version"], "health": "40"},
                         content_type="application/json")
    assert stale.status_code == 409
    assert Person.objects.get(pk=pk).health == "20"


def test_invalid_id_number_is_422_and_creates_nothing(county_user, lanshan_village):
    client = api(county_user)
    data = new_person(lanshan_village)
    data["id_number"] = data["id_number"][:-1] + ("0" if data["id_number"][-1] != "0" else "1")
    response = client.post("/api/v1/persons", data, content_type="application/json")
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [e["field"] for e in errors] == ["id_number"]
    assert errors[0]["message"]
    assert not Person.objects.exists()

    response = client.post("/api/v1/households", {"village": lanshan_village.code, "address": "幸福路9号",
                                                  "urban_rural": "rural", "head": data},
                           content_type="application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["head.id_number"]
    assert not Person.objects.exists() and not Household.objects.exists()


def test_schema_errors_name_the_field(county_user, mine):
    response = api(county_user).post(f"/api/v1/households/{mine.household.pk}/income", {
        "category": "salary", "amount": "lots", "period_start": "2022-13-01", "period_end": "2022-01-31"},
        content_type="application/json", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert set(fields) == {"category", "amount", "period_start"}
    assert fields["amount"] == "Enter a number."


def test_service_rule_is_422_with_field(county_user, mine):
    response = api(county_user).post(f"/api/v1/households/{mine.household.pk}/income", {
        "category": "wage", "amount": "100.00", "period_start": "2022-02-01", "period_end": "2022-01-01"},
        content_type="application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["period_end"]


def test_money_round_trips_exactly(county_user, mine):
    client = api(county_user)
    response = client.post(f"/api/v1/households/{mine.household.pk}/income", {
        "category": "wage", "amount": "1234.56", "deduction_kind": "employment_cost",
        "deduction_amount": "0.10", "period_start": "2022-01-01", "period_end": "2022-01-31"},
        content_type="application/json")
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["amount"] == "1234.56" and item["deduction_amount"] == "0.10"
    assert IncomeItem.objects.get(pk=item["id"]).amount == Decimal("1234.56")
    listed = client.get(f"/api/v1/households/{mine.household.pk}/income").json()
    assert {i["amount"] for i in listed} == {"1500.00", "1234.56"}
    assert '"amount": "1234.56"' in client.get(f"/api/v1/income/{item['id']}").content.decode()

    changed = client.patch(f"/api/v1/income/{item['id']}", {"version": item["version"], "amount": "0.01"},
                           content_type="application/json")
    assert changed.status_code == 200 and changed.json()["amount"] == "0.01"
    too_precise = client.patch(f"/api/v1/income/{item['id']}",
                               {"version": changed.json()["version"], "amount": "1.005"},
                               content_type="application/json")
    assert too_precise.status_code == 422
    assert too_precise.json()["detail"][0]["field"] == "amount"


def test_items_change_and_delete(county_user, mine):
    client = api(county_user)
    asset = client.get(f"/api/v1/assets/{mine.asset.pk}").json()
    response = client.patch(f"/api/v1/assets/{mine.asset.pk}", {"version": asset["version"], "exempt": True,
                                                                "exempt_reason": "living_necessity"},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["exempt"] is True
    assert client.delete(f"/api/v1/expenses/{mine.expense.pk}").status_code == 204
    assert client.get(f"/api/v1/expenses/{mine.expense.pk}").status_code == 404
    assert client.get(f"/api/v1/households/{mine.household.pk}/expenses").json() == []


def test_members_add_move_update_remove(county_user, mine, make_household, lanshan_village):
    client = api(county_user)
    pk = mine.household.pk
    added = client.post(f"/api/v1/households/{pk}/members",
                        {"new_person": new_person(lanshan_village, sex=1), "relation": "20"},
                        content_type="application/json")
    assert added.status_code == 201, added.content
    member = added.json()
    assert member["person"]["name"] == "赵新"

    changed = client.patch(f"/api/v1/members/{member['id']}",
                           {"version": member["version"], "co_living": False, "exclusion": "prison"},
                           content_type="application/json")
    assert changed.status_code == 200 and changed.json()["exclusion"] == "prison"

    other = make_household(lanshan_village, county_user,
                           members=[("孙三", 1, "02", datetime.date(1970, 1, 1))])
    moved = client.post(f"/api/v1/households/{other.pk}/members/move",
                        {"person": member["person"]["id"], "relation": "20"}, content_type="application/json")
    assert moved.status_code == 201
    assert moved.json()["household"] == other.pk
    past = client.get(f"/api/v1/households/{pk}/members", {"include_past": True}).json()
    assert [m["leave_reason"] for m in past if m["person"]["id"] == member["person"]["id"]] == ["moved"]

    # DELETE carries its options in the query string.
    removed = client.delete(f"/api/v1/members/{moved.json()['id']}?reason=married_out")
    assert removed.status_code == 200
    assert removed.json()["leave_reason"] == "married_out" and removed.json()["left_on"]
    assert len(client.get(f"/api/v1/households/{other.pk}/members").json()) == 1


def test_cancel_household_keeps_it(county_user, mine):
    client = api(county_user)
    response = client.delete(f"/api/v1/households/{mine.household.pk}?version={mine.household.version}")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert client.get("/api/v1/households", {"status": "cancelled"}).json()["count"] == 1


def test_filters_and_search(county_user, mine, make_household, lanshan_village):
    make_household(lanshan_village, county_user, members=[("周末", 1, "02", datetime.date(1980, 1, 1))])
    client = api(county_user)
    assert client.get("/api/v1/households").json()["count"] == 2
    found = client.get("/api/v1/households", {"q": "李二"}).json()
    assert [h["id"] for h in found["items"]] == [mine.household.pk]
    last4 = mine.household.head.id_number[-4:]
    by_digits = client.get("/api/v1/households", {"q": last4}).json()["items"]
    assert mine.household.pk in [h["id"] for h in by_digits]
    second_page = client.get("/api/v1/households", {"page_size": 1, "page": 2}).json()
    assert [h["id"] for h in second_page["items"]] == [mine.household.pk]
    assert client.get("/api/v1/households", {"division": "371321"}).json()["count"] == 0
    assert client.get("/api/v1/persons", {"q": "周"}).json()["count"] == 1


# --- masking ---------------------------------------------------------------------------------------

def test_identifiers_are_masked_by_default(county_user, mine):
    client = api(county_user)
    head = mine.household.head
    person = client.get(f"/api/v1/persons/{head.pk}").json()
    assert person["id_number"] == mask_id_number(head.id_number) != head.id_number
    assert person["unmasked"] is False
    household = client.get(f"/api/v1/households/{mine.household.pk}").json()
    assert household["phone"] == mask_phone("13812345678")
    assert household["head"]["id_number"] == mask_id_number(head.id_number)
    assert head.id_number not in client.get("/api/v1/households").content.decode()
    assert not UnmaskLog.objects.exists()


def test_county_user_unmasks_and_it_is_logged(county_user, mine):
    client = api(county_user)
    head = mine.household.head
    person = client.get(f"/api/v1/persons/{head.pk}", {"unmask": "true"}).json()
    assert person["id_number"] == head.id_number and person["unmasked"] is True
    log = UnmaskLog.objects.get()
    assert (log.actor, log.subject_type, log.subject_id, log.channel) == (county_user, "person", head.pk,
                                                                          "api")

    members = client.get(f"/api/v1/households/{mine.household.pk}/members", {"unmask": "true"}).json()
    whole = {membership.person.id_number for membership in mine.household.memberships.all()}
    assert {m["person"]["id_number"] for m in members} == whole
    household = client.get(f"/api/v1/households/{mine.household.pk}", {"unmask": "true"}).json()
    assert household["phone"] == "13812345678"
    assert UnmaskLog.objects.filter(subject_type="household", subject_id=mine.household.pk).count() == 1
    # One log row per person shown per response: the head appears once in the household's response.
    assert UnmaskLog.objects.filter(subject_type="person").count() == 1 + 2 + 1


def with_certificate_and_old_number(actor: User, person: Person) -> Person:
    services.person_update(actor=actor, person=person, version=person.version, data={
        "phone": "13912345678", "disability_category": 4, "disability_grade": 3,
        "disability_cert_no": person.id_number + "43"})
    # A note written before notes stopped quoting the old 15-digit number.
    Person.objects.filter(pk=person.pk).update(id_note="由15位号码371302600101001升位")
    return Person.objects.get(pk=person.pk)


def test_every_identifier_is_masked_alike_and_a_masked_role_gets_an_age(county_user, mine, lanshan_village):
    head = with_certificate_and_old_number(county_user, mine.household.head)
    grid = staff(Role.GRID_WORKER, lanshan_village.code)
    person = api(grid).get(f"/api/v1/persons/{head.pk}", {"unmask": "true"}).json()
    assert person["id_number"] == mask_id_number(head.id_number)
    assert person["disability_cert_no"] == mask_id_number(head.id_number) + "43"
    assert person["phone"] == mask_phone(head.phone)
    assert person["id_note"] == "由15位号码3713*******1001升位"
    assert person["birth_date"] is None and person["age"] >= 60
    household = api(grid).get(f"/api/v1/households/{mine.household.pk}").json()
    assert household["head"]["birth_date"] is None and household["head"]["age"] == person["age"]
    members = api(grid).get(f"/api/v1/households/{mine.household.pk}/members").json()
    assert all(m["person"]["birth_date"] is None for m in members)
    body = api(grid).get("/api/v1/persons").content.decode()
    for whole in (head.id_number, head.disability_cert_no, head.phone, "371302600101001", "1960-01-01"):
        assert whole not in body
    assert not UnmaskLog.objects.exists()


def test_county_user_sees_the_date_of_birth_and_unmasks_every_identifier(county_user, mine):
    head = with_certificate_and_old_number(county_user, mine.household.head)
    client = api(county_user)
    masked = client.get(f"/api/v1/persons/{head.pk}").json()
    assert masked["birth_date"] == "1960-01-01" and masked["disability_cert_no"] != head.disability_cert_no
    assert not UnmaskLog.objects.exists()
    whole = client.get(f"/api/v1/persons/{head.pk}", {"unmask": "true"}).json()
    assert (whole["disability_cert_no"], whole["id_note"]) == (head.disability_cert_no, head.id_note)
    assert UnmaskLog.objects.get().fields == "id_number,phone,disability_cert_no,id_note"


def test_a_former_member_now_elsewhere_is_only_the_name_history_recorded(county_user, mine, make_household,
                                                                        yinan_village):
    city = staff(Role.CITY_BUREAU, "3713")
    wife = mine.household.memberships.get(relation="12").person
    elsewhere = make_household(yinan_village, city, members=[("沂南人", 1, "02", datetime.date(1960, 1, 1))])
    services.member_move(actor=city, person=wife, to_household=elsewhere, relation="97")
    wife.refresh_from_db()
    services.person_update(actor=city, person=wife, version=wife.version, data={"name": "李三"})
    client = api(county_user)
    past = client.get(f"/api/v1/households/{mine.household.pk}/members",
                      {"include_past": True, "unmask": True}).json()
    gone = next(m for m in past if m["left_on"])
    assert gone["person"] == {"id": wife.pk, "name": "李二", "sex": None, "birth_date": None, "age": None,
                              "id_number": "", "unmasked": False, "in_area": False}
    assert client.get(f"/api/v1/members/{gone['id']}").json()["person"]["in_area"] is False
    assert not UnmaskLog.objects.filter(subject_type="person", subject_id=wife.pk).exists()


def test_grid_worker_cannot_unmask(mine, lanshan_village):
    grid = staff(Role.GRID_WORKER, lanshan_village.code)
    head = mine.household.head
    response = api(grid).get(f"/api/v1/persons/{head.pk}", {"unmask": "true"})
    assert response.status_code == 200
    assert response.json()["id_number"] == mask_id_number(head.id_number)
    assert response.json()["unmasked"] is False
    assert not UnmaskLog.objects.exists()


# --- documents -------------------------------------------------------------------------------------

def test_document_upload_and_download(county_user, mine):
    client = api(county_user)
    pk = mine.household.pk
    content = sample_files.png()
    response = client.post(f"/api/v1/households/{pk}/documents", {
        "file": SimpleUploadedFile("照片.png", content, "image/png"), "material_type": "102",
        "person": str(mine.household.head_id)})
    assert response.status_code == 201, response.content
    document = response.json()
    assert (document["size"], document["content_type"], document["person"]) == (len(content), "image/png",
                                                                                 mine.household.head_id)
    download = client.get(document["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert "attachment" in download["Content-Disposition"]
    assert len(client.get(f"/api/v1/households/{pk}/documents").json()) == 2

    assert client.delete(f"/api/v1/documents/{document['id']}").status_code == 204
    assert client.get(document["download"]).status_code == 404


def test_document_of_the_wrong_kind_is_422(county_user, mine):
    response = api(county_user).post(f"/api/v1/households/{mine.household.pk}/documents", {
        "file": SimpleUploadedFile("x.exe", b"MZ\x90\x00", "application/octet-stream"),
        "material_type": "102"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "file"


def test_null_for_a_field_that_cannot_be_empty_is_422(county_user, mine):
    member = mine.household.memberships.get(relation="12")
    response = api(county_user).patch(f"/api/v1/members/{member.pk}",
                                      {"version": member.version, "relation": None},
                                      content_type="application/json", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "relation", "message": "This field cannot be null."}]


def test_unknown_fields_and_broken_json_are_422(county_user, mine):
    client = api(county_user)
    response = client.patch(f"/api/v1/households/{mine.household.pk}",
                            {"version": mine.household.version, "adress": "x"},
                            content_type="application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["adress"]
    broken = client.post("/api/v1/persons", "{not json", content_type="application/json",
                         headers={"Accept-Language": "en"})
    assert broken.status_code == 400
    assert broken.json() == {"detail": "The request body cannot be read: send valid JSON."}


def test_responsible_staff_must_be_in_the_area(county_user, mine, lanshan_village, yinan_village):
    client = api(county_user)
    grid = staff(Role.GRID_WORKER, lanshan_village.code)
    elsewhere = staff(Role.GRID_WORKER, yinan_village.code)
    response = client.patch(f"/api/v1/households/{mine.household.pk}",
                            {"version": mine.household.version, "grid_worker": grid.pk},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["grid_worker"] == grid.pk
    refused = client.patch(f"/api/v1/households/{mine.household.pk}",
                           {"version": response.json()["version"], "grid_worker": elsewhere.pk},
                           content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "grid_worker"
