"""A decision on assistance in payment as the written notice the household is given (DOCX and PDF
through core.documents), in the name of the county bureau that decided it. Issued once: the copy made
first is the one shown again."""

from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.documents import OfficialDocument, Section, document_generate
from safetynet.core.selectors import division_names
from safetynet.programmes.models import EnrolmentDecision


def decision_notice_document(decision: EnrolmentDecision) -> OfficialDocument:
    county = decision.enrolment.county_id
    city = county[:4]
    names = division_names([city, county])
    lines = decision.notice.splitlines()
    notice = _("notice")
    return OfficialDocument(
        authority=f"{names.get(city, '')}{names.get(county, '')}民政局",
        title=f"{decision.enrolment.get_programme_display()}{decision.get_kind_display()}{notice}",
        date=timezone.localtime(decision.decided_at).date(),
        sections=[Section(lines[0] if lines else "", paragraphs=lines[1:])],
    )


def decision_notice_file(*, actor, decision: EnrolmentDecision, fmt: str):
    return document_generate(
        actor=actor,
        document=decision_notice_document(decision),
        fmt=fmt,
        name=f"{decision.pk}-{decision.get_kind_display()}",
        subject=("programmes.enrolment_decision", decision.pk, decision.household.village_id),
        reuse=True,
    )
