"""Uploaded documents are checked for what they claim to be beyond their first bytes: a forged PDF,
image or Office file is refused with a reason in Chinese and nothing is stored."""

import zipfile
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safetynet.core.models import ChangeRecord
from safetynet.core.tests import sample_files
from safetynet.registry import services
from safetynet.registry.models import Document


def _plain_zip() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a Word document")
    return buffer.getvalue()


FORGED = {
    "PDF header and junk": ("申请书.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8),
    "PDF cut short": ("申请书.pdf", sample_files.pdf()[:120]),
    "PNG header and junk": ("照片.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
    "PNG cut short": ("照片.png", sample_files.png()[:-20]),
    "JPEG header and junk": ("照片.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 600),
    "a plain ZIP named .docx": ("证明.docx", _plain_zip()),
    "DOCX whose content types are not XML": ("证明.docx", sample_files.docx("<Types><Override")),
    "DOCX whose content types name no Word part": (
        "证明.docx", sample_files.docx(sample_files.DOCX_CONTENT_TYPES.replace("document.main+xml", "x"))),
    "DOCX whose content types declare entities": ("证明.docx", sample_files.docx(
        '<!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        + sample_files.DOCX_CONTENT_TYPES.split("?>", 1)[1])),
    "DOCX without package relationships": ("证明.docx", sample_files.docx(rels=None)),
    "an Excel workbook named .docx": ("证明.docx", sample_files.xlsx()),
    "a Word document named .xlsx": ("收入.xlsx", sample_files.docx()),
}

GENUINE = {
    "PDF": ("申请书.pdf", sample_files.pdf(), "application/pdf"),
    "PNG": ("照片.png", sample_files.png(), "image/png"),
    "JPEG": ("照片.jpg", sample_files.jpeg(), "image/jpeg"),
    "DOCX": ("证明.docx", sample_files.docx(),
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "XLSX": ("收入.xlsx", sample_files.xlsx(),
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@pytest.fixture
def household(make_household, lanshan_village, county_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "documents"
    return make_household(lanshan_village, county_user)


def _stored_files(settings) -> list:
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("case", FORGED)
def test_a_forged_document_is_refused_and_nothing_is_stored(case, household, county_user, settings):
    name, content = FORGED[case]
    records_before = ChangeRecord.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.document_upload(actor=county_user, household=household, material_type="202",
                                 upload=SimpleUploadedFile(name, content))
    assert "无法正常打开" in str(refused.value)
    assert not Document.objects.exists()
    assert _stored_files(settings) == []
    assert ChangeRecord.objects.count() == records_before


@pytest.mark.parametrize("case", GENUINE)
def test_a_genuine_document_is_stored_as_what_it_is(case, household, county_user):
    name, content, content_type = GENUINE[case]
    document = services.document_upload(actor=county_user, household=household, material_type="202",
                                        upload=SimpleUploadedFile(name, content))
    assert document.content_type == content_type
    assert document.file.read() == content


def test_a_password_protected_pdf_is_refused_with_its_own_reason(household, county_user):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BytesIO(sample_files.pdf())))
    writer.encrypt(user_password="mima-2026", algorithm="RC4-128")
    locked = BytesIO()
    writer.write(locked)
    with pytest.raises(ValidationError, match="密码"):
        services.document_upload(actor=county_user, household=household, material_type="202",
                                 upload=SimpleUploadedFile("申请书.pdf", locked.getvalue()))
    assert not Document.objects.exists()


def test_the_upload_page_tells_the_clerk_in_chinese(client, county_user, household):
    client.force_login(county_user)
    response = client.post(reverse("registry:document_upload", args=[household.pk]), {
        "material_type": "102", "file": SimpleUploadedFile("申请书.pdf", FORGED["PDF header and junk"][1]),
    })
    assert response.status_code == 200
    assert "该文件开头像 PDF 文件" in response.text
    assert not Document.objects.exists()


def test_the_api_refuses_a_forged_png_with_a_400(county_user, household):
    from django.test import Client

    from safetynet.core.services import api_token_create

    secret = api_token_create(user=county_user, name="test")[1]
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    response = api.post(f"/api/v1/households/{household.pk}/documents", {
        "file": SimpleUploadedFile("照片.png", FORGED["PNG header and junk"][1]), "material_type": "102"})
    assert response.status_code in (400, 422)
    assert "PNG" in response.content.decode()
    assert not Document.objects.exists()

