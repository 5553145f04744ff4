"""The inspection checklists institutions are inspected against (kernel checklists: versioned, an
office publishes later versions without code): the winter heating, CO and fire list of SPEC §4.3,
the GB 38600-2019 service-safety risks, and the 2023 major-hazard criteria of §4.2. A failed item
raises a hazard of its category; the §4.2 items raise major ones."""

from django.utils.translation import gettext_lazy as _

WINTER = "institutions.winter_safety"
GB38600 = "institutions.gb38600"
MAJOR = "institutions.major_hazards"

FUEL = ["coal", "gas", "wood"]


def _ok_or(code, label, bad, bad_label, *, category, photo=True, score=2, grade="general", show_if=None):
    item = {
        "code": code,
        "label": label,
        "kind": "choice",
        "choices": [["ok", _("in order")], [bad, bad_label]],
        "required": True,
        "hazard": {"in": [bad], "category": category, **({"grade": grade} if grade == "major" else {})},
        "score": {bad: score},
    }
    if photo:
        item["photo"] = {"in": [bad]}
    if show_if:
        item["show_if"] = show_if
    return item


WINTER_ITEMS = [
    {
        "code": "heating",
        "label": _("How the institution is heated"),
        "kind": "choice",
        "choices": [
            ["central", _("central heating")],
            ["gas", _("gas")],
            ["coal", _("coal")],
            ["electric", _("electric or air-conditioning")],
            ["solar", _("solar")],
            ["wood", _("wood")],
            ["none", _("none")],
        ],
        "required": True,
    },
    _ok_or(
        "coal_stove",
        _("Coal stoves and flues intact, rooms ventilated"),
        "unsafe",
        _("stove or flue damaged, or no ventilation"),
        category="coal_heating",
        score=3,
        show_if={"item": "heating", "in": ["coal"]},
    ),
    _ok_or(
        "gas_heater",
        _("Gas heaters, pipes and cylinders safe"),
        "unsafe",
        _("leaking, aged or unapproved gas equipment"),
        category="gas_heating",
        score=3,
        show_if={"item": "heating", "in": ["gas"]},
    ),
    _ok_or(
        "wood_stove",
        _("Wood stoves and flues intact, fuel kept away"),
        "unsafe",
        _("stove or flue damaged, fuel stacked by the fire"),
        category="wood_heating",
        score=3,
        show_if={"item": "heating", "in": ["wood"]},
    ),
    _ok_or(
        "solar_heating",
        _("Solar heating and its auxiliary electric heating safe"),
        "unsafe",
        _("faulty collector, pipes or auxiliary heater"),
        category="solar_heating",
        show_if={"item": "heating", "in": ["solar"]},
    ),
    {
        "code": "co_alarm",
        "label": _("CO alarms in every room heated by burning fuel"),
        "kind": "choice",
        "choices": [["all", _("in every such room")], ["some", _("in some rooms only")], ["none", _("none")]],
        "required": True,
        "show_if": {"item": "heating", "in": FUEL},
        "hazard": {"in": ["some", "none"], "category": "co_alarm"},
        "photo": {"in": ["some", "none"]},
        "score": {"some": 2, "none": 3},
    },
    _ok_or(
        "co_alarm_tested",
        _("CO alarms tested and working"),
        "failing",
        _("not tested or not working"),
        category="co_alarm",
        photo=False,
        show_if={"item": "co_alarm", "in": ["all", "some"]},
    ),
    _ok_or(
        "appliances",
        _("No high-power or substandard appliances in residents' rooms"),
        "found",
        _("electric heaters, blankets or substandard appliances in use"),
        category="appliances",
    ),
    _ok_or(
        "wiring",
        _("Wiring in conduit, sockets intact, nothing run loose"),
        "unsafe",
        _("aged wiring or wires run loose"),
        category="wiring",
    ),
    _ok_or(
        "overload",
        _("Circuits within their load"),
        "overloaded",
        _("overloaded circuits or sockets"),
        category="overload",
    ),
    _ok_or(
        "short_circuit",
        _("Leakage and short-circuit protection fitted"),
        "missing",
        _("no leakage or short-circuit protection"),
        category="short_circuit",
    ),
    _ok_or(
        "ebikes",
        _("No electric bicycles parked or charged indoors"),
        "indoors",
        _("electric bicycles charged indoors"),
        category="fire_facilities",
    ),
    _ok_or(
        "extinguishers",
        _("Extinguishers present, charged and in date; hydrants usable"),
        "missing",
        _("missing, empty or out of date"),
        category="fire_facilities",
    ),
    _ok_or(
        "smoke_detectors",
        _("Smoke detectors in residents' rooms"),
        "missing",
        _("missing or not working"),
        category="fire_facilities",
    ),
    _ok_or(
        "evacuation",
        _("Evacuation routes and exits clear, signs and emergency lights working"),
        "blocked",
        _("blocked routes or failed signs and lights"),
        category="evacuation",
        score=3,
    ),
    _ok_or(
        "kitchen_gas",
        _("Kitchen gas pipes, cylinders and stoves checked"),
        "unsafe",
        _("leaking or unchecked kitchen gas"),
        category="kitchen_gas",
        score=3,
    ),
    _ok_or(
        "colour_steel",
        _("No flammable colour-steel buildings or decoration used by people"),
        "present",
        _("flammable colour-steel building or decoration in use"),
        category="building",
        score=5,
        grade="major",
    ),
    _ok_or(
        "boiler",
        _("Boilers and other special equipment licensed and inspected"),
        "unlicensed",
        _("unlicensed or uninspected special equipment"),
        category="special_equipment",
        score=5,
        grade="major",
    ),
    {
        "code": "room_temperature",
        "label": _("Residents' room temperature (°C)"),
        "kind": "number",
        "min": -30,
        "max": 40,
    },
    _ok_or(
        "anti_slip",
        _("Snow and ice cleared, anti-slip mats laid"),
        "missing",
        _("icy paths or no mats"),
        category="care",
        photo=False,
        score=1,
    ),
    _ok_or(
        "night_watch",
        _("Night rounds and shift handover recorded"),
        "missing",
        _("no records"),
        category="care",
        photo=False,
        score=1,
    ),
    _ok_or(
        "emergency_plan",
        _("Emergency plan, supplies and duty list in place"),
        "missing",
        _("missing or out of date"),
        category="other",
        photo=False,
        score=1,
    ),
]

