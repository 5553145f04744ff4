"""Drafting a county's payroll for a month: the lines, worked out over the county's enrolments as
a set (rows of values, never model objects) and inserted in bulk.

For each month from the county's first payroll month to the run's month, each enrolment in force
then is owed its monthly amount once. An enrolment month already paid by a line of any run is
skipped (and the database refuses a second line for it anyway): that is what makes drafting the
same month again, or after a crash, pay nothing twice. An earlier month not yet paid is arrears; a
month paid at an amount since changed by a decision taking effect back then is adjusted by the
difference. What was paid last month and is not now is shown as a stopped line paying nothing.
Lines that failed at the bank, or were held for want of an account, are paid again once the payee
has an account — a corrected one for a failure."""

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Q, Sum
from django.utils.translation import gettext as _

from safetynet.care.selectors import care_payees
from safetynet.core.bulkinsert import insert_rows, reserve_ids
from safetynet.core.scope import subtree_q
from safetynet.institutions.selectors import institution_names
from safetynet.payments.models import (
    FundSource,
    HouseholdPayee,
    PayeeAccount,
    PayeeKind,
    PayrollLine,
    PayrollRun,
)
from safetynet.programmes.models import Enrolment, EnrolmentDecision
from safetynet.programmes.rules import PROGRAMME_NAMES
from safetynet.programmes.selectors import standard_at

Line = PayrollLine
ZERO = Decimal("0.00")
# The fund each programme is charged to where the county has not said otherwise.
DEFAULT_FUNDS = {
    "dibao": FundSource.CENTRAL,
    "tekun": FundSource.CENTRAL,
    "edge": FundSource.COUNTY,
    "rigid": FundSource.COUNTY,
}
CARE_STANDARDS = {1: "tekun_care_self", 2: "tekun_care_partial", 3: "tekun_care_full"}
PAID_KINDS = (Line.Kind.REGULAR, Line.Kind.ARREARS, Line.Kind.ADJUSTMENT)


