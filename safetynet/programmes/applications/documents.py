"""The written documents of an application (DOCX and PDF through core.documents), in the name of the
county bureau of the household's county: the acceptance receipt, the one-time notice of every
missing material, the investigation record, the approval notice that explains the decision, the
rejection notice with its reasons and the route of appeal, the 低保 or 特困 certificate, the whole
file of the household (一户一档), and the village's public-notice poster. ID numbers appear only on
the certificate, which is the holder's own."""

from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.documents import OfficialDocument, Section, chinese_date, document_generate
from safetynet.core.masking import mask_id_number
from safetynet.core.privacy import may_unmask, reveal
from safetynet.core.selectors import division_path
from safetynet.core.workflows.selectors import case_events
from safetynet.core.workflows.services import event_words
from safetynet.core.workflows.table import workflow
from safetynet.programmes.applications import selectors
from safetynet.programmes.applications.forms import ITEM_LABELS, METHOD_LABELS, SOURCE_LABELS
from safetynet.programmes.applications.services import decision_number
from safetynet.programmes.models import Application, SelfCareAssessment

KINDS = ("receipt", "materials", "investigation", "approval", "rejection", "certificate", "file")


def kind_titles() -> dict:
    return {
        "receipt": _("Acceptance receipt"),
        "materials": _("One-time notice of missing materials"),
        "investigation": _("Household investigation record"),
        "approval": _("Notice of approval"),
        "rejection": _("Notice of rejection"),
        "certificate": _("Certificate"),
        "file": _("The household's file"),
    }


def available(application: Application) -> list[str]:
    """The documents this application has reached."""
    entered = application.case.entered
    kinds = []
    if "accepted" in entered:
        kinds.append("receipt")
    if application.missing_materials:
        kinds.append("materials")
    if application.investigated_at:
        kinds.append("investigation")
    if application.decision == Application.Decision.APPROVED:
        kinds += ["approval", "certificate"]
    if application.decision == Application.Decision.REJECTED:
        kinds.append("rejection")
    kinds.append("file")
    return kinds


def _places(village_code: str) -> tuple[str, str]:
    path = {division.level: division.name for division in division_path(village_code)}
    return (
        f"{path.get('city', '')}{path.get('county', '')}民政局",
        "".join(path.get(level, "") for level in ("county", "township", "village")),
    )


def _heading(application: Application) -> list[tuple[str, str]]:
    _authority, place = _places(application.village_id)
    return [
        (_("Applicant"), application.person.name),
        (_("Household of"), place),
        (_("Programme"), application.get_programme_display()),
        (_("Application number"), str(application.pk)),
        (_("Applied on"), chinese_date(timezone.localtime(application.created_at).date())),
    ]


def _appeal_route(authority: str) -> str:
    return _(
        "If you disagree with this decision, you may apply for administrative reconsideration to the "
        "people's government at the same level within 60 days of receiving it, or bring an "
        "administrative lawsuit before the people's court within 6 months (%(authority)s)."
    ) % {"authority": authority}


def _explanation_rows(application: Application) -> list[tuple[str, str]]:
    result = next(
        (r for r in application.explanation.get("results", []) if r["programme"] == application.programme),
        None,
    )
    if result is None:
        return []
    if application.programme == "tekun":
        result = next((p for p in result["persons"] if p["person"] == application.person_id), result)
    return [
        (c["label"], (_("met") if c["holds"] else _("not met")) + f"（{c['readable']}）")
        for c in result["conditions"]
    ]


def _investigation(application: Application) -> Section:
    rows = [
        (_("Investigators"), "、".join(application.investigators)),
        (_("Methods"), "、".join(str(METHOD_LABELS[m]) for m in application.investigation_methods)),
        (_("Findings"), application.findings),
    ]
    if application.match_filled_at:
        rows += [(str(SOURCE_LABELS[source]), value) for source, value in application.match_results.items()]
        rows.append(
            (_("Data match"), _("still qualifies") if application.match_passes else _("does not qualify"))
        )
    return Section(_("Investigation"), rows=rows)


