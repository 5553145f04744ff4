"""What the apps add to the shared pages, so that a lower layer never imports a higher one.

core and the registry own the menu, the home page, the household page, the household's timeline
and the work desk; every app (the registry itself included) adds its part here, from its
`AppConfig.ready()`, which Django runs before any request is served:

- `register_menu_item`: an entry of the main menu;
- `register_home_panel`: a card on the home page (a template and the context it is rendered with);
- `register_household_panel`: a card on the household page (the same, given the household);
- `register_timeline_source`: entries of a household's timeline from the app's own records;
- `register_desk_queue`: a queue of the work desk ("my queues" on the home page until the desk
  itself is built): a name, a count of what waits for the user, where to work through it;
- `register_public_path`: addresses that may face the internet (served alone by `--public-only`).

Grants (the particular records an app lets a user see outside the area rule) are declared in
`core.grants`. Each hook is keyed by a name: registering the same name again replaces the entry
(a test may reload an app's registrations). Nothing here reads the database; the functions an app
registers do, on the user's behalf, through its selectors.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

# --- who is offered something ------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Who a hook is for: the roles (None: every role) and, where the role alone does not decide, a
    test of the user (`allowed(user) -> bool`). Inactive and anonymous users are never offered
    anything."""

    roles: frozenset[str] | None = None
    allowed: Callable[[Any], bool] | None = None

    def includes(self, user) -> bool:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if self.roles is not None and user.role not in self.roles:
            return False
        return self.allowed is None or bool(self.allowed(user))


def audience(roles: Iterable[str] | None = None, allowed: Callable[[Any], bool] | None = None) -> Audience:
    return Audience(None if roles is None else frozenset(roles), allowed)


# --- the main menu -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MenuItem:
    name: str  # unique key, e.g. "registry.households"
    label: Any  # a lazy translation
    url_name: str
    audience: Audience
    order: int = 100


_MENU: dict[str, MenuItem] = {}


def register_menu_item(*, name: str, label, url_name: str, roles: Iterable[str] | None = None,
                       allowed: Callable[[Any], bool] | None = None, order: int = 100) -> MenuItem:
    """An entry of the main menu, shown (in `order`, then by name) to the users it is for."""
    item = MenuItem(name, label, url_name, audience(roles, allowed), order)
    _MENU[name] = item
    return item


def menu_items(user) -> list[dict]:
    """The menu entries for `user`: [{"label", "url"}], in order."""
    items = sorted(_MENU.values(), key=lambda item: (item.order, item.name))
    return [{"label": item.label, "url": reverse(item.url_name)}
            for item in items if item.audience.includes(user)]


# --- home and household panels -------------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    """A card rendered from `template` with the context `context(...)` returns; None: not shown
    (nothing to say to this user)."""

    name: str
    template: str
    context: Callable[..., dict | None]
    audience: Audience
    order: int = 100


_HOME_PANELS: dict[str, Panel] = {}
_HOUSEHOLD_PANELS: dict[str, Panel] = {}


def register_home_panel(*, name: str, template: str, context: Callable[[Any], dict | None],
                        roles: Iterable[str] | None = None, allowed: Callable[[Any], bool] | None = None,
                        order: int = 100) -> Panel:
    """A card of the home page: `context(actor)` → the template's context, or None to leave it out."""
    panel = Panel(name, template, context, audience(roles, allowed), order)
    _HOME_PANELS[name] = panel
    return panel


def register_household_panel(*, name: str, template: str, context: Callable[[Any, Any], dict | None],
                             roles: Iterable[str] | None = None,
                             allowed: Callable[[Any], bool] | None = None, order: int = 100) -> Panel:
    """A card of the household page: `context(actor, household)` → the template's context, or None.
    The household page has checked the household is in the actor's scope; the function reads its
    own records through its app's selectors, as for any other page."""
    panel = Panel(name, template, context, audience(roles, allowed), order)
    _HOUSEHOLD_PANELS[name] = panel
    return panel


def _render(panels: dict[str, Panel], request, *args) -> list[str]:
    shown = []
    for panel in sorted(panels.values(), key=lambda p: (p.order, p.name)):
        if not panel.audience.includes(request.user):
            continue
        context = panel.context(request.user, *args)
        if context is not None:
            shown.append(render_to_string(panel.template, context, request=request))
    return shown


def home_panels(request) -> list[str]:
    """The HTML of each home-page card for the signed-in user, in order."""
    return _render(_HOME_PANELS, request)


def household_panels(request, household) -> list[str]:
    """The HTML of each card other apps add to a household's page, in order."""
    return _render(_HOUSEHOLD_PANELS, request, household)


# --- the household's timeline ------------------------------------------------------------------------


