"""The user administration pages as a bureau uses them: the list of its area, a new account with its
password shown once, editing and binding, a conflict told, deactivating, resetting, the import; a
user given a password by someone else must choose their own before any page opens."""

import base64
import html
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils.translation import gettext, override

from conftest import LANSHAN_TOWNSHIP, YINAN_TOWNSHIP, user, village
from safetynet.core.accounts import services
from safetynet.core.models import ChangeRecord, Role, User
from safetynet.core.services import ConflictError

pytestmark = pytest.mark.django_db


def shown(message: str) -> str:
    with override("zh-hans"):
        return html.escape(gettext(message), quote=False)


@pytest.fixture
def lanshan(client):
    county = user(Role.COUNTY_BUREAU, "371302", username="lanshan")
    client.force_login(county)
    return county


def grid(actor, username, name, division):
    return services.user_admin_create(actor=actor, username=username, name=name, role=Role.GRID_WORKER,
                                      division_code=division.code)


@pytest.fixture
def home_village(db):
    return village(LANSHAN_TOWNSHIP + "201", "幸福村")


def test_the_list_shows_the_area_s_accounts_only_with_phones_masked(client, lanshan, home_village):
    mine = user(Role.GRID_WORKER, home_village.code, username="mine-grid")
    User.objects.filter(pk=mine.pk).update(phone="13912345678")
    user(Role.GRID_WORKER, village(YINAN_TOWNSHIP + "201").code, username="their-grid")
    user(Role.COUNTY_BUREAU, "371302", username="peer-county")
    page = client.get(reverse("accounts:user_list")).text
    assert "mine-grid" in page and "139****5678" in page and "13912345678" not in page
    assert "their-grid" not in page and "peer-county" not in page
    assert "mine-grid" not in client.get(reverse("accounts:user_list"), {"role": Role.TOWNSHIP_OFFICE}).text
    assert "mine-grid" in client.get(reverse("accounts:user_list"), {"q": "mine"}).text
    # The masked digits cannot be found out by searching: a phone is found by the whole number only.
    for guess in ("1391234", "2345", "139123456"):
        assert "mine-grid" not in client.get(reverse("accounts:user_list"), {"q": guess}).text
    assert "mine-grid" in client.get(reverse("accounts:user_list"), {"q": "13912345678"}).text


def test_creating_an_account_shows_its_password_once(client, lanshan, home_village):
    response = client.post(reverse("accounts:user_create"), {
        "username": "wang", "name": "王网格", "phone": "13900001111", "role": Role.GRID_WORKER,
        "division": home_village.code})
    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.text
    account = User.objects.get(username="wang")
    assert account.check_password(password) and account.must_change_password
    # Nowhere else: not on the account's page, not in its history.
    assert password not in client.get(reverse("accounts:user_detail", args=[account.pk])).text


def test_an_out_of_area_division_is_explained_on_the_form(client, lanshan):
    response = client.post(reverse("accounts:user_create"), {
        "username": "far", "name": "远方", "role": Role.GRID_WORKER,
        "division": village(YINAN_TOWNSHIP + "201").code})
    assert response.status_code == 200
    assert response.context["form"].errors["division"]
    assert not User.objects.filter(username="far").exists()


def test_a_role_the_county_does_not_manage_is_not_offered_nor_accepted(client, lanshan):
    page = client.get(reverse("accounts:user_create")).text
    assert f'value="{Role.COUNTY_BUREAU}"' not in page and f'value="{Role.GRID_WORKER}"' in page
    response = client.post(reverse("accounts:user_create"), {
        "username": "boss", "name": "老板", "role": Role.CITY_BUREAU, "division": "3713"})
    assert response.context["form"].errors["role"]
    assert not User.objects.filter(username="boss").exists()


def test_binding_to_another_village_and_a_conflict_told(client, lanshan, home_village):
    account, _password = grid(lanshan, "g1", "甲", home_village)
    other = village(LANSHAN_TOWNSHIP + "202")
    url = reverse("accounts:user_detail", args=[account.pk])
    data = {"name": "甲", "phone": "", "role": Role.GRID_WORKER, "division": other.code,
            "version": account.version}
    assert client.post(url, data).status_code == 302
    account.refresh_from_db()
    assert account.division_id == other.code
    stale = client.post(url, {**data, "name": "乙"})
    assert shown(str(ConflictError())) in stale.text
    account.refresh_from_db()
    assert account.first_name == "甲"
    history = client.get(url).text
    assert other.name in history  # the history names the village, in words


def test_deactivate_reactivate_and_reset_from_the_account_page(client, lanshan, home_village):
    account, _password = grid(lanshan, "g2", "乙", home_village)
    client.post(reverse("accounts:user_deactivate", args=[account.pk]), {"version": account.version})
    account.refresh_from_db()
    assert not account.is_active
    client.post(reverse("accounts:user_reactivate", args=[account.pk]), {"version": account.version})
    account.refresh_from_db()
    assert account.is_active
    response = client.post(reverse("accounts:user_reset_password", args=[account.pk]),
                           {"version": account.version})
    assert User.objects.get(pk=account.pk).check_password(response.context["password"])
    assert ChangeRecord.objects.filter(subject_type="user", subject_id=account.pk, actor=lanshan).count() == 4


