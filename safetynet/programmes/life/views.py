"""The pages of assistance in payment: the reviews of the area (/programmes/reviews/), one review
with its home visit and the county's decision, starting one on a change, the decisions' notices,
handing a household over to another county and confirming one taken over, and the city bureau's
adjustment of the assistance a new standard changes."""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.core.pages import attachment, call_service, finished, found
from safetynet.core.workflows.views import case_context
from safetynet.programmes.life import selectors, services, workflow
from safetynet.programmes.life.forms import (
    ConfirmForm,
    DecideForm,
    HandOverForm,
    ReviewStartForm,
    VisitForm,
    WorkOfferForm,
)
from safetynet.programmes.selectors import enrolment_get
from safetynet.registry.rules import may_read_registry
from safetynet.registry.selectors import household_get, household_members
from safetynet.registry.views.common import form_page

# Steps taken through the forms of the review's page, not the kernel's plain step form.
OWN_FORMS = {"visited", "decide", "notify_termination"}


def _reader(user) -> None:
    if not may_read_registry(user):
        raise PermissionDenied(_("Your role does not read assistance in payment."))


@require_GET
def review_list(request):
    """The reviews of the user's area: open ones soonest due first, or all; a late one marked."""
    user = request.user
    _reader(user)
    reason = request.GET.get("reason", "")
    reason = reason if reason in dict(selectors.REASONS) else ""
    show_all = request.GET.get("all") == "1"
    overdue = request.GET.get("overdue") == "1"
    rows = list(
        selectors.review_list(actor=user, reason=reason, open_only=not show_all, overdue_only=overdue)[:300]
    )
    today = timezone.localdate()
    for row in rows:
        row.state_label = workflow.REVIEW_FLOW.state(row.case.state).label
        row.late = row.case.closed_at is None and (row.due_on < today or row.case.overdue_since is not None)
    return render(
        request,
        "programmes/reviews.html",
        {
            "rows": rows,
            "reasons": selectors.REASONS,
            "reason": reason,
            "all": show_all,
            "overdue": overdue,
        },
    )


def _review_page(request, review, **forms_given):
    user = request.user
    state = review.case.state
    context = case_context(request, review.case)
    context["moves"] = [move for move in context["moves"] if move.code not in OWN_FORMS]
    visit_form = forms_given.get("visit_form") or (
        VisitForm(initial={"version": review.version, "visited_on": timezone.localdate()})
        if state == "visit" and user.role in services.VISIT_ROLES
        else None
    )
    decide_form = forms_given.get("decide_form") or (
        DecideForm(initial={"version": review.version, "amount": review.enrolment.amount})
        if state == "decide" and user.role in services.DECIDING_ROLES
        else None
    )
    return render(
        request,
        "programmes/review.html",
        {
            **context,
            "review": review,
            "visit_form": visit_form,
            "decide_form": decide_form,
            "decisions": selectors.decisions_of(review=review),
            "recoveries": selectors.recoveries_of(review=review),
            "late": review.case.closed_at is None and review.due_on < timezone.localdate(),
        },
        status=400 if forms_given else 200,
    )


@require_GET
def review_detail(request, pk: int):
    _reader(request.user)
    return _review_page(request, found(selectors.review_get, actor=request.user, pk=pk))


@require_POST
def review_record(request, pk: int, record: str):
    """The home visit (which sends the file to the county) and the county's decision."""
    user = request.user
    _reader(user)
    review = found(selectors.review_get, actor=user, pk=pk)
    here = reverse("programmes:review", args=[pk])
    if record == "visit":
        form = VisitForm(request.POST)

        def call(data):
            return services.review_visit_record(
                actor=user,
                review_id=pk,
                version=data["version"],
                visitors=[data["first"], data["second"]],
                visited_on=data["visited_on"],
                findings=data["findings"],
            )

        done, name = _("The visit is recorded: the file is on the county's desk."), "visit_form"
    elif record == "decide":
        form = DecideForm(request.POST)

        def call(data):
            return services.review_decide(
                actor=user,
                review_id=pk,
                version=data["version"],
                outcome=data["outcome"],
                reasons=data["reasons"],
                amount=data["amount"],
                effective=data["effective"],
                months=data["months"],
                overpaid_from=data["overpaid_from"],
            )

        done, name = _("Decided: the notice is ready to print and give."), "decide_form"
    else:
        raise Http404
    if form.is_valid():
        outcome = call_service(lambda: call(form.cleaned_data), form)
        if outcome.ok:
            return finished(request, here, done)
    review = found(selectors.review_get, actor=user, pk=pk)
    return _review_page(request, review, **{name: form})


