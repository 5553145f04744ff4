"""The application pages: the offices' queue (/programmes/applications/), one application with the
records its steps need and the kernel's steps, handing one in from a household (or a 政策找人 hit),
its documents, staff's near relatives, and the village's public notice — the one page here open to
anyone, without a login, showing names, household sizes and amounts only."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.core.documents import document_generate
from safetynet.core.pages import attachment, call_service, finished, found
from safetynet.core.selectors import division_path
from safetynet.core.workflows.views import case_context
from safetynet.programmes.applications import documents, selectors, services, workflow
from safetynet.programmes.applications.forms import (
    ITEM_LABELS,
    METHOD_LABELS,
    SOURCE_LABELS,
    AppealDecideForm,
    AppealFileForm,
    ApplicationStartForm,
    InvestigationForm,
    MatchForm,
    NearRelativeForm,
    ObjectionForm,
    SelfCareForm,
    SpotCheckForm,
)
from safetynet.programmes.rules import PROGRAMME_NAMES
from safetynet.registry.rules import may_read_registry
from safetynet.registry.selectors import household_get, household_members, person_get, person_list
from safetynet.registry.views.common import form_page

# Steps taken through a form of their own on this page, not the kernel's plain step form.
OWN_FORMS = {"matched", "objection", "redecide"}  # redecide: by the appeal's outcome
INVESTIGATION_STATES = ("investigating", "match_requested", "matched", "reinvestigation")


def _person(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


def _reader(user) -> None:
    if not may_read_registry(user):
        raise PermissionDenied(_("Your role does not read applications."))


@require_GET
def application_list(request):
    """The queue of the user's office: the open applications of its area where its role may act,
    soonest due first; with `all`, every application of the area."""
    user = request.user
    _reader(user)
    state = request.GET.get("state", "")
    state = state if state in {s.code for s in workflow.LOW_INCOME_FLOW.states} else ""
    programme = request.GET.get("programme", "")
    programme = programme if programme in services.APPLIED_PROGRAMMES else ""
    show_all = request.GET.get("all") == "1"
    rows = selectors.application_list(actor=user, state=state, programme=programme, open_only=not show_all)
    if not show_all and not state:
        mine = set()
        for flow in (workflow.LOW_INCOME_FLOW, workflow.DEVOLVED_FLOW, workflow.TEKUN_FLOW):
            mine.update(flow.states_acted_on_by(user.role))
        rows = rows.filter(case__state__in=mine)
    now = timezone.now()
    shown = list(rows[:200])
    for row in shown:
        flow = workflow.flow_of(row)
        row.state_label = flow.state(row.case.state).label
        row.overdue = bool(row.case.closed_at is None and row.case.due_at and row.case.due_at < now)
    states = [(s.code, s.label) for s in workflow.LOW_INCOME_FLOW.states]
    return render(
        request,
        "programmes/applications.html",
        {
            "rows": shown,
            "states": states,
            "state": state,
            "programme": programme,
            "all": show_all,
            "programmes": [(code, PROGRAMME_NAMES[code]) for code in services.APPLIED_PROGRAMMES],
            "may_start": user.role in services.START_ROLES,
            "hits": selectors.found_by_latest_run(actor=user) if user.role in services.START_ROLES else [],
        },
    )


@require_http_methods(["GET", "POST"])
def application_start(request, pk: int):
    """Hand in an application for a household: by the household, a proxy, or staff who found it (a
    run's hit, `?run=&programme=`)."""
    user = request.user
    household = found(household_get, actor=user, pk=pk)  # another area's household: not found
    if user.role not in services.START_ROLES:
        raise PermissionDenied(_("Applications are handed in by the village coordinator or the township."))
    members = [m.person for m in household_members(household=household) if m.left_on is None]
    programme = request.GET.get("programme", "dibao")
    run = request.GET.get("run", "")
    initial = {
        "programme": programme if programme in services.APPLIED_PROGRAMMES else "dibao",
        "person": _person(request.GET.get("person", "")) or household.head_id,
        "channel": "found" if run else "household",
        "run": run if run.isdigit() and len(run) < 12 else None,
    }
    form = ApplicationStartForm(request.POST or None, initial=initial, members=members)
    back = reverse("registry:household_detail", args=[pk])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = call_service(
            lambda: services.application_start(
                actor=user,
                household_id=household.pk,
                programme=data["programme"],
                channel=data["channel"],
                person_id=data["person"],
                proxy=data["proxy"],
                run_id=data["run"],
                reason=data["reason"],
            ),
            form,
        )
        if outcome.ok:
            return finished(
                request,
                reverse("programmes:application", args=[outcome.value.pk]),
                _("The application is handed in: it is on the township's desk."),
            )
    title = _("Application for %(household)s") % {"household": household}
    return form_page(
        request,
        title=title,
        forms_=[form],
        action=request.get_full_path(),
        cancel_url=back,
        submit=_("Hand in"),
    )


def _page(request, application, **forms_given):
    user = request.user
    state = application.case.state
    open_ = application.case.closed_at is None
    context = case_context(request, application.case)
    context["moves"] = [move for move in context["moves"] if move.code not in OWN_FORMS]
    is_township, is_county = user.role == "township_office", user.role == "county_bureau"
    forms_shown = {
        "investigation_form": forms_given.get("investigation_form")
        or (
            InvestigationForm(initial={"version": application.version})
            if is_township and state in INVESTIGATION_STATES
            else None
        ),
        "match_form": forms_given.get("match_form")
        or (
            MatchForm(initial={"version": application.case.version})
            if is_county and state == "match_requested"
            else None
        ),
        "spot_check_form": forms_given.get("spot_check_form")
        or (
            SpotCheckForm(initial={"version": application.version})
            if is_county
            and state == "county_review"
            and application.spot_check
            and not application.spot_checked
            else None
        ),
        "appeal_file_form": forms_given.get("appeal_file_form")
        or (
            AppealFileForm(initial={"filed_on": timezone.localdate()})
            if is_county and application.decision and not application.appeals.filter(outcome="").exists()
            else None
        ),
        "self_care_form": forms_given.get("self_care_form")
        or (SelfCareForm() if is_county and application.programme == "tekun" else None),
        "objection_form": forms_given.get("objection_form")
        or (
            ObjectionForm(initial={"version": application.case.version})
            if is_township and state == "public_notice"
            else None
        ),
    }
    pending = application.appeals.filter(outcome="").first()
    appeal_decide_form = forms_given.get("appeal_decide_form") or (
        AppealDecideForm(initial={"version": pending.version, "outcome_on": timezone.localdate()})
        if is_county and pending
        else None
    )
    place = "·".join(d.name for d in division_path(application.village_id) if d.level != "city")
    return render(
        request,
        "programmes/application.html",
        {
            **context,
            **forms_shown,
            "application": application,
            "place": place,
            "open_application": open_,
            "pending_appeal": pending,
            "appeal_decide_form": appeal_decide_form,
            "appeals": list(application.appeals.all()),
            "objections": list(application.objections.all()),
            "sees_objectors": user.role in ("township_office", "county_bureau"),
            "methods": [METHOD_LABELS[m] for m in application.investigation_methods],
            "match": [(SOURCE_LABELS[s], v) for s, v in application.match_results.items()],
            "explanation": documents._explanation_rows(application) if application.explanation else [],
            "documents": [(kind, documents.kind_titles()[kind]) for kind in documents.available(application)],
            "assessments": _assessments(application),
            "county_visited": selectors.county_visited(application) if application.near_relative_of else None,
        },
        status=400 if forms_given else 200,
    )


def _assessments(application):
    if application.programme != "tekun":
        return []
    rows = list(selectors.self_care_assessments(person_id=application.person_id))
    for row in rows:
        row.items = "、".join(str(ITEM_LABELS[i]) for i in row.cannot) or _("none")
    return rows


@require_GET
def application_detail(request, pk: int):
    _reader(request.user)
    return _page(request, found(selectors.application_get, actor=request.user, pk=pk))


@require_POST
def application_record(request, pk: int, record: str):
    """The records a step needs: the investigation, the data match (which takes the step), the
    spot-check, an appeal and its outcome, the self-care assessment."""
    user = request.user
    _reader(user)
    application = found(selectors.application_get, actor=user, pk=pk)
    here = reverse("programmes:application", args=[pk])
    pending = application.appeals.filter(outcome="").first()

    def investigation(data):
        return services.investigation_record(
            actor=user,
            application_id=pk,
            investigators=[data["first"], data["second"]],
            methods=data["methods"],
            findings=data["findings"],
            version=data["version"],
        )

    def match(data):
        return services.match_fill(
            actor=user,
            application_id=pk,
            version=data["version"],
            passes=data["passes"],
            results={source: data[source] for source in services.MATCH_SOURCES},
        )

    def spot_check(data):
        return services.spot_check_record(
            actor=user, application_id=pk, finding=data["finding"], version=data["version"]
        )

    def appeal(data):
        return services.appeal_file(
            actor=user, application_id=pk, kind=data["kind"], filed_on=data["filed_on"], body=data["body"]
        )

    def appeal_outcome(data):
        if pending is None:
            raise ValidationError(_("There is no pending appeal."))
        return services.appeal_decide(
            actor=user,
            appeal_id=pending.pk,
            version=data["version"],
            outcome=data["outcome"],
            outcome_on=data["outcome_on"],
            note=data["note"],
        )

    def objection(data):
        return services.objection_record(
            actor=user,
            application_id=pk,
            version=data["version"],
            text=data["text"],
            raised_by=data["raised_by"],
        )

    def self_care(data):
        return services.self_care_assess(
            actor=user,
            person_id=application.person_id,
            cannot=data["cannot"],
            reason=data["reason"],
            application_id=pk,
        )

    records = {
        "investigation": (InvestigationForm, investigation, _("The investigation is recorded.")),
        "match": (MatchForm, match, _("The data match is recorded and back with the township.")),
        "spot_check": (SpotCheckForm, spot_check, _("The spot-check is recorded.")),
        "appeal": (AppealFileForm, appeal, _("The appeal is recorded.")),
        "appeal_outcome": (AppealDecideForm, appeal_outcome, _("The appeal's outcome is recorded.")),
        "objection": (
            ObjectionForm,
            objection,
            _("The objection is recorded: the file goes back to be checked."),
        ),
        "self_care": (SelfCareForm, self_care, _("The assessment is recorded: the care tier is set.")),
    }
    if record not in records:
        raise Http404(_("There is no such record."))
    form_class, call, done = records[record]
    form = form_class(request.POST)
    if form.is_valid():
        outcome = call_service(lambda: call(form.cleaned_data), form)
        if outcome.ok:
            return finished(request, here, done)
    names = {
        "investigation": "investigation_form",
        "match": "match_form",
        "spot_check": "spot_check_form",
        "appeal": "appeal_file_form",
        "appeal_outcome": "appeal_decide_form",
        "self_care": "self_care_form",
        "objection": "objection_form",
    }
    application.refresh_from_db()
    return _page(request, application, **{names[record]: form})


@require_GET
def application_document(request, pk: int, kind: str, fmt: str):
    _reader(request.user)
    application = found(selectors.application_get, actor=request.user, pk=pk)
    if kind not in documents.available(application) or fmt not in ("docx", "pdf"):
        raise Http404(_("This document is not available for this application."))
    stored = documents.application_document_file(
        actor=request.user, application=application, kind=kind, fmt=fmt
    )
    return attachment(stored)


@require_http_methods(["GET", "POST"])
def near_relatives(request):
    """The user's declared near relatives (art. 11), and the form to declare one by ID number and name."""
    user = request.user
    if user.role not in services.DECLARING_ROLES:
        raise PermissionDenied(_("Staff who handle applications declare their near relatives."))
    form = NearRelativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = (
            person_list(actor=user).filter(id_number=data["id_number"].upper(), name=data["name"]).first()
        )
        if person is None:
            form.add_error(None, _("No registered person of your area has this ID number and name."))
        else:
            outcome = call_service(
                lambda: services.near_relative_declare(
                    actor=user, person_id=person.pk, relation=data["relation"]
                ),
                form,
            )
            if outcome.ok:
                return finished(request, request.path, _("Declared."))
    rows = selectors.near_relatives_of(actor=user)
    return render(
        request,
        "programmes/near_relatives.html",
        {"rows": rows, "form": form},
        status=400 if form.errors else 200,
    )


def _village(code: str):
    if not (code.isascii() and code.isdigit() and len(code) == 12):
        raise Http404(_("There is no such village."))
    path = division_path(code)
    if not path or path[-1].code != code:
        raise Http404(_("There is no such village."))
    return path[-1]


@login_not_required
@require_GET
def public_notice(request, code: str):
    """The village's notice board, open to anyone (the public page): names, sizes, amounts."""
    village = _village(code)
    place = "·".join(d.name for d in division_path(village.code) if d.level != "city")
    return render(
        request,
        "programmes/public_notice.html",
        {
            "place": place,
            "village": village,
            "rows": selectors.public_notice(village_code=village.code),
            "today": timezone.localdate(),
        },
    )


@require_GET
def public_notice_poster(request, code: str, fmt: str):
    """The poster to put up in the village, as DOCX or PDF (staff of the area print it)."""
    village = _village(code)
    user = request.user
    _reader(user)
    from safetynet.core.scope import in_area

    if not in_area(user, village.code):
        raise Http404(_("There is no such village."))
    if fmt not in ("docx", "pdf"):
        raise Http404(_("There is no such format."))
    try:
        stored = document_generate(
            actor=user,
            document=documents.notice_poster(village.code),
            fmt=fmt,
            name=f"{village.name}-公示",
            subject=("programmes.notice", int(village.code), village.code),
            reuse=False,
        )
    except ValidationError:
        raise Http404 from None
    return attachment(stored)


@require_http_methods(["GET", "POST"])
def self_care_report_start(request, pk: int):
    """Report a change of a 特困 person's self-care ability (from the household's card)."""
    from safetynet.programmes.applications.forms import SelfCareReportForm

    user = request.user
    person = found(person_get, actor=user, pk=pk)
    if user.role not in services.REPORT_ROLES:
        raise PermissionDenied(_("The village, the grid worker or the township reports a change."))
    form = SelfCareReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = call_service(
            lambda: services.self_care_change_report(
                actor=user, person_id=person.pk, what=form.cleaned_data["what"]
            ),
            form,
        )
        if outcome.ok:
            return finished(
                request,
                reverse("programmes:self_care_report", args=[outcome.value.pk]),
                _("Reported: the county re-assesses within 10 working days."),
            )
    title = _("A change of %(name)s's self-care ability") % {"name": person.name}
    return form_page(
        request,
        title=title,
        forms_=[form],
        action=request.get_full_path(),
        cancel_url=reverse("registry:person_detail", args=[pk]),
        submit=_("Report"),
    )


@require_http_methods(["GET", "POST"])
def self_care_report(request, pk: int):
    """A reported change and its re-assessment: the county assesses the six items here."""
    user = request.user
    _reader(user)
    report = found(selectors.self_care_report_get, actor=user, pk=pk)
    form = None
    if user.role == "county_bureau" and report.assessment_id is None:
        form = SelfCareForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            outcome = call_service(
                lambda: services.self_care_assess(
                    actor=user,
                    person_id=report.person_id,
                    cannot=form.cleaned_data["cannot"],
                    reason=form.cleaned_data["reason"] or report.what,
                ),
                form,
            )
            if outcome.ok:
                return finished(request, request.path, _("The assessment is recorded: the care tier is set."))
    elif request.method == "POST":
        raise PermissionDenied(_("The county assesses self-care ability."))
    context = case_context(request, report.case)
    context["moves"] = [move for move in context["moves"] if move.code != "assess"]
    assessment = report.assessment
    if assessment is not None:
        assessment.items = "、".join(str(ITEM_LABELS[i]) for i in assessment.cannot) or _("none")
    return render(
        request,
        "programmes/self_care_report.html",
        {**context, "report": report, "assessment": assessment, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


# --- reports and complaints --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def complaint_list(request):
    """The area's reports and complaints, open first; the county and the township record new ones."""
    from safetynet.programmes.applications import complaints
    from safetynet.programmes.applications.forms import ComplaintForm

    user = request.user
    _reader(user)
    may_receive = user.role in complaints.RECEIVING_ROLES
    form = ComplaintForm(request.POST or None) if may_receive else None
    if request.method == "POST":
        if not may_receive:
            raise PermissionDenied(_("The county or the township records reports and complaints."))
        if form.is_valid():
            data = form.cleaned_data
            outcome = call_service(
                lambda: complaints.complaint_receive(
                    actor=user,
                    kind=data["kind"],
                    complainant=data["complainant"],
                    contact=data["contact"],
                    text=data["text"],
                    household_id=data["household"],
                    area_code=data["area"],
                ),
                form,
            )
            if outcome.ok:
                return finished(
                    request,
                    reverse("programmes:complaint", args=[outcome.value.pk]),
                    _("Recorded: it is on the county's desk."),
                )
    rows = list(selectors.complaints(actor=user).order_by("case__closed_at", "case__due_at", "-pk")[:200])
    for row in rows:
        row.state_label = complaints.FLOW.state(row.case.state).label
    return render(
        request,
        "programmes/complaints.html",
        {"rows": rows, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def complaint_detail(request, pk: int):
    from safetynet.programmes.applications import complaints
    from safetynet.programmes.applications.forms import AnswerForm, FindingsForm

    user = request.user
    _reader(user)
    complaint = found(selectors.complaint_get, actor=user, pk=pk)
    state = complaint.case.state
    findings_form = (
        FindingsForm(
            request.POST if request.POST.get("record") == "findings" else None,
            initial={"version": complaint.case.version},
        )
        if state == "checking" and user.role in complaints.RECEIVING_ROLES
        else None
    )
    answer_form = (
        AnswerForm(
            request.POST if request.POST.get("record") == "answer" else None,
            initial={"version": complaint.case.version},
        )
        if state == "checked" and user.role == "county_bureau"
        else None
    )
    if request.method == "POST":
        form = findings_form if request.POST.get("record") == "findings" else answer_form
        if form is None:
            raise PermissionDenied(_("There is nothing for you to record on this now."))
        if form.is_valid():
            data = form.cleaned_data
            if form is findings_form:
                call = lambda: complaints.complaint_findings(  # noqa: E731
                    actor=user,
                    pk=pk,
                    version=data["version"],
                    substantiated=data["substantiated"],
                    findings=data["findings"],
                )
            else:
                call = lambda: complaints.complaint_answer(  # noqa: E731
                    actor=user, pk=pk, version=data["version"], answer=data["answer"]
                )
            if call_service(call, form).ok:
                return finished(request, request.path, _("Recorded."))
    context = case_context(request, complaint.case)
    # The steps that carry findings or the answer are taken with their forms here.
    context["moves"] = [move for move in context["moves"] if move.code == "send"]
    return render(
        request,
        "programmes/complaint.html",
        {
            **context,
            "complaint": complaint,
            "findings_form": findings_form,
            "answer_form": answer_form,
            # Who reported is kept from everyone but the county that answers (the reporter is protected).
            "sees_complainant": user.role == "county_bureau",
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def complaint_answer_document(request, pk: int, fmt: str):
    """The written answer, as DOCX or PDF, kept with the complaint."""
    user = request.user
    _reader(user)
    complaint = found(selectors.complaint_get, actor=user, pk=pk)
    if user.role != "county_bureau":  # it names who reported: the county that answers sends it
        raise PermissionDenied(_("The county that answers sends the written answer."))
    if not complaint.answered_at or fmt not in ("docx", "pdf"):
        raise Http404(_("There is no written answer yet."))
    stored = document_generate(
        actor=user,
        document=documents.complaint_answer(complaint),
        fmt=fmt,
        name=f"{complaint.pk}-答复",
        subject=("programmes.complaint", complaint.pk, complaint.area_id),
    )
    return attachment(stored)
