"""The care visit checklist ("care.visit"), version 1: what a visit to the household of a 特困 person
cared for at home answers. It is the household visit checklist (heating, CO alarm, wiring, gas, food,
winter clothing and bedding, medicines, the house — the same item codes, so the registry keeps the
household's heating and CO alarm up to date from it as from its own) followed by the care items.

A separate checklist rather than conditional items on the household one: the kernel shows an item on
an earlier *answer*, not on who lives in the house, and a household checklist already stored as
version 1 would not take new items from code. The registry gives these households this checklist
(registry.visits.checklist.register_household_checklist)."""

from django.utils.translation import gettext_lazy as _

from safetynet.registry.visits import checklist as household

CODE = "care.visit"

CARE_ITEMS = [
    {
        "code": "caregiver_present",
        "label": _("The caregiver looks in as agreed"),
        "kind": "choice",
        "required": True,
        "choices": [
            ["yes", _("yes, as agreed")],
            ["seldom", _("seldom, less than agreed")],
            ["no", _("no caregiver comes")],
        ],
        "hazard": {"in": ["seldom", "no"], "category": "other"},
        "score": {"seldom": 2, "no": 4},
    },
    {
        "code": "caring_as_agreed",
        "label": _("Meals, washing and cleaning done as the agreement says"),
        "kind": "yes_no",
        "required": True,
        "hazard": {"in": ["no"], "category": "other"},
        "score": {"no": 2},
    },
    {
        "code": "hygiene",
        "label": _("Personal hygiene"),
        "kind": "choice",
        "required": True,
        "choices": [["good", _("clean and tidy")], ["poor", _("neglected")]],
        "hazard": {"in": ["poor"], "category": "other"},
        "photo": {"in": ["poor"]},
        "score": {"poor": 2},
    },
    {
        "code": "centralised_wish",
        "label": _("Wishes about centralised care"),
        "kind": "choice",
        "required": True,
        "choices": [
            ["stay", _("wishes to stay at home")],
            ["willing", _("willing to enter an institution")],
            ["undecided", _("undecided")],
        ],
    },
]

ITEMS = [*household.ITEMS, *CARE_ITEMS]
