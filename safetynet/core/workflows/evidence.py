"""Evidence for any case: photos (from the phone's camera through the file input; when and where
taken read from EXIF when present), a signature drawn on the screen (a PNG), PDFs. Checked through
like registry documents (core.filecheck), size-limited, stored under their digest, and tied to the
step that used them (core.workflows.services.case_transition)."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.filecheck import check_document, check_upload_size, sha256_of
from safetynet.core.models import Case, Evidence, User
from safetynet.core.text import refuse_control_characters
from safetynet.core.workflows.services import case_within_reach
from safetynet.core.workflows.table import workflow

# Which files each kind of evidence may be.
_EXTENSIONS = {
    Evidence.Kind.PHOTO: {".jpg", ".png"},
    Evidence.Kind.SIGNATURE: {".png"},
    Evidence.Kind.PDF: {".pdf"},
}
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATE_TIME_ORIGINAL, _DATE_TIME = 0x9003, 0x0132
EARLIEST_PHOTO = 2000


def _rational(value) -> float:
    return float(value[0]) / float(value[1]) if isinstance(value, tuple) else float(value)


def _degrees(parts, ref) -> Decimal | None:
    try:
        degrees, minutes, seconds = (_rational(p) for p in parts)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if ref in ("S", "W", b"S", b"W"):
        value = -value
    if not -180 <= value <= 180:
        return None
    return Decimal(str(round(value, 6)))


def photo_metadata(upload) -> dict:
    """When and where a photo was taken, from its EXIF when it carries them (a phone's camera
    writes both when location is on); nothing when it does not."""
    from PIL import Image

    found: dict = {}
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            exif = image.getexif()
            stamp = exif.get_ifd(_EXIF_IFD).get(_DATE_TIME_ORIGINAL) or exif.get(_DATE_TIME)
            if isinstance(stamp, str):
                try:
                    local = datetime.datetime.strptime(stamp.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
                    taken = timezone.make_aware(local)
                except (ValueError, OverflowError):
                    taken = None
                # A camera whose clock was never set says 0001 or 1970: that is no time at all.
                latest = timezone.now() + datetime.timedelta(days=1)
                if taken and taken.year >= EARLIEST_PHOTO and taken <= latest:
                    found["taken_at"] = taken
            gps = exif.get_ifd(_GPS_IFD)
            if gps.get(2) and gps.get(4):
                latitude, longitude = _degrees(gps[2], gps.get(1)), _degrees(gps[4], gps.get(3))
                if latitude is not None and longitude is not None and abs(latitude) <= 90:
                    found["latitude"], found["longitude"] = latitude, longitude
    except (OSError, ValueError, TypeError, KeyError, AttributeError, OverflowError):
        return {}
    finally:
        upload.seek(0)
    return found


def evidence_add(*, actor: User, kind: str, upload, note: str = "", case: Case | None = None,
                 subject: tuple[str, int, str] | None = None) -> Evidence:
    """Add a file to an open case in the actor's area (`case`), or to another record (`subject` =
    (kind, id, division code), e.g. ("registry.visit", 12, village), the caller having checked the
    actor may write it). Refused, with nothing stored: a case outside the area or closed, an empty
    or oversized file, a file that is not what its kind must be, the same file twice."""
    if case is not None:
        if not case_within_reach(actor, case):
            raise PermissionDenied(_("This case is outside your area."))
        flow = workflow(case.workflow)
        takes_a_step = any(actor.role in move.roles for move in flow.moves_from(case.state))
        if case.closed_at is None and not takes_a_step:
            raise PermissionDenied(_("Evidence is added by those who take this case's next step."))
        if case.closed_at is not None:
            raise ValidationError(_("This case is closed: nothing more can be added to it."))
        subject = (case.subject_kind, case.subject_id, case.division_id)
    if subject is None:
        raise ValueError("evidence belongs to a case or a record")
    subject_kind, subject_id, division = subject
    note = (note or "").strip()
    refuse_control_characters(note)
    if len(note) > 200:
        raise ValidationError({"note": _("The note is longer than 200 characters.")})
    extension, content_type = evidence_check(kind, upload)
    metadata = photo_metadata(upload) if kind == Evidence.Kind.PHOTO else {}
    evidence = Evidence(subject_kind=subject_kind, subject_id=subject_id, division_id=division, case=case,
                        kind=kind, original_name=(upload.name or "file")[-200:], content_type=content_type,
                        extension=extension, size=upload.size, sha256=sha256_of(upload), note=note,
                        uploaded_by=actor, uploaded_at=timezone.now(), **metadata)
    if Evidence.objects.filter(subject_kind=subject_kind, subject_id=subject_id,
                               sha256=evidence.sha256).exists():
        raise ValidationError({"file": _("This file was already added to this case.")})
    with transaction.atomic():
        evidence.file.save("upload", upload, save=False)
        try:
            with transaction.atomic():
                evidence.save()
        except IntegrityError:
            evidence.file.delete(save=False)
            raise ValidationError({"file": _("This file was already added to this case.")}) from None
        except Exception:
            evidence.file.delete(save=False)
            raise
    return evidence


def evidence_check(kind: str, upload) -> tuple[str, str]:
    """(extension, content type) of a file fit to be evidence of `kind`, or ValidationError: a
    service storing several files checks them all before it stores any."""
    if kind not in _EXTENSIONS:
        raise ValidationError({"kind": _("Choose what the file shows: a photo, a signature or a PDF.")})
    check_upload_size(upload)
    extension, content_type = check_document(upload, upload.name or "")
    if extension not in _EXTENSIONS[kind]:
        refusal = _("A %(kind)s must be a file of type %(types)s; this one is %(this)s.") % {
            "kind": Evidence.Kind(kind).label, "types": "、".join(sorted(_EXTENSIONS[kind])),
            "this": extension}
        raise ValidationError({"file": refusal})
    return extension, content_type
