"""A temporary aid's record (临时救助审批表) as DOCX and PDF through core.documents, in the name of the
county bureau of the place where it happened: who, what happened, the approval, every payment and
the paperwork with its signatures. Made afresh each time (it grows with the payments); each copy is
kept. The ID number is masked, as on the pages."""

from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.documents import OfficialDocument, Section, chinese_date, document_generate
from safetynet.core.masking import mask_id_number
from safetynet.core.selectors import division_path
from safetynet.programmes.models import TemporaryAid


def record_title() -> str:
    return _("temporary aid record")


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def aid_record_document(aid: TemporaryAid) -> OfficialDocument:
    path = {division.level: division.name for division in division_path(aid.area_id)}
    place = "".join(path.get(level, "") for level in ("county", "township", "village"))
    who = [
        (_("Name"), aid.name),
        (_("ID number"), mask_id_number(aid.id_number) if aid.id_number else "—"),
        (_("Home place"), aid.home_place or "—"),
        (_("Where"), place),
        (_("Cause"), aid.get_cause_display()),
        (_("What happened"), aid.what),
        (_("Reported at"), _when(aid.reported_at)),
    ]
    decision = [
        (_("Approved amount (yuan)"), str(aid.approved_amount) if aid.approved_amount is not None else "—"),
        (_("Township's cap at the time (yuan)"), str(aid.cap) if aid.cap is not None else "—"),
        (_("Decided by the county case by case"), _("yes") if aid.decided_by_county else _("no")),
        (_("Reasons"), aid.reasons or "—"),
    ]
    payments = [
        (
            _("Stage %(stage)s") % {"stage": payment.stage},
            f"{payment.amount} · {payment.get_means_display()} · {_when(payment.paid_at)}"
            + (" · " + _("from the reserve fund") if payment.from_reserve else "")
            + (f" · {payment.note}" if payment.note else ""),
        )
        for payment in aid.payments.order_by("stage")
    ] or [(_("Payments"), _("nothing paid yet"))]
    paperwork = [
        (_("Registered by"), aid.paperwork_registrar or "—"),
        (_("Signed by"), "、".join(aid.paperwork_signatories) or "—"),
        (_("Completed at"), _when(aid.paperwork_completed_at)),
        (_("Late"), _("yes") if aid.paperwork_late else _("no")),
    ]
    return OfficialDocument(
        authority=f"{path.get('city', '')}{path.get('county', '')}民政局",
        title=f"{aid.get_kind_display()}{record_title()}",
        date=timezone.localdate(),
        sections=[
            Section(_("Who and what happened"), rows=who),
            Section(_("Approval"), rows=decision),
            Section(_("Payments"), rows=[*payments, (_("Paid so far (yuan)"), str(aid.paid_total))]),
            Section(_("Paperwork"), rows=paperwork),
            Section(_("Printed"), paragraphs=[chinese_date(timezone.localdate())]),
        ],
    )


def aid_record_file(*, actor, aid: TemporaryAid, fmt: str):
    return document_generate(
        actor=actor,
        document=aid_record_document(aid),
        fmt=fmt,
        name=f"{aid.pk}-{record_title()}",
        subject=("programmes.temporary_aid", aid.pk, aid.area_id),
        reuse=False,
    )
