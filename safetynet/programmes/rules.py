"""The eligibility rules as a policy officer reads them: a table of named conditions, each a short
expression over named facts of a household (per-capita income, the standard, members counted …).

One definition, two executions: `evaluate` works out an expression for one household, in Decimal,
showing every figure (the explanation); `to_sql` turns the same expression into SQL over a table of
facts with one row per household (the batch over the whole city). The expression language is a
small, safe part of Python's own: numbers, fact names, + − ×, comparisons, and / or / not, and
min / max. Anything else — an unknown fact, a call, an attribute, a division (per-person figures are
facts of their own) — is refused when the rule is loaded, not when it runs.

The SQL is exact on SQLite as on PostgreSQL: every figure is an integer at a known scale (fen for
money, ten-thousandths for a standard), and the compiler aligns scales as it adds, multiplies and
compares — so "income exactly at the standard" is the same answer in both executions.
"""

import ast
import operator
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _


class RuleError(ValueError):
    """A rule that names an unknown fact or uses what the language does not have."""


_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}
_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "=", ast.NotEq: "<>"}
_ALLOWED = (ast.Expression, ast.BinOp, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Load, ast.And, ast.Or,
            ast.Not, ast.USub, *_OPS, *_COMPARE)
_COMPARISONS = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
                ast.Eq: operator.eq, ast.NotEq: operator.ne}
_FUNCTIONS = {"min": ("LEAST", "MIN"), "max": ("GREATEST", "MAX")}  # (PostgreSQL and DuckDB, SQLite)


@dataclass(frozen=True)
class Expression:
    text: str
    tree: ast.Expression = field(repr=False, compare=False)
    names: frozenset = field(compare=False)

    @classmethod
    def parse(cls, text: str, known: set[str]) -> "Expression":
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError as error:
            raise RuleError(f"{text!r}: {error.msg}") from None
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                if node.id not in known and node.id not in _FUNCTIONS:
                    raise RuleError(f"{text!r}: no fact is called {node.id!r}")
                names.add(node.id)
            elif isinstance(node, ast.Call):
                if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
                    raise RuleError(f"{text!r}: only min(…) and max(…) may be called")
            elif isinstance(node, ast.Constant):
                if not isinstance(node.value, int | float) or isinstance(node.value, bool):
                    raise RuleError(f"{text!r}: only numbers may be written")
            elif not isinstance(node, _ALLOWED):
                raise RuleError(f"{text!r}: {type(node).__name__} is not part of the rule language")
        return cls(text, tree, frozenset(names - set(_FUNCTIONS)))

    # --- one household --------------------------------------------------------------------------
    def evaluate(self, facts: dict):
        """The value for one household's facts (Decimal, or bool for a condition); None when a fact
        it needs is unknown (no standard in force, no member counted)."""
        return _evaluate(self.tree.body, facts)

    # --- the whole city --------------------------------------------------------------------------
    def to_sql(self, column, vendor: str) -> tuple[str, int | None]:
        """SQL for the same expression and the scale of its integer result (None for a condition):
        `column(name)` gives (SQL, scale) of a fact, an integer in units of 10^-scale. NULL where a
        fact is unknown, as None above."""
        return _sql(self.tree.body, column, vendor)


