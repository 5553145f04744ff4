"""Walk the pages a user can reach from the home page, as a browser would show them.

Used by the tests that check every page a role reaches: that its words are translated
(test_pages_translated) and that it offers no action the role is refused (test_offered_actions).
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import LANSHAN_TOWNSHIP, user, village
from safetynet.core.grants import grant_create
from safetynet.core.ids import make_id_number
from safetynet.core.models import Role
from safetynet.registry import imports, services
from safetynet.registry.models import ImportJob

# Elements whose content no one reads as text.
_HIDDEN_CONTENT = {"script", "style", "template", "noscript"}
# Attributes a user reads: tooltips, placeholders, labels read out by screen readers, button
# captions, the labels of table cells on phones, the confirmation and error texts the scripts show.
_READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-label", "hx-confirm"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Action:
    """Something a page offers: a link, an htmx request or a form, with the words on it."""

    method: str
    url: str
    label: str
    data: dict = field(default_factory=dict)


class PageReader(HTMLParser):
    """What a user reads on a page (texts, with the attributes above) and what it offers."""

    def __init__(self, base_url: str):
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.texts: list[str] = []
        self.actions: list[Action] = []
        self._skip_depth = 0
        self._stack: list[tuple[str, dict]] = []
        self._form: dict | None = None
        self._link: Action | None = None

    def _url(self, value: str) -> str:
        return urljoin(self.base_url, value)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag in _HIDDEN_CONTENT:
            self._skip_depth += 1
        if tag not in _VOID:
            self._stack.append((tag, attributes))
        for name in _READ_ATTRIBUTES & attributes.keys():
            self.texts.append(attributes[name])
        # data-* texts the scripts show (the error banner's messages)
        self.texts += [v for n, v in attributes.items() if n.startswith("data-") and n != "data-label"
                       and " " in v]
        if tag == "input":
            kind = attributes.get("type", "text")
            if kind in ("submit", "button", "reset"):
                self.texts.append(attributes.get("value", ""))
            sent = kind not in ("submit", "button", "checkbox", "radio") or "checked" in attributes
            if self._form is not None and attributes.get("name") and sent:
                self._form["data"].setdefault(attributes["name"], attributes.get("value", ""))
        if tag == "form":
            method = attributes.get("method", "get").upper()
            action = attributes.get("hx-post") or attributes.get("action") or self.base_url
            if attributes.get("hx-get"):
                method, action = "GET", attributes["hx-get"]
            elif attributes.get("hx-post"):
                method = "POST"
            self._form = {"method": method, "url": self._url(action), "data": {}, "buttons": []}
        if tag in ("select", "textarea") and self._form is not None and attributes.get("name"):
            self._form["data"].setdefault(attributes["name"], "")
        if tag == "button" and self._form is not None and attributes.get("name"):
            self._form["data"].setdefault(attributes["name"], attributes.get("value", ""))
        if tag == "a" and attributes.get("href") and not attributes["href"].startswith(("#", "mailto:")):
            self._link = Action("GET", self._url(attributes.get("hx-get") or attributes["href"]), "")
            self.actions.append(self._link)
        for verb in ("hx-get", "hx-post"):
            if verb in attributes and tag not in ("form", "a"):
                self.actions.append(Action(verb[3:].upper(), self._url(attributes[verb]), ""))

    def handle_endtag(self, tag):
        if tag in _HIDDEN_CONTENT and self._skip_depth:
            self._skip_depth -= 1
        if tag == "a":
            self._link = None
        if tag == "form" and self._form is not None:
            form = self._form
            self.actions.append(Action(form["method"], form["url"], " ".join(form["buttons"]), form["data"]))
            self._form = None
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._skip_depth or not data.strip():
            return
        # Marked not to be translated (HTML's translate="no"): the rule language as written, say.
        if any(attributes.get("translate") == "no" for _tag, attributes in self._stack):
            return
        if self._stack and self._stack[-1][0] == "textarea":
            return  # a textarea holds what was typed: data
        self.texts.append(data)
        if self._link is not None:
            self._link.label += data.strip()
        if self._form is not None and self._stack and self._stack[-1][0] == "button":
            self._form["buttons"].append(data.strip())


def read_page(url: str, html: str) -> PageReader:
    reader = PageReader(url)
    reader.feed(html)
    reader.close()
    return reader


# Not walked: leaving the session, switching the language, files (downloads are not pages), the
# API and the admin (walked by their own tests), static files.
_NOT_WALKED = re.compile(r"^/(logout/|i18n/|api/|admin/|static/|healthz)")


def is_walked(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.netloc.replace("testserver", "") and not _NOT_WALKED.match(parts.path)


def walk(client, *, start: str = "/", limit: int = 150):
    """Yield (url, response) for every page reached by GET links and GET forms from `start`.

    Pages of one route (another record, a list's next page or filters) are read for the first
    three only: they come from one template, and a long list must not make the walk endless.
    """
    seen: set[str] = set()
    per_path: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        key = parts.path + ("?" + parts.query if parts.query else "")
        if key in seen or not is_walked(url):
            continue
        route = re.sub(r"/[0-9]+/", "/<id>/", parts.path)
        if per_path.get(route, 0) >= 3:
            continue
        seen.add(key)
        per_path[route] = per_path.get(route, 0) + 1
        response = client.get(key)
        yield key, response
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = read_page("http://testserver" + key, response.content.decode())
        for action in page.actions:
            if action.method == "GET":
                target = action.url
                if action.data:
                    query = "&".join(f"{k}={v}" for k, v in action.data.items() if v)
                    target = action.url.split("?")[0] + ("?" + query if query else "")
                queue.append(target)


def one_page_pdf() -> bytes:
    """A genuine one-page PDF (uploads are checked through, not by their first bytes)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- a town to walk: one household with every kind of record, and a user of every role --------------

def build_town(make_household, settings, tmp_path) -> dict:
    settings.MEDIA_ROOT = tmp_path
    home_village = village(LANSHAN_TOWNSHIP + "201", "幸福村")
    users = {
        Role.CITY_BUREAU: user(Role.CITY_BUREAU, "3713", "city"),
        Role.COUNTY_BUREAU: user(Role.COUNTY_BUREAU, "371302", "lanshan"),
        Role.TOWNSHIP_OFFICE: user(Role.TOWNSHIP_OFFICE, LANSHAN_TOWNSHIP, "lanshan-lanshan"),
        Role.VILLAGE_COORDINATOR: user(Role.VILLAGE_COORDINATOR, home_village.code, "lanshan-lanshan-coord"),
        Role.GRID_WORKER: user(Role.GRID_WORKER, home_village.code, "lanshan-lanshan-grid"),
        Role.RESCUE_STATION: user(Role.RESCUE_STATION, "3713", "rescue"),
        Role.INSTITUTION_STAFF: user(Role.INSTITUTION_STAFF, "371302", "institution"),
        Role.INSPECTOR: user(Role.INSPECTOR, "371302", "inspector"),
        Role.SERVICE_PROVIDER: user(Role.SERVICE_PROVIDER, "371302", "provider"),
        Role.OPERATOR: user(Role.OPERATOR, "3713", "operator"),
        Role.FINANCE_OFFICER: user(Role.FINANCE_OFFICER, "371302", "finance"),
        Role.AUDITOR: user(Role.AUDITOR, "371302", "auditor"),
        Role.CAREGIVER: user(Role.CAREGIVER, LANSHAN_TOWNSHIP, "caregiver"),
    }
    clerk = users[Role.TOWNSHIP_OFFICE]
    household = make_household(
        home_village, clerk, phone="13912345678", heating="5",
        members=[("王大山", 1, "02", datetime.date(1951, 2, 3)),
                 ("王小妹", 2, "30", datetime.date(1990, 5, 6))],
    )
    period = {"period_start": datetime.date(2022, 1, 1), "period_end": datetime.date(2022, 12, 31)}
    services.income_item_create(actor=clerk, household=household,
                                data={"category": "wage", "amount": Decimal("1000"), **period})
    services.asset_item_create(actor=clerk, household=household,
                               data={"asset_type": "101", "value": Decimal("500")})
    services.expense_create(actor=clerk, household=household, data={
        "expense_type": "medical", "amount": Decimal("300"), "incurred_on": datetime.date(2022, 5, 1)})
    pdf = SimpleUploadedFile("证明.pdf", one_page_pdf(), content_type="application/pdf")
    services.document_upload(actor=clerk, household=household, material_type="202", upload=pdf)
    # An import with a good household and a bad row: its page shows counts, reasons and the file.
    job = ImportJob(created_by=clerk, original_name="花名册.csv")
    good = make_id_number("371302", datetime.date(1948, 6, 30), 31)
    bad_date = make_id_number("371302", datetime.date(1960, 2, 2), 41)
    job.file.save("花名册.csv", ContentFile((
        "户编号,村/社区代码,住址,姓名,身份证号,与户主关系,出生日期\n"
        f"1,{home_village.code},东关街5号,赵强,{good},户主,\n"
        f"2,{home_village.code},东关街6号,钱一,{bad_date},户主,1960-13-02\n"
    ).encode("utf-8-sig")))
    imports.run_import(job)
    # The county gave the provider the head: the provider's pages show him, the county's his grant.
    grant_create(actor=users[Role.COUNTY_BUREAU], user=users[Role.SERVICE_PROVIDER], kind="registry.person",
                 object_id=household.head_id, reason="助老服务合同")
    return {"users": users, "household": household, "village": home_village, "job": job}
