"""The visit record as an official document (DOCX and PDF, core.documents): issued in the name of
the county bureau of the household's county, numbered by the visit, with the checklist as answered,
the people seen, the problems opened and their deadlines. ID numbers never appear on it."""

from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.documents import OfficialDocument, Section, document_generate, document_number
from safetynet.core.selectors import division_path
from safetynet.core.types import User
from safetynet.registry.models import Visit
from safetynet.registry.visits.selectors import visit_answers


def _authority(village_code: str) -> tuple[str, str]:
    path = {division.level: division.name for division in division_path(village_code)}
    county = path.get("county", "")
    return f"{path.get('city', '')}{county}民政局", "·".join(
        name for level, name in path.items() if level in ("county", "township", "village")
    )


def visit_document(visit: Visit) -> OfficialDocument:
    household = visit.household
    authority, place = _authority(household.village_id)
    day = timezone.localtime(visit.visited_at)
    rows = [
        (_("Household"), f"{household.head.name if household.head_id else '—'}（{place}）"),
        (_("Address"), household.address),
        (_("Visited at"), day.strftime("%Y-%m-%d %H:%M")),
        (_("Visited by"), f"{visit.visitor}（{visit.visitor.get_role_display()}）"),
        (
            _("Purpose"),
            visit.get_purpose_display() + (f" · {visit.campaign.name}" if visit.campaign_id else ""),
        ),
        (_("People seen"), "、".join(person.name for person in visit.people_seen.all()) or "—"),
    ]
    checklist = [
        (row["label"], row["answer"] + (_(" (hazard)") if row["hazard"] else ""))
        for row in visit_answers(visit)
    ]
    problems = [
        (
            problem.description,
            _("to be fixed by %(due)s")
            % {"due": timezone.localtime(problem.case.due_at).strftime("%Y-%m-%d")}
            if problem.case and problem.case.due_at
            else "",
        )
        for problem in visit.problems.select_related("case")
    ]
    sections = [
        Section(_("The visit"), rows=rows),
        Section(
            _("Checklist (version %(version)s)") % {"version": visit.checklist.version},
            rows=checklist,
            paragraphs=[_("Risk score: %(score)s") % {"score": visit.score}],
        ),
    ]
    sections.append(
        Section(_("Problems found"), rows=problems)
        if problems
        else Section(_("Problems found"), paragraphs=[_("None.")])
    )
    if visit.note:
        sections.append(Section(_("Note"), paragraphs=[visit.note]))
    return OfficialDocument(
        authority=authority,
        title=_("Household visit record"),
        date=day.date(),
        number=document_number("走访", day.year, visit.pk),
        sections=sections,
    )


def visit_record_document(*, actor: User, visit: Visit, fmt: str):
    """Generate and keep the visit record in `fmt` ("docx" or "pdf") for a reader of the visit."""
    day = timezone.localtime(visit.visited_at).strftime("%Y%m%d")
    return document_generate(
        actor=actor,
        document=visit_document(visit),
        fmt=fmt,
        name=_("visit record-%(day)s-%(number)s") % {"day": day, "number": visit.pk},
        subject=("registry.visit", visit.pk, visit.household.village_id),
    )
