"""Official documents (issue 8, item 9): a record or notice laid out after GB/T 9704-2012 (the
issuing authority in red at the head, the document number under it, a red rule, the title, the
body, the issuing authority and the date at the foot), produced as DOCX an office edits and as PDF
with the Chinese text in an embedded font; each one generated is stored with its record and its
SHA-256, so what was handed out can be shown again and checked.

DOCX: python-docx fills a template (`official_document.docx` shipped in core/data/documents). An
office that wants its own letterhead edits that file in Word or WPS — keeping the placeholders
{{authority}}, {{number}}, {{title}}, {{body}}, {{signature}} and {{date}} — and the operator puts
it in SAFETYNET_DATA_DIR/templates/; it is used from then on.

PDF: fpdf2 with WenQuanYi Micro Hei (TrueType outlines, which fpdf2 can subset and embed; the
Noto/Source Han fonts are CFF-outlined OpenType and are not used for that reason), installed by the
setup from PyPI in the `mpl-font` package — never fetched at run time.
"""

import datetime
import hashlib
import importlib.util
import io
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from safetynet.core.models import GeneratedDocument, User

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
TEMPLATE_NAME = "official_document.docx"
_SHIPPED_TEMPLATE = Path(__file__).parent / "data" / "documents" / TEMPLATE_NAME
RED = (0xC0, 0x00, 0x00)


@dataclass
class Section:
    heading: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # label, value
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class OfficialDocument:
    authority: str  # 发文机关, e.g. 临沂市兰山区民政局
    title: str
    date: datetime.date
    number: str = ""  # 发文字号, e.g. 兰民走〔2026〕12号
    sections: list[Section] = field(default_factory=list)
    signature: str = ""  # the foot's issuing authority (defaults to `authority`)


