"""The work desk (/desk/), the inbox (/inbox/), workflow help pages with their state charts
(/workflows/), and the steps every case page shares: take a transition, add evidence, read it.

An app's case page includes "core/_case.html" with `case_context(request, case)`: the state, the
deadline, the steps the user may take (each a small form posting here), the evidence and the
history. The app writes no view for its transitions unless a step needs fields of its own.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from safetynet.core.pages import call_service, finished, found
from safetynet.core.types import CaseLevel, EvidenceKind, Role
from safetynet.core.workflows import selectors
from safetynet.core.workflows.chart import limit_words, state_chart_svg
from safetynet.core.workflows.evidence import evidence_add
from safetynet.core.workflows.services import case_extend, case_transition, event_words, notices_mark_read
from safetynet.core.workflows.table import ANY_STATE, workflow, workflows


class MoveForm(forms.Form):
    transition = forms.CharField(max_length=40)
    version = forms.IntegerField(min_value=1, max_value=2_000_000_000)
    reason = forms.CharField(label=gettext_lazy("Reason or remark"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.TypedMultipleChoiceField(label=gettext_lazy("Evidence"), required=False, coerce=int,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, evidence_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = list(evidence_choices)


class ExtendForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=2_000_000_000)
    amount = forms.IntegerField(label=gettext_lazy("By"), min_value=1, max_value=365)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file shows"), choices=EvidenceKind.choices)
    file = forms.FileField(label=gettext_lazy("File"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=200)


def _unused_evidence(case) -> list[tuple[int, str]]:
    return [(e.pk, f"{e.get_kind_display()} · {e.original_name}")
            for e in selectors.case_evidence(case) if e.event_id is None]


def case_context(request, case, *, move_form=None, evidence_form=None) -> dict:
    """What "core/_case.html" shows of a case to this user."""
    flow = workflow(case.workflow)
    unused = _unused_evidence(case)
    moves = [move for move in flow.moves_from(case.state) if request.user.role in move.roles]
    return {
        "case": case,
        "flow": flow,
        "state": flow.state(case.state),
        "moves": moves,
        "unused_evidence": unused,
        "move_form": move_form or MoveForm(evidence_choices=unused),
        "evidence_form": evidence_form or EvidenceForm(),
        "events": [(event, event_words(flow, event)) for event in selectors.case_events(case)],
        "evidence": list(selectors.case_evidence(case)),
        "open": case.closed_at is None,
        # The statute's longer limit "with a recorded reason", for the roles the workflow names.
        "may_extend": (case.closed_at is None and request.user.role in flow.extension_roles
                       and case.extension < flow.max_extension),
        "extension_left": flow.max_extension - case.extension,
    }


def _back(request, case) -> str:
    flow = workflow(case.workflow)
    return flow.subject_url(case) if flow.subject_url else "/"


@login_required
@require_POST
def case_move(request, pk: int):
    case = found(selectors.case_get, actor=request.user, pk=pk)
    form = MoveForm(request.POST, evidence_choices=_unused_evidence(case))
    if form.is_valid():
        outcome = call_service(lambda: case_transition(
            actor=request.user, case_id=case.pk, transition=form.cleaned_data["transition"],
            version=form.cleaned_data["version"], reason=form.cleaned_data["reason"],
            evidence=form.cleaned_data["evidence"]), form)
        if outcome.ok:
            move = workflow(case.workflow).transition(form.cleaned_data["transition"])
            return finished(request, _back(request, case), _("Done: %(step)s.") % {"step": move.label})
    return render(request, "core/case_refused.html", {
        "case": case, "form": form, "back": _back(request, case)}, status=400)


@login_required
@require_POST
def case_extend_page(request, pk: int):
    case = found(selectors.case_get, actor=request.user, pk=pk)
    form = ExtendForm(request.POST)
    if form.is_valid():
        outcome = call_service(lambda: case_extend(
            actor=request.user, case_id=case.pk, version=form.cleaned_data["version"],
            amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"]), form)
        if outcome.ok:
            return finished(request, _back(request, case), _("The time limit is extended."))
    return render(request, "core/case_refused.html", {
        "case": case, "form": form, "back": _back(request, case)}, status=400)


@login_required
@require_POST
def case_evidence_add(request, pk: int):
    case = found(selectors.case_get, actor=request.user, pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        outcome = call_service(lambda: evidence_add(
            actor=request.user, case=case, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"],
            note=form.cleaned_data["note"]), form)
        if outcome.ok:
            return finished(request, _back(request, case), _("The file was added to the case."))
    return render(request, "core/case_refused.html", {
        "case": case, "form": form, "back": _back(request, case)}, status=400)


@login_required
@require_GET
def evidence_download(request, pk: int):
    evidence = found(selectors.evidence_get, actor=request.user, pk=pk)
    try:
        stream = evidence.file.open("rb")
    except OSError:
        raise Http404(_("The file is missing from storage.")) from None
    inline = evidence.extension in {".jpg", ".png"}
    return FileResponse(stream, as_attachment=not inline, filename=evidence.original_name,
                        content_type=evidence.content_type)


@login_required
@require_GET
def desk_page(request):
    return render(request, "core/desk.html", {"desk": selectors.desk(actor=request.user)})


@login_required
def inbox_page(request):
    if request.method == "POST":
        marked = notices_mark_read(actor=request.user)
        return finished(request, request.path, _("%(count)s notices marked read.") % {"count": marked})
    shown = selectors.notices(actor=request.user)[:200]
    rows = [(n, selectors.notice_text(n), selectors.notice_link(n)) for n in shown]
    return render(request, "core/inbox.html", {"rows": rows,
                                               "unread": selectors.unread_notices(actor=request.user)})


@login_required
@require_GET
def workflow_list(request):
    return render(request, "core/workflows.html", {"flows": workflows()})


@login_required
@require_GET
def workflow_help(request, code: str):
    try:
        flow = workflow(code)
    except KeyError:
        raise Http404(_("There is no such kind of case.")) from None
    def state_label(code):
        return _("any state") if code == ANY_STATE else str(flow.state(code).label)

    states = [{"state": state, "office": CaseLevel(state.office).label if state.office else "",
               "limit": limit_words(state)} for state in flow.states]
    steps = [{"move": move, "sources": [state_label(code) for code in move.sources],
              "target": state_label(move.target),
              "roles": [str(Role(code).label) for code in sorted(move.roles)]} for move in flow.transitions]
    return render(request, "core/workflow.html", {"flow": flow, "chart": state_chart_svg(flow),
                                                  "states": states, "steps": steps})