@require_http_methods(["GET", "POST"])
def review_start(request, pk: int):
    """Start a review of an enrolment on a change the family reported, a visit found or an alert raised."""
    user = request.user
    enrolment = found(enrolment_get, actor=user, pk=pk)
    if user.role not in services.START_ROLES:
        raise PermissionDenied(
            _("Reviews are started by the village coordinator, the township or the county.")
        )
    household = household_get(actor=user, pk=enrolment.household_id)
    members = [m.person for m in household_members(household=household)]
    form = ReviewStartForm(
        request.POST or None, members=members, initial={"reason": request.GET.get("reason", "reported")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = call_service(
            lambda: services.review_start(
                actor=user,
                enrolment_id=enrolment.pk,
                reason=data["reason"],
                what=data["what"],
                person_id=data["person"],
            ),
            form,
        )
        if outcome.ok:
            return finished(
                request,
                reverse("programmes:review", args=[outcome.value.pk]),
                _("The review is started: it is on the township's desk."),
            )
    return form_page(
        request,
        title=_("Review of %(programme)s: %(household)s")
        % {"programme": enrolment.get_programme_display(), "household": household},
        forms_=[form],
        action=request.get_full_path(),
        cancel_url=reverse("registry:household_detail", args=[household.pk]),
        submit=_("Start the review"),
    )


@require_GET
def decision_notice(request, pk: int):
    """A decision's written notice, to print and give to the household."""
    _reader(request.user)
    decision = found(selectors.decision_get, actor=request.user, pk=pk)
    return render(
        request,
        "programmes/decision_notice.html",
        {"decision": decision, "lines": decision.notice.splitlines()},
    )


@require_http_methods(["GET", "POST"])
def hand_over(request, pk: int):
    """The county hands a household over to another county of the city: it pays up to this month."""
    user = request.user
    household = found(household_get, actor=user, pk=pk)
    if user.role not in services.TRANSFER_ROLES:
        raise PermissionDenied(_("The county bureau hands a household over to another county."))
    form = HandOverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = call_service(
            lambda: services.transfer_hand_over(
                actor=user, household_id=household.pk, village_code=data["village"], note=data["note"]
            ),
            form,
        )
        if outcome.ok:
            return finished(
                request,
                reverse("registry:household_list"),
                _(
                    "Handed over: this county pays up to this month; the other county "
                    "confirms the amount it pays from %(month)s."
                )
                % {"month": outcome.value.first_month.isoformat()},
            )
    return form_page(
        request,
        title=_("Hand %(household)s over to another county") % {"household": household},
        forms_=[form],
        action=request.get_full_path(),
        cancel_url=reverse("registry:household_detail", args=[household.pk]),
        submit=_("Hand over"),
        intro=_(
            "The household moves to the village given, with its members and records. This "
            "county pays its assistance up to the end of this month; the other county pays "
            "it from the first of next month and confirms the amount at its own standard."
        ),
    )


@require_http_methods(["GET", "POST"])
def transfer_detail(request, pk: int):
    """A household taken over from another county: the receiving county confirms the amounts."""
    user = request.user
    _reader(user)
    transfer = found(selectors.transfer_get, actor=user, pk=pk)
    continued = selectors.transfer_continued(transfer)
    waiting = transfer.case.state == "to_confirm" and user.role in services.DECIDING_ROLES
    form = ConfirmForm(request.POST or None, continued=continued, initial={"version": transfer.case.version})
    if request.method == "POST":
        if not waiting:
            raise PermissionDenied(_("The county bureau confirms a transfer waiting for it."))
        if form.is_valid():
            outcome = call_service(
                lambda: services.transfer_confirm(
                    actor=user, transfer_id=pk, version=form.cleaned_data["version"], amounts=form.amounts()
                ),
                form,
            )
            if outcome.ok:
                return finished(
                    request, reverse("programmes:transfer", args=[pk]), _("The amounts are confirmed.")
                )
    context = case_context(request, transfer.case)
    context["moves"] = [move for move in context["moves"] if move.code != "confirm"]
    return render(
        request,
        "programmes/transfer.html",
        {
            **context,
            "transfer": transfer,
            "continued": continued,
            "form": form if waiting else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def standard_adjust(request):
    """The city bureau adjusts now the assistance an approved standard changes (the daily job does it
    otherwise)."""
    user = request.user
    outcome = None
    try:
        outcome = services.standard_adjust(actor=user, standard_id=request.POST.get("standard", ""))
    except ObjectDoesNotExist:
        raise Http404(_("This record does not exist or is outside your area.")) from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if outcome is not None:
        messages.success(
            request,
            _("%(adjusted)s enrolments adjusted from %(month)s; %(left)s left for a review.")
            % {
                "adjusted": outcome.adjusted,
                "month": outcome.effective.isoformat(),
                "left": outcome.left_for_review,
            },
        )
    return redirect(reverse("programmes:standards"))


@require_http_methods(["GET", "POST"])
def work_offers(request, pk: int):
    """Work offered to the household's able-bodied members and their answers; the third refusal in a
    row without good reason starts the review of the member's share."""
    user = request.user
    household = found(household_get, actor=user, pk=pk)
    _reader(user)
    may_record = user.role in services.WORK_OFFER_ROLES
    members = [m.person for m in household_members(household=household) if m.left_on is None]
    form = WorkOfferForm(request.POST or None, members=members, initial={"offered_on": timezone.localdate()})
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied(
                _("Work offered is recorded by the village coordinator, the township or the county.")
            )
        if form.is_valid():
            data = form.cleaned_data
            outcome = call_service(
                lambda: services.work_offer_record(
                    actor=user,
                    household_id=household.pk,
                    person_id=data["person"],
                    offered=data["offered"],
                    offered_on=data["offered_on"],
                    accepted=data["accepted"],
                    good_reason=data["good_reason"],
                ),
                form,
            )
            if outcome.ok:
                return finished(request, reverse("programmes:work_offers", args=[pk]), _("Recorded."))
    return render(
        request,
        "programmes/work_offers.html",
        {
            "household": household,
            "offers": selectors.work_offers(household=household),
            "form": form if may_record else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def decision_notice_download(request, pk: int, fmt: str):
    """The notice as a DOCX or PDF to print, sign and give."""
    from safetynet.programmes.life.documents import decision_notice_file

    _reader(request.user)
    decision = found(selectors.decision_get, actor=request.user, pk=pk)
    if fmt not in ("docx", "pdf"):
        raise Http404(_("This document is not available for this decision."))
    return attachment(decision_notice_file(actor=request.user, decision=decision, fmt=fmt))
