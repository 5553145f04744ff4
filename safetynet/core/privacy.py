"""The one privacy policy: which values are personal identifiers, who may see them whole, and the
record of every time one was shown whole (个人信息保护法).

Each app declares its identifiers once (`register_identifiers`): an entity, its identifier fields
and how each looks masked, where a record lives, and the fields that give identifiers away (a date
of birth holds eight digits of the ID number). Pages, API answers, exports and every app's history
show them through a `Disclosure`, which decides (`may_unmask`) and logs (core.UnmaskLog) in one
step: nothing shows a whole value without its log row.

The decision: identifiers are masked for everyone by default. A role in `UNMASKING_ROLES` (county
bureaus and above, and a township office, whose area is its own township) sees them whole inside
its area when it asks (a "Show in full" button, opening an edit form, `unmask=true`, a whole-number
export), and each showing is logged. Revealing fields are whole, without asking, to such a role
inside its area, and hidden from everyone else. Every other role sees identifiers masked only.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from safetynet.core.models import ChangeRecord, Role, User
from safetynet.core.scope import in_scope
from safetynet.core.services import unmask_log_many

UNMASKING_ROLES = frozenset({Role.CITY_BUREAU, Role.COUNTY_BUREAU, Role.TOWNSHIP_OFFICE})


# --- the decision ------------------------------------------------------------------------------------

def sees_whole_numbers(actor: User, roles: frozenset | None = None) -> bool:
    """Is the actor's role one that may see identifiers whole (inside its area)? It decides what is
    offered (a whole-number export, searching by whole numbers, imports); whether one record may be
    shown whole is `may_unmask`. `roles`: an entity's own unmasking roles (bank accounts: finance)."""
    signed_in = bool(getattr(actor, "is_authenticated", False))
    return signed_in and actor.is_active and actor.role in (UNMASKING_ROLES if roles is None else roles)


def may_unmask(actor: User, area_code: str | None, roles: frozenset | None = None) -> bool:
    """May the actor see whole identifiers of a record living at `area_code` (a division code)?"""
    return sees_whole_numbers(actor, roles) and in_scope(actor, area_code)


def refused() -> PermissionDenied:
    return PermissionDenied(_("Your role sees ID and phone numbers masked."))


# --- the table of identifiers --------------------------------------------------------------------------

Mask = Callable[[Any], str]


@dataclass(frozen=True)
class Identifiers:
    """One entity's personal identifiers, as the app that owns the entity declares them."""

    entity: str  # the model's name, as history (ChangeRecord.entity_type) and UnmaskLog name it
    masks: Mapping[str, Mask]  # each identifier field, and how it looks masked
    area: Callable[[Any], str | None]  # where a record lives (a division code): who may see it whole
    # Fields that are no identifiers but give one away, and how they look hidden.
    revealing: Mapping[str, Mask] = field(default_factory=dict)
    # What everyone is shown instead (an age for a date of birth): record → values.
    derived: Callable[[Any], dict] | None = None
    # The roles that see these whole, where not those of UNMASKING_ROLES (bank accounts: finance).
    unmasking_roles: frozenset | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.masks)

    def mask(self, name: str, value) -> str:
        return self.masks[name](None if value is None else str(value))


_TABLES: dict[str, Identifiers] = {}


def register_identifiers(table: Identifiers) -> Identifiers:
    """Declare an entity's identifiers (from the app's AppConfig.ready or a module it imports)."""
    _TABLES[table.entity] = table
    return table


def identifiers(entity: str) -> Identifiers | None:
    return _TABLES.get(entity)


def _table_of(record) -> Identifiers:
    table = _TABLES.get(record._meta.model_name)
    if table is None:
        raise LookupError(f"no identifiers are declared for {record._meta.label}")
    return table


def _any_mask(name: str) -> Mask | None:
    """How an identifier field of this name looks masked in any declared entity (history may carry
    a value under a name that is an identifier elsewhere: it is masked there too)."""
    return next((table.masks[name] for table in _TABLES.values() if name in table.masks), None)


def hidden_fields(actor: User, record) -> tuple[str, ...]:
    """The fields of `record` the actor may neither see whole nor change (forms leave them out)."""
    table = _table_of(record)
    if may_unmask(actor, table.area(record), table.unmasking_roles):
        return ()
    return (*table.masks, *table.revealing)


# --- showing ---------------------------------------------------------------------------------------------

