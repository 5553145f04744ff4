"""The kinds of event the history records, each declared by the app that owns the model.

Every history row (core.ChangeRecord) names its app, its model and an event type the app declared
here: a timeline, an auditor's report or a figure reproduced later reads "a member left", not a
guess from before/after. An app declares its events in its `AppConfig.ready()`:

    declare_events("registry", "membership", {
        "joined": (ChangeAction.CREATE, _("joined the household")),
        "left": (ChangeAction.DELETE, _("left the household")),
    })

A service records an event by name (`change_record(..., event="left")`); one that names none
records the model's event declared for its action (the first declared, e.g. "created" for create).
Recording an event nobody declared is a programming error and raises `UndeclaredEvent`.
"""

from dataclasses import dataclass

from django.utils.functional import Promise


class UndeclaredEvent(LookupError):
    """A service recorded an event its app did not declare (see `declare_events`)."""


@dataclass(frozen=True)
class EventType:
    app_label: str
    model: str  # the changed entity's model name
    name: str
    action: str  # core.ChangeRecord.Action: how before/after are read (created, changed, removed)
    label: Promise | str

    @property
    def code(self) -> str:
        return f"{self.model}.{self.name}"


APP_LABEL_LENGTH, EVENT_LENGTH = 32, 64  # core.ChangeRecord's columns
_EVENTS: dict[str, EventType] = {}  # by code (model names are unique across the project's apps)
_BY_ACTION: dict[tuple[str, str], EventType] = {}  # (model, action) → the event recorded by default


def declare_events(app_label: str, model: str, events: dict[str, tuple[str, Promise | str]]) -> None:
    """Declare `model`'s events: name → (action, label). Declaring again with the same meaning is
    harmless (ready() may run twice in tests); another app claiming the model is refused."""
    for name, (action, label) in events.items():
        event = EventType(app_label=app_label, model=model, name=name, action=str(action), label=label)
        # What history keeps of them (core.ChangeRecord.app_label and .event): refused here, at
        # start, rather than by PostgreSQL the first time the event is recorded.
        if len(app_label) > APP_LABEL_LENGTH or len(event.code) > EVENT_LENGTH:
            raise ValueError(f"{app_label} {event.code}: longer than history keeps "
                             f"({APP_LABEL_LENGTH} and {EVENT_LENGTH} characters)")
        known = _EVENTS.get(event.code)
        if known is not None and (known.app_label, known.action) != (app_label, event.action):
            raise ValueError(f"event {event.code} is declared already by {known.app_label}")
        _EVENTS[event.code] = event
        _BY_ACTION.setdefault((model, event.action), event)


def event_type(model: str, action: str, name: str | None = None) -> EventType:
    """The declared event a change of `model` by `action` records (`name` chooses among several)."""
    if name is None:
        event = _BY_ACTION.get((model, str(action)))
    else:
        event = _EVENTS.get(f"{model}.{name}")
        if event is not None and event.action != str(action):
            raise UndeclaredEvent(f"event {event.code} is declared as {event.action}, recorded as {action}")
    if event is None:
        raise UndeclaredEvent(f"no event declared for {model} {action} {name or ''}".strip())
    return event


def event_label(code: str) -> Promise | str:
    """What a person reads for an event code ("" for one no longer declared)."""
    event = _EVENTS.get(code)
    return event.label if event is not None else ""


def declared_events() -> list[EventType]:
    return sorted(_EVENTS.values(), key=lambda e: (e.app_label, e.code))
