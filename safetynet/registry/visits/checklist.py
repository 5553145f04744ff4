"""The household visit checklist, version 1 (core.checklists stores it on first use; an office
publishes later versions). Living conditions and the winter hazards the 2022 briefing names.

An app above the registry may give some households a checklist of its own (care: the households of
特困 persons cared for at home get the care checklist, these items and the care ones) with
`register_household_checklist`; every other household is visited with this one."""

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from safetynet.registry import codes
from safetynet.registry.models import Household

CODE = "registry.household_visit"

FIRE_HEATING = sorted(codes.COMBUSTION_HEATING)
SHORT_OR_ENOUGH = [["enough", _("enough")], ["short", _("short of it")]]

ITEMS = [
    {
        "code": "heating",
        "label": _("How the home is heated"),
        "kind": "choice",
        "required": True,
        "choices": [[value, label] for value, label in codes.Heating.choices],
    },
    {
        "code": "co_alarm",
        "label": _("CO alarm installed"),
        "kind": "yes_no",
        "required": True,
        "show_if": {"item": "heating", "in": FIRE_HEATING},
        "hazard": {"in": ["no"], "category": "co_alarm"},
        "score": {"no": 3},
    },
    {
        "code": "co_alarm_works",
        "label": _("The CO alarm sounds when tested"),
        "kind": "yes_no",
        "required": True,
        "show_if": {"item": "co_alarm", "in": ["yes"]},
        "hazard": {"in": ["no"], "category": "co_alarm"},
        "score": {"no": 3},
    },
    {
        "code": "stove",
        "label": _("Stove, flue and ventilation"),
        "kind": "choice",
        "required": True,
        "show_if": {"item": "heating", "in": FIRE_HEATING},
        "choices": [
            ["ok", _("in order")],
            ["no_flue", _("no flue or window vent")],
            ["damaged", _("damaged")],
        ],
        "hazard": {"in": ["no_flue", "damaged"], "category": "heating"},
        "photo": {"in": ["no_flue", "damaged"]},
        "score": {"no_flue": 3, "damaged": 2},
    },
    {
        "code": "wiring",
        "label": _("Wiring and sockets"),
        "kind": "choice",
        "required": True,
        "choices": [
            ["ok", _("in order")],
            ["aged", _("aged or damaged")],
            ["overloaded", _("makeshift or overloaded")],
        ],
        "hazard": {"in": ["aged", "overloaded"], "category": "wiring"},
        "photo": {"in": ["aged", "overloaded"]},
        "score": {"aged": 2, "overloaded": 3},
    },
    {
        "code": "gas",
        "label": _("Gas pipes and appliances"),
        "kind": "choice",
        "required": True,
        "choices": [
            ["none", _("no gas used")],
            ["ok", _("in order")],
            ["aged", _("aged hose or pipe")],
            ["leak", _("smell of gas")],
        ],
        "hazard": {"in": ["aged", "leak"], "category": "gas"},
        "photo": {"in": ["aged", "leak"]},
        "score": {"aged": 2, "leak": 5},
    },
    {
        "code": "food",
        "label": _("Food in the home"),
        "kind": "choice",
        "required": True,
        "choices": SHORT_OR_ENOUGH,
        "hazard": {"in": ["short"], "category": "food"},
        "score": {"short": 2},
    },
    {
        "code": "clothing",
        "label": _("Winter clothing and bedding"),
        "kind": "choice",
        "required": True,
        "choices": SHORT_OR_ENOUGH,
        "hazard": {"in": ["short"], "category": "clothing"},
        "score": {"short": 2},
    },
    {
        "code": "medicines",
        "label": _("Medicines needed"),
        "kind": "choice",
        "required": True,
        "choices": [["none_needed", _("none needed")], *SHORT_OR_ENOUGH],
        "hazard": {"in": ["short"], "category": "medicines"},
        "score": {"short": 2},
    },
    {
        "code": "house",
        "label": _("The house"),
        "kind": "choice",
        "required": True,
        "choices": [["safe", _("safe")], ["cracked", _("cracks to watch")], ["dangerous", _("dangerous")]],
        "hazard": {"in": ["dangerous"], "category": "housing"},
        "photo": {"in": ["cracked", "dangerous"]},
        "score": {"cracked": 1, "dangerous": 5},
    },
    {
        "code": "indoor_temperature",
        "label": _("Indoor temperature (degrees Celsius)"),
        "kind": "number",
        "min": -30,
        "max": 40,
    },
]


# (checklist code, households (a QuerySet) → those of them visited with that checklist), in the order
# registered: the first that takes a household gives its checklist.
_HOUSEHOLD_CHECKLISTS: list[tuple[str, Callable]] = []


def register_household_checklist(*, code: str, narrow: Callable) -> None:
    """Visit the households `narrow` keeps with the checklist `code` (registered with
    core.checklists.register_checklist by the same app) instead of the household visit checklist."""
    _HOUSEHOLD_CHECKLISTS[:] = [entry for entry in _HOUSEHOLD_CHECKLISTS if entry[0] != code]
    _HOUSEHOLD_CHECKLISTS.append((code, narrow))


def checklist_code_for(household) -> str:
    """The code of the checklist a visit to `household` answers (one small query per app's rule)."""
    one = Household.objects.filter(pk=household.pk)
    for code, narrow in _HOUSEHOLD_CHECKLISTS:
        if narrow(one).exists():
            return code
    return CODE
