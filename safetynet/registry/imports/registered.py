"""Registered households against their rows: a dry run over what a batch read, then the
single-record services for what differs, so that every change shows on the household's timeline."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from safetynet.core.masking import mask_certificate, mask_phone
from safetynet.core.scope import in_scope
from safetynet.core.services import ConflictError
from safetynet.core.types import UrbanRural
from safetynet.registry import codes, services
from safetynet.registry.imports.layout import (
    ASSET,
    ASSET_TYPES,
    HOUSEHOLD,
    HOUSEHOLD_IMPORT_FIELDS,
    INCOME,
    INCOME_CATEGORIES,
    MEMBER,
    PERSON,
    PERSON_IMPORT_FIELDS,
    header_of,
)
from safetynet.registry.imports.reading import Masked
from safetynet.registry.imports.rows import Group, Row, _error
from safetynet.registry.models import AssetItem, Household, IncomeItem, Membership, Person

if TYPE_CHECKING:  # the importer drives this module: imported for the type only
    from safetynet.registry.imports.importer import Importer


def _BULK_REPEATS() -> set[str]:  # noqa: N802  (a constant, in the active language)
    """bulk's words for what the import has said in its own: a person registered already (the
    import matches them, or says why not), a second head."""
    return {
        _("A person with this ID number is already registered."),
        _("The household already has a head."),
    }


class _Rejected(Exception):
    """Raised inside a household's transaction to roll it back; the reasons are on its rows."""


def _service_messages(error: Exception, part: str) -> list[str]:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            messages = []
            for name, texts in error.message_dict.items():
                header = header_of(name, part) if name != "__all__" else ""
                messages += [_error(header, text) if header else text for text in texts]
            return messages
        return list(error.messages)
    return [str(error)]


class _Changed(Exception):
    """A dry run found something to change: the household goes through the services."""


@dataclass
class _State:
    """What a batch's registered households hold now, read in a handful of queries."""

    households: dict[int, Household]
    members: dict[int, dict[int, Membership]]
    income: dict[int, dict[tuple, list[IncomeItem]]]  # household → (person, category) → items
    assets: dict[int, dict[tuple, list[AssetItem]]]

    @classmethod
    def load(cls, household_ids: list[int]) -> "_State":
        """Plain values (SimpleNamespace rows, not model instances: a re-import of 100 k rows
        compares 100 k people, and building models would be most of its time)."""
        members = defaultdict(dict)
        income, assets = defaultdict(lambda: defaultdict(list)), defaultdict(lambda: defaultdict(list))
        if not household_ids:
            return cls({}, members, income, assets)
        person_fields = [
            name + "_id" if name.endswith("_division") else name for name in PERSON_IMPORT_FIELDS
        ]
        rows = Membership.objects.filter(household_id__in=household_ids, left_on__isnull=True).values_list(
            "pk",
            "household_id",
            "person_id",
            "relation",
            "co_living",
            "exclusion",
            *(f"person__{name}" for name in person_fields),
        )
        for pk, household_id, person_id, relation, co_living, exclusion, *values in rows:
            person = SimpleNamespace(pk=person_id, **dict(zip(person_fields, values, strict=True)))
            members[household_id][person_id] = SimpleNamespace(
                pk=pk,
                person_id=person_id,
                person=person,
                relation=relation,
                co_living=co_living,
                exclusion=exclusion,
            )
        for pk, household_id, person_id, category, amount, start, end in IncomeItem.objects.filter(
            household_id__in=household_ids,
            excluded=False,
            category__in=INCOME_CATEGORIES,
        ).values_list("pk", "household_id", "person_id", "category", "amount", "period_start", "period_end"):
            income[household_id][(person_id, category)].append(
                SimpleNamespace(pk=pk, amount=amount, period_start=start, period_end=end)
            )
        for pk, household_id, person_id, asset_type, value in AssetItem.objects.filter(
            household_id__in=household_ids,
            exempt=False,
            asset_type__in=ASSET_TYPES,
        ).values_list("pk", "household_id", "person_id", "asset_type", "value"):
            assets[household_id][(person_id, asset_type)].append(SimpleNamespace(pk=pk, value=value))
        household_fields = ["village_id", *[name for name in HOUSEHOLD_IMPORT_FIELDS if name != "village"]]
        households = {
            values[0]: SimpleNamespace(pk=values[0], **dict(zip(household_fields, values[1:], strict=True)))
            for values in Household.objects.filter(pk__in=household_ids).values_list("pk", *household_fields)
        }
        return cls(households, members, income, assets)


