"""Every page a user of any role reaches reads in Chinese: no English word left untranslated.

The catalogue test (safetynet/core/tests/test_translations.py) only sees strings that are in the
catalogue. This one reads the pages themselves, so it also finds strings that never reached the
catalogue: Django's own (its "- Select an option -" on every drop-down), a template without
{% translate %}, a label built in Python without gettext.

Each role's user walks every page reachable from its home page by links, htmx requests and GET
forms; every kind of POST form found (one per route) is then sent back blank and with nonsense, so the
error messages are read too (each inside a transaction rolled back, so the town stays as built).
On each page the words a user reads are collected: text outside scripts and styles, and the
attributes shown as text (titles, placeholders, labels, button captions). Data the test put in
(user names, file names) is removed first. What remains must not contain an ASCII word, except the
few a Chinese clerk writes in Latin letters (file formats, "English" on the language switch).
"""

import re

import pytest
from django.db import transaction
from django.test import Client
from page_walk import build_town, is_walked, read_page, walk

from safetynet.core.models import Role, User

pytestmark = pytest.mark.django_db

# Latin words a Chinese page rightly carries: the language switch names English in English; clerks
# call file formats, programs, encodings and sizes by these names; an ID number ends in a digit or X.
ALLOWED_WORDS = {"English", "Excel", "Word", "WPS", "PDF", "JPG", "PNG", "CSV", "XLS", "XLSX", "DOCX", "MB",
                 "xls", "xlsx", "csv", "pdf", "docx", "jpg", "jpeg", "png", "UTF", "GBK", "X",
                 # the programs the operator's system page names with their versions
                 "safetynet", "Django", "Python", "SQLite", "PostgreSQL"}
# Pinyin initials given as an example of a search ("zs 可找到张三"): two to four consonants that begin
# syllables. No English word of a page is made of these alone (y, which makes "by" or "why", is left out).
PINYIN_INITIALS = re.compile(r"[bpmfdtnlgkhjqxrzcsw]{2,4}")
UNITS = re.compile(r"m²|m2\b")
# A word: Latin letters, possibly joined by an apostrophe or hyphen. A run: words separated by
# spaces and punctuation, as an English phrase would be ("- Select an option -" → "Select an option").
WORD = r"[A-Za-z]+(?:['’-][A-Za-z]+)*"
RUN = re.compile(rf"{WORD}(?:[\s,.:;!?()/&-]+{WORD})*")


def english_runs(texts: list[str], data: list[str]) -> set[str]:
    """The runs of Latin words in `texts` that are neither data nor an allowed word."""
    found = set()
    for text in texts:
        for value in sorted(data, key=len, reverse=True):  # lanshan-lanshan-grid before lanshan-lanshan
            text = text.replace(value, " ")
        text = UNITS.sub(" ", text)
        for run in RUN.finditer(text):
            words = re.findall(WORD, run.group(0))
            if any(word not in ALLOWED_WORDS and not PINYIN_INITIALS.fullmatch(word) for word in words):
                found.add(run.group(0))
    return found


def test_the_finder_catches_django_s_blank_choice_and_spares_data_and_formats():
    page = read_page("http://testserver/", (
        '<select name="x"><option value="">- Select an option -</option>'
        '<option value="1">燃煤取暖</option></select>'
        '<script>var a = "Not shown";</script><input type="text" name="q" value="Typed data">'
        '<p title="Edit">王大山（lanshan-grid）上传 PDF、Word (.docx) 文件，面积 30 m²，切换 English</p>'
        '<p>拼音首字母（如 zs 可找到张三）, why not</p><p>规则原文：<code translate="no">age >= 60</code></p>'
        '<textarea name="note">whatever was typed</textarea><button>Save</button>'
    ))
    assert english_runs(page.texts, data=["lanshan-grid"]) == {"Select an option", "Edit", "Save", "why not"}


def _post_variants(action) -> list[tuple[str, dict]]:
    """The form as sent with every visible field blank, then with every field holding nonsense;
    what the page keeps hidden (versions, the next page, the kind of form) is sent as it was."""
    blank = dict(action.data)
    nonsense = {name: "?" if name not in ("version", "next", "source", "csrfmiddlewaretoken") else value
                for name, value in action.data.items()}
    for name in list(blank):
        if name not in ("version", "next", "source", "csrfmiddlewaretoken"):
            blank[name] = ""
    return [("blank", blank), ("nonsense", nonsense)]


