"""The rectification notice (安全隐患整改通知书) of an inspection that found hazards, as an official
document (DOCX and PDF, core.documents): issued in the name of the county bureau of the institution's
county, numbered by the inspection, listing each hazard with its grade and by when it is to be
rectified. Kept as first issued: the institution holds the notice it was handed."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from safetynet.core.documents import OfficialDocument, Section, document_generate, document_number
from safetynet.core.selectors import division_path
from safetynet.core.types import User
from safetynet.institutions.models import Inspection


def _due_words(hazard) -> str:
    case = hazard.case
    if case is None or case.closed_at is not None:
        return _("rectified and verified") if case and case.state == "closed" else ""
    if case.state in ("planning",):
        return (
            _("submit a rectification plan by %(due)s; listed for supervision")
            % {"due": timezone.localtime(case.due_at).strftime("%Y-%m-%d")}
            if case.due_at
            else ""
        )
    if case.due_at:
        return _("rectify by %(due)s") % {"due": timezone.localtime(case.due_at).strftime("%Y-%m-%d")}
    return ""


def rectification_notice(inspection: Inspection) -> OfficialDocument:
    institution = inspection.institution
    path = {division.level: division.name for division in division_path(institution.division_id)}
    authority = f"{path.get('city', '')}{path.get('county', '')}民政局"
    day = timezone.localtime(inspection.inspected_at)
    hazards = list(inspection.hazards.select_related("case").order_by("pk"))
    rows = [
        (f"{number}. {hazard.description}", f"{hazard.get_grade_display()} · {_due_words(hazard)}")
        for number, hazard in enumerate(hazards, start=1)
    ]
    return OfficialDocument(
        authority=authority,
        title=_("Notice of hazards to rectify"),
        date=day.date(),
        number=document_number("民安整", day.year, inspection.pk),
        sections=[
            Section(
                _("To %(name)s") % {"name": institution.name},
                paragraphs=[
                    _(
                        "On %(day)s your institution was inspected (%(checklist)s) and the hazards below "
                        "were found. Rectify each by its deadline, upload photos of the rectification "
                        "in the system, and keep the records; a major hazard needs a rectification plan "
                        "(person responsible, funds, measures, deadline) and is under listed supervision "
                        "until it is verified."
                    )
                    % {"day": day.strftime("%Y-%m-%d"), "checklist": inspection.checklist.title}
                ],
            ),
            Section(_("Hazards found"), rows=rows),
            Section(
                _("Inspection"),
                rows=[
                    (_("Institution"), f"{institution.name} · {institution.address}"),
                    (_("Inspected at"), day.strftime("%Y-%m-%d %H:%M")),
                    (_("Inspected by"), str(inspection.inspector)),
                    (_("Campaign"), inspection.campaign.name if inspection.campaign_id else "—"),
                ],
            ),
        ],
    )


def rectification_notice_document(*, actor: User, inspection: Inspection, fmt: str):
    """The notice in `fmt` ("docx" or "pdf"), in the bureau's language, kept as first issued."""
    with override(settings.LANGUAGE_CODE):
        document = rectification_notice(inspection)
        name = _("rectification notice-%(number)s") % {"number": inspection.pk}
    return document_generate(
        actor=actor,
        document=document,
        fmt=fmt,
        name=name,
        subject=("institutions.inspection", inspection.pk, inspection.institution.division_id),
    )
