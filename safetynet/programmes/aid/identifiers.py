"""Temporary aid's personal identifiers (a traveller's ID and phone numbers as the report gives
them), declared to the privacy policy: masked for everyone, whole only for those core.privacy lets
see them in the area where the aid was given."""

from safetynet.core.masking import mask_id_number, mask_phone
from safetynet.core.privacy import Identifiers, register_identifiers


def declare() -> None:
    register_identifiers(
        Identifiers(
            entity="temporaryaid",
            masks={"id_number": mask_id_number, "phone": mask_phone},
            area=lambda aid: aid.area_id,
        )
    )
