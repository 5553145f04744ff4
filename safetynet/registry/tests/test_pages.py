"""The registry pages as a user meets them: lists, search, the household page, forms, privacy, files."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.translation import gettext, override

from conftest import person_data, user
from safetynet.core.ids import make_id_number
from safetynet.core.models import Role, UnmaskLog
from safetynet.core.services import ConflictError
from safetynet.core.tests import sample_files
from safetynet.registry import services
from safetynet.registry.models import Document, Household, Person

pytestmark = pytest.mark.django_db

COUPLE = [("王大山", 1, "02", datetime.date(1948, 3, 1)), ("李秀英", 2, "12", datetime.date(1950, 7, 9))]
BORN = datetime.date(1975, 1, 1)
PNG = sample_files.png()


def shown(message: str) -> str:
    """A message as the page shows it to a user of the default language."""
    with override("zh-hans"):
        return html.escape(gettext(message), quote=False)


def page(client, name, *args, **query):
    return client.get(reverse(name, args=args), query)


@pytest.fixture
def county_client(client, county_user):
    client.force_login(county_user)
    return client


@pytest.fixture
def couple(make_household, lanshan_village, county_user):
    return make_household(lanshan_village, county_user, members=COUPLE, heating="2")


@pytest.fixture(autouse=True)
def documents_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "documents"


# --- list and search ------------------------------------------------------------------------------

def test_list_shows_only_households_of_the_users_area(county_client, couple, make_household, yinan_village,
                                                      other_county_user):
    make_household(yinan_village, other_county_user, members=[("沂南人", 1, "02", datetime.date(1960, 1, 1))])
    response = page(county_client, "registry:household_list")
    assert response.status_code == 200
    assert "王大山" in response.text
    assert "沂南人" not in response.text


def test_search_by_last_digits_of_id_number_finds_the_household(county_client, couple, make_household,
                                                                lanshan_village, county_user):
    make_household(lanshan_village, county_user, members=[("赵强", 1, "02", datetime.date(1975, 1, 1))])
    wife = couple.memberships.get(relation="12").person
    response = page(county_client, "registry:household_list", q=wife.id_number[-6:])
    assert "王大山" in response.text
    assert "赵强" not in response.text


def test_search_by_name_finds_the_household_of_a_member(county_client, couple, make_household,
                                                        lanshan_village, county_user):
    make_household(lanshan_village, county_user, members=[("赵强", 1, "02", datetime.date(1975, 1, 1))])
    response = page(county_client, "registry:household_list", q="秀英")
    assert "王大山" in response.text
    assert "赵强" not in response.text


def test_filters_narrow_the_list(county_client, couple, make_household, lanshan_village, county_user):
    make_household(lanshan_village, county_user, members=[("赵强", 1, "02", datetime.date(1975, 1, 1))],
                   heating="4", co_alarm=True)
    coal_without_alarm = page(county_client, "registry:household_list", heating="2", co_alarm="no").text
    assert "王大山" in coal_without_alarm
    assert "赵强" not in coal_without_alarm


def test_htmx_search_returns_only_the_results_and_paging_keeps_the_filter(county_client, make_household,
                                                                         lanshan_village, county_user):
    for number in range(27):
        make_household(lanshan_village, county_user, members=[(f"户主{number}", 1, "02", BORN)])
    response = county_client.get(reverse("registry:household_list"), {"q": "户主"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.text
    assert len(re.findall(r'href="/registry/households/\d+/"', response.text)) == 25
    assert "?q=%E6%88%B7%E4%B8%BB&amp;page=2" in response.text
    second = page(county_client, "registry:household_list", q="户主", page=2)
    assert "<html" in second.text
    assert len(re.findall(r'href="/registry/households/\d+/"', second.text)) == 2


def test_role_without_registry_access_gets_a_403_page_that_says_so(client, lanshan_village):
    client.force_login(user(Role.RESCUE_STATION, "371302"))
    response = page(client, "registry:household_list")
    assert response.status_code == 403
    assert shown("Your role has no access to the registry.") in response.text


# --- the household page ---------------------------------------------------------------------------

def test_household_page_shows_members_income_assets_and_history(county_client, couple, county_user):
    services.income_item_create(actor=county_user, household=couple, data={
        "category": "wage", "amount": Decimal("3600.00"), "description": "打零工",
        "period_start": datetime.date(2024, 1, 1), "period_end": datetime.date(2024, 6, 30),
    })
    services.asset_item_create(actor=county_user, household=couple, data={
        "asset_type": "304", "value": Decimal("12000"), "plate_number": "鲁Q12345",
    })
    response = page(county_client, "registry:household_detail", couple.pk)
    text = response.text
    assert response.status_code == 200
    assert "王大山" in text and "李秀英" in text
    assert "打零工" in text and "3600.00" in text
    assert "鲁Q12345" in text
    # The history names who did it and what, with the field's label.
    with override("zh-hans"):
        assert str(Household._meta.get_field("heating").verbose_name) in text
    assert county_user.username in text


def test_history_shows_before_and_after_with_choice_labels(county_client, couple, county_user):
    household = Household.objects.get(pk=couple.pk)
    services.household_update(actor=county_user, household=household, version=household.version,
                              data={"heating": "9"})
    text = page(county_client, "registry:household_detail", couple.pk).text
    with override("zh-hans"):
        coal, none = gettext("Coal heating"), gettext("No heating")
    assert f'<td class="before">{coal}</td>' in text
    assert none in text


def identify(actor, person, *, phone: str = "13912345678") -> Person:
    """Give the person a phone and a disability certificate (the ID number and two digits), through
    the service, so that the household's history records both."""
    services.person_update(actor=actor, person=person, version=person.version, data={
        "phone": phone, "disability_category": 1, "disability_grade": 2,
        "disability_cert_no": person.id_number + "12",
    })
    return Person.objects.get(pk=person.pk)


