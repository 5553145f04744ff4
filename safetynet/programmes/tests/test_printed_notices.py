"""What is printed and given: a review's decision as its notice in DOCX and PDF (issued once, the same
copy again), and a temporary aid's record for the file with every payment and the paperwork, the ID
number masked. Another county's user finds neither."""

import datetime
import io

import docx
import pytest
from django.test import Client
from django.utils import timezone

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.ids import make_id_number
from safetynet.core.models import GeneratedDocument, Role
from safetynet.programmes.aid import services as aid_services
from safetynet.programmes.life import services as life
from safetynet.programmes.services import enrolment_start

pytestmark = pytest.mark.django_db
VILLAGE = LANSHAN_TOWNSHIP + "201"
HENAN_ID = make_id_number("410102", datetime.date(1985, 3, 4), 17)


def text_of(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def client_of(actor) -> Client:
    client = Client()
    client.force_login(actor)
    return client


def test_a_decision_s_notice_in_docx_and_pdf(make_household, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    county, township = user(Role.COUNTY_BUREAU, "371302"), user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    household = make_household(
        village(VILLAGE), county, urban_rural="urban", members=[("韩一", 1, "02", datetime.date(1970, 1, 1))]
    )
    enrolment = enrolment_start(
        actor=county, household=household, programme="dibao", amount="700", since=datetime.date(2025, 1, 1)
    )
    review = life.review_start(actor=township, enrolment_id=enrolment.pk, reason="reported", what="就业")
    review = life.review_visit_record(
        actor=township,
        review_id=review.pk,
        version=review.version,
        visitors=["李明", "王芳"],
        visited_on=timezone.localdate(),
        findings="就业",
    )
    life.review_decide(
        actor=county,
        review_id=review.pk,
        version=review.version,
        outcome="suspend",
        reasons="外出务工，收入待核实",
    )
    decision = review.decisions.get()
    office = client_of(county)
    written = office.get(f"/programmes/decisions/{decision.pk}/notice.docx")
    assert written.status_code == 200
    text = text_of(written.content)
    assert "暂停" in text and "外出务工，收入待核实" in text and "行政复议" in text and "兰山区民政局" in text
    again = office.get(f"/programmes/decisions/{decision.pk}/notice.docx")
    assert again.content == written.content and GeneratedDocument.objects.filter(fmt="docx").count() == 1
    assert office.get(f"/programmes/decisions/{decision.pk}/notice.pdf").content.startswith(b"%PDF")
    assert office.get(f"/programmes/decisions/{decision.pk}/notice.txt").status_code == 404
    assert (
        client_of(user(Role.COUNTY_BUREAU, "371321"))
        .get(f"/programmes/decisions/{decision.pk}/notice.pdf")
        .status_code
        == 404
    )


def test_a_temporary_aid_s_record_for_the_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    village(VILLAGE)
    township = user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP)
    aid = aid_services.emergency_report(
        actor=township,
        area_code=VILLAGE,
        cause="traffic",
        what="途经本地遭遇车祸",
        name="过路人",
        id_number=HENAN_ID,
        home_place="河南省郑州市",
    )
    aid_services.aid_pay(
        actor=township,
        aid_id=aid.pk,
        version=aid.version,
        amount="1200",
        means="cash",
        from_reserve=True,
        approved_amount="2000",
    )
    office = client_of(township)
    written = office.get(f"/programmes/aid/{aid.pk}/record.docx")
    assert written.status_code == 200, written.content[:300]
    text = text_of(written.content)
    assert "过路人" in text and "1200.00" in text and "2000.00" in text and HENAN_ID not in text
    assert "4101" in text  # masked, the area readable
    assert office.get(f"/programmes/aid/{aid.pk}/record.pdf").content.startswith(b"%PDF")
    assert (
        client_of(user(Role.TOWNSHIP_OFFICE, "371321101"))
        .get(f"/programmes/aid/{aid.pk}/record.docx")
        .status_code
        == 404
    )