def chinese_date(day: datetime.date) -> str:
    """成文日期 as GB/T 9704-2012 writes it: Arabic numerals with 年月日, no leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"


def document_number(prefix: str, year: int, serial: int) -> str:
    """发文字号: 机关代字〔年份〕序号号 (hexagonal brackets, no leading zeros)."""
    return f"{prefix}〔{year}〕{serial}号"


# --- DOCX ----------------------------------------------------------------------------------------------


def _template_path() -> Path:
    own = Path(settings.DATA_DIR) / "templates" / TEMPLATE_NAME
    return own if own.is_file() else _SHIPPED_TEMPLATE


def _replace_in_paragraph(paragraph, values: dict[str, str]) -> None:
    text = paragraph.text
    if "{{" not in text:
        return
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    # Keep the first run's formatting (the office's font, size, colour) for the whole paragraph.
    runs = paragraph.runs
    if runs:
        runs[0].text = text
        for run in runs[1:]:
            run.text = ""


def render_docx(document: OfficialDocument) -> bytes:
    from docx import Document as Docx
    from docx.shared import Pt

    word = Docx(str(_template_path()))
    values = {
        "authority": document.authority,
        "number": document.number,
        "title": document.title,
        "signature": document.signature or document.authority,
        "date": chinese_date(document.date),
    }
    body_anchor = None
    for paragraph in word.paragraphs:
        if "{{body}}" in paragraph.text:
            body_anchor = paragraph
            continue
        _replace_in_paragraph(paragraph, values)
    if body_anchor is None:  # an office's template without a body placeholder: the body goes at the end
        body_anchor = word.add_paragraph()
    for section in document.sections:
        heading = body_anchor.insert_paragraph_before(section.heading)
        heading.runs[0].bold = True
        heading.runs[0].font.size = Pt(14)
        for label, value in section.rows:
            line = body_anchor.insert_paragraph_before()
            line.add_run(f"{label}：").bold = True
            line.add_run(value)
        for text in section.paragraphs:
            body_anchor.insert_paragraph_before(text)
    body_anchor._element.getparent().remove(body_anchor._element)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


# --- PDF -----------------------------------------------------------------------------------------------


def cjk_font_path() -> Path:
    """WenQuanYi Micro Hei, from the mpl-font package the setup installed (found without importing
    the package, which would load matplotlib)."""
    spec = importlib.util.find_spec("mpl_font")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the mpl-font package is not installed: run make setup")
    return Path(next(iter(spec.submodule_search_locations))) / "fonts" / "wqy" / "wqy-microhei.ttc"


def render_pdf(document: OfficialDocument) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    # GB/T 9704: margins 37 mm top, 28 mm left, 26 mm right, 35 mm bottom (roughly: the type area
    # of 156 × 225 mm).
    pdf.set_margins(28, 37, 26)
    pdf.set_auto_page_break(True, margin=35)
    pdf.add_font("cjk", fname=str(cjk_font_path()), collection_font_number=0)
    pdf.set_title(document.title)
    pdf.set_creator("safetynet")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_text_color(*RED)
    pdf.set_font("cjk", size=26)
    pdf.cell(width, 16, document.authority, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    if document.number:
        pdf.set_font("cjk", size=14)
        pdf.cell(width, 10, document.number, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y() + 2, pdf.w - pdf.r_margin, pdf.get_y() + 2)
    pdf.ln(8)
    pdf.set_font("cjk", size=20)
    pdf.multi_cell(width, 11, document.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for section in document.sections:
        pdf.set_font("cjk", size=15)
        pdf.multi_cell(width, 9, section.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=13)
        for label, value in section.rows:
            pdf.multi_cell(width, 8, f"{label}：{value}", new_x="LMARGIN", new_y="NEXT")
        for text in section.paragraphs:
            pdf.multi_cell(width, 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.ln(10)
    pdf.set_font("cjk", size=14)
    pdf.cell(width, 9, document.signature or document.authority, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width, 9, chinese_date(document.date), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# --- storing what was generated -------------------------------------------------------------------------


@dataclass
class Generated:
    record: GeneratedDocument
    content: bytes
    content_type: str

    @property
    def quoted_name(self) -> str:
        return urllib.parse.quote(self.record.name)


def document_generate(
    *, actor: User, document: OfficialDocument, fmt: str, name: str, subject: tuple[str, int, str],
    reuse: bool = True,
) -> Generated:
    """The record's document as "docx" or "pdf", kept with its record (subject = kind, id, division)
    and its SHA-256. With `reuse` (a record that does not change, as a visit), the copy made first is
    handed out again — what was issued stays what is shown, and reading a page twice stores nothing
    more; without it, a new copy is made and kept beside the earlier ones."""
    if fmt not in ("docx", "pdf"):
        raise ValueError(fmt)
    subject_kind, subject_id, division = subject
    content_type = DOCX_TYPE if fmt == "docx" else PDF_TYPE
    if reuse:
        issued = GeneratedDocument.objects.filter(subject_kind=subject_kind, subject_id=subject_id,
                                                  fmt=fmt).order_by("generated_at", "pk").first()
        if issued is not None:
            try:
                with issued.file.open("rb") as stored:
                    return Generated(issued, stored.read(), content_type)
            except OSError:
                pass  # the file was lost from storage: make it again
    content = render_docx(document) if fmt == "docx" else render_pdf(document)
    digest = hashlib.sha256(content).hexdigest()
    record = GeneratedDocument(
        subject_kind=subject_kind, subject_id=subject_id, division_id=division, fmt=fmt,
        name=f"{name}.{fmt}"[:150], sha256=digest, size=len(content), generated_by=actor,
        generated_at=timezone.now(),
    )
    record.file.save(f"{digest}.{fmt}", ContentFile(content), save=False)
    try:
        record.save()
    except Exception:
        record.file.delete(save=False)  # no file without its record
        raise
    return Generated(record, content, content_type)


def document_issued(*, subject_kind: str, subject_id: int, since: datetime.datetime | None = None) -> bool:
    """Has a document of this kind been generated for the record (a form a step requires printed) —
    since `since`, when given (printed after what it must show was recorded)?"""
    issued = GeneratedDocument.objects.filter(subject_kind=subject_kind, subject_id=subject_id)
    if since is not None:
        issued = issued.filter(generated_at__gte=since)
    return issued.exists()
