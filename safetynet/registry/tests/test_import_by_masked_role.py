"""A role that sees ID numbers masked cannot use an import to confirm guessed numbers (issue 6,
item 13): a file of whole numbers would answer, row by row, which are registered and to whom.
Village coordinators register people one at a time (each lookup logged and limited); imports are
made by the township office and up, by page and by API alike."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import LANSHAN_TOWNSHIP, user
from safetynet.core.models import Role
from safetynet.core.services import api_token_create
from safetynet.registry import imports
from safetynet.registry.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(lanshan_village):
    return user(Role.VILLAGE_COORDINATOR, lanshan_village.code)


def test_a_coordinator_cannot_start_an_import_by_service_page_or_api(coordinator, client,
                                                                     make_household, lanshan_village,
                                                                     county_user):
    make_household(lanshan_village, county_user, members=[("王大山", 1, "02", datetime.date(1948, 3, 1))])
    upload = SimpleUploadedFile("guess.csv", imports.template_csv(), content_type="text/csv")
    with pytest.raises(PermissionDenied):
        imports.import_start(actor=coordinator, upload=upload)

    client.force_login(coordinator)
    assert client.get(reverse("registry:import_start")).status_code == 403
    upload.seek(0)
    assert client.post(reverse("registry:import_start"), {"file": upload}).status_code == 403
    home = client.get("/").text
    assert reverse("registry:import_start") not in home
    assert reverse("registry:import_start") not in client.get(reverse("registry:household_list")).text
    assert "表格导入由乡镇" in home or "由乡镇（街道）办理" in home

    token = api_token_create(user=coordinator, name="test")[1]
    upload.seek(0)
    answer = client.post("/api/v1/imports", {"file": upload}, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403
    assert not ImportJob.objects.exists()


def test_the_township_office_still_imports(client):
    office = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    client.force_login(office)
    assert client.get(reverse("registry:import_start")).status_code == 200
    assert reverse("registry:import_start") in client.get("/").text