def _evaluate(node, facts):
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        value = facts[node.id]
        return value if value is None or isinstance(value, bool) else Decimal(value)
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, facts)
        if value is None:
            return None
        return (not value) if isinstance(node.op, ast.Not) else -value
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, facts), _evaluate(node.right, facts)
        if left is None or right is None:
            return None
        return {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right}[type(node.op)]
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, facts)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(comparator, facts)
            if left is None or right is None:
                return None
            if not _COMPARISONS[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        values = [_evaluate(value, facts) for value in node.values]
        # SQL's three-valued logic, so that both executions agree: false and unknown is false.
        if isinstance(node.op, ast.And):
            return False if False in values else (None if None in values else True)
        return True if True in values else (None if None in values else False)
    if isinstance(node, ast.Call):
        values = [_evaluate(arg, facts) for arg in node.args]
        if None in values:
            return None
        return min(values) if node.func.id == "min" else max(values)
    raise RuleError(type(node).__name__)


def _scaled(sql: str, scale: int, to: int) -> str:
    return sql if to == scale else f"({sql} * {10 ** (to - scale)})"


def _sql(node, column, vendor) -> tuple[str, int | None]:
    if isinstance(node, ast.Constant):
        exponent = Decimal(str(node.value)).normalize().as_tuple().exponent
        scale = max(0, -exponent)
        return str(int(Decimal(str(node.value)).scaleb(scale))), scale
    if isinstance(node, ast.Name):
        return column(node.id)
    if isinstance(node, ast.UnaryOp):
        inner, scale = _sql(node.operand, column, vendor)
        return (f"(NOT {inner})", None) if isinstance(node.op, ast.Not) else (f"(-{inner})", scale)
    if isinstance(node, ast.BinOp):
        (left, ls), (right, rs) = _sql(node.left, column, vendor), _sql(node.right, column, vendor)
        if isinstance(node.op, ast.Mult):
            return f"({left} * {right})", ls + rs
        scale = max(ls, rs)
        return f"({_scaled(left, ls, scale)} {_OPS[type(node.op)]} {_scaled(right, rs, scale)})", scale
    if isinstance(node, ast.Compare):
        parts, (left, ls) = [], _sql(node.left, column, vendor)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right, rs = _sql(comparator, column, vendor)
            scale = max(ls, rs)
            parts.append(f"({_scaled(left, ls, scale)} {_COMPARE[type(op)]} {_scaled(right, rs, scale)})")
            left, ls = right, rs
        return "(" + " AND ".join(parts) + ")", None
    if isinstance(node, ast.BoolOp):
        joiner = " AND " if isinstance(node.op, ast.And) else " OR "
        return "(" + joiner.join(_sql(value, column, vendor)[0] for value in node.values) + ")", None
    if isinstance(node, ast.Call):
        compiled = [_sql(arg, column, vendor) for arg in node.args]
        scale = max(s for _a, s in compiled)
        args = [_scaled(arg, s, scale) for arg, s in compiled]
        name = _FUNCTIONS[node.func.id][1 if vendor == "sqlite" else 0]
        # SQLite's MIN/MAX of several values is NULL if any is; LEAST (PostgreSQL, DuckDB) ignores NULLs.
        if vendor != "sqlite":
            nulls = " OR ".join(f"{arg} IS NULL" for arg in args)
            return f"(CASE WHEN {nulls} THEN NULL ELSE {name}({', '.join(args)}) END)", scale
        return f"{name}({', '.join(args)})", scale
    raise RuleError(type(node).__name__)


@dataclass(frozen=True)
class Condition:
    code: str
    label: object
    expression: Expression


@dataclass(frozen=True)
class Rule:
    """A programme's rule, versioned: its conditions (all must hold) and its amount. A rule `per_person`
    (特困) is decided for each member on the member's own facts; the household qualifies when one of
    them does, and its amount is theirs added up. `once` marks an amount paid once, at most (临时救助),
    rather than each month."""

    programme: str
    version: str
    title: object
    conditions: tuple[Condition, ...]
    amount: Expression | None
    per_person: bool = False
    once: bool = False

    def explain(self, facts: dict) -> dict:
        """Every condition with its value, whether all hold, and the amount (whole yuan, half up)."""
        results = [{"code": c.code, "label": c.label, "expression": c.expression.text,
                    "readable": readable(c.expression.text), "holds": c.expression.evaluate(facts) is True}
                   for c in self.conditions]
        qualifies = all(result["holds"] for result in results)
        amount = self.amount.evaluate(facts) if qualifies and self.amount else None
        return {"programme": self.programme, "version": self.version, "conditions": results,
                "qualifies": qualifies, "amount": whole_yuan(amount) if amount is not None else None}


_WORDS = {"and": _("and"), "or": _("or"), "not": _("not"), "min": _("the smaller of"),
          "max": _("the larger of")}


def readable(text: str) -> str:
    """An expression as a policy officer reads it: each fact by its name, in the user's language."""
    def word(match):
        name = match.group(0)
        return str(FACTS.get(name) or PERSON_FACTS.get(name) or _WORDS.get(name) or name)

    return re.sub(r"[A-Za-z_]+", word, text).replace("==", "=").replace("*", "×")


def whole_yuan(value: Decimal) -> Decimal:
    """Half up to the fen, then to the yuan (SPEC §6.3)."""
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP).quantize(Decimal(1), ROUND_HALF_UP)


# The facts a rule may name, with what they mean (shown beside the rule on its page).
FACTS = {
    "members": _("members counted as living together"),
    "income_month": _("countable income per month, after exclusions and deductions"),
    "per_capita_income": _("countable income per person per month"),
    "standard": _("the minimum living standard for the household's county and residence"),
    "edge_multiple": _("the near-minimum multiple"),
    "financial_assets": _("financial assets not exempt"),
    "asset_months": _("financial assets allowed per person, in months of the standard"),
    "vehicles": _("vehicles not exempt"),
    "addons": _("classified add-ons of the members, per month"),
    "disposable_income": _("the previous year's per-capita disposable income, per year"),
    "rigid_expense_ratio": _("the share of income above which rigid expenses are a hardship"),
    "rigid_expenses": _("rigid expenses of the last twelve months"),
    "recent_rigid_expenses": _("rigid expenses of the last three months"),
    "temp_cap_months": _("temporary aid per person, at most, in months of the standard"),
}
# The facts of one member, for the rules decided per person (特困).
PERSON_FACTS = {
    "age": _("age in whole years"),
    "work_disability": _(
        "1 when a disability takes the capacity to work (intellectual or mental grade 1–3, physical "
        "grade 1–2, visual grade 1, multiple grade 1–2), else 0"),
    "own_income_month": _("the member's own countable income per month (a sole member's includes the "
                          "household's)"),
    "own_financial_assets": _("the member's own financial assets not exempt (a sole member's includes "
                              "the household's)"),
    "own_vehicles": _("the member's own vehicles not exempt"),
    "able_supporters": _("supporters able to support the member: those recorded who are able, and the "
                         "other members living together aged 18 to 59 not disabled so"),
    "standard": FACTS["standard"],
    "asset_months": FACTS["asset_months"],
    "tekun_ratio": _("basic living of persons in extreme poverty, times the minimum living standard"),
    "care": _("the care standard for the member's self-care ability (self-caring when not assessed)"),
}