def application_document(application: Application, kind: str, actor=None) -> OfficialDocument:
    authority, _place = _places(application.village_id)
    today = timezone.localdate()
    heading = Section(_("Application"), rows=_heading(application))
    title = f"{application.get_programme_display()}{kind_titles()[kind]}"
    sections = [heading]
    number = ""
    if kind == "receipt":
        accepted = application.case.entered.get("accepted", "")[:10]
        sections.append(
            Section(
                _("Accepted"),
                paragraphs=[
                    _(
                        "Your application was accepted on %(day)s. The township starts the investigation "
                        "within 3 working days; a decision is made within 30 working days of acceptance (15 "
                        "for the township's opinion on extreme poverty assistance)."
                    )
                    % {"day": accepted}
                ],
            )
        )
    elif kind == "materials":
        sections.append(
            Section(
                _("Materials missing"),
                paragraphs=[
                    _(
                        "To accept your application, the township needs all of the following. You are told "
                        "of them once, all together:"
                    ),
                    application.missing_materials,
                ],
            )
        )
    elif kind == "investigation":
        sections.append(_investigation(application))
    elif kind == "approval":
        number = decision_number(application, timezone.localtime(application.decided_at).year)
        sections.append(
            Section(
                _("Decision"),
                rows=[
                    (_("Monthly amount (yuan)"), str(application.amount)),
                    (_("Benefit from"), chinese_date(application.benefit_from)),
                    (_("Decided on"), chinese_date(timezone.localtime(application.decided_at).date())),
                ],
                paragraphs=[
                    _(
                        "The decision follows the rule below, on the household's facts as they stood on the "
                        "day of the decision."
                    )
                ],
            )
        )
        sections.append(Section(_("Why: every condition of the rule"), rows=_explanation_rows(application)))
        sections.append(Section(_("Your rights"), paragraphs=[_appeal_route(authority)]))
    elif kind == "rejection":
        number = decision_number(application, timezone.localtime(application.decided_at).year)
        sections.append(
            Section(
                _("Decision"),
                paragraphs=[_("Your application is not approved, for these reasons:"), application.reasons],
            )
        )
        sections.append(Section(_("The rule on the household's facts"), rows=_explanation_rows(application)))
        sections.append(Section(_("Your rights"), paragraphs=[_appeal_route(authority)]))
    elif kind == "certificate":
        person = application.person
        # Whole (and logged) for the offices that may see it, masked for everyone else.
        if may_unmask(actor, person.area_id):
            shown = reveal(actor=actor, record=person, channel="document", fields=["id_number"])
            id_number = shown["id_number"]
        else:
            id_number = mask_id_number(person.id_number)
        rows = [
            (_("Name"), person.name),
            (_("Sex"), person.get_sex_display()),
            (_("ID number"), id_number),
            (_("Monthly amount (yuan)"), str(application.amount)),
            (_("Benefit from"), chinese_date(application.benefit_from)),
            (
                _("Certificate number"),
                decision_number(application, timezone.localtime(application.decided_at).year),
            ),
        ]
        sections = [Section(_("Holder"), rows=rows)]
        if application.programme == "tekun":
            assessments = SelfCareAssessment.objects.filter(person=person).order_by("assessed_on", "pk")
            sections.append(
                Section(
                    _("Self-care assessments"),
                    rows=[
                        (
                            chinese_date(a.assessed_on),
                            f"{a.lost}/6 · " + "、".join(str(ITEM_LABELS[i]) for i in a.cannot),
                        )
                        for a in assessments
                    ]
                    or [(_("none yet"), "")],
                )
            )
            sections.append(
                Section(
                    _("Yearly reviews (年审)"),
                    rows=[
                        (f"{year}年", _("reviewed by: ________"))
                        for year in range(application.benefit_from.year, application.benefit_from.year + 5)
                    ],
                )
            )
    elif kind == "file":
        flow = workflow(application.case.workflow)
        sections.append(
            Section(
                _("Steps taken"),
                rows=[
                    (
                        timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M"),
                        f"{event_words(flow, event)}{' · ' + str(event.actor) if event.actor else ''}"
                        f"{' · ' + event.reason if event.reason else ''}",
                    )
                    for event in case_events(application.case)
                ],
            )
        )
        if application.investigated_at:
            sections.append(_investigation(application))
        if application.opinion:
            sections.append(Section(_("Township opinion"), paragraphs=[application.opinion]))
        for objection in application.objections.all():
            sections.append(
                Section(
                    _("Objection"),
                    rows=[
                        (_("Received"), str(objection.received_at.date())),
                        (_("Objection"), objection.text),
                        (_("Settled"), objection.settled or "—"),
                    ],
                )
            )
        if application.decision:
            sections.append(
                Section(
                    _("Decision"),
                    rows=[
                        (_("Decision"), application.get_decision_display()),
                        (_("Amount"), str(application.amount or "—")),
                        (_("Reasons"), application.reasons or "—"),
                    ],
                )
            )
            sections.append(
                Section(_("Why: every condition of the rule"), rows=_explanation_rows(application))
            )
        for appeal in application.appeals.all():
            sections.append(
                Section(
                    appeal.get_kind_display(),
                    rows=[
                        (_("Filed on"), str(appeal.filed_on)),
                        (_("Decided by"), appeal.body),
                        (_("Outcome"), appeal.get_outcome_display()),
                        (_("Arrears"), str(appeal.arrears or "—")),
                    ],
                )
            )
    return OfficialDocument(authority=authority, title=title, date=today, number=number, sections=sections)


