"""Checklists (issue 8, item 7): versioned templates of questions, some shown only when an earlier
answer calls for them, some answers marking a hazard or needing a photo, each answer scored.
Household visits use them now, institution inspections later.

An app declares its checklist's first version in code (`register_checklist`); it is stored as
version 1 the first time it is used, and an office publishes later versions (`checklist_publish`)
without touching code. Answers are recorded with the version they answered, so a new version never
changes an old record.

An item:

    {"code": "wiring", "label": "电线线路", "kind": "choice",
     "choices": [["ok", "完好"], ["aged", "老化破损"], ["overloaded", "私拉乱接、超负荷"]],
     "required": True,
     "show_if": {"item": "heating", "in": ["coal", "wood", "gas"]},    # optional
     "hazard": {"in": ["aged", "overloaded"], "category": "wiring"},    # optional; "grade": "major"
     "photo": {"in": ["aged", "overloaded"]},                          # optional
     "score": {"aged": 2, "overloaded": 3}}                             # optional

Kinds: "choice" (one of `choices`), "yes_no" (yes / no), "number" (`min`, `max`), "text".
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from safetynet.core.models import ChecklistTemplate, User
from safetynet.core.text import has_control_characters

KINDS = ("choice", "yes_no", "number", "text")
PLAIN_NUMBER = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,6})?")
TEXT_LENGTH = 500
_DEFAULTS: dict[str, tuple] = {}


def _yes_no() -> list[list[str]]:
    return [["yes", _("yes")], ["no", _("no")]]


def check_items(items: list[dict]) -> None:
    """Is this a checklist that holds together? ValueError naming the first fault."""
    seen: set[str] = set()
    for item in items:
        code = item.get("code")
        if not code or not isinstance(code, str) or code in seen:
            raise ValueError(f"item code missing or repeated: {code!r}")
        if item.get("kind") not in KINDS:
            raise ValueError(f"{code}: unknown kind {item.get('kind')!r}")
        if item["kind"] == "choice" and not item.get("choices"):
            raise ValueError(f"{code}: a choice needs choices")
        condition = item.get("show_if")
        if condition and condition.get("item") not in seen:
            raise ValueError(f"{code}: shown after an item not asked before it")
        values = {value for value, _label in _choices(item)}
        for rule in ("hazard", "photo"):
            if item.get(rule) and not set(item[rule].get("in", [])) <= values:
                raise ValueError(f"{code}: {rule} names an answer that is not a choice")
        if item.get("hazard", {}).get("grade", "general") not in ("general", "major"):
            raise ValueError(f"{code}: a hazard's grade is general or major")
        seen.add(code)


def _choices(item: dict) -> list[list[str]]:
    if item["kind"] == "yes_no":
        return _yes_no()
    return [list(choice) for choice in item.get("choices", [])]


def register_checklist(*, code: str, title, items: list[dict]) -> None:
    """Declare a checklist's first version (labels may be lazy translations: stored in Chinese)."""
    _DEFAULTS[code] = (title, items)