def test_history_never_shows_a_whole_id_number(client, couple, county_user, lanshan_village):
    wife = identify(county_user, couple.memberships.get(relation="12").person)
    client.force_login(user(Role.GRID_WORKER, lanshan_village.code))
    text = page(client, "registry:household_detail", couple.pk).text
    history = text[text.index('id="timeline"'):]
    # The change is there, masked: the certificate as its ID part is, the phone as phones are.
    assert wife.id_number[:4] + "**********" + wife.id_number[-4:] + "12" in history
    assert "139****5678" in history
    for whole in (wife.id_number, wife.disability_cert_no, wife.phone, wife.birth_date.isoformat()):
        assert whole not in text


def test_history_masks_an_old_id_number_quoted_in_the_note(county_client, couple, county_user):
    wife = couple.memberships.get(relation="12").person
    services.person_update(actor=county_user, person=wife, version=wife.version, data={"name": "李秀兰"})
    # Notes written before the note stopped quoting the old 15-digit number still hold it.
    from safetynet.core.models import ChangeRecord
    record = ChangeRecord.objects.filter(entity_type="person", entity_id=wife.pk).latest("id")
    record.before["id_note"], record.after["id_note"] = "", "由15位号码371302500709002升位"
    record.save()
    history = page(county_client, "registry:household_detail", couple.pk).text.split('id="timeline"')[1]
    assert "371302500709002" not in history
    assert "3713*******9002" in history


def test_history_masks_the_date_of_birth_for_a_masked_role(client, couple, county_user, lanshan_village):
    head = couple.head
    services.person_update(actor=county_user, person=head, version=head.version,
                           data={"birth_date": datetime.date(1948, 3, 1), "name": "王大善"})
    from safetynet.core.models import ChangeRecord
    record = ChangeRecord.objects.filter(entity_type="person", entity_id=head.pk).latest("id")
    record.before["birth_date"], record.after["birth_date"] = "1948-03-02", "1948-03-01"
    record.save()
    assert "1948-03-02" in page(client_of(client, county_user), "registry:household_detail", couple.pk).text
    client.force_login(user(Role.GRID_WORKER, lanshan_village.code))
    text = page(client, "registry:household_detail", couple.pk).text
    assert "1948-03-02" not in text and "1948-03-01" not in text
    assert "****-**-**" in text