@dataclass
class TimelineItem:
    """One entry an app adds to a household's timeline: when, what kind of record (a short code of
    the app's, e.g. "care.visit"), the words to show (translated, identifiers already as the
    actor may see them), and where to read more (a URL, or "")."""

    at: datetime.datetime
    kind: str
    text: str
    link: str = ""
    actor: str = ""  # who did it, as a name ("" when no one in particular)

    def __post_init__(self):
        # Entries are sorted with the recorded history (aware datetimes): a date is its day's
        # start, a naive datetime is read in the project's time zone.
        at = self.at
        if not isinstance(at, datetime.datetime):
            at = datetime.datetime.combine(at, datetime.time.min)
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        object.__setattr__(self, "at", at)


@dataclass(frozen=True)
class TimelineSource:
    name: str
    entries: Callable[[Any, Any], Iterable[TimelineItem]]
    audience: Audience


_TIMELINE_SOURCES: dict[str, TimelineSource] = {}


def register_timeline_source(*, name: str, entries: Callable[[Any, Any], Iterable[TimelineItem]],
                             roles: Iterable[str] | None = None,
                             allowed: Callable[[Any], bool] | None = None) -> TimelineSource:
    """`entries(actor, household)` → the app's TimelineItems about the household, any order. The
    caller has checked the household is in the actor's scope; the function reads through its
    app's selectors."""
    source = TimelineSource(name, entries, audience(roles, allowed))
    _TIMELINE_SOURCES[name] = source
    return source


def timeline_items(actor, household) -> list[TimelineItem]:
    """Every registered source's entries about the household, for the actor, newest first."""
    items: list[TimelineItem] = []
    for name in sorted(_TIMELINE_SOURCES):
        source = _TIMELINE_SOURCES[name]
        if source.audience.includes(actor):
            items.extend(source.entries(actor, household))
    return sorted(items, key=lambda item: item.at, reverse=True)


# --- work-desk queues ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskQueue:
    name: str
    label: Any
    count: Callable[[Any], int]
    url_name: str
    audience: Audience
    order: int = 100


_DESK_QUEUES: dict[str, DeskQueue] = {}


def register_desk_queue(*, name: str, label, count: Callable[[Any], int], url_name: str,
                        roles: Iterable[str] | None = None, allowed: Callable[[Any], bool] | None = None,
                        order: int = 100) -> DeskQueue:
    """A queue of work: `count(actor)` → how many items wait for the actor (in the actor's scope);
    `url_name` is the page to work through them."""
    queue = DeskQueue(name, label, count, url_name, audience(roles, allowed), order)
    _DESK_QUEUES[name] = queue
    return queue


@dataclass(frozen=True)
class QueueShown:
    name: str
    label: str
    count: int
    url: str


def desk_queues(actor) -> list[QueueShown]:
    """The queues for the actor, with what waits in each, in order."""
    queues = sorted(_DESK_QUEUES.values(), key=lambda q: (q.order, q.name))
    return [QueueShown(q.name, str(q.label), q.count(actor), reverse(q.url_name))
            for q in queues if q.audience.includes(actor)]


@dataclass(frozen=True)
class DeskItem:
    """One piece of work on a user's desk that is not a kernel case (a visit that falls due by the
    visiting rules, say): what, where to do it, by when."""

    kind: str
    title: str
    url: str
    due_at: datetime.datetime | None
    provisional: bool = False
    note: str = ""


@dataclass(frozen=True)
class DeskSource:
    name: str
    items: Callable[[Any, datetime.datetime], Iterable[DeskItem]]
    audience: Audience


_DESK_SOURCES: dict[str, DeskSource] = {}


def register_desk_source(*, name: str, items: Callable[[Any, datetime.datetime], Iterable[DeskItem]],
                         roles: Iterable[str] | None = None,
                         allowed: Callable[[Any], bool] | None = None) -> DeskSource:
    """`items(actor, until)` → the app's work for the actor (in the actor's scope) due up to `until`
    or already overdue. Kernel cases reach the desk by themselves; this is for the rest."""
    source = DeskSource(name, items, audience(roles, allowed))
    _DESK_SOURCES[name] = source
    return source


def desk_items(actor, until: datetime.datetime) -> list[DeskItem]:
    found: list[DeskItem] = []
    for name in sorted(_DESK_SOURCES):
        source = _DESK_SOURCES[name]
        if source.audience.includes(actor):
            found.extend(source.items(actor, until))
    return found


# --- the official calendar -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarListener:
    name: str
    changed: Callable[[Any, frozenset], list[str]]


_CALENDAR_LISTENERS: dict[str, CalendarListener] = {}


def register_calendar_listener(
    *, name: str, changed: Callable[[Any, frozenset], list[str]]
) -> CalendarListener:
    """`changed(calendar, years)` is called, inside the transaction that entered `years` of the
    official calendar (core.workdays), with the new calendar: the app reckons again the deadlines it
    keeps in those years (provisional ones above all) and returns what moved, in words a clerk reads."""
    listener = CalendarListener(name, changed)
    _CALENDAR_LISTENERS[name] = listener
    return listener