class DraftStopped(Exception):
    """Lines that may not be paid as they stand (a negative amount, more than the decision allows):
    the run is not drafted, and these say why."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def payable(amount: Decimal) -> Decimal:
    """A month's amount as paid: to the fen half-up, then to the whole yuan half-up (SPEC §6.3)."""
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return cents.quantize(Decimal("1"), rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month - datetime.timedelta(days=1)).replace(day=1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


@dataclass
class Draft:
    rows: list[dict] = field(default_factory=list)
    changes: dict = field(default_factory=lambda: defaultdict(int))
    total: Decimal = ZERO
    stopped: list[str] = field(default_factory=list)


def _accounts(county: str, institutions, enrolments) -> dict[str, int]:
    """The open account of each payee ("person:7" → account id): the county's people and caregivers,
    the people its enrolments pay who live elsewhere now (a household moved away), and the
    institutions (perhaps in another county) its 特困 persons live in."""
    paid_people = (
        Q(person_id__in=enrolments.values("household__head_id"))
        | Q(person_id__in=enrolments.filter(person__isnull=False).values("person_id"))
        | Q(person_id__in=HouseholdPayee.objects.filter(
            ended_at__isnull=True, household_id__in=enrolments.values("household_id")).values("person_id"))
    )
    rows = PayeeAccount.objects.filter(
        subtree_q("area_id", county) | Q(institution_id__in=list(institutions)) | paid_people,
        closed_at__isnull=True,
    ).values_list("holder_kind", "person_id", "institution_id", "agreement_id", "pk")
    refs = {}
    for kind, person, institution, agreement, pk in rows:
        holder = {
            PayeeKind.PERSON: person,
            PayeeKind.INSTITUTION: institution,
            PayeeKind.CAREGIVER: agreement,
        }[kind]
        refs[f"{kind}:{holder}"] = pk
    return refs


def draft_lines(run: PayrollRun, *, funds: dict) -> Draft:
    """The lines of `run` (not yet inserted), with what changed and what stops it."""
    county, month = run.county_id, run.month
    first = (
        PayrollRun.objects.filter(county_id=county).order_by("month").values_list("month", flat=True).first()
    ) or month
    window = months_between(min(first, month), month)
    last = previous_month(month)
    draft = Draft()

    in_window = Enrolment.objects.filter(county_id=county, amount__gt=0, since__lte=month).filter(
        Q(until__isnull=True) | Q(until__gt=window[0]))
    enrolments = list(
        in_window
        .values_list(
            "pk",
            "programme",
            "household_id",
            "person_id",
            "amount",
            "since",
            "until",
            "decision",
            "household__village_id",
            "household__urban_rural",
            "household__head_id",
            "household__head__name",
            "person__name",
            "person__self_care",
        )
    )
    # Lines already paying these months: by enrolment month part, and by beneficiary month.
    paid_lines = (
        Line.objects.filter(run__county_id=county, month__gte=window[0], kind__in=PAID_KINDS)
        .exclude(run=run)
        .values_list("enrolment_id", "month", "part", "programme", "household_id", "person_id", "amount")
    )
    done, paid_for = set(), defaultdict(lambda: ZERO)
    for enrolment, m, _part, programme, household, person, amount in paid_lines:
        done.add((enrolment, m))
        paid_for[(programme, household, person, m)] += amount
    last_month, last_payee = {}, {}
    for p, h, pe, a, ref in (
        Line.objects.filter(run__county_id=county, month=last, kind__in=PAID_KINDS)
        .exclude(run=run)
        .values("programme", "household_id", "person_id")
        .annotate(total=Sum("amount"), ref=Max("payee_ref", filter=Q(part=Line.Part.ALL)))
        .values_list("programme", "household_id", "person_id", "total", "ref")
    ):
        last_month[(p, h, pe)] = a
        if ref:
            last_payee[(p, h, pe)] = ref
    decisions = {
        successor: (kind, pk, standard)
        for successor, kind, pk, standard in EnrolmentDecision.objects.filter(
            successor__county_id=county, successor__since__lte=month
        ).values_list("successor_id", "kind", "pk", "standard_id")
    }
    decision_labels = dict(EnrolmentDecision.Kind.choices)
    tekun = {row["pk"]: row for row in care_payees(on=month, area=county)}
    institutions = institution_names([row["institution"] for row in tekun.values() if row["institution"]])
    accounts = _accounts(county, institutions, in_window)
    # Households whose benefits are paid to a named payee (a guardian …) instead of the head.
    named_payees = {
        household: (person, name)
        for household, person, name in HouseholdPayee.objects.filter(
            ended_at__isnull=True, household_id__in=in_window.values("household_id")
        ).values_list("household_id", "person_id", "person__name")
    }
    standards = functools.cache(
        lambda kind, residence, on: standard_at(kind=kind, county=county, urban_rural=residence, on=on)
    )

    def payees(pk, programme, household, amount, person, person_name, self_care, head, head_name,
               on) -> list[tuple]:
        """(part, amount, payee kind, payee name, payee ref) of one enrolment month."""
        if programme != "tekun" or person is None:
            payee, payee_name = named_payees.get(household, (head, head_name))
            return [(Line.Part.ALL, amount, PayeeKind.PERSON, payee_name or "", f"person:{payee}")]
        care = tekun.get(pk)
        if care and care["institution"]:
            name = institutions.get(care["institution"], "")
            return [
                (Line.Part.ALL, amount, PayeeKind.INSTITUTION, name, f"institution:{care['institution']}")
            ]
        if care and care["agreement"]:
            standard = standards(CARE_STANDARDS.get(self_care, "tekun_care_self"), "", on)
            care_part = min(amount, payable(standard.value)) if standard else ZERO
            if care_part > 0:
                return [
                    (Line.Part.BASIC, amount - care_part, PayeeKind.PERSON, person_name, f"person:{person}"),
                    (
                        Line.Part.CARE,
                        care_part,
                        PayeeKind.CAREGIVER,
                        care["caregiver"],
                        f"caregiver:{care['agreement']}",
                    ),
                ]
        return [(Line.Part.ALL, amount, PayeeKind.PERSON, person_name, f"person:{person}")]

    in_force_now = set()
    for (
        pk,
        programme,
        household,
        person,
        amount,
        since,
        until,
        decision,
        village,
        residence,
        head,
        head_name,
        person_name,
        self_care,
    ) in enrolments:
        made_by = decisions.get(pk)
        reason = decision_labels.get(made_by[0], "") if made_by else ""
        decision_ref = decision or (
            _("decision #%(id)s") % {"id": made_by[1]} if made_by else _("enrolment #%(id)s") % {"id": pk}
        )
        standard = made_by[2] if made_by and made_by[2] else None
        if standard is None and programme in ("dibao", "tekun"):
            found = standards("dibao", residence, since if since > window[0] else window[0])
            standard = found.pk if found else None
        fund = funds.get(programme) or DEFAULT_FUNDS.get(programme, FundSource.COUNTY)
        amount = payable(amount)
        slot = (programme, household, person)
        for m in window:
            if not (since <= m and (until is None or until > m)):
                continue
            if m == month:
                in_force_now.add(slot)
            if (pk, m) in done:
                continue
            before = paid_for[(programme, household, person, m)]
            owed = amount - before
            if owed < 0:
                draft.stopped.append(
                    _(
                        "%(programme)s of household %(household)s for %(month)s: %(paid)s "
                        "yuan was paid, more than the %(amount)s the decision now allows; "
                        "record a recovery instead."
                    )
                    % {
                        "programme": PROGRAMME_NAMES.get(programme, programme),
                        "household": household,
                        "month": f"{m:%Y-%m}",
                        "paid": before,
                        "amount": amount,
                    }
                )
                continue
            if owed == 0:
                continue
            if m == month:
                kind = Line.Kind.REGULAR if before == 0 else Line.Kind.ADJUSTMENT
            else:
                kind = Line.Kind.ARREARS if before == 0 else Line.Kind.ADJUSTMENT
            parts = payees(pk, programme, household, owed, person, person_name, self_care, head, head_name, m)
            if before > 0:  # a difference is paid whole to the beneficiary's own payee
                parts = [(Line.Part.ALL, owed, *parts[0][2:])]
            previous = last_month.get(slot)
            if kind == Line.Kind.REGULAR:
                change = (
                    Line.Change.NEW
                    if previous is None
                    else Line.Change.SAME
                    if previous == amount
                    else Line.Change.CHANGED
                )
            else:
                change = Line.Change.NEW if kind == Line.Kind.ARREARS else Line.Change.CHANGED
            for part, part_amount, payee_kind, payee_name, ref in parts:
                if part_amount > amount:
                    draft.stopped.append(
                        _(
                            "Household %(household)s: %(paid)s yuan for %(month)s is more "
                            "than the %(amount)s its decision allows."
                        )
                        % {
                            "household": household,
                            "paid": part_amount,
                            "month": f"{m:%Y-%m}",
                            "amount": amount,
                        }
                    )
                    continue
                account = accounts.get(ref)
                line_reason = reason
                if kind == Line.Kind.REGULAR and part == Line.Part.ALL and last_payee.get(slot, ref) != ref:
                    # Shown to the checker among what moved: the same money to someone else.
                    moved = _("paid to another payee than last month")
                    line_reason = f"{reason}；{moved}" if reason else moved
                    draft.changes["payee_changed"] += 1
                draft.rows.append(
                    {
                        "kind": kind,
                        "part": part,
                        "programme": programme,
                        "month": m,
                        "enrolment_id": pk,
                        "household_id": household,
                        "person_id": person,
                        "village_id": village,
                        "payee_kind": payee_kind,
                        "payee_name": (payee_name or "")[:100],
                        "payee_ref": ref,
                        "account_id": account,
                        "amount": part_amount,
                        "previous_amount": previous if kind == Line.Kind.REGULAR else None,
                        "change": change,
                        "reason": str(line_reason)[:200],
                        "decision": decision_ref[:80],
                        "standard_id": standard,
                        "fund": fund,
                        "status": Line.Status.PENDING if account else Line.Status.HELD,
                        "failure": "",
                        "reissue_of_id": None,
                        "aid_instalment_id": None,
                    }
                )
                draft.total += part_amount
                draft.changes[change if kind == Line.Kind.REGULAR else kind] += 1
                if account is None:
                    draft.changes["held"] += 1

    _stopped_lines(run, draft, last, in_force_now)
    _aid_stages(run, draft, accounts, funds)
    _reissues(run, draft, accounts)
    return draft


def _aid_stages(run: PayrollRun, draft: Draft, accounts: dict, funds: dict) -> None:
    """The stages of temporary aid the county decided to pay through its payroll, due by the run's
    month, not stopped and not yet on a line: each paid whole to the household's payee (a guardian
    named for it, else the head), as its 低保 is."""
    from safetynet.programmes.aid.selectors import instalments_due

    stages = list(instalments_due(
        county=run.county_id, month=run.month,
        exclude=Line.objects.filter(kind=Line.Kind.STAGE).values("aid_instalment_id")))
    if not stages:
        return
    named = {
        household: (person, name)
        for household, person, name in HouseholdPayee.objects.filter(
            ended_at__isnull=True, household_id__in=[row["household"] for row in stages]
        ).values_list("household_id", "person_id", "person__name")
    }
    fund = funds.get("temporary") or FundSource.COUNTY
    stage_words = _("stage %(stage)s of a temporary aid the county decided")
    aid_words = _("temporary aid #%(id)s, stage %(stage)s")
    for row in stages:
        payee, payee_name = named.get(row["household"], (row["head"], row["head_name"]))
        ref = f"person:{payee}"
        account = accounts.get(ref)
        draft.rows.append(
            {
                "kind": Line.Kind.STAGE,
                "part": Line.Part.ALL,
                "programme": "temporary",
                "month": row["month"],
                "enrolment_id": None,
                "household_id": row["household"],
                "person_id": row["person"],
                "village_id": row["village"],
                "payee_kind": PayeeKind.PERSON,
                "payee_name": (payee_name or "")[:100],
                "payee_ref": ref,
                "account_id": account,
                "amount": row["amount"],
                "previous_amount": None,
                "change": Line.Change.NEW,
                "reason": stage_words % {"stage": row["stage"]},
                "decision": aid_words % {"id": row["aid_id"], "stage": row["stage"]},
                "standard_id": None,
                "fund": fund,
                "status": Line.Status.PENDING if account else Line.Status.HELD,
                "failure": "",
                "reissue_of_id": None,
                "aid_instalment_id": row["pk"],
            }
        )
        draft.total += row["amount"]
        draft.changes["stage"] += 1
        if account is None:
            draft.changes["held"] += 1


def _stopped_lines(run: PayrollRun, draft: Draft, last: datetime.date, in_force_now: set) -> None:
    """What was paid last month and is owed no more: a line of nothing, naming why it ended."""
    rows = (
        Line.objects.filter(run__county_id=run.county_id, month=last, kind=Line.Kind.REGULAR)
        .exclude(run=run)
        .values_list(
            "programme",
            "household_id",
            "person_id",
            "enrolment_id",
            "village_id",
            "payee_kind",
            "payee_name",
            "payee_ref",
            "amount",
            "fund",
            "enrolment__end_reason",
            "decision",
            "standard_id",
        )
    )
    stopped: dict[tuple, dict] = {}
    for (
        programme,
        household,
        person,
        enrolment,
        village,
        payee_kind,
        payee_name,
        ref,
        amount,
        fund,
        why,
        decision,
        standard,
    ) in rows:
        slot = (programme, household, person)
        if slot in in_force_now:
            continue
        if slot in stopped:
            stopped[slot]["previous_amount"] += amount
            continue
        stopped[slot] = {
            "kind": Line.Kind.STOPPED,
            "part": Line.Part.ALL,
            "programme": programme,
            "month": run.month,
            "enrolment_id": enrolment,
            "household_id": household,
            "person_id": person,
            "village_id": village,
            "payee_kind": payee_kind,
            "payee_name": payee_name,
            "payee_ref": ref,
            "account_id": None,
            "amount": ZERO,
            "previous_amount": amount,
            "change": Line.Change.STOPPED,
            "reason": (why or "")[:200],
            "decision": decision,
            "standard_id": standard,
            "fund": fund,
            "status": Line.Status.NONE,
            "failure": "",
            "reissue_of_id": None,
            "aid_instalment_id": None,
        }
    draft.rows.extend(stopped.values())
    draft.changes["stopped"] += len(stopped)


def _reissues(run: PayrollRun, draft: Draft, accounts: dict) -> None:
    """Failed lines whose payee's account has since been corrected, and held lines whose payee now
    has one: paid again, once each, to the account now open."""
    rows = Line.objects.filter(
        Q(aid_instalment__isnull=True) | Q(aid_instalment__stopped_at__isnull=True),  # a stage stopped since
        run__county_id=run.county_id,
        run__month__lt=run.month,
        status__in=[Line.Status.FAILED, Line.Status.HELD],
        reissue__isnull=True,
    ).values_list(
        "pk",
        "status",
        "account_id",
        "payee_ref",
        "programme",
        "month",
        "enrolment_id",
        "household_id",
        "person_id",
        "village_id",
        "payee_kind",
        "payee_name",
        "amount",
        "decision",
        "standard_id",
        "fund",
        "part",
        "failure",
        "aid_instalment_id",
    )
    for (
        pk,
        status,
        old_account,
        ref,
        programme,
        month,
        enrolment,
        household,
        person,
        village,
        payee_kind,
        payee_name,
        amount,
        decision,
        standard,
        fund,
        part,
        failure,
        aid_stage,
    ) in rows:
        account = accounts.get(ref)
        if account is None or (status == Line.Status.FAILED and account == old_account):
            draft.changes["waiting_account"] += 1
            continue
        draft.rows.append(
            {
                "kind": Line.Kind.REISSUE,
                "part": part,
                "programme": programme,
                "month": month,
                "enrolment_id": enrolment,
                "household_id": household,
                "person_id": person,
                "village_id": village,
                "payee_kind": payee_kind,
                "payee_name": payee_name,
                "payee_ref": ref,
                "account_id": account,
                "amount": amount,
                "previous_amount": None,
                "change": Line.Change.REISSUED,
                "reason": (failure or _("no account then"))[:200],
                "decision": decision,
                "standard_id": standard,
                "fund": fund,
                "status": Line.Status.PENDING,
                "failure": "",
                "reissue_of_id": pk,
                "aid_instalment_id": aid_stage,
            }
        )
        draft.total += amount
        draft.changes["reissued"] += 1


def insert_lines(run: PayrollRun, draft: Draft) -> None:
    ids = reserve_ids({Line: len(draft.rows)})[Line]
    for row, pk in zip(draft.rows, ids, strict=False):
        row["id"] = pk
        row["run_id"] = run.pk
    insert_rows(Line, draft.rows)
