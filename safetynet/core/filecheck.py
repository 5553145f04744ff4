"""Is an uploaded document what it claims to be? Its first bytes are only a claim: a PDF must parse
as a PDF, an image must decode, a Word or Excel file must be a valid Office package.

`check_document` returns (extension, content type) of an accepted file, or raises ValidationError
with a message a clerk understands. It reads the file, never stores or changes it.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from typing import BinaryIO
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PDF = ("PDF", ".pdf", "application/pdf")
JPEG = ("JPG", ".jpg", "image/jpeg")
PNG = ("PNG", ".png", "image/png")
DOCX = ("Word (.docx)", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = ("Excel (.xlsx)", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

# What each kind starts with. The name a browser sends proves nothing; the start only says what to check.
_SIGNATURES = [(b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG)]
_ZIP_KINDS = {".docx": DOCX, ".xlsx": XLSX}
# The content type [Content_Types].xml must give the package's main part (macro-enabled kinds are not these).
_MAIN_PART = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
# A package may not unpack to more than this (a zip bomb would otherwise fill memory while checked).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Pillow refuses images above twice its default pixel limit; its warning below that is an error here too.
_IMAGE_FORMATS = {".jpg": "JPEG", ".png": "PNG"}


class _NotWhatItClaims(Exception):
    """Internal: the file starts like `kind` but is not a valid one."""


def _refusal(kind: str) -> ValidationError:
    return ValidationError({"file": _(
        "This file starts like a %(kind)s file but cannot be opened as one: it is damaged or not what it "
        "claims to be. Nothing was saved; upload the original file."
    ) % {"kind": kind}})


def _check_pdf(handle: BinaryIO) -> None:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    try:
        # strict=False: real scanners write small faults pypdf repairs; junk behind a header has no pages.
        reader = PdfReader(handle, strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError:
                # AES without the optional cryptography package: the cross-reference table and the
                # encryption dictionary parsed, which forged bytes do not; the pages cannot be read.
                return
            if not opened:
                raise ValidationError({"file": _(
                    "This PDF is protected by a password, so nobody could open it here. "
                    "Nothing was saved; upload it without the password."
                )})
        if len(reader.pages) < 1:
            raise _NotWhatItClaims
        reader.pages[0].mediabox  # noqa: B018 — reading the first page proves the page tree resolves
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, IndexError, OSError,
            RecursionError, AssertionError) as error:
        raise _NotWhatItClaims from error


def _check_image(handle: BinaryIO, extension: str) -> None:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            formats = [_IMAGE_FORMATS[extension]]
            with Image.open(handle, formats=formats) as image:
                image.verify()  # the structure: every PNG chunk's checksum, through to its end marker
            handle.seek(0)
            with Image.open(handle, formats=formats) as image:
                image.load()  # decodes every pixel: a truncated or forged body fails here
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            EOFError) as error:
        raise _NotWhatItClaims from error


def _refuse_dtd(*_args) -> None:
    raise _NotWhatItClaims


def _well_formed(part) -> None:
    """Read one XML part of an Office package as a stream and check that it is well-formed XML, in
    constant memory. Office parts never carry a DTD; one is refused, so no entity can be declared
    and neither entity expansion ("billion laughs") nor external entities are possible."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    while chunk := part.read(1024 * 1024):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _part_names_of_kind(package: zipfile.ZipFile, content_type: str) -> list[str]:
    """The parts [Content_Types].xml gives `content_type`, or _NotWhatItClaims if it is no such list."""
    overrides: list[str] = []
    root: list[str] = []

    def start(name: str, attributes: dict) -> None:
        if not root:
            root.append(name)
        if name == f"{_CONTENT_TYPES_NS} Override" and attributes.get("ContentType") == content_type:
            overrides.append(attributes.get("PartName", "").lstrip("/"))

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = start
    with package.open("[Content_Types].xml") as part:
        while chunk := part.read(1024 * 1024):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)
    if root != [f"{_CONTENT_TYPES_NS} Types"]:
        raise _NotWhatItClaims
    return overrides


def _check_package(handle: BinaryIO, extension: str) -> None:
    try:
        with zipfile.ZipFile(handle) as package:
            members = package.infolist()
            if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
                raise _NotWhatItClaims
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
                raise _NotWhatItClaims
            main_parts = _part_names_of_kind(package, _MAIN_PART[extension])
            if len(main_parts) != 1 or main_parts[0] not in names:
                raise _NotWhatItClaims
            for name in ("_rels/.rels", main_parts[0]):
                with package.open(name) as part:
                    _well_formed(part)
            if package.testzip() is not None:  # every member's checksum
                raise _NotWhatItClaims
    except (zipfile.BadZipFile, zipfile.LargeZipFile, expat.ExpatError, KeyError, ValueError, OSError,
            NotImplementedError, EOFError, RuntimeError) as error:
        raise _NotWhatItClaims from error


def check_document(handle: BinaryIO, filename: str) -> tuple[str, str]:
    """(extension, content type) of a PDF, JPG, PNG, DOCX or XLSX that opens as what it claims to be."""
    handle.seek(0)
    head = handle.read(16)
    handle.seek(0)
    kind = next((kind for magic, kind in _SIGNATURES if head.startswith(magic)), None)
    suffix = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    if kind is None and head.startswith(b"PK\x03\x04") and suffix in _ZIP_KINDS:
        kind = _ZIP_KINDS[suffix]
    if kind is None:
        raise ValidationError(
            {"file": _("Only PDF, JPG, PNG, Word (.docx) and Excel (.xlsx) files can be uploaded.")}
        )
    label, extension, content_type = kind
    # The checkers get their own in-memory view: libraries may keep the handle or read it out of order.
    data = io.BytesIO(handle.read())
    handle.seek(0)
    try:
        if extension == ".pdf":
            _check_pdf(data)
        elif extension in _IMAGE_FORMATS:
            _check_image(data, extension)
        else:
            _check_package(data, extension)
    except _NotWhatItClaims:
        raise _refusal(label) from None
    return extension, content_type


def check_upload_size(upload) -> None:
    """Refuse an empty file or one above SAFETYNET_MAX_DOCUMENT_BYTES, in words a clerk reads."""
    from django.conf import settings

    limit = settings.SAFETYNET_MAX_DOCUMENT_BYTES
    if upload is None or not upload.size:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > limit:
        raise ValidationError({"file": _("The file is %(size)s MB; the limit is %(limit)s MB.")
                               % {"size": round(upload.size / 1048576, 1), "limit": limit // 1048576}})


def sha256_of(upload) -> str:
    """The SHA-256 of an uploaded file, read in chunks; the file is left at its start."""
    import hashlib

    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