def test_a_repeated_deactivation_with_an_old_version_is_told_not_done_twice(client, lanshan, home_village):
    account, _password = grid(lanshan, "g3", "丙", home_village)
    url = reverse("accounts:user_deactivate", args=[account.pk])
    client.post(url, {"version": account.version})
    response = client.post(url, {"version": account.version}, follow=True)
    assert shown(str(ConflictError())) in response.text
    records = ChangeRecord.objects.filter(subject_type="user", subject_id=account.pk)
    assert records.filter(after={"is_active": False}).count() == 1


@pytest.mark.parametrize("role", [Role.TOWNSHIP_OFFICE, Role.GRID_WORKER, Role.AUDITOR, Role.FINANCE_OFFICER,
                                  Role.CAREGIVER])
def test_roles_that_manage_no_accounts_are_refused_the_pages(client, role, home_village):
    division = {Role.TOWNSHIP_OFFICE: LANSHAN_TOWNSHIP, Role.GRID_WORKER: home_village.code,
                Role.CAREGIVER: LANSHAN_TOWNSHIP}.get(role, "371302")
    client.force_login(user(role, division))
    for name in ("user_list", "user_create", "user_import", "user_import_template"):
        assert client.get(reverse(f"accounts:{name}")).status_code == 403


def test_a_user_given_a_password_must_choose_their_own_first(client, home_village):
    county = user(Role.COUNTY_BUREAU, "371302")
    account, password = services.user_admin_create(actor=county, username="newbie", name="新人",
                                                   role=Role.GRID_WORKER, division_code=home_village.code)
    login = client.post(reverse("login"), {"username": "newbie", "password": password}, follow=True)
    assert login.redirect_chain[-1][0] == reverse("password_change")
    assert client.get(reverse("registry:household_list")).url == reverse("password_change")
    client.post(reverse("password_change"), {"old_password": password, "new_password1": "Mein-eigenes-2022",
                                             "new_password2": "Mein-eigenes-2022"})
    account.refresh_from_db()
    assert not account.must_change_password
    assert client.get(reverse("home")).status_code == 200


def test_the_import_page_creates_and_hands_back_and_gives_the_passwords_once(client, lanshan, home_village):
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "角色", "村（社区）代码", "手机号"])
    workbook.active.append(["甲", "网格员", home_village.code, "13900000001"])
    workbook.active.append(["乙", "网格员", "371321101201", ""])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    data.name = "名单.xlsx"
    page = client.post(reverse("accounts:user_import"), {"file": data})
    assert page.status_code == 200
    assert len(page.context["created"]) == 1 and len(page.context["returned"]) == 1
    created = User.objects.get(first_name="甲")
    # The passwords' workbook travels in the page itself; nothing of it stays on the server.
    assert "no-store" in page["Cache-Control"]
    link = page.context["passwords_link"]
    assert link.startswith("data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,")
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(link.split(",", 1)[1]))).active
    assert sheet["A2"].value == created.username and created.check_password(sheet["E2"].value)
    assert sheet["E2"].value not in str(dict(client.session))
    assert f'href="{link}"' in page.content.decode()
    returned = client.get(reverse("accounts:user_import_returned"))
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(returned.streaming_content))).active.values)
    assert rows[1][0] == "乙" and rows[1][-2] == 3


def test_a_file_that_is_no_spreadsheet_is_explained(client, lanshan):
    data = io.BytesIO(b"\xd0\xcf\x11\xe0old excel")
    data.name = "old.xls"
    response = client.post(reverse("accounts:user_import"), {"file": data})
    assert response.status_code == 200 and response.context["form"].errors["file"]


def test_a_deactivated_user_is_logged_out_at_the_next_request(client, home_village):
    county = user(Role.COUNTY_BUREAU, "371302")
    grid = user(Role.GRID_WORKER, home_village.code)
    client.force_login(grid)
    assert client.get(reverse("home")).status_code == 200
    services.user_admin_deactivate(actor=county, user=grid)
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_the_password_page_says_why_a_new_user_is_sent_there(client, home_village):
    county = user(Role.COUNTY_BUREAU, "371302")
    account, _password = grid(county, "fresh", "新", home_village)
    client.force_login(account)
    page = client.get(reverse("home"), follow=True)
    assert 'id="must-change-password"' in page.text


def test_the_api_lists_the_accounts_a_bureau_manages_with_phones_masked(client, home_village):
    from safetynet.core.services import api_token_create

    county = user(Role.COUNTY_BUREAU, "371302")
    mine = user(Role.GRID_WORKER, home_village.code, username="api-grid")
    User.objects.filter(pk=mine.pk).update(phone="13912345678", first_name="网格甲")
    user(Role.GRID_WORKER, village(YINAN_TOWNSHIP + "201").code, username="api-theirs")
    _token, key = api_token_create(user=county, name="t")
    answer = client.get("/api/v1/users", {"q": "api"}, headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert [(i["username"], i["phone"], i["division"]) for i in items] == [
        ("api-grid", "139****5678", home_village.code)]
    _token, grid_key = api_token_create(user=mine, name="g")
    assert client.get("/api/v1/users", headers={"Authorization": f"Bearer {grid_key}"}).status_code == 403