def client_of(client, actor):
    client.force_login(actor)
    return client


def test_household_of_another_county_is_not_found(county_client, make_household, yinan_village,
                                                  other_county_user):
    theirs = make_household(yinan_village, other_county_user)
    assert page(county_client, "registry:household_detail", theirs.pk).status_code == 404


# --- forms ----------------------------------------------------------------------------------------

def new_household_post(village, **changes) -> dict:
    head = person_data(village, name="孙玉兰", sex=2, born=datetime.date(1956, 5, 4))
    data = {
        "village": village.code, "address": "和平路8号", "urban_rural": "rural", "heating": "2",
        "source": "new", "relation": "02",
        "person-id_number": head["id_number"], "person-name": head["name"], "person-ethnicity": "01",
        "person-labour_capacity": "01", "person-health": "10", "person-status": "01",
    }
    return data | changes


def test_register_a_household_with_a_new_head(county_client, lanshan_village):
    response = county_client.post(reverse("registry:household_create"), new_household_post(lanshan_village))
    household = Household.objects.get(address="和平路8号")
    assert response.status_code == 302
    assert response.url == reverse("registry:household_detail", args=[household.pk])
    assert household.head.name == "孙玉兰"
    assert household.head.sex == 2  # taken from the ID number
    assert household.head.residence_division_id == lanshan_village.code  # the household's village


def test_a_bad_id_number_is_explained_and_nothing_is_saved(county_client, lanshan_village):
    data = new_household_post(lanshan_village)
    number = data["person-id_number"]
    data["person-id_number"] = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = county_client.post(reverse("registry:household_create"), data)
    assert response.status_code == 200
    assert response.context["person_form"].errors["id_number"]
    assert shown("The last character of the ID number does not match the others: check each digit.") \
        in response.text
    assert not Household.objects.exists()
    assert not Person.objects.exists()


def test_register_a_household_headed_by_a_person_already_registered(county_client, county_user,
                                                                    lanshan_village):
    person, _ = services.person_create(actor=county_user, data=person_data(lanshan_village, name="周老汉"))
    search = page(county_client, "registry:household_create", person_q="周老")
    assert f'value="{person.pk}"' in search.text
    as_typed = county_client.get(reverse("registry:person_candidates"), {"person_q": "周老", "housed": "0"},
                                 HTTP_HX_REQUEST="true")
    assert "<html" not in as_typed.text and f'value="{person.pk}"' in as_typed.text
    response = county_client.post(reverse("registry:household_create"), {
        "village": lanshan_village.code, "address": "东街3号", "urban_rural": "rural",
        "source": "existing", "person": person.pk, "relation": "02",
    })
    assert response.status_code == 302
    assert Household.objects.get(address="东街3号").head == person


def test_two_edits_from_the_same_version_the_second_is_told(county_client, couple, lanshan_village):
    form = page(county_client, "registry:household_edit", couple.pk).context["form"]
    seen = form.initial["version"]
    base = {"village": lanshan_village.code, "urban_rural": "rural", "heating": "2", "status": "active",
            "version": seen}
    url = reverse("registry:household_edit", args=[couple.pk])
    first = county_client.post(url, base | {"address": "A路"})
    second = county_client.post(url, base | {"address": "B路"})
    assert first.status_code == 302
    assert second.status_code == 200
    with override("zh-hans"):
        assert html.escape(str(ConflictError()), quote=False) in second.text
    assert Household.objects.get(pk=couple.pk).address == "A路"