# Forms whose sending is no page to read: leaving, switching the language.
NOT_SENT = re.compile(r"^/(logout/|i18n/)")


def pages_of(client: Client, extra: list[str]):
    """(url, response) for every page walked from home, the extra ones, and every form sent back."""
    forms = {}
    for url, response in [*walk(client), *((u, client.get(u)) for u in extra)]:
        yield url, response
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for action in read_page("http://testserver" + url, response.content.decode()).actions:
                if action.method == "POST" and is_walked(action.url):
                    path = action.url.replace("http://testserver", "")
                    forms.setdefault(re.sub(r"/[0-9]+/", "/<id>/", path), (path, action))
    for path, action in forms.values():
        if NOT_SENT.match(path):
            continue
        for variant, data in _post_variants(action):
            with transaction.atomic():
                response = client.post(path, data, follow=True)  # the page it leads to, with its message
                transaction.set_rollback(True)
            yield f"POST {path} ({variant})", response


@pytest.mark.parametrize("role", list(Role))
def test_every_page_a_role_reaches_reads_in_chinese(role, make_household, settings, tmp_path):
    town = build_town(make_household, settings, tmp_path)
    # What the test put in, and what it searches for, is data wherever a page shows it.
    data = [*User.objects.values_list("username", flat=True), "花名册.csv", "证明.pdf", "zzzz", "wds"]
    client = Client(headers={"Accept-Language": "zh-CN"})
    client.force_login(town["users"][role])
    household = town["household"]
    # Refusals and missing records have pages of their own.
    # Searches that find something, nothing, or cannot be run.
    extra = ["/registry/households/999999999/", f"/registry/households/{household.pk}/edit/",
             "/registry/households/new/", "/registry/imports/", "/registry/?q=王", "/registry/?q=zzzz",
             "/registry/?q=1", "/registry/?q=wds", "/registry/?page=99", "/registry/people/candidates/?q=王"]

    untranslated = {}
    read = 0
    for url, response in pages_of(client, extra):
        if "html" not in response.get("Content-Type", "") or not response.content:
            continue
        read += 1
        # A one-time password shown after a creation or a reset is data too.
        context = response.context
        shown = [context["password"]] if context is not None and "password" in context else []
        runs = english_runs(read_page("http://testserver/", response.content.decode()).texts, data + shown)
        if runs:
            untranslated[url] = sorted(runs)
    assert read >= 3
    assert not untranslated, "English on Chinese pages:\n" + \
        "\n".join(f"{u}: {r}" for u, r in untranslated.items())


def test_the_login_and_password_pages_read_in_chinese(make_household, settings, tmp_path):
    town = build_town(make_household, settings, tmp_path)
    client = Client(headers={"Accept-Language": "zh-CN"})
    pages = [client.get("/login/"), client.get("/login/?next=/registry/"),
             client.post("/login/", {"username": "nobody", "password": "wrong"}),
             client.post("/login/", {"username": "", "password": ""})]
    client.force_login(town["users"][Role.GRID_WORKER])
    pages += [client.get("/password/"), client.post("/password/", {"old_password": "x", "new_password1": "a",
                                                                   "new_password2": "b"}),
              client.get("/password/done/")]
    data = list(User.objects.values_list("username", flat=True))
    for response in pages:
        assert response.status_code == 200
        assert english_runs(read_page("http://testserver/", response.content.decode()).texts, data) == set()


def test_django_s_own_strings_have_a_chinese_translation(settings):
    """Django's zh_Hans catalogue lags behind its English one (6.1 added "- Select an option -"
    untranslated): whatever it lacks, for Django and its installed apps, our catalogue supplies."""
    from pathlib import Path

    import django
    import polib

    root = Path(django.__file__).parent
    ours = Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"
    translated = {(e.msgctxt, e.msgid) for e in polib.pofile(str(ours)) if e.translated()}
    missing = []
    for app in ["django.conf", *(a for a in settings.INSTALLED_APPS if a.startswith("django.contrib."))]:
        folder = root / app.removeprefix("django.").replace(".", "/") / "locale"
        english = folder / "en/LC_MESSAGES/django.po"
        if not english.exists():
            continue
        theirs = {(e.msgctxt, e.msgid) for e in polib.pofile(str(folder / "zh_Hans/LC_MESSAGES/django.po"))
                  if e.translated()}
        missing += [f"{app}: {e.msgid!r}" for e in polib.pofile(str(english))
                    if (e.msgctxt, e.msgid) not in theirs | translated]
    assert missing == [], "\n".join(missing)
