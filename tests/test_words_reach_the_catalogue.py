"""Words written inside an f-string are not found by makemessages: they stay English on Chinese pages
and in stored titles. Every translated word is a plain literal passed to gettext."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "safetynet"
IN_AN_FSTRING = re.compile(r"""\bf(["']).*?\{(_|gettext|gettext_lazy|pgettext|ngettext)\(""")


def test_no_gettext_call_inside_an_f_string():
    found = []
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if IN_AN_FSTRING.search(line):
                found.append(f"{path.relative_to(ROOT.parent)}:{number}: {line.strip()}")
    assert found == []
