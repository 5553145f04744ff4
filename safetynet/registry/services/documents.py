"""A household's documents: uploaded files checked through, kept with their digest, deleted with a
record that they existed."""


from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from safetynet.core.filecheck import check_document, check_upload_size, sha256_of
from safetynet.core.services import change_record, snapshot
from safetynet.core.types import ChangeAction, User
from safetynet.registry import codes, rules
from safetynet.registry.models import Document, Household, Person
from safetynet.registry.services.common import _check_member_of

# --- documents ----------------------------------------------------------------------------------

def sniff_document(upload, filename: str) -> tuple[str, str]:
    """(extension, content type) of an accepted file, checked through and through (not only its first
    bytes), or ValidationError in plain words."""
    return check_document(upload, filename)


def document_upload(
    *,
    actor: User,
    household: Household,
    upload: UploadedFile,
    material_type: str,
    person: Person | None = None,
) -> Document:
    rules.check_may_write(actor, household.village_id)
    check_upload_size(upload)
    if material_type not in codes.MaterialType.values:
        raise ValidationError({"material_type": _("Choose what kind of material this is.")})
    _check_member_of(household, person)
    extension, content_type = sniff_document(upload, upload.name or "")
    document = Document(
        household=household,
        person=person,
        material_type=material_type,
        original_name=(upload.name or "file")[-200:],
        content_type=content_type,
        extension=extension,
        size=upload.size,
        sha256=sha256_of(upload),
        uploaded_by=actor,
    )
    with transaction.atomic():
        document.file.save("upload", upload, save=False)
        # The file lands before the row: if the row fails, remove the file so nothing is orphaned.
        try:
            document.save()
            change_record(
                actor=actor,
                subject=household,
                entity=document,
                action=ChangeAction.CREATE,
                after=snapshot(document, ["material_type", "original_name", "size", "sha256", "person_id"]),
            )
        except Exception:
            document.file.delete(save=False)
            raise
    return document


def document_delete(*, actor: User, document: Document, reason: str = "") -> None:
    """Delete a document; its file goes once the deletion is committed. A second, concurrent
    deletion finds nothing left (Document.DoesNotExist) instead of recording the deletion twice."""
    with transaction.atomic():
        current = Document.objects.select_for_update().select_related("household").get(pk=document.pk)
        household = current.household
        rules.check_may_write(actor, household.village_id)
        before = snapshot(current, ["material_type", "original_name", "size", "sha256", "person_id"])
        storage, name, pk = current.file.storage, current.file.name, current.pk
        current.delete()
        current.pk = pk
        change_record(
            actor=actor,
            subject=household,
            entity=current,
            action=ChangeAction.DELETE,
            before=before,
            reason=reason,
        )
        transaction.on_commit(lambda: storage.delete(name))
