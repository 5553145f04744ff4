"""A stay at a rescue station as a kernel workflow (SPEC §3.4, §6.4 F): screened on arrival — sent to
hospital, to the police, refused with a written notice, or admitted; in the station an adult without
signs of mental or intellectual disability stays at most 10 days (extended with a reason, reported to
the county bureau's inbox); a minor or a person with such signs has no limit. Each exit needs its form
printed first: the self-exit declaration, the service and exit register (with the collector recorded
for a collection), the termination notice; an absconding is recorded with what happened."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safetynet.core.documents import document_issued
from safetynet.core.scope import granted_ids, may_hold
from safetynet.core.types import Role
from safetynet.core.workflows.table import CALENDAR_DAYS, HOURS, Limit, State, Transition, Workflow, roles
from safetynet.institutions.selectors import GRANT_KIND
from safetynet.rescue.models import StationStay

CODE = "rescue.stay"
SUBJECT = "rescue.stay"
# The station's own people take the steps (the county bureau reads the cases and extends the limit).
STAFF = roles(Role.RESCUE_STATION, Role.INSTITUTION_STAFF)
READERS = roles(Role.CITY_BUREAU, Role.COUNTY_BUREAU, Role.RESCUE_STATION, Role.INSTITUTION_STAFF)
STAY_DAYS = 10
# The station's official forms (规程 2014 attachments), each a kernel document of its own kind.
FORMS = {
    "registration": _("Registration form for help"),
    "refusal": _("Notice of refusal of help"),
    "self_exit": _("Declaration of leaving the station"),
    "exit_register": _("Register of services in the station and of leaving"),
    "termination": _("Notice of termination of help"),
    "family_search": _("Family-search notice"),
}
IN_STATION = ("in_station", "in_care")
EXIT_STATES = ("self_exit", "collected", "escorted", "transferred", "terminated", "absconded")


def form_kind(form: str) -> str:
    return f"{SUBJECT}.{form}"


def _stay(case) -> StationStay:
    return StationStay.objects.get(pk=case.subject_id)


def _printed(form: str):
    def guard(case, actor, data) -> str | None:
        if not document_issued(subject_kind=form_kind(form), subject_id=case.subject_id):
            return _("Print the “%(form)s” first: this step needs it.") % {"form": FORMS[form]}
        return None

    return guard


def _limited(case, actor, data) -> str | None:
    if _stay(case).needs_care:
        return _(
            "A minor or a person with signs of mental or intellectual disability is admitted without "
            "the 10-day limit: use “Admit (no time limit)”."
        )
    return None


def _cared(case, actor, data) -> str | None:
    if not _stay(case).needs_care:
        return _(
            "Only a minor or a person with signs of mental or intellectual disability is admitted "
            "without the time limit."
        )
    return None


def _collector_recorded(case, actor, data) -> str | None:
    stay = _stay(case)
    if not (stay.collector_name and stay.collector_id_number):
        return _("Record who collects the person (name and ID number) first.")
    if not document_issued(
        subject_kind=form_kind("exit_register"), subject_id=stay.pk, since=stay.collector_recorded_at
    ):
        return _("Print the “%(form)s” again: it must name the collector.") % {"form": FORMS["exit_register"]}
    return None


def _admitted(case, event) -> None:
    StationStay.objects.filter(pk=case.subject_id).update(admitted_at=event.at)


def _left(case, event) -> None:
    StationStay.objects.filter(pk=case.subject_id, left_at__isnull=True).update(left_at=event.at)


def granted_stays(actor) -> Q:
    """The stays of the stations granted to the actor (their staff)."""
    if not may_hold(actor, GRANT_KIND):
        return Q(pk__in=[])
    stays = StationStay.objects.filter(station_id__in=granted_ids(actor, GRANT_KIND)).values("pk")
    return Q(subject_kind=SUBJECT, subject_id__in=stays)


def _url(case) -> str:
    return reverse("rescue:stay", args=[case.subject_id])


def _exit(code, label, target, *guards, reason=False):
    return Transition(
        code, label, IN_STATION, target, roles=STAFF, guards=guards, reason_required=reason, effect=_left
    )


STAY = Workflow(
    code=CODE,
    label=_("Stay at a rescue station"),
    initial="screening",
    states=[
        State("screening", _("Screening"), limit=Limit(24, HOURS)),
        State("in_station", _("In the station"), limit=Limit(STAY_DAYS, CALENDAR_DAYS, extendable=True)),
        State(
            "in_care",
            _("In the station (no stay limit, reviewed monthly)"),
            limit=Limit(30, CALENDAR_DAYS, extendable=True),
        ),
        State("hospital", _("Sent to hospital"), final=True),
        State("police", _("Handed to the police"), final=True),
        State("refused", _("Help refused"), final=True),
        State("self_exit", _("Left by themselves"), final=True),
        State("collected", _("Collected by relatives"), final=True),
        State("escorted", _("Escorted home"), final=True),
        State("transferred", _("Transferred"), final=True),
        State("terminated", _("Help terminated"), final=True),
        State("absconded", _("Left without notice"), final=True),
    ],
    transitions=[
        Transition(
            "admit",
            pgettext_lazy("rescue stay", "Admit"),
            ("screening",),
            "in_station",
            roles=STAFF,
            guards=(_limited, _printed("registration")),
            effect=_admitted,
        ),
        Transition(
            "admit_care",
            _("Admit (no time limit)"),
            ("screening",),
            "in_care",
            roles=STAFF,
            guards=(_cared, _printed("registration")),
            effect=_admitted,
        ),
        Transition(
            "to_hospital",
            _("Send to hospital"),
            ("screening", *IN_STATION),
            "hospital",
            roles=STAFF,
            reason_required=True,
            effect=_left,
        ),
        Transition(
            "to_police",
            _("Hand to the police"),
            ("screening", *IN_STATION),
            "police",
            roles=STAFF,
            reason_required=True,
            effect=_left,
        ),
        Transition(
            "refuse",
            _("Refuse help"),
            ("screening",),
            "refused",
            roles=STAFF,
            guards=(_printed("refusal"),),
            reason_required=True,
            effect=_left,
        ),
        _exit("self_exit", _("Leaves by themselves"), "self_exit", _printed("self_exit")),
        _exit(
            "collect",
            _("Collected by relatives"),
            "collected",
            _collector_recorded,
            _printed("exit_register"),
        ),
        _exit("escort", _("Escort home"), "escorted", _printed("exit_register")),
        _exit("transfer", _("Transfer"), "transferred", _printed("exit_register"), reason=True),
        _exit("terminate", _("Terminate help"), "terminated", _printed("termination"), reason=True),
        _exit("abscond", _("Record leaving without notice"), "absconded", reason=True),
    ],
    subject_url=_url,
    readers=READERS,
    extension_roles=roles(Role.COUNTY_BUREAU, Role.RESCUE_STATION),
    max_extension=30,
    extension_reported_to="county",  # an extension is reported upward (SPEC §3.4)
    granted=granted_stays,
    description=_("A person's stay at a rescue station, from screening on arrival to leaving."),
)