def _rule(programme, version, title, conditions, amount, *, per_person=False, once=False) -> Rule:
    known = set(PERSON_FACTS if per_person else FACTS)
    parsed = tuple(Condition(code, label, Expression.parse(text, known)) for code, label, text in conditions)
    return Rule(programme, version, title, parsed, Expression.parse(amount, known) if amount else None,
                per_person=per_person, once=once)


ASSETS_WITHIN_LIMIT = "financial_assets <= asset_months * standard * members"
BELOW_DISPOSABLE = "per_capita_income * 12 < disposable_income"

DIBAO = _rule("dibao", "2021.1", _("Minimum living security, household"), [
    ("members", _("At least one member counted as living together"), "members >= 1"),
    ("income", _("Per-capita income below the standard"), "per_capita_income < standard"),
    ("assets", _("Financial assets within the limit"), ASSETS_WITHIN_LIMIT),
    ("vehicles", _("No vehicle other than an exempt one"), "vehicles == 0"),
], "(standard - per_capita_income) * members + addons")

EDGE = _rule("edge", "2021.1", _("Near-minimum family"), [
    ("members", _("At least one member counted as living together"), "members >= 1"),
    ("above", _("Per-capita income at or above the standard"), "per_capita_income >= standard"),
    ("below", _("Per-capita income below the near-minimum multiple of the standard"),
     "per_capita_income < edge_multiple * standard"),
    ("assets", _("Financial assets within the limit"), ASSETS_WITHIN_LIMIT),
], None)

# 特困人员认定办法 arts. 4–8: no capacity to work, no means of living, no supporter able to support.
TEKUN = _rule("tekun", "2021.1", _("Persons in extreme poverty, per member"), [
    ("labour", _("No capacity to work: aged 60 or more, under 18, or disabled so"),
     "age >= 60 or age < 18 or work_disability == 1"),
    ("income", _("Own income below the minimum living standard"), "own_income_month < standard"),
    ("assets", _("Own financial assets within the limit"), "own_financial_assets <= asset_months * standard"),
    ("vehicles", _("No vehicle other than an exempt one"), "own_vehicles == 0"),
    ("supporters", _("No supporter able to support"), "able_supporters == 0"),
], "tekun_ratio * standard + care", per_person=True)

# 2023 opinion on low-income monitoring: not on 低保 or near it by income, below the disposable
# income, rigid expenses above the set share of the year's income.
RIGID = _rule("rigid", "2023.1", _("Rigid-expense hardship family"), [
    ("members", _("At least one member counted as living together"), "members >= 1"),
    ("not_edge", _("Per-capita income at or above the near-minimum line"),
     "per_capita_income >= edge_multiple * standard"),
    ("disposable", _("Per-capita income below the previous year's per-capita disposable income"),
     BELOW_DISPOSABLE),
    ("expenses", _("Rigid expenses of the last twelve months above the set share of the year's income"),
     "rigid_expenses > rigid_expense_ratio * income_month * 12"),
    ("assets", _("Financial assets within the limit"), ASSETS_WITHIN_LIMIT),
], None)

# 临时救助, the expenditure type (2018 opinion): a sudden necessary expense beyond the household's
# means. The amount is the most it may be given at once; the emergency type is paid first, on a
# report, and is not found by a rule.
TEMPORARY = _rule("temporary", "2018.1", _("Temporary assistance, expenditure type"), [
    ("members", _("At least one member counted as living together"), "members >= 1"),
    ("disposable", _("Per-capita income below the previous year's per-capita disposable income"),
     BELOW_DISPOSABLE),
    ("expenses", _("Rigid expenses of the last three months above three months of the household's income"),
     "recent_rigid_expenses > income_month * 3"),
    ("assets", _("Financial assets within the limit"), ASSETS_WITHIN_LIMIT),
], "temp_cap_months * standard * members", once=True)

RULES = {rule.programme: rule for rule in (DIBAO, EDGE, TEKUN, RIGID, TEMPORARY)}
# A household receives 低保 in effect when each member counted receives 特困: they are never given
# together (特困 is the higher), so such a household is not "qualifies but receives nothing".
COVERED_BY = {"dibao": "tekun"}
# Each programme's name as the pages and the lists write it.
PROGRAMME_NAMES = {
    "dibao": _("Minimum living security"),
    "edge": _("Near-minimum family"),
    "tekun": _("Extreme poverty assistance"),
    "rigid": _("Rigid-expense hardship"),
    "temporary": _("Temporary assistance"),
}