def _instance(person) -> Person:
    """The Person a service takes, for one matched (as plain values) when the file was read."""
    return person if isinstance(person, Person) else Person.objects.get(pk=person.pk)


class _HouseholdUpdate:
    """One registered (or partly registered) household against its rows in the file.

    With `state` it is a dry run over what the batch read: it raises _Changed at the first
    difference, _Rejected (the reasons on the rows) for what cannot be read, and returns when the
    household is unchanged — which is most of a re-import, and costs no query of its own.
    """

    def __init__(self, importer: "Importer", group: Group, divisions: dict, state: _State | None = None):
        self.importer, self.actor, self.group, self.divisions = importer, importer.actor, group, divisions
        self.state = state
        self.changed = False

    def _run(self, row: Row, part: str, call: Callable):
        if self.state is not None:
            raise _Changed()
        try:
            result = call()
        except (ValidationError, PermissionDenied, ConflictError) as error:
            row.errors.extend(_service_messages(error, part))
            raise _Rejected() from error
        self.changed = True
        return result

    def apply(self) -> bool:
        group = self.group
        if self.state is not None:
            household = self.state.households.get(group.household_id)
            if household is None:  # gone since the batch was matched
                raise _Changed()
        elif group.household_id:
            household = (
                Household.objects.select_for_update().select_related("village").get(pk=group.household_id)
            )
        else:
            household = None
        if household is not None and not in_scope(self.actor, household.village_id):
            group.errors.append(
                _(
                    "This household is registered outside your area (不在您的辖区): it cannot be "
                    "changed from here."
                )
            )
            raise _Rejected()
        values = self.importer._household_values(group)
        if household is None:
            household = self._create_household(values)
        else:
            self._update_household(household, values)
        if self.state is not None:
            members = self.state.members.get(household.pk, {})
        else:
            members = {
                m.person_id: m
                for m in Membership.objects.filter(household=household, left_on__isnull=True).select_related(
                    "person"
                )
            }
        promotions = []
        for row in group.rows:
            if row.person is not None and row.person.pk in members:
                self._update_person(row, members[row.person.pk].person)
                promotions += self._update_membership(row, members[row.person.pk], demote_only=True)
        for row in group.rows:
            if row.person is None or row.person.pk not in members:
                if row is group.head:
                    continue
                self._add_member(row, household)
        for row, membership in promotions:
            self._update_membership(row, membership, demote_only=False)
        head = group.head
        head_missing = head is not None and (head.person is None or head.person.pk not in members)
        if (
            head_missing
            and not Membership.objects.filter(
                household=household, person__id_number=group.head.id18, left_on__isnull=True
            ).exists()
        ):
            self._add_member(group.head, household)
        self._update_items(household)
        return self.changed

    # households

    def _create_household(self, values: dict) -> Household:
        """A household whose people are (partly) registered without one: the services create it."""
        group = self.group
        self.importer._new_household_errors(group, self.divisions)
        if group.rejected:
            raise _Rejected()
        head = group.head
        village = self.divisions[values["village"]]
        data = {name: value for name, value in values.items() if name != "village"} | {"village": village}
        data.setdefault("urban_rural", village.urban_rural_default or UrbanRural.RURAL)
        relation = head.get(MEMBER, "relation")
        if head.person is None:
            person_data = self._new_person_data(head, data)
            household, _warnings = self._run(
                head,
                PERSON,
                lambda: services.household_create_with_new_head(
                    actor=self.actor, data=data, head_data=person_data, head_relation=relation
                ),
            )
        else:
            self._update_person(head, Person.objects.get(pk=head.person.pk))
            person = Person.objects.get(pk=head.person.pk)
            household = self._run(
                head,
                HOUSEHOLD,
                lambda: services.household_create(
                    actor=self.actor,
                    data=data,
                    head=person,
                    head_relation=relation,
                    joined_on=head.get(MEMBER, "joined_on"),
                ),
            )
        return household

    def _update_household(self, household: Household, values: dict) -> None:
        changes = {}
        for name, value in values.items():
            if name == "village":
                if value != household.village_id:
                    changes["village"] = self.divisions[value]
                continue
            if isinstance(value, Masked):
                if value.text != mask_phone(household.phone):
                    self._masked_changed(self.group.rows[0], HOUSEHOLD, name)
                continue
            if getattr(household, name) != value:
                changes[name] = value
        if changes:
            row = next(
                (r for r in self.group.rows if any(r.get(HOUSEHOLD, n) is not None for n in changes)),
                self.group.rows[0],
            )
            self._run(
                row,
                HOUSEHOLD,
                lambda: services.household_update(
                    actor=self.actor, household=household, version=None, data=changes
                ),
            )

    def _masked_changed(self, row: Row, part: str, name: str):
        row.errors.append(
            _error(
                self.importer._column(part, name),
                _(
                    "A masked value (with *) cannot be read: leave it as the export wrote it, or give the "
                    "whole value."
                ),
            )
        )
        raise _Rejected()

    # people and members

    _MASKS = {"phone": mask_phone, "disability_cert_no": mask_certificate}

    def _update_person(self, row: Row, person: Person) -> None:
        changes = {}
        for name, value in row.values.get(PERSON, {}).items():
            if name == "id_number":
                continue  # matched by it: the same
            if isinstance(value, Masked):
                if name == "birth_date":
                    continue  # masked as a role that may not see it sees it: not given
                if value.text != self._MASKS[name](getattr(person, name)):
                    self._masked_changed(row, PERSON, name)
                continue
            current = (
                getattr(person, name + "_id")
                if name in ("hukou_division", "residence_division")
                else (getattr(person, name))
            )
            if current != value:
                changes[name] = self.divisions[value] if name.endswith("_division") else value
        if changes:
            self._run(
                row,
                PERSON,
                lambda: services.person_update(actor=self.actor, person=person, version=None, data=changes),
            )

    def _update_membership(self, row: Row, membership: Membership, *, demote_only: bool) -> list:
        wanted = dict(row.values.get(MEMBER, {}))
        if row.implied_head and membership.relation in codes.HEAD_RELATIONS:
            wanted.pop("relation")  # 本人 or 户主: the head either way, as registered
        changes = {}
        for name in ("relation", "co_living", "exclusion"):
            if name in wanted and wanted[name] != getattr(membership, name):
                changes[name] = wanted[name]
        if wanted.get("exclusion"):
            if membership.co_living:
                changes["co_living"] = False
        elif wanted.get("co_living") is True and membership.exclusion:
            changes["exclusion"] = ""
        if not changes:
            return []
        becomes_head = changes.get("relation") in codes.HEAD_RELATIONS and membership.relation not in (
            codes.HEAD_RELATIONS
        )
        if demote_only and becomes_head:
            return [(row, membership)]  # after the old head has stepped down
        self._run(
            row,
            MEMBER,
            lambda: services.member_update(
                actor=self.actor, membership=membership, version=None, data=changes
            ),
        )
        return []

    def _new_person_data(self, row: Row, household_data: dict) -> dict:
        village = household_data["village"]
        person = {name: value for name, value in row.values.get(PERSON, {}).items()}
        person["id_number"] = row.id_number[0] if isinstance(row.id_number, tuple) else row.id_number
        for name in ("hukou_division", "residence_division"):
            person[name] = self.divisions[person[name]] if name in person else village
        person.setdefault("address", household_data.get("address", ""))
        person.setdefault("urban_rural", household_data.get("urban_rural") or village.urban_rural_default)
        return person

    def _add_member(self, row: Row, household: Household) -> None:
        member = self.importer._member_values(row)
        if row.get(MEMBER, "relation") is None:
            row.errors.append(
                _error(
                    self.importer._column(MEMBER, "relation"),
                    _("Give the relation to the head of household."),
                )
            )
            raise _Rejected()
        arguments = {
            "relation": member["relation"],
            "co_living": member["co_living"],
            "exclusion": member["exclusion"],
            "joined_on": member.get("joined_on"),
        }
        if self.state is not None and row.person is not None:
            raise _Changed()
        if row.person is not None:
            self._update_person(row, Person.objects.get(pk=row.person.pk))
            person = Person.objects.get(pk=row.person.pk)
            self._run(
                row,
                MEMBER,
                lambda: services.member_add(
                    actor=self.actor, household=household, person=person, **arguments
                ),
            )
            return
        if row.get(PERSON, "name") is None:
            row.errors.append(_error(self.importer._column(PERSON, "name"), _("Give the name.")))
            raise _Rejected()
        for name in ("phone", "disability_cert_no", "birth_date"):
            if isinstance(row.get(PERSON, name), Masked):
                self._masked_changed(row, PERSON, name)
        if self.state is not None:
            raise _Changed()
        data = self._new_person_data(
            row,
            {
                "village": household.village,
                "address": household.address,
                "urban_rural": household.urban_rural,
            },
        )
        self._run(
            row,
            PERSON,
            lambda: services.member_add_new_person(
                actor=self.actor, household=household, person_data=data, **arguments
            ),
        )

    # income and assets

    def _update_items(self, household: Household) -> None:
        group = self.group
        start, end = self.importer._period(group)
        wanted_income = [
            (row, category, amount)
            for row in group.rows
            for category, amount in row.values.get(INCOME, {}).items()
        ]
        wanted_assets = [
            (row, kind, value) for row in group.rows for kind, value in row.values.get(ASSET, {}).items()
        ]
        if not wanted_income and not wanted_assets:
            return
        # The people as registered now (members just added included: a dry run has none).
        person_of = {
            row.number: row.person or Person.objects.only("id").filter(id_number=row.id18).first()
            for row in group.rows
        }
        if self.state is not None:
            income, assets = self.state.income.get(household.pk, {}), self.state.assets.get(household.pk, {})
        else:
            income, assets = defaultdict(list), defaultdict(list)
            for item in IncomeItem.objects.filter(
                household=household, excluded=False, category__in=INCOME_CATEGORIES
            ):
                income[(item.person_id, item.category)].append(item)
            for item in AssetItem.objects.filter(
                household=household, exempt=False, asset_type__in=ASSET_TYPES
            ):
                assets[(item.person_id, item.asset_type)].append(item)
        for row, category, amount in wanted_income:
            person = person_of.get(row.number)
            if person is None:
                continue
            items = income.get((person.pk, category), [])
            self._item(
                row,
                items,
                amount,
                "amount",
                {"period_start": start, "period_end": end},
                create=lambda p=person, c=category, a=amount: services.income_item_create(
                    actor=self.actor,
                    household=household,
                    data={
                        "person": _instance(p),
                        "category": c,
                        "amount": a,
                        "period_start": start,
                        "period_end": end,
                    },
                ),
                update=services.income_item_update,
                column=(INCOME, category),
            )
        for row, asset_type, value in wanted_assets:
            person = person_of.get(row.number)
            if person is None:
                continue
            items = assets.get((person.pk, asset_type), [])
            self._item(
                row,
                items,
                value,
                "value",
                {},
                create=lambda p=person, t=asset_type, v=value: services.asset_item_create(
                    actor=self.actor,
                    household=household,
                    data={"person": _instance(p), "asset_type": t, "value": v},
                ),
                update=services.asset_item_update,
                column=(ASSET, asset_type),
            )

    def _item(
        self,
        row: Row,
        items: list,
        amount: Decimal,
        amount_field: str,
        period: dict,
        *,
        create,
        update,
        column,
    ) -> None:
        given_period = {k: v for k, v in period.items() if v is not None}
        if len(items) > 1:
            same = sum(getattr(i, amount_field) for i in items) == amount and all(
                getattr(i, k) == v for i in items for k, v in given_period.items()
            )
            if not same:
                row.errors.append(
                    _error(
                        self.importer._column(*column),
                        _(
                            "This person has several records of this kind: change them one by one in the "
                            "system."
                        ),
                    )
                )
                raise _Rejected()
            return
        if not items:
            if not amount and not period:
                return  # an asset of 0 is no asset; an income of 0 is a stated zero, kept
            if period and len(given_period) < 2:
                self.importer._check_period_given(self.group, [row])
                raise _Rejected()
            self._run(row, INCOME, create)
            return
        item = items[0]
        changes = {k: v for k, v in given_period.items() if getattr(item, k) != v}
        if getattr(item, amount_field) != amount:
            changes[amount_field] = amount
        if changes:
            self._run(row, INCOME, lambda: update(actor=self.actor, item=item, version=None, data=changes))


