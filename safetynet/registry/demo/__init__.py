"""The demo city: a synthetic, deterministic registry of the households a Linyi bureau knows.

Two steps. Planning is pure: from a seed, a household count and the real township list,
`plan_layout` draws the villages (with how many households each holds) and the users, and
`plan_households` draws the households (people, income, assets, expenses) as plain data, one at a
time, so a city of a million is never held whole; the same arguments always give the same city,
down to names, ID numbers and amounts. `build_city` writes it in chunks through the registry's
bulk service (registry.bulk.household_bulk_create: the services' rules, checked set-wise), or
household by household through the single-record services; a test holds the two to the same
result.

The mix follows SPEC §6.8 without the programmes themselves (they come with a later issue): the
household structures, incomes, disability, illness, self-care and capacity to work are those of
低保 recipients (≈ 80 % rural), 特困 persons (single, elderly or severely disabled, ≈ 90 % rural),
低保边缘 households, monitored households with large medical costs and recent applicants.

The package follows those steps: `city` (fixed facts and name lists), `plans` (the plan's data
and shared draws), `people` and `money` (one household), `layout` (villages and households),
`users` (the logins), `build` (writing). What other modules use is importable from here.
"""

from safetynet.registry.demo.build import BuildResult, build_city, build_households, household_record
from safetynet.registry.demo.city import (
    BRIEFING_DATE,
    CITY_CODE,
    COUNTIES,
    DISTRICTS,
    GIVEN_NAMES,
    KIND_STRUCTURES,
    KIND_WEIGHTS,
    MOBILE_PREFIXES,
    STANDARD_RURAL,
    STANDARD_URBAN_COUNTY,
    STANDARD_URBAN_DISTRICT,
    SURNAMES,
)
from safetynet.registry.demo.layout import (
    county_weights,
    plan_city,
    plan_households,
    plan_layout,
    registration_day,
    rural_share,
)
from safetynet.registry.demo.money import income_period
from safetynet.registry.demo.plans import (
    CityLayout,
    CityPlan,
    HouseholdPlan,
    ItemPlan,
    PersonPlan,
    UserPlan,
    VillagePlan,
    age_on,
    birth_address_codes,
    standard,
    township_slug,
)
from safetynet.registry.demo.users import plan_users

__all__ = [
    "BRIEFING_DATE", "CITY_CODE", "COUNTIES", "DISTRICTS", "GIVEN_NAMES", "KIND_STRUCTURES",
    "KIND_WEIGHTS", "MOBILE_PREFIXES", "STANDARD_RURAL", "STANDARD_URBAN_COUNTY",
    "STANDARD_URBAN_DISTRICT", "SURNAMES", "BuildResult", "CityLayout", "CityPlan", "HouseholdPlan",
    "ItemPlan", "PersonPlan", "UserPlan", "VillagePlan", "age_on", "birth_address_codes", "build_city",
    "build_households", "county_weights", "household_record", "income_period", "plan_city",
    "plan_households", "plan_layout", "plan_users", "registration_day", "rural_share", "standard",
    "township_slug",
]