def _stored(value):
    if isinstance(value, dict):
        return {key: _stored(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_stored(inner) for inner in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)  # a lazy translation


def checklist_current(code: str) -> ChecklistTemplate:
    """The checklist's latest version; the declared first version is stored on first use."""
    latest = ChecklistTemplate.objects.filter(code=code).order_by("-version").first()
    if latest is not None:
        return latest
    title, items = _DEFAULTS[code]
    with override("zh-hans"):
        stored_title, stored_items = str(title), _stored(items)
    check_items(stored_items)
    try:
        with transaction.atomic():
            return ChecklistTemplate.objects.create(
                code=code, version=1, title=stored_title, items=stored_items, published_at=timezone.now()
            )
    except IntegrityError:  # another request stored it first
        return ChecklistTemplate.objects.get(code=code, version=1)


def checklist_publish(*, actor: User | None, code: str, title: str, items: list[dict]) -> ChecklistTemplate:
    """A new version of a checklist (the old answers keep theirs)."""
    try:
        check_items(items)
    except ValueError as error:
        raise ValidationError(
            _("The checklist does not hold together: %(fault)s") % {"fault": error}
        ) from None
    with transaction.atomic():
        current = checklist_current(code)
        return ChecklistTemplate.objects.create(
            code=code,
            version=current.version + 1,
            title=title,
            items=items,
            published_at=timezone.now(),
            published_by=actor,
        )


@dataclass
class Answered:
    """What a filled-in checklist says: the answers that apply, the hazards they mark, the items
    whose answer needs a photo, and the score."""

    answers: dict[str, str] = field(default_factory=dict)
    hazards: list[dict] = field(default_factory=list)
    photos_needed: list[str] = field(default_factory=list)
    score: int = 0


def _shown(item: dict, answers: dict[str, str]) -> bool:
    condition = item.get("show_if")
    return not condition or answers.get(condition["item"]) in condition.get("in", [])


def checklist_answer(template: ChecklistTemplate, given: dict[str, list[str]]) -> Answered:
    """Check the answers given to a checklist (item code → the values sent for it: a form sends a
    list). Every fault is named at once, keyed "item_<code>", in the user's language; answers to
    items a condition hides are dropped, they do not apply."""
    errors: dict[str, list[str]] = {}
    known = {item["code"] for item in template.items}
    for code in given:
        if code not in known:
            errors.setdefault("__all__", []).append(
                _("“%(code)s” is not an item of this checklist.") % {"code": code}
            )
    done = Answered()
    for item in template.items:
        code = item["code"]
        if not _shown(item, done.answers):
            continue
        values = [value for value in given.get(code, []) if value not in ("", None)]
        if len(values) > 1:
            errors[f"item_{code}"] = [
                _("“%(item)s” was answered more than once: give one answer.") % {"item": item["label"]}
            ]
            continue
        value = str(values[0]).strip() if values else ""
        if not value:
            if item.get("required"):
                errors[f"item_{code}"] = [_("Answer “%(item)s”.") % {"item": item["label"]}]
            continue
        fault = _fault(item, value)
        if fault:
            errors[f"item_{code}"] = [fault]
            continue
        done.answers[code] = value
        done.score += int(item.get("score", {}).get(value, 0))
        if value in item.get("hazard", {}).get("in", []):
            label = dict(_choices(item)).get(value, value)
            done.hazards.append(
                {
                    "item": code,
                    "category": item["hazard"].get("category", code),
                    "grade": item["hazard"].get("grade", "general"),
                    "label": item["label"],
                    "answer": label,
                }
            )
        if value in item.get("photo", {}).get("in", []):
            done.photos_needed.append(code)
    if errors:
        raise ValidationError(errors)
    return done


def _fault(item: dict, value: str) -> str | None:
    if has_control_characters(value, lines=True):
        return _("“%(item)s” holds characters that cannot be saved.") % {"item": item["label"]}
    if item["kind"] in ("choice", "yes_no"):
        if value not in {choice for choice, _label in _choices(item)}:
            return _("“%(item)s”: choose one of the answers offered.") % {"item": item["label"]}
    elif item["kind"] == "number":
        # Plain decimals only: Python's Decimal also reads "1_0", "１２" and "-0e5", which no form sends.
        if not PLAIN_NUMBER.fullmatch(value):
            return _("“%(item)s” is a number.") % {"item": item["label"]}
        try:
            number = Decimal(value)
        except InvalidOperation:
            return _("“%(item)s” is a number.") % {"item": item["label"]}
        if (
            not number.is_finite()
            or ("min" in item and number < Decimal(str(item["min"])))
            or ("max" in item and number > Decimal(str(item["max"])))
        ):
            return _("“%(item)s” must lie between %(min)s and %(max)s.") % {
                "item": item["label"],
                "min": item.get("min", "—"),
                "max": item.get("max", "—"),
            }
    elif len(value) > TEXT_LENGTH:
        return _("“%(item)s” is longer than %(limit)s characters.") % {
            "item": item["label"],
            "limit": TEXT_LENGTH,
        }
    return None


def answer_label(template: ChecklistTemplate, code: str, value: str) -> str:
    """The words of a recorded answer (the choice's label; numbers and text as given)."""
    item = next((i for i in template.items if i["code"] == code), None)
    if item is None:
        return value
    return dict(_choices(item)).get(value, value)


def choices_of(item: dict) -> list[list[str]]:
    return _choices(item)


def form_items(template: ChecklistTemplate, given: dict[str, list[str]], errors: dict) -> list[dict]:
    """The checklist's items as a phone form shows them (core/_checklist_items.html): each with its
    choices, the answer given, the item it is shown after and for which answers, the answers that
    need a photo, and the faults found in what was sent."""
    rows = []
    for item in template.items:
        condition = item.get("show_if") or {}
        rows.append(
            {
                **item,
                "choices": choices_of(item),
                "given": (given.get(item["code"]) or [""])[0],
                "show_item": condition.get("item", ""),
                "show_in": ",".join(condition.get("in", [])),
                "photo_in": ",".join(item.get("photo", {}).get("in", [])),
                "errors": errors.get(f"item_{item['code']}", []) + errors.get(f"photo_{item['code']}", []),
            }
        )
    return rows
