"""Chinese comes first: every string a user reads has a Chinese translation, and it is compiled."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

CATALOGUES = sorted(Path(settings.BASE_DIR).glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_there_is_a_chinese_catalogue():
    assert CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=str)
def test_every_message_is_translated_and_none_is_fuzzy(po_path):
    catalogue = polib.pofile(str(po_path))
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []


@pytest.mark.parametrize("po_path", CATALOGUES, ids=str)
def test_shipped_mo_matches_its_po(po_path):
    """A fresh machine has no gettext tools: the compiled catalogue ships, so it must be current.
    (scripts/compile-translations rebuilds it.)"""
    po = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural
        for e in polib.pofile(str(po_path)).translated_entries()
    }
    mo = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural
        for e in polib.mofile(str(po_path.with_suffix(".mo")))
    }
    assert po == mo


@pytest.mark.parametrize("po_path", CATALOGUES, ids=str)
def test_placeholders_survive_translation(po_path):
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
    broken = [
        e.msgid
        for e in polib.pofile(str(po_path)).translated_entries()
        if sorted(pattern.findall(e.msgid)) != sorted(pattern.findall(e.msgstr or e.msgstr_plural.get(0, "")))
    ]
    assert broken == []


@pytest.mark.django_db
def test_pages_speak_chinese_by_default_and_english_on_request():
    client = Client()
    assert "登录" in client.get("/login/").content.decode()
    with translation.override("en"):
        response = client.get("/login/", headers={"accept-language": "en"})
    assert 'lang="en"' in response.content.decode()
