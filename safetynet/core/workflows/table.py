"""Workflow tables: one declaration per case type of its states, transitions, who may take each,
the guards that may refuse it (with a reason in the user's language), the evidence it requires and
each state's time limit. The kernel's services (core.workflows.services) interpret the table; the
state chart on the help page is drawn from it (core.workflows.chart). Nothing here touches the
database: a table is plain data, checked for consistency when it is registered.

    PROBLEM = Workflow(
        code="registry.problem", label=_("Problem found on a visit"), initial="open",
        states=[
            State("open", _("Open"), office=TOWNSHIP, limit=Limit(7, WORKING_DAYS)),
            State("fixed", _("Fixed, to verify"), office=TOWNSHIP, limit=Limit(3, WORKING_DAYS)),
            State("closed", _("Closed"), final=True),
        ],
        transitions=[
            Transition("report_fixed", _("Report fixed"), ("open",), "fixed", roles=FIELD,
                       evidence=(Evidence("photo", _("a photo of the repair")),)),
            Transition("close", _("Verify and close"), ("fixed",), "closed", roles=OFFICES),
        ])
    register_workflow(PROBLEM)
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

WORKING_DAYS = "working_days"
CALENDAR_DAYS = "calendar_days"
HOURS = "hours"
UNITS = (WORKING_DAYS, CALENDAR_DAYS, HOURS)

VILLAGE, TOWNSHIP, COUNTY, CITY = "village", "township", "county", "city"
# Who an overdue case is escalated to: one level up the division tree.
LADDER = (VILLAGE, TOWNSHIP, COUNTY, CITY)

ANY_STATE = "*"


@dataclass(frozen=True)
class Limit:
    """How long a state may last: `amount` working days, calendar days or hours, counted from the
    last entry into `since` (a state code; by default the state itself). A statute's overall limit
    (a 低保 decision within 30 working days of acceptance) is a limit on the late states counted
    from the early one."""

    amount: int
    unit: str = WORKING_DAYS
    since: str | None = None
    # Lengthened by the case's extension (Workflow.max_extension), as the statute allows with a reason.
    extendable: bool = False

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}")
        if not 0 <= self.amount <= 3650:
            raise ValueError("a limit is between 0 and 3650")


@dataclass(frozen=True)
class State:
    code: str
    label: Any
    # The level of office whose desk the state's work is on, and whose superior an overdue case
    # is escalated to.
    office: str | None = None
    limit: Limit | None = None
    final: bool = False
    # A statute's overall limit the state also keeps (a decision within 30 working days of
    # acceptance): the case is due by the earlier of the two.
    overall: Limit | None = None


@dataclass(frozen=True)
class Evidence:
    """A kind of evidence a transition requires: `kind` is an evidence kind (photo, signature, pdf,
    document) and `label` says what it is to show ("a photo of the repair")."""

    kind: str
    label: Any


# A guard: (case, actor, data) → None to allow, or the reason it refuses, in the user's language.
Guard = Callable[[Any, Any, dict], str | None]
# An effect: (case, event) → None, run inside the step's transaction once the case has moved and the
# step's CaseEvent (actor, time, reason, data) is recorded: what the owning app keeps with the step
# (an application's decision fixes its amount). It may refuse with a ValidationError, and then
# nothing of the step is kept.
Effect = Callable[[Any, Any], None]


@dataclass(frozen=True)
class Transition:
    code: str
    label: Any
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    guards: tuple[Guard, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    reason_required: bool = False
    effect: Effect | None = None

    def leaves(self, state: str) -> bool:
        return ANY_STATE in self.sources or state in self.sources


@dataclass(frozen=True)
class Workflow:
    code: str
    label: Any
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    # The page of the case's subject ("registry.problem" 17 → /problems/17/).
    subject_url: Callable[[Any], str] | None = None
    # Who may read cases of this kind (in their area): the roles that read its subject. Those who
    # may take a step read it too. Everyone else — the operator, finance, providers — does not.
    readers: frozenset[str] = frozenset()
    description: Any = ""
    # Who may extend the extendable limits of a case, with a reason, and by how many units at most.
    extension_roles: frozenset[str] = frozenset()
    max_extension: int = 0
    # The level of office an extension is reported to (a rescue station's stay past its 10 days:
    # the county bureau), as an inbox notice to that office's staff; None: not reported.
    extension_reported_to: str | None = None
    # For roles that see nothing by area (an institution's staff, a contracted inspector): which of
    # this workflow's cases are theirs by a grant — (actor) → a Q over Case, built by the owning app
    # ("the hazards of the institutions granted to me"). They read and act on those cases alone.
    granted: Callable[[Any], Any] | None = None
    _by_code: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "states", tuple(self.states))
        object.__setattr__(self, "transitions", tuple(self.transitions))
        self._check()
        self._by_code.update({s.code: s for s in self.states})

    def _check(self) -> None:
        codes = [s.code for s in self.states]
        if len(set(codes)) != len(codes):
            raise ValueError(f"{self.code}: a state is declared twice")
        known = set(codes)
        if self.initial not in known:
            raise ValueError(f"{self.code}: initial state {self.initial!r} is not declared")
        moves = [t.code for t in self.transitions]
        if len(set(moves)) != len(moves):
            raise ValueError(f"{self.code}: a transition is declared twice")
        if self.extension_reported_to is not None and self.extension_reported_to not in LADDER:
            raise ValueError(f"{self.code}: unknown office level {self.extension_reported_to!r}")
        for state in self.states:
            if state.office is not None and state.office not in LADDER:
                raise ValueError(f"{self.code}.{state.code}: unknown office level {state.office!r}")
            for limit in (state.limit, state.overall):
                if limit and limit.since and limit.since not in known:
                    raise ValueError(f"{self.code}.{state.code}: limit counts from unknown {limit.since!r}")
        for move in self.transitions:
            unknown = {*move.sources, move.target} - known - {ANY_STATE}
            if unknown:
                raise ValueError(f"{self.code}.{move.code}: unknown states {sorted(unknown)}")
            if not move.roles:
                raise ValueError(f"{self.code}.{move.code}: nobody may take it")
            if any(self._final(s) for s in move.sources if s != ANY_STATE):
                raise ValueError(f"{self.code}.{move.code}: leaves a final state")
        reachable, frontier = {self.initial}, [self.initial]
        while frontier:
            here = frontier.pop()
            for move in self.transitions:
                if move.leaves(here) and move.target not in reachable and not self._final(here):
                    reachable.add(move.target)
                    frontier.append(move.target)
        if reachable != known:
            raise ValueError(f"{self.code}: states never reached: {sorted(known - reachable)}")

    def _final(self, code: str) -> bool:
        return any(s.final for s in self.states if s.code == code)

    def state(self, code: str) -> State:
        return self._by_code[code]

    def transition(self, code: str) -> Transition | None:
        return next((t for t in self.transitions if t.code == code), None)

    def moves_from(self, state: str) -> list[Transition]:
        if self.state(state).final:
            return []
        return [t for t in self.transitions if t.leaves(state)]

    def actors(self) -> frozenset[str]:
        """Every role that may take some step of this workflow."""
        return frozenset(role for move in self.transitions for role in move.roles)

    def readable_by(self, role: str) -> bool:
        return role in self.readers or role in self.actors()

    def states_acted_on_by(self, role: str) -> list[str]:
        """The states in which `role` may take some transition: the cases on its desk. Steps allowed
        from any state (withdraw, terminate) are exceptions, not work waiting: they put nothing there."""
        return [s.code for s in self.states
                if any(role in t.roles and ANY_STATE not in t.sources for t in self.moves_from(s.code))]


_WORKFLOWS: dict[str, Workflow] = {}


def register_workflow(workflow: Workflow) -> Workflow:
    """Declare a case type (from the owning app's AppConfig.ready)."""
    _WORKFLOWS[workflow.code] = workflow
    return workflow


def workflow(code: str) -> Workflow:
    return _WORKFLOWS[code]


def workflows() -> list[Workflow]:
    return sorted(_WORKFLOWS.values(), key=lambda w: w.code)


def readable_workflows(role: str) -> list[str]:
    """The codes of the workflows whose cases `role` may read."""
    return [flow.code for flow in workflows() if flow.readable_by(role)]


# Who may read the evidence of records that are no case (a visit's photos): kind → roles.
_SUBJECT_READERS: dict[str, frozenset[str]] = {}
# For grant-only readers of such records: kind → (actor) → a Q over Evidence of the records granted.
_SUBJECT_GRANTED: dict[str, Callable[[Any], Any]] = {}


def register_evidence_subject(kind: str, readers, granted: Callable[[Any], Any] | None = None) -> None:
    """Declare a kind of record that holds evidence without being a case, and who may read it (in
    their area; with `granted`, grant-only readers too: the evidence of records granted to them)."""
    _SUBJECT_READERS[kind] = frozenset(readers)
    if granted is not None:
        _SUBJECT_GRANTED[kind] = granted


def evidence_subjects_granted(role: str) -> list[tuple[str, Callable[[Any], Any]]]:
    """(subject kind, its grant filter) for the kinds `role` reads by a grant."""
    return [(kind, granted) for kind, granted in _SUBJECT_GRANTED.items()
            if role in _SUBJECT_READERS.get(kind, ())]


def evidence_kinds_readable(role: str) -> tuple[list[str], list[str]]:
    """(subject kinds of records readable by `role`, workflow codes of cases readable by it)."""
    return ([kind for kind, readers in _SUBJECT_READERS.items() if role in readers], readable_workflows(role))


def roles(*names: Iterable[str] | str) -> frozenset[str]:
    """A frozenset of role codes from codes or sets of them."""
    out: set[str] = set()
    for name in names:
        out.update([name] if isinstance(name, str) else name)
    return frozenset(out)


def end_of_day(day: datetime.date, tz) -> datetime.datetime:
    """A limit of days ends with its last day: 23:59:59 local time."""
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=tz)


def snapshot() -> tuple[dict, dict, dict]:
    return dict(_WORKFLOWS), dict(_SUBJECT_READERS), dict(_SUBJECT_GRANTED)


def restore(saved: tuple[dict, dict, dict]) -> None:
    flows, readers, granted = saved
    _WORKFLOWS.clear()
    _WORKFLOWS.update(flows)
    _SUBJECT_READERS.clear()
    _SUBJECT_READERS.update(readers)
    _SUBJECT_GRANTED.clear()
    _SUBJECT_GRANTED.update(granted)
