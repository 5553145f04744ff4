"""The registry's personal identifiers, declared to the privacy policy (core.privacy): which fields
of a person and of a household identify someone, how each looks masked, and where the record lives
(which decides who may see it whole). Pages, API, exports and the timeline all show them through
core.privacy; nothing here decides or logs."""

from safetynet.core.masking import (
    age_in_years,
    mask_certificate,
    mask_date,
    mask_id_number,
    mask_long_numbers,
    mask_phone,
)
from safetynet.core.privacy import Identifiers, register_identifiers
from safetynet.registry.models import Household, Person


def _person_area(person: Person) -> str | None:
    return person.area_id  # the current household's village, else the place of residence


def _household_area(household: Household) -> str | None:
    return household.village_id


PERSON = register_identifiers(Identifiers(
    entity="person",
    # `disability_cert_no` is the ID number and two digits; `id_note` may quote an old 15-digit one.
    masks={"id_number": mask_id_number, "phone": mask_phone, "disability_cert_no": mask_certificate,
           "id_note": mask_long_numbers},
    area=_person_area,
    # A date of birth holds eight of the ID number's hidden digits: those who may not unmask see an age.
    revealing={"birth_date": mask_date},
    derived=lambda person: {"age": age_in_years(person.birth_date)},
))

HOUSEHOLD = register_identifiers(Identifiers(
    entity="household", masks={"phone": mask_phone}, area=_household_area,
))