class Disclosure:
    """What one response (a page, an API answer, an export, a history) shows of identifiers.

    With `whole=True` a role that may unmask gets the whole values of the records in its area, each
    record logged once per response; otherwise (or for any other role) they come masked. `batched`
    (an export of thousands) keeps the log rows until `flush()`, which the caller calls before its
    response leaves; otherwise each is written as the record is shown.
    """

    def __init__(self, actor: User, *, channel: str, whole: bool = False, batched: bool = False):
        self.actor, self.channel, self.batched = actor, channel, batched
        self.whole = whole and bool(getattr(actor, "is_authenticated", False))
        self._logged: set[tuple[str, int]] = set()
        self._pending: list[tuple[str, int, str]] = []
        # Whether a history showed masked a value this actor may ask to see whole.
        self.withheld = False

    def entitled(self, record) -> bool:
        table = _table_of(record)
        return may_unmask(self.actor, table.area(record), table.unmasking_roles)

    def show(self, record, *, fields: Iterable[str] | None = None) -> dict:
        """The record's identifiers whole or masked, its revealing fields whole or hidden, what is
        derived for everyone; `unmasked` (shown whole), `entitled` (the actor may unmask here) and
        `may_reveal` (a "Show in full" would show more). `fields`: the identifiers the caller
        shows, which are what is logged (default: all)."""
        table = _table_of(record)
        entitled = may_unmask(self.actor, table.area(record), table.unmasking_roles)
        whole = self.whole and entitled
        values = {name: (getattr(record, name) or "") if whole else table.mask(name, getattr(record, name))
                  for name in table.masks}
        values |= {name: getattr(record, name) if entitled else mask(getattr(record, name))
                   for name, mask in table.revealing.items()}
        if table.derived is not None:
            values |= table.derived(record)
        if whole:
            logged = table.masks if fields is None else set(fields)
            self._log(table.entity, record.pk, [n for n in table.masks if n in logged and getattr(record, n)])
        more = entitled and not whole and any(getattr(record, name) for name in table.masks)
        return values | {"unmasked": whole, "entitled": entitled, "may_reveal": more}

    def change(self, record: ChangeRecord, *, area_code: str | None) -> tuple[dict, dict]:
        """A recorded change's before and after as this actor may see them. `area_code`: where the
        changed record lives now, as far as the actor may know (None: outside the actor's area).
        Identifiers of the record are whole only with `whole=True` for a role that may unmask there
        (logged); a value named like another entity's identifier is always masked."""
        table = _TABLES.get(record.entity_type)
        entitled = table is not None and may_unmask(self.actor, area_code, table.unmasking_roles)
        whole = self.whole and entitled
        shown_whole: set[str] = set()

        def shown(values: dict) -> dict:
            out = {}
            for name, value in values.items():
                own = table is not None and name in table.masks
                mask = table.masks[name] if own else _any_mask(name)
                if own and whole:
                    out[name] = value
                    if value:
                        shown_whole.add(name)
                elif mask is not None:
                    out[name] = mask(None if value is None else str(value))
                    self.withheld = self.withheld or (own and entitled and bool(value))
                elif table is not None and name in table.revealing and not entitled:
                    out[name] = table.revealing[name](value)
                else:
                    out[name] = value
            return out

        before, after = shown(record.before or {}), shown(record.after or {})
        if shown_whole:
            self._log(record.entity_type, record.entity_id, [n for n in table.masks if n in shown_whole])
        return before, after

    def _log(self, entity: str, pk: int, names: list[str]) -> None:
        if not names or (entity, pk) in self._logged:
            return
        self._logged.add((entity, pk))
        self._pending.append((entity, pk, ",".join(names)))
        if not self.batched:
            self.flush()

    def flush(self) -> None:
        """Write the log rows kept so far (one INSERT)."""
        if self._pending:
            unmask_log_many(actor=self.actor, shown=self._pending, channel=self.channel)
            self._pending = []


def reveal(*, actor: User, record, channel: str, fields: Iterable[str] | None = None) -> dict:
    """The record's whole identifiers for an actor entitled to them (PermissionDenied otherwise),
    as `Disclosure.show` gives them; the non-empty `fields` (those the caller shows) are logged."""
    disclosure = Disclosure(actor, channel=channel, whole=True)
    if not disclosure.entitled(record):
        raise refused()
    return disclosure.show(record, fields=fields)
