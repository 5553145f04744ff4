"""A household's history in words, as the actor may see it: field names as labelled, codes as
their labels, linked rows by name, identifiers as the privacy policy shows them. What it is made of
is recorded by the services (core.ChangeRecord), and other apps add entries from their own records
(core.hooks.register_timeline_source). The household page and the API
(GET /api/v1/households/{id}/timeline) both show `household_timeline`."""

from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safetynet.core import hooks
from safetynet.core.choices import choice_labels
from safetynet.core.privacy import Disclosure
from safetynet.core.selectors import division_names, field_changes
from safetynet.core.types import ChangeAction, ChangeRecord, Division, User
from safetynet.registry import codes, privacy, selectors
from safetynet.registry.models import (
    AssetItem,
    Document,
    Household,
    IncomeItem,
    Membership,
    Person,
    RigidExpense,
    Supporter,
)

_ENTITY_MODELS: dict[str, type[models.Model]] = {
    model._meta.model_name: model
    for model in (Household, Person, Membership, IncomeItem, AssetItem, RigidExpense, Supporter, Document)
}


def register_history_model(model: type[models.Model], summary: list[str]) -> None:
    """A model of an app above the registry whose changes show on a household's history (recorded
    with the household as subject): its fields labelled and its codes named as the registry's own;
    `summary` names the fields that say which record it was."""
    _ENTITY_MODELS[model._meta.model_name] = model
    _ITEM_SUMMARY[model._meta.model_name] = summary
# Identifiers kept in history are shown as the privacy policy decides (core.privacy.Disclosure.change)
# before anything here sees them.
_HIDDEN = {"household_id", "area_id", "sha256", "person_name"}  # person_name: shown as the subject
_EXTRA_LABELS = {
    "person_name": gettext_lazy("member"),
    "head_name": gettext_lazy("head of household"),
    # A household created in bulk (import, demo city) records its members and items in one entry.
    "members": gettext_lazy("household members"),
    "member_count": gettext_lazy("number of members"),
    "income_count": gettext_lazy("number of income items"),
    "asset_count": gettext_lazy("number of assets"),
    "expense_count": gettext_lazy("number of rigid expenses"),
}
# What names an item in a one-line summary (an update records only what changed: then it is empty).
_ITEM_SUMMARY = {
    "incomeitem": ["category", "amount"], "assetitem": ["asset_type", "value"],
    "rigidexpense": ["expense_type", "amount"], "supporter": ["name", "relation"],
}


@dataclass
class Change:
    label: str
    before: str
    after: str
    value: str  # what a created or deleted record held


@dataclass
class TimelineEntry:
    """A recorded change (`kind` "change"), or an entry another app adds (`kind` its own, with
    `text` and perhaps `link`)."""

    at: object
    actor: str
    action: str = ""
    action_code: str = ""
    entity: str = ""
    subject: str = ""
    reason: str = ""
    changes: list[Change] = field(default_factory=list)
    kind: str = "change"
    text: str = ""
    link: str = ""


# The household page shows the newest this many entries.
TIMELINE_LIMIT = 200


@dataclass
class Timeline:
    entries: list[TimelineEntry]  # one page, newest first
    count: int  # entries in the whole timeline
    may_reveal: bool  # a value shown masked could be shown whole to this actor ("Show in full")

    @property
    def cut(self) -> bool:
        return len(self.entries) < self.count


def household_timeline(*, actor: User, household, disclosure: Disclosure, offset: int = 0,
                       limit: int = TIMELINE_LIMIT, members: list[privacy.Member] | None = None) -> Timeline:
    """One page of the household's timeline as the actor may see it, newest first: the recorded
    changes and the entries of every timeline source. The household must be in the actor's scope
    (checked again here: Household.DoesNotExist otherwise). `members`: the memberships as the page
    shows them (their names label membership changes), read here when not given."""
    records = selectors.household_timeline(actor=actor, household=household)
    if members is None:
        memberships = selectors.household_members(household=household, include_past=True)
        members = privacy.members_shown(actor=actor, memberships=memberships)
    items = hooks.timeline_items(actor, household)
    # Merged by time on what each entry is, then only the page's changes are put into words.
    changes = list(records[: offset + limit])
    merged = sorted([(record.at, record) for record in changes] + [(item.at, item) for item in items],
                    key=lambda pair: pair[0], reverse=True)[offset:offset + limit]
    on_page = [entry for _at, entry in merged if isinstance(entry, ChangeRecord)]
    described = iter(describe_changes(on_page, actor=actor, disclosure=disclosure,
                                      member_names={m.membership.pk: m.name for m in members}))
    entries = [next(described) if isinstance(entry, ChangeRecord) else _item_entry(entry)
               for _at, entry in merged]
    # Fewer changes than asked for are all of them: no need to count them.
    recorded = len(changes) if len(changes) < offset + limit else records.count()
    return Timeline(entries, recorded + len(items), disclosure.withheld)


def _item_entry(item: hooks.TimelineItem) -> TimelineEntry:
    return TimelineEntry(at=item.at, actor=item.actor, kind=item.kind, text=item.text, link=item.link)