def calendar_changed(calendar, years: frozenset) -> list[str]:
    """Tell every listener; what moved, in order of registration."""
    moved: list[str] = []
    for listener in list(_CALENDAR_LISTENERS.values()):
        moved += listener.changed(calendar, years)
    return moved


# --- weather warnings ------------------------------------------------------------------------------------


_WEATHER_LISTENERS: dict[str, Callable[[Any], list[str]]] = {}


def register_weather_listener(*, name: str, entered: Callable[[Any], list[str]]) -> None:
    """`entered(warning)` is called, inside the transaction that entered a weather warning
    (core.weather), for the work that must react (visits due within 24 hours for the high-risk
    households of the county); it returns what it did, in words a clerk reads."""
    _WEATHER_LISTENERS[name] = entered


def weather_warning_entered(warning) -> list[str]:
    done: list[str] = []
    for entered in list(_WEATHER_LISTENERS.values()):
        done += entered(warning)
    return done


# --- campaign measures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignMeasure:
    code: str
    label: Any
    count: Callable[[Any, str], int]


_CAMPAIGN_MEASURES: dict[str, CampaignMeasure] = {}


def register_campaign_measure(*, code: str, label, count: Callable[[Any, str], int]) -> CampaignMeasure:
    """A measure a campaign can set targets on: `count(campaign, county_code)` → how much the county
    has reached (households visited, hazards solved …), read set-wise by the app that owns the work."""
    measure = CampaignMeasure(code, label, count)
    _CAMPAIGN_MEASURES[code] = measure
    return measure


def campaign_measures() -> dict[str, CampaignMeasure]:
    return dict(sorted(_CAMPAIGN_MEASURES.items()))


# --- kinds of notice --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeKind:
    code: str
    label: Any
    words: Callable[[dict], str]  # the notice's params → what it says, in the active language
    link: Callable[[Any], str] | None = None  # the notice → the page it is about
    # An urgent notice that reaches an open page at once (a team sent to an incident): its text
    # message, where one is configured, goes only if no open page showed it within a few seconds.
    sms_unless_seen: bool = False


_NOTICE_KINDS: dict[str, NoticeKind] = {}


def register_notice_kind(*, code: str, label, words: Callable[[dict], str],
                         link: Callable[[Any], str] | None = None,
                         sms_unless_seen: bool = False) -> NoticeKind:
    """A kind of inbox notice: its name (on the SMS page, where each kind is chosen to go by SMS or
    not), its words and its link — used by the inbox, the live stream and the text messages alike.
    With `sms_unless_seen` its text message is the fallback for a receiver with no page open."""
    kind = _NOTICE_KINDS[code] = NoticeKind(code, label, words, link, sms_unless_seen)
    return kind


def notice_kinds() -> list[NoticeKind]:
    return sorted(_NOTICE_KINDS.values(), key=lambda kind: kind.code)


def notice_words(notice) -> str:
    kind = _NOTICE_KINDS.get(notice.kind)
    return kind.words(notice.params) if kind else notice.kind


def notice_kind(code: str) -> NoticeKind | None:
    return _NOTICE_KINDS.get(code)


def notice_link(notice) -> str:
    kind = _NOTICE_KINDS.get(notice.kind)
    return kind.link(notice) if kind and kind.link else ""


# --- the public entry points ------------------------------------------------------------------------

_PUBLIC_PATHS: dict[str, str] = {}


def register_public_path(*, name: str, prefix: str) -> None:
    """Addresses that may face the internet (a public report page, Open311, public notices): the
    only ones a web server started with `--public-only` answers, besides static files and /healthz.
    `prefix` is a path such as "/public/", ending with a slash."""
    if not (prefix.startswith("/") and prefix.endswith("/")) or prefix == "/":
        raise ValueError(f"A public path is a prefix such as '/public/', not {prefix!r}")
    _PUBLIC_PATHS[name] = prefix


def public_paths() -> tuple[str, ...]:
    return tuple(sorted(_PUBLIC_PATHS.values()))


# --- for tests ----------------------------------------------------------------------------------------


@dataclass
class _Saved:
    tables: list[tuple[dict, dict]] = field(default_factory=list)


def snapshot() -> _Saved:
    """The registrations as they are (a test that registers its own restores them with `restore`)."""
    tables = (_MENU, _HOME_PANELS, _HOUSEHOLD_PANELS, _TIMELINE_SOURCES, _DESK_QUEUES, _CALENDAR_LISTENERS,
              _WEATHER_LISTENERS, _CAMPAIGN_MEASURES, _DESK_SOURCES, _NOTICE_KINDS, _PUBLIC_PATHS)
    return _Saved([(table, dict(table)) for table in tables])


def restore(saved: _Saved) -> None:
    for table, content in saved.tables:
        table.clear()
        table.update(content)
