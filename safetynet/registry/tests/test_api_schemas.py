"""What the API's schemas accept, and that they say so: control characters refused in text (in the
services too, so pages and the API alike), null only where a field takes it, no 0 read as a date or
a boolean, 400 for a body that is not JSON."""


import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from conftest import person_data
from safetynet.api import api as ninja_api
from safetynet.core.services import api_token_create
from safetynet.registry import services
from safetynet.registry.models import Household, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(county_user, lanshan_village, make_household):
    return make_household(lanshan_village, county_user)


@pytest.fixture
def client(county_user):
    token = api_token_create(user=county_user, name="test")[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


def _fields(response) -> dict:
    return {error["field"]: error["message"] for error in response.json()["detail"]}


@pytest.mark.parametrize("name", ["张\x00三", "张\x01三", "张三\x7f", "张\n三"])
def test_api_refuses_control_characters_in_a_name(client, household, name):
    head = household.head
    response = client.patch(f"/api/v1/persons/{head.pk}", {"version": head.version, "name": name},
                            content_type="application/json")
    assert response.status_code == 422
    assert "控制字符" in _fields(response)["name"]
    head.refresh_from_db()
    assert head.name == "张三"


def test_api_refuses_nul_in_an_address(client, household):
    response = client.patch(f"/api/v1/households/{household.pk}",
                            {"version": household.version, "address": "幸福路\x001号"},
                            content_type="application/json")
    assert response.status_code == 422 and "控制字符" in _fields(response)["address"]
    assert Household.objects.get(pk=household.pk).address == "幸福路1号"


@pytest.mark.parametrize("text", ["李\x00四", "李四\x1b[31m"])
def test_services_refuse_control_characters_whatever_the_caller(county_user, household, text):
    """The pages and the imports reach the same services: the check there covers them too."""
    head = household.head
    with pytest.raises(ValidationError) as refused:
        services.person_update(actor=county_user, person=head, version=head.version, data={"name": text})
    assert "控制字符" in refused.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as refused:
        services.household_update(actor=county_user, household=household, version=household.version,
                                  data={"address": text})
    assert "控制字符" in refused.value.message_dict["address"][0]


def test_a_new_person_with_a_nul_in_the_name_is_not_registered(county_user, lanshan_village):
    with pytest.raises(ValidationError) as refused:
        services.person_create(actor=county_user, data=person_data(lanshan_village, name="王\x00五"))
    assert "name" in refused.value.message_dict
    assert not Person.objects.filter(name__startswith="王").exists()


def test_page_form_shows_the_control_character_message(county_user, household):
    browser = Client()
    browser.force_login(county_user)
    head = household.head
    response = browser.get(f"/registry/people/{head.pk}/edit/")
    assert response.status_code == 200
    form = {k: v for k, v in response.context["form"].initial.items() if v is not None}
    form.update({"name": "赵\x01六", "version": head.version})
    response = browser.post(f"/registry/people/{head.pk}/edit/", form)
    assert "控制字符" in response.content.decode()
    head.refresh_from_db()
    assert head.name == "张三"


@pytest.mark.parametrize("value", [0, 1, "0", "yes", "on"])
def test_api_reads_no_number_or_word_as_a_boolean(client, household, value):
    response = client.patch(f"/api/v1/households/{household.pk}",
                            {"version": household.version, "co_alarm": value},
                            content_type="application/json")
    assert response.status_code == 422
    assert "co_alarm" in _fields(response)


@pytest.mark.parametrize("value", [0, 20220101, "0", "20220101", True])
def test_api_reads_no_number_as_a_date(client, household, value):
    response = client.post(f"/api/v1/households/{household.pk}/expenses", {
        "expense_type": "medical", "amount": "10.00", "incurred_on": value}, content_type="application/json")
    assert response.status_code == 422
    assert "incurred_on" in _fields(response)


def test_api_query_reads_no_zero_as_a_boolean(client, household):
    assert client.get("/api/v1/households", {"co_alarm": "0"}).status_code == 422
    assert client.get("/api/v1/households", {"co_alarm": "false"}).json()["count"] == 1


def test_api_refuses_null_where_a_field_takes_none_and_documents_it(client, household):
    response = client.patch(f"/api/v1/households/{household.pk}",
                            {"version": household.version, "address": None}, content_type="application/json")
    assert response.status_code == 422 and _fields(response)["address"] == "这个值不能为 null。"
    document = ninja_api.get_openapi_schema()["components"]["schemas"]
    update = document["HouseholdUpdate"]["properties"]
    assert update["address"]["type"] == "string" and "anyOf" not in update["address"]
    assert update["address"]["maxLength"] == 200  # the checks of the full schema hold in a change too
    assert {"type": "null"} in update["floor_area"]["anyOf"]  # this one does take null


def test_api_patch_keeps_the_length_limit(client, household):
    response = client.patch(f"/api/v1/households/{household.pk}",
                            {"version": household.version, "address": "路" * 201},
                            content_type="application/json")
    assert response.status_code == 422 and "address" in _fields(response)


def test_money_with_three_places_is_refused_not_rounded(client, household):
    response = client.post(f"/api/v1/households/{household.pk}/expenses", {
        "expense_type": "medical", "amount": "10.005", "incurred_on": "2022-01-01"},
        content_type="application/json")
    assert response.status_code == 422 and "amount" in _fields(response)
    assert not household.expenses.exists()


def test_malformed_json_is_400_and_documented(client, household):
    response = client.post(f"/api/v1/households/{household.pk}/expenses", "{not json",
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]
    operation = ninja_api.get_openapi_schema()["paths"]["/api/v1/households/{household_id}/expenses"]["post"]
    assert 400 in operation["responses"] or "400" in operation["responses"]


def test_schema_documents_text_and_division_patterns():
    document = ninja_api.get_openapi_schema()
    name = document["components"]["schemas"]["PersonIn"]["properties"]["name"]
    assert name["pattern"].startswith("^[^\\u0000")
    division = next(p for p in document["paths"]["/api/v1/households"]["get"]["parameters"]
                    if p["name"] == "division")
    assert division["schema"]["pattern"] == "^([0-9]{2,12})?$"
    amount = document["components"]["schemas"]["IncomeIn"]["properties"]["amount"]
    assert amount["type"] == "string" and "pattern" in amount