NINE_RISKS = [
    ("choking", _("Choking prevented (diet assessed, meals supervised)")),
    ("medicine", _("Wrong food or medicine prevented (medicines kept, checked, in date)")),
    ("pressure_sores", _("Pressure sores prevented (turning and skin checks recorded)")),
    ("scalds", _("Scalds prevented (hot water and heating pads controlled)")),
    ("bed_falls", _("Falls from bed prevented (rails, low beds)")),
    ("falls", _("Falls prevented (grab bars, lighting, dry floors)")),
    ("harm", _("Harm by others and self-harm prevented")),
    ("wandering", _("Wandering prevented (exits watched, residents checked)")),
    ("recreation", _("Accidents during recreation prevented")),
]

GB38600_ITEMS = [
    _ok_or(
        "admission_assessment",
        _("Every resident assessed before admission and reassessed on change"),
        "missing",
        _("assessments missing"),
        category="care",
        photo=False,
    ),
    _ok_or(
        "certified_staff",
        _("Care workers trained and certified before duty"),
        "missing",
        _("uncertified care workers on duty"),
        category="care",
        photo=False,
    ),
    *[
        _ok_or(code, label, "missing", _("measures missing"), category="care", photo=False, score=1)
        for code, label in NINE_RISKS
    ],
    _ok_or(
        "patrol_handover",
        _("Day-and-night patrols and shift handover with records"),
        "missing",
        _("no records"),
        category="care",
        photo=False,
    ),
    _ok_or(
        "safety_signs",
        _("Safety signs posted (GB 2893, GB 2894)"),
        "missing",
        _("signs missing"),
        category="fire_facilities",
        photo=False,
        score=1,
    ),
]

MAJOR_ITEMS = [
    _ok_or(
        "dangerous_building",
        _("Buildings not rated C or D (dangerous) nor judged seriously unsafe"),
        "dangerous",
        _("dangerous building in use"),
        category="building",
        score=5,
        grade="major",
    ),
    _ok_or(
        "facilities_judged",
        _("Fire, electrical and gas facilities not judged non-compliant"),
        "non_compliant",
        _("judged non-compliant by the authority or a third party"),
        category="fire_facilities",
        score=5,
        grade="major",
    ),
    _ok_or(
        "colour_steel_core",
        _("No flammable-core colour-steel buildings used by people"),
        "present",
        _("flammable-core colour steel in use"),
        category="building",
        score=5,
        grade="major",
    ),
    _ok_or(
        "special_equipment",
        _("Lifts, boilers and oxygen pipes licensed, inspected and in date"),
        "failed",
        _("unlicensed, uninspected, failed or obsolete"),
        category="special_equipment",
        score=5,
        grade="major",
    ),
    _ok_or(
        "medical_licence",
        _("Internal medical unit licensed or filed"),
        "unlicensed",
        _("medical unit without licence or filing"),
        category="other",
        photo=False,
        score=5,
        grade="major",
    ),
    _ok_or(
        "food_licence",
        _("Canteen holds a food-business licence"),
        "unlicensed",
        _("canteen without a food-business licence"),
        category="other",
        photo=False,
        score=5,
        grade="major",
    ),
    _ok_or(
        "equipment_operators",
        _("Special equipment run by qualified staff"),
        "unqualified",
        _("unqualified operators"),
        category="special_equipment",
        photo=False,
        score=5,
        grade="major",
    ),
]

CHECKLISTS = {
    WINTER: (_("Winter heating, CO and fire safety"), WINTER_ITEMS),
    GB38600: (_("Service safety (GB 38600-2019)"), GB38600_ITEMS),
    MAJOR: (_("Major-hazard criteria (2023)"), MAJOR_ITEMS),
}