def test_add_income_inline_with_htmx_then_back_to_the_household(county_client, couple):
    url = reverse("registry:income_add", args=[couple.pk])
    fragment = county_client.get(url, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.text and 'hx-post="' + url in fragment.text
    household_page = f"http://testserver/registry/households/{couple.pk}/"
    response = county_client.post(url, {
        "category": "transfer_net", "amount": "1200", "deduction_amount": "0",
        "period_start": "2024-01-01", "period_end": "2024-12-31",
    }, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=household_page)
    assert response.headers["HX-Refresh"] == "true"  # the page reloads and shows the new row
    assert couple.income_items.get().amount == Decimal("1200")
    assert "1200.00" in county_client.get(household_page).text


def test_income_period_ending_before_it_starts_is_explained(county_client, couple):
    response = county_client.post(reverse("registry:income_add", args=[couple.pk]), {
        "category": "wage", "amount": "100", "period_start": "2024-06-01", "period_end": "2024-01-01",
        "deduction_amount": "0",
    })
    assert response.status_code == 200
    assert response.context["forms"][0].errors["period_end"]
    assert not couple.income_items.exists()


def test_remove_a_member_keeps_them_as_a_former_member(county_client, couple):
    wife = couple.memberships.get(relation="12")
    response = county_client.post(reverse("registry:member_remove", args=[wife.pk]), {
        "left_on": datetime.date.today().isoformat(), "reason": "married_out", "version": wife.version,
    })
    assert response.status_code == 302
    text = page(county_client, "registry:household_detail", couple.pk).text
    current, former = text.split(shown("Former members"), 1)
    assert "李秀英" in former.split('id="income"')[0]
    assert "李秀英" not in current.split('id="members"')[1]
    wife.refresh_from_db()
    assert wife.left_on is not None


def test_add_a_new_member(county_client, couple, lanshan_village):
    son = person_data(lanshan_village, name="王小山", sex=1, born=datetime.date(1980, 2, 2))
    response = county_client.post(reverse("registry:member_add", args=[couple.pk]), {
        "source": "new", "relation": "20", "co_living": "on", "joined_on": "2024-01-01",
        "person-id_number": son["id_number"], "person-name": "王小山", "person-ethnicity": "01",
        "person-labour_capacity": "01", "person-health": "10", "person-status": "01",
    })
    assert response.status_code == 302
    assert couple.memberships.filter(person__name="王小山", left_on__isnull=True).exists()


def test_relation_that_does_not_fit_the_sex_is_explained(county_client, couple, county_user, lanshan_village):
    person, _ = services.person_create(actor=county_user,
                                       data=person_data(lanshan_village, name="钱女", sex=2))
    response = county_client.post(reverse("registry:member_add", args=[couple.pk]), {
        "source": "existing", "person": person.pk, "relation": "22", "joined_on": "2024-01-01",  # eldest son
    })
    assert response.status_code == 200
    assert response.context["member_form"].errors["relation"]
    assert not couple.memberships.filter(person=person).exists()


def test_move_a_member_from_another_household(county_client, couple, make_household, lanshan_village,
                                              county_user):
    other = make_household(lanshan_village, county_user, members=[("赵强", 1, "02", BORN)])
    zhao = other.head
    response = county_client.post(reverse("registry:member_move", args=[couple.pk]), {
        "person": zhao.pk, "relation": "97", "on": datetime.date.today().isoformat(),
    })
    assert response.status_code == 302
    assert couple.memberships.filter(person=zhao, left_on__isnull=True).exists()
    assert other.memberships.get(person=zhao).left_on is not None


def test_unknown_address_code_is_a_warning_not_an_error(county_client, couple, lanshan_village):
    foreign = make_id_number("379901", datetime.date(1990, 1, 1), 11)  # 山东 has no county 379901
    response = county_client.post(reverse("registry:member_add", args=[couple.pk]), {
        "source": "new", "relation": "20", "co_living": "on", "joined_on": "2024-01-01",
        "person-id_number": foreign, "person-name": "王远", "person-ethnicity": "01",
        "person-labour_capacity": "01", "person-health": "10", "person-status": "01",
    }, follow=True)
    assert couple.memberships.filter(person__name="王远").exists()
    assert "379901" in " ".join(str(m) for m in response.context["messages"])


def test_grid_worker_cannot_open_a_form(client, couple, lanshan_village):
    client.force_login(user(Role.GRID_WORKER, lanshan_village.code))
    assert page(client, "registry:household_edit", couple.pk).status_code == 403


# --- privacy --------------------------------------------------------------------------------------

def test_grid_worker_sees_masked_numbers_and_no_reveal_button(client, couple, lanshan_village):
    client.force_login(user(Role.GRID_WORKER, lanshan_village.code))
    head = couple.head
    text = page(client, "registry:household_detail", couple.pk).text
    assert head.id_number[:4] + "**********" + head.id_number[-4:] in text
    assert head.id_number not in text
    assert reverse("registry:person_reveal", args=[head.pk]) not in text


def test_grid_worker_is_refused_the_whole_numbers(client, couple, lanshan_village):
    client.force_login(user(Role.GRID_WORKER, lanshan_village.code))
    response = client.post(reverse("registry:person_reveal", args=[couple.head.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert couple.head.id_number not in response.text
    assert not UnmaskLog.objects.exists()


def test_county_user_reveals_the_whole_numbers_and_it_is_logged(county_client, couple, county_user):
    head = couple.head
    assert reverse("registry:person_reveal", args=[head.pk]) in page(
        county_client, "registry:household_detail", couple.pk).text
    response = county_client.post(reverse("registry:person_reveal", args=[head.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert head.id_number in response.text
    assert "<html" not in response.text
    log = UnmaskLog.objects.get()
    assert (log.actor, log.subject_id, log.channel) == (county_user, head.pk, "page")


def test_opening_a_person_with_the_whole_numbers_is_logged_like_a_reveal(county_client, couple, county_user):
    head = couple.head
    response = page(county_client, "registry:person_edit", head.pk)
    assert f'value="{head.id_number}"' in response.text
    assert UnmaskLog.objects.filter(actor=county_user, subject_id=head.pk, channel="page").count() == 1


def test_edit_a_person_and_the_history_shows_it(county_client, couple, lanshan_village):
    head = couple.head
    form = page(county_client, "registry:person_edit", head.pk).context["forms"][0]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {"name": "王大善", "version": head.version}
    response = county_client.post(reverse("registry:person_edit", args=[head.pk]), data)
    assert response.status_code == 302
    text = page(county_client, "registry:household_detail", couple.pk).text
    history = text[text.index('id="timeline"'):]
    assert '<td class="before">王大山</td>' in history and "王大善" in history


def test_coordinator_edits_a_person_without_seeing_their_whole_id_number(client, couple, lanshan_village,
                                                                        county_user):
    head = identify(county_user, couple.head)
    client.force_login(user(Role.VILLAGE_COORDINATOR, lanshan_village.code))
    response = page(client, "registry:person_edit", head.pk)
    assert response.status_code == 200
    for whole in (head.id_number, head.disability_cert_no, head.phone, head.birth_date.isoformat()):
        assert whole not in response.text
    fields = response.context["forms"][0].fields
    assert not {"id_number", "phone", "disability_cert_no", "birth_date"} & set(fields)
    assert not UnmaskLog.objects.exists()
    # What it may change, it changes; the numbers it could not see stay as they were.
    form = response.context["forms"][0]
    data = {name: value for name, value in form.initial.items() if value is not None and name in fields}
    data |= {"name": "王大善", "version": head.version}
    assert client.post(reverse("registry:person_edit", args=[head.pk]), data).status_code == 302
    saved = Person.objects.get(pk=head.pk)
    assert (saved.name, saved.disability_cert_no, saved.phone) == (
        "王大善", head.disability_cert_no, head.phone)


def test_opening_the_household_form_with_its_whole_phone_is_logged(county_client, make_household,
                                                                  lanshan_village, county_user):
    household = make_household(lanshan_village, county_user, phone="13812345678")
    response = page(county_client, "registry:household_edit", household.pk)
    assert 'value="13812345678"' in response.text
    log = UnmaskLog.objects.get()
    assert (log.subject_type, log.subject_id, log.fields, log.channel) == ("household", household.pk, "phone",
                                                                            "page")


def test_county_user_reveals_the_household_phone_and_it_is_logged(county_client, make_household,
                                                                 lanshan_village, county_user):
    household = make_household(lanshan_village, county_user, phone="13812345678")
    text = page(county_client, "registry:household_detail", household.pk).text
    assert "138****5678" in text and "13812345678" not in text
    assert reverse("registry:household_reveal", args=[household.pk]) in text
    response = county_client.post(reverse("registry:household_reveal", args=[household.pk]),
                                  HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "13812345678" in response.text and "<html" not in response.text
    log = UnmaskLog.objects.get()
    assert (log.actor, log.subject_type, log.subject_id) == (county_user, "household", household.pk)


def test_grid_worker_is_refused_the_household_phone(client, make_household, lanshan_village, county_user):
    household = make_household(lanshan_village, county_user, phone="13812345678")
    client.force_login(user(Role.GRID_WORKER, lanshan_village.code))
    text = page(client, "registry:household_detail", household.pk).text
    assert "138****5678" in text
    assert reverse("registry:household_reveal", args=[household.pk]) not in text
    response = client.post(reverse("registry:household_reveal", args=[household.pk]))
    assert response.status_code == 403 and "13812345678" not in response.text
    assert not UnmaskLog.objects.exists()


def test_a_former_member_now_in_another_county_shows_only_the_name_history_recorded(
        county_client, couple, make_household, yinan_village):
    city = user(Role.CITY_BUREAU, "3713")
    wife = identify(city, couple.memberships.get(relation="12").person)
    elsewhere = make_household(yinan_village, city, members=[("沂南人", 1, "02", datetime.date(1960, 1, 1))])
    services.member_move(actor=city, person=wife, to_household=elsewhere, relation="97")
    wife = Person.objects.get(pk=wife.pk)
    services.person_update(actor=city, person=wife, version=wife.version, data={"name": "李秀兰"})
    text = page(county_client, "registry:household_detail", couple.pk).text
    former = text.split(shown("Former members"), 1)[1].split('id="income"')[0]
    assert "李秀英" in former and shown("moved out of your area") in former
    assert "李秀兰" not in text
    masked = wife.id_number[:4] + "**********" + wife.id_number[-4:]
    for secret in (wife.id_number, masked, wife.phone, "139****5678", wife.birth_date.isoformat()):
        assert secret not in former
    assert reverse("registry:person_edit", args=[wife.pk]) not in text


# --- documents ------------------------------------------------------------------------------------

def upload(client, household, name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("registry:document_upload", args=[household.pk]), {
        "material_type": "102", "file": SimpleUploadedFile(name, content),
    })


def test_upload_a_png_and_download_the_same_bytes(county_client, couple):
    response = upload(county_client, couple, "身份证.png", PNG)
    assert response.status_code == 302
    document = Document.objects.get()
    assert "身份证.png" in page(county_client, "registry:household_detail", couple.pk).text
    download = page(county_client, "registry:document_download", document.pk)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Type"] == "image/png"
    assert "attachment" in download["Content-Disposition"]


def test_an_exe_renamed_pdf_is_refused_with_a_reason(county_client, couple):
    response = upload(county_client, couple, "申请书.pdf", b"MZ\x90\x00" + b"\x00" * 64)
    assert response.status_code == 200
    assert response.context["forms"][0].errors["file"]
    assert shown("Only PDF, JPG, PNG, Word (.docx) and Excel (.xlsx) files can be uploaded.") in response.text
    assert not Document.objects.exists()


def test_a_document_of_another_county_cannot_be_downloaded(client, county_client, couple, other_county_user):
    upload(county_client, couple, "a.png", PNG)
    client.force_login(other_county_user)
    assert page(client, "registry:document_download", Document.objects.get().pk).status_code == 404


# --- home -----------------------------------------------------------------------------------------

def test_home_shows_the_area_and_its_figures(county_client, couple):
    response = page(county_client, "home")
    assert response.status_code == 200
    assert "兰山区" in response.text
    assert '<span class="figure__number">1</span>' in response.text
    assert '<span class="figure__number">2</span>' in response.text


def test_home_of_a_role_without_registry_access_says_what_it_can_do(client):
    client.force_login(user(Role.RESCUE_STATION, "371302"))
    response = page(client, "home")
    assert response.status_code == 200
    assert shown("Change your password") in response.text
    assert reverse("registry:household_list") not in response.text