def application_document_file(*, actor, application: Application, kind: str, fmt: str):
    """The document kept with the application: what was issued is what is shown again, except the
    household's file, made afresh each time (it grows with the case)."""
    return document_generate(
        actor=actor,
        document=application_document(application, kind, actor),
        fmt=fmt,
        name=f"{application.pk}-{kind_titles()[kind]}",
        subject=(f"programmes.application.{kind}", application.pk, application.village_id),
        # Issued once and shown again: the receipt and the decisions. The rest follow the file.
        reuse=kind in ("receipt", "approval", "rejection"),
    )


def notice_poster(village_code: str) -> OfficialDocument:
    """The village's public-notice poster: name, household size and amount (art. 24), no ID number."""
    authority, place = _places(village_code)
    rows = selectors.public_notice(village_code=village_code)
    today = timezone.localdate()
    return OfficialDocument(
        authority=authority,
        title=_("Public notice of social assistance"),
        date=today,
        sections=[
            Section(
                place,
                rows=[
                    (
                        row["name"],
                        _("%(programme)s · %(size)s people · %(amount)s yuan a month%(state)s")
                        % {
                            "programme": row["programme"],
                            "size": row["size"],
                            "amount": row["amount"] if row["amount"] is not None else "—",
                            "state": (
                                _(" · approved")
                                if row["approved"]
                                else _(" · on notice until %(day)s") % {"day": row["until"]}
                            ),
                        },
                    )
                    for row in rows
                ]
                or [(_("Nothing is on notice."), "")],
                paragraphs=[
                    _(
                        "Anyone may raise an objection with the township office during "
                        "the notice, by name or not."
                    )
                ],
            )
        ],
    )


def complaint_answer(complaint) -> OfficialDocument:
    """The county's written answer to a report or complaint (art. 37)."""
    authority, place = _places(complaint.area_id)
    return OfficialDocument(
        authority=authority,
        title=_("Written answer to a report or complaint"),
        date=timezone.localtime(complaint.answered_at).date(),
        sections=[
            Section(
                _("The report or complaint"),
                rows=[
                    (_("Kind"), complaint.get_kind_display()),
                    (_("From"), complaint.complainant),
                    (_("Received on"), chinese_date(timezone.localtime(complaint.received_at).date())),
                    (_("About"), place),
                ],
                paragraphs=[complaint.text],
            ),
            Section(
                _("What the check found"),
                rows=[(_("It holds"), _("yes") if complaint.substantiated else _("no"))],
                paragraphs=[complaint.findings],
            ),
            Section(_("Answer"), paragraphs=[complaint.answer]),
        ],
    )