def describe_changes(
    records: list[ChangeRecord], *, actor: User, member_names: dict[int, str],
    disclosure: Disclosure | None = None,
) -> list[TimelineEntry]:
    """Each change in words: field names as labelled, codes as their labels, linked rows by name.

    Identifiers come as `disclosure` shows them (by default masked, as on the household page; a
    whole one logs what it shows). A person's are whole only while the person lives in the actor's
    area, a household's while the household is there."""
    disclosure = disclosure or Disclosure(actor, channel="page")
    linked: dict[type, set] = {Division: set(), Person: set(), User: set()}
    for record in records:
        model = _ENTITY_MODELS.get(record.entity_type)
        for name, value in [*record.before.items(), *record.after.items()]:
            target = _related_model(model, name)
            if target in linked and value is not None:
                linked[target].add(value)
    linked[Person] |= {r.entity_id for r in records if r.entity_type == "person"}
    people = selectors.people_named(actor=actor, ids=linked[Person])  # those the actor sees
    names = {
        Division: division_names(linked[Division]),
        Person: {pk: name for pk, (name, _area) in people.items()},
        User: selectors.user_names(linked[User]),
    }
    areas = {
        "person": {pk: area for pk, (_name, area) in people.items()},
        "household": selectors.household_villages(
            actor=actor, ids={r.entity_id for r in records if r.entity_type == "household"}),
    }
    renamed = _name_changes(names[Person])
    return [
        _entry(
            record,
            *disclosure.change(record, area_code=areas.get(record.entity_type, {}).get(record.entity_id)),
            names | {Person: _NamesAt(names[Person], renamed, record.at)}, member_names,
        )
        for record in records
    ]


def _name_changes(shown: dict[int, str]) -> dict[int, list[tuple]]:
    """The renamings of the people the timeline names (only those the actor may see), oldest
    first: (when, the name before)."""
    changes: dict[int, list[tuple]] = {}
    if not shown:
        return changes
    for person_id, at, before in field_changes(entity_type="person", entity_ids=shown, field="name"):
        changes.setdefault(person_id, []).append((at, before))
    return changes


class _NamesAt:
    """People's names as they were at one moment: an entry shows the name it was recorded under,
    not the name the person has today."""

    def __init__(self, today: dict[int, str], renamed: dict[int, list[tuple]], at):
        self.today, self.renamed, self.at = today, renamed, at

    def get(self, person_id, default=None):
        if person_id not in self.today:
            return default
        name = self.today[person_id]
        for when, before in reversed(self.renamed.get(person_id, [])):
            if when > self.at:
                name = before or name  # renamed after this entry: it was recorded under the old name
            else:
                break
        return name


def _related_model(model, name: str):
    if model is None:
        return None
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a key not (or no longer) a field of the model
        return None
    return model_field.related_model if model_field.is_relation else None


def _entry(
    record: ChangeRecord, was: dict, now: dict, names: dict, member_names: dict[int, str]
) -> TimelineEntry:
    """One record; `was` and `now` are its before and after as the actor may see them."""
    model = _ENTITY_MODELS.get(record.entity_type)
    if record.action == ChangeAction.CREATE:
        keys = [k for k, v in now.items() if v not in ("", None, False)]
    elif record.action == ChangeAction.DELETE:
        keys = [k for k, v in was.items() if v not in ("", None, False)]
        keys += [k for k in now if k not in keys and k in {"left_on", "leave_reason"}]
    else:
        keys = list(now)
    if "person_name" in now:
        keys = [key for key in keys if key != "person_id"]
    changes = []
    for key in keys:
        if key in _HIDDEN:
            continue
        before = _value_label(model, key, was.get(key), names)
        after = _value_label(model, key, now.get(key), names)
        value = after if key in now else before
        changes.append(Change(_field_label(model, key), before, after, value))
    return TimelineEntry(
        at=record.at,
        actor=str(record.actor) if record.actor_id else _("the system"),
        action=record.get_action_display(),
        action_code=record.action,
        entity=str(model._meta.verbose_name) if model else record.entity_type,
        subject=_subject_label(record, names, member_names),
        reason=_reason_label(record),
        changes=changes,
    )


def _subject_label(record: ChangeRecord, names: dict, member_names: dict[int, str]) -> str:
    if record.entity_type == "membership":
        return record.after.get("person_name") or member_names.get(record.entity_id, "")
    if record.entity_type == "person":
        return names[Person].get(record.entity_id) or _("moved out of your area")
    if record.entity_type == "document":
        return record.after.get("original_name") or record.before.get("original_name") or ""
    if record.entity_type in _ITEM_SUMMARY:
        model = _ENTITY_MODELS[record.entity_type]
        values = record.after or record.before
        keys = [key for key in _ITEM_SUMMARY[record.entity_type] if key in values]
        return " ".join(_value_label(model, key, values[key], names) for key in keys)
    return ""


def _reason_label(record: ChangeRecord) -> str:
    if record.reason in codes.LeaveReason.values:
        return str(codes.LeaveReason(record.reason).label)
    return record.reason


def _field_label(model, key: str) -> str:
    if key in _EXTRA_LABELS:
        return str(_EXTRA_LABELS[key])
    try:
        return str(model._meta.get_field(key).verbose_name)
    except (AttributeError, FieldDoesNotExist):  # not a field (any more): show the key as stored
        return key


def _value_label(model, key: str, value, names: dict) -> str:
    if value in (None, ""):
        return "—"
    target = _related_model(model, key)
    if target in names:
        return names[target].get(value, f"#{value}")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if model is not None:
        try:
            choices = choice_labels(model._meta.get_field(key))
        except FieldDoesNotExist:
            choices = {}
        if value in choices:
            return str(choices[value])
    return str(value)
