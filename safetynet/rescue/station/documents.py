"""The rescue station's official forms for a stay (规程 2014 attachments 1–5, and the family-search
notice of SPEC §3.4), as official documents (DOCX and PDF, core.documents), issued in the station's
name and kept with the stay as first issued: what was signed or published stays what is shown."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from safetynet.core.documents import OfficialDocument, Section, document_generate, document_number
from safetynet.core.masking import mask_id_number
from safetynet.core.types import User
from safetynet.rescue.models import StationStay
from safetynet.rescue.station import workflow

SEXES = {"1": gettext_lazy("man"), "2": gettext_lazy("woman")}


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _person_rows(stay: StationStay) -> list[tuple[str, str]]:
    return [
        (_("Name"), stay.name or _("unknown")),
        (_("Sex"), str(SEXES[stay.sex]) if stay.sex in SEXES else "—"),
        (_("Age (about)"), str(stay.approximate_age) if stay.approximate_age is not None else "—"),
        (_("Home town (as said)"), stay.hometown or "—"),
        (_("Appearance, clothing, features"), stay.features or "—"),
        (_("Arrived at"), _when(stay.arrived_at)),
        (_("How they came"), stay.get_arrival_display()),
    ]


def _body(stay: StationStay, form: str) -> list[Section]:
    person = Section(_("The person"), rows=_person_rows(stay))
    station = stay.station
    if form == "registration":
        return [
            person,
            Section(
                _("Registration"),
                rows=[
                    (_("Belongings kept"), stay.belongings or "—"),
                    (_("Identity confirmed"), _("yes") if stay.identity_known else _("no")),
                    (
                        _("Minor, or signs of mental or intellectual disability"),
                        _("yes") if stay.needs_care else _("no"),
                    ),
                ],
                paragraphs=[_("Signature of the person helped:"), _("Signature of the staff member:")],
            ),
        ]
    if form == "refusal":
        return [
            person,
            Section(
                _("Notice"),
                paragraphs=[
                    _(
                        "After screening, %(station)s does not provide help under the Measures for the "
                        "Administration of Help for Vagrants and Beggars without Means of Subsistence in "
                        "Cities (State Council Order No. 381). If you disagree, you may apply again or "
                        "ask the civil affairs bureau to review."
                    )
                    % {"station": station.name}
                ],
            ),
        ]
    if form == "self_exit":
        return [
            person,
            Section(
                _("Declaration"),
                paragraphs=[
                    _(
                        "I leave %(station)s of my own will, have received back the belongings I handed "
                        "in, and take responsibility for my own safety after leaving."
                    )
                    % {"station": station.name},
                    _("Signature of the person leaving:"),
                ],
            ),
        ]
    if form == "exit_register":
        collector = (
            f"{stay.collector_name}（{stay.collector_relation}，{mask_id_number(stay.collector_id_number)}）"
            if stay.collector_name
            else "—"
        )
        return [
            person,
            Section(
                _("Services and leaving"),
                rows=[
                    (_("Admitted at"), _when(stay.admitted_at)),
                    (_("Belongings returned"), stay.belongings or "—"),
                    (_("Collected by"), collector),
                ],
                paragraphs=[
                    _("Signature of the person leaving or collecting:"),
                    _("Signature of the staff member:"),
                ],
            ),
        ]
    if form == "termination":
        return [
            person,
            Section(
                _("Notice"),
                paragraphs=[
                    _(
                        "%(station)s terminates the help given to you from the date below, as the rules of "
                        "the station provide (refusing the safety check, found ineligible, serious breach "
                        "of the rules, fraud, or the stay ended and the means to leave are at hand)."
                    )
                    % {"station": station.name}
                ],
            ),
        ]
    # The family-search notice: what a relative would recognise, and whom to call.
    return [
        person,
        Section(
            _("Family-search notice"),
            paragraphs=[
                _(
                    "The person above has been helped by %(station)s since %(day)s and cannot state who they "
                    "are. Relatives who recognise them are asked to contact the station at %(address)s."
                )
                % {"station": station.name, "day": _when(stay.arrived_at), "address": station.address}
            ],
        ),
    ]


def stay_form(*, actor: User, stay: StationStay, form: str, fmt: str):
    """The form in `fmt`, in the bureau's language, kept as first issued."""
    with override(settings.LANGUAGE_CODE):
        label = str(workflow.FORMS[form])
        day = timezone.localtime()
        document = OfficialDocument(
            authority=stay.station.name,
            title=label,
            date=day.date(),
            number=document_number("救站", day.year, stay.pk),
            sections=_body(stay, form),
        )
        name = f"{label}-{stay.pk}"
    return document_generate(
        actor=actor,
        document=document,
        fmt=fmt,
        name=name,
        subject=(workflow.form_kind(form), stay.pk, stay.division_id),
        reuse=False,  # each print is kept: a form printed again after a change shows the change
    )
