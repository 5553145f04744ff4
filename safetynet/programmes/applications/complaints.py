"""Real-name reports and 12349 hotline complaints (审核确认办法 art. 37: each one checked and answered):
a kernel workflow — received by the county, which sends it to the township of the area to check
within 10 working days, and answered in writing within 15 working days of receipt [I: the statute
sets no number; these follow common 12349 practice]. The written answer is a document."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safetynet.core.services import change_record
from safetynet.core.types import ChangeAction, DivisionLevel, Role, User
from safetynet.core.workflows.services import case_open, case_transition
from safetynet.core.workflows.table import COUNTY, TOWNSHIP, Limit, State, Transition, Workflow, roles
from safetynet.programmes.applications.selectors import COMPLAINT_READERS
from safetynet.programmes.applications.services import checked_text, official
from safetynet.programmes.models import Complaint

CODE = "programmes.complaint"
SUBJECT = "programmes.complaint"
RECEIVING_ROLES = {Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE}
READERS = COMPLAINT_READERS


def _missing(case, field: str, refusal) -> str | None:
    """The step's record is kept on the complaint (its services fill it and take the step together)."""
    if Complaint.objects.filter(pk=case.subject_id).exclude(**{field: ""}).exists():
        return None
    return str(refusal)


def _findings_recorded(case, actor, data) -> str | None:
    return _missing(case, "findings", _("Record what the check found."))


def _answer_recorded(case, actor, data) -> str | None:
    return _missing(case, "answer", _("Write the answer first."))


FLOW = Workflow(
    code=CODE,
    label=gettext_lazy("Report or complaint about assistance"),
    description=gettext_lazy(
        "Received by the county, checked by the township within 10 working days, "
        "answered in writing within 15 working days of receipt."
    ),
    initial="received",
    states=[
        State("received", gettext_lazy("Received: to send for checking"), office=COUNTY, limit=Limit(1)),
        State("checking", gettext_lazy("Being checked"), office=TOWNSHIP, limit=Limit(10, since="received")),
        State(
            "checked",
            gettext_lazy("Checked: to answer in writing"),
            office=COUNTY,
            limit=Limit(15, since="received"),
        ),
        State("answered", gettext_lazy("Answered in writing"), final=True),
    ],
    transitions=[
        Transition(
            "send",
            gettext_lazy("Send to the township to check"),
            ("received",),
            "checking",
            roles=roles(Role.COUNTY_BUREAU),
        ),
        Transition(
            "checked",
            gettext_lazy("Checked: findings recorded"),
            ("checking",),
            "checked",
            roles=roles(Role.TOWNSHIP_OFFICE, Role.COUNTY_BUREAU),
            guards=(_findings_recorded,),
        ),
        Transition(
            "answer",
            gettext_lazy("Answered in writing"),
            ("checked",),
            "answered",
            roles=roles(Role.COUNTY_BUREAU),
            guards=(_answer_recorded,),
        ),
    ],
    subject_url=lambda case: reverse("programmes:complaint", args=[case.subject_id]),
    readers=READERS,
)


def complaint_receive(
    *,
    actor: User,
    kind: str,
    complainant: str,
    contact: str,
    text: str,
    household_id: int | None = None,
    area_code: str = "",
) -> Complaint:
    """Record a report or complaint: about a household of the actor's area, or about an area of it."""
    from safetynet.core.selectors import division_get
    from safetynet.registry.selectors import household_get

    if actor.role not in RECEIVING_ROLES:
        raise PermissionDenied(_("The county or the township records reports and complaints."))
    errors = {}
    if kind not in Complaint.Kind.values:
        errors["kind"] = _("Choose a real-name report or a 12349 hotline complaint.")
    try:
        complainant = checked_text(
            complainant, field="complainant", limit=60, required=kind == Complaint.Kind.REAL_NAME
        )
        contact = checked_text(contact, field="contact", limit=20)
        text = checked_text(text, field="text", limit=1000, required=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    if contact and not contact.replace("-", "").isdigit():
        errors["contact"] = _("A phone number has digits only.")
    household = None
    if household_id is not None:
        try:
            household = household_get(actor=actor, pk=household_id)
        except (ObjectDoesNotExist, TypeError, ValueError):
            errors["household"] = _("There is no such household in your area.")
    area = None
    if household is None and "household" not in errors:
        area = (
            division_get(actor=actor, code=area_code) if area_code.isascii() and area_code.isdigit() else None
        )
        if area is None or area.level == DivisionLevel.CITY:
            errors["area"] = _("Name the household, or the county, township or village it is about.")
    if errors:
        raise ValidationError(errors)
    code = household.village_id if household is not None else area.code
    with transaction.atomic():
        now = timezone.now()
        complaint = Complaint.objects.create(
            kind=kind,
            received_at=now,
            received_by=actor,
            complainant=complainant or _("anonymous"),
            contact=contact,
            household=household,
            area_id=code,
            text=text,
        )
        complaint.case = case_open(
            actor=actor,
            workflow_code=CODE,
            division_code=code,
            title=official(
                gettext_lazy("%(kind)s: %(text)s"), kind=official(Complaint.Kind(kind).label), text=text[:40]
            ),
            subject_kind=SUBJECT,
            subject_id=complaint.pk,
            at=now,
        )
        complaint.save(update_fields=["case"])
        if household is not None:
            change_record(
                actor=actor,
                subject=household,
                entity=complaint,
                action=ChangeAction.CREATE,
                event="received",
                after={"kind": kind, "text": text},
            )
    return complaint


def _locked(actor: User, pk: int) -> Complaint:
    from safetynet.core.scope import in_area

    complaint = Complaint.objects.select_for_update(of=("self",)).select_related("case").filter(pk=pk).first()
    if complaint is None or not in_area(actor, complaint.area_id):
        raise Complaint.DoesNotExist
    return complaint


def complaint_findings(*, actor: User, pk: int, version: int, substantiated, findings: str) -> Complaint:
    """The township's (or the county's own) check: whether it holds, and what was found."""
    if actor.role not in RECEIVING_ROLES:
        raise PermissionDenied(_("The county or the township checks reports and complaints."))
    findings = checked_text(findings, field="findings", limit=1000, required=True)
    if not isinstance(substantiated, bool):
        raise ValidationError({"substantiated": _("Say whether it holds.")})
    with transaction.atomic():
        complaint = _locked(actor, pk)
        complaint.substantiated, complaint.findings = substantiated, findings
        complaint.save(update_fields=["substantiated", "findings"])
        case_transition(
            actor=actor,
            case_id=complaint.case_id,
            transition="checked",
            version=version,
            reason=findings[:500],
        )
    return complaint


def complaint_answer(*, actor: User, pk: int, version: int, answer: str) -> Complaint:
    """The county's written answer to the complainant; the case closes with it."""
    if actor.role != Role.COUNTY_BUREAU:
        raise PermissionDenied(_("The county answers reports and complaints in writing."))
    answer = checked_text(answer, field="answer", limit=1000, required=True)
    with transaction.atomic():
        complaint = _locked(actor, pk)
        complaint.answer, complaint.answered_at = answer, timezone.now()
        complaint.save(update_fields=["answer", "answered_at"])
        case_transition(actor=actor, case_id=complaint.case_id, transition="answer", version=version)
        if complaint.household_id:
            change_record(
                actor=actor,
                subject=complaint.household,
                entity=complaint,
                action=ChangeAction.UPDATE,
                event="answered",
                after={"substantiated": complaint.substantiated, "answer": answer},
            )
    return complaint
