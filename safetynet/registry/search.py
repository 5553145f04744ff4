"""Registry search: what a typed query means, and the search keys of a person.

Staff type a whole ID number or its last digits, a name or part of one, the pinyin of a name they
heard ("zhangsan", "zhangs") or its initials ("zs"), a phone number, or part of an address. Each
kind becomes a range on an indexed column: the key columns lead an index with the area beside them
(registry.models.Person.Meta.indexes), so a scoped search reads one index range and checks the
area without visiting the table. Ranges (`>= prefix AND < successor`), not LIKE: SQLite and
PostgreSQL answer both from a plain index, and the key columns use the binary collation "BINARY"
(see the migration registry 0003) so that the ranges mean the same on both.

The keys (`person_search_keys`: pinyin, initials, given name, reversed ID number) are kept on the
Person row by the services and the bulk services. Address search ("contains") uses a trigram
index: FTS5 on SQLite, pg_trgm on PostgreSQL (migration registry 0003).
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, CharField, Func, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from safetynet.core.ids import check_character
from safetynet.core.text import normalise

# Surnames read differently from the same character in ordinary words (曾经 céng, 单独 dān …).
# Longest first, so a compound surname wins over its first character.
SURNAME_PINYIN = {
    "尉迟": ["yu", "chi"],
    "万俟": ["mo", "qi"],
    "单于": ["chan", "yu"],
    "长孙": ["zhang", "sun"],
    "曾": ["zeng"],
    "单": ["shan"],
    "仇": ["qiu"],
    "解": ["xie"],
    "区": ["ou"],
    "朴": ["piao"],
    "查": ["zha"],
    "乐": ["yue"],
    "盖": ["ge"],
    "覃": ["qin"],
    "繁": ["po"],
    "员": ["yun"],
    "缪": ["miao"],
    "翟": ["zhai"],
    "种": ["chong"],
    "召": ["shao"],
    "折": ["she"],
    "黑": ["he"],
    "秘": ["bi"],
    "隗": ["wei"],
    "阚": ["kan"],
    "能": ["nai"],
    "相": ["xiang"],
    "重": ["chong"],
    "车": ["che"],
    "薄": ["bo"],
    "过": ["guo"],
    "沈": ["shen"],
    "燕": ["yan"],
    "宓": ["fu"],
    "禚": ["zhuo"],
}
_SURNAMES = sorted(SURNAME_PINYIN, key=len, reverse=True)


def name_syllables(name: str) -> list[str]:
    """Pinyin syllables of a name, the surname read as a surname."""
    name = normalise(name)
    for surname in _SURNAMES:
        if name.startswith(surname):
            return SURNAME_PINYIN[surname] + lazy_pinyin(name[len(surname):], errors="ignore")
    return lazy_pinyin(name, errors="ignore")


# Compound surnames: the given name starts after them (欧阳秀英 → 秀英), not after the first character.
COMPOUND_SURNAMES = (
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "令狐", "夏侯", "端木", "万俟", "单于", "澹台", "独孤", "呼延", "轩辕", "南宫", "西门", "申屠",
    "赫连", "拓跋", "闻人", "百里", "东郭", "太史", "公冶", "第五",
)


def given_name(name: str) -> str:
    """The name without the surname: 李秀英 → 秀英, 欧阳秀英 → 秀英 (staff often know only that)."""
    name = normalise(name)
    surname = next((s for s in COMPOUND_SURNAMES if name.startswith(s) and len(name) > len(s)), name[:1])
    return name[len(surname):]


def person_search_keys(*, name: str, id_number: str) -> dict[str, str]:
    """The columns a person's search needs, from their name and ID number."""
    syllables = [s.lower() for s in name_syllables(name) if s.isascii() and s.isalpha()]
    return {
        "name_pinyin": "".join(syllables)[:60],
        "name_initials": "".join(s[0] for s in syllables)[:12],
        "name_given": given_name(name)[:50],
        "id_reversed": id_number[::-1],
    }


# --- what a query means ---------------------------------------------------------------------------

# Chinese characters (with the middle dot of transcribed minority names: 阿依古丽·买买提).
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f·•・]+")
_HAN_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# ASCII digits only: normalise() has turned full-width ones into these, and \d would take others.
_DIGITS = re.compile(r"[0-9]+")
_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")
_OLD_ID_NUMBER = re.compile(r"[0-9]{15}")
_ID_ENDING = re.compile(r"[0-9]{3,16}[0-9X]")  # 4 to 17 characters
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_PHONE = re.compile(r"[0-9][0-9-]{5,18}[0-9]")  # 7 to 20 characters, a landline may carry a dash
_LETTERS = re.compile(r"[a-z]+")

ID_ENDING_SHOWN = 4  # the digits a masked ID number shows (core.masking.mask_id_number)
ADDRESS_MIN = 3  # the trigram index finds substrings of three characters or more
INITIALS_MAX = 12  # registry.models.Person.name_initials max_length
# One letter is the initial of a sixth of the city: no search, only a slow list nobody reads.
PINYIN_MIN = 2


@dataclass(frozen=True)
class Search:
    """What a query asks for. `person` is a filter on Person (None: no person can match), `address`
    the text to look for in household addresses ("" for none)."""

    person: Q | None
    address: str = ""
    # A query that is one whole number ("id_number" or "phone") and the number: for a role that sees
    # such numbers masked, a lookup to log and count (registry.selectors).
    number_kind: str = ""
    number: str = ""

    @property
    def empty(self) -> bool:
        return self.person is None and not self.address


def successor(prefix: str) -> str:
    """The first string after every string that starts with `prefix`, in code-point order."""
    while prefix:
        following = ord(prefix[-1]) + 1
        if 0xD800 <= following <= 0xDFFF:  # surrogates cannot be stored: skip them
            following = 0xE000
        if following <= 0x10FFFF:
            return prefix[:-1] + chr(following)
        prefix = prefix[:-1]
    raise ValueError("no successor of an empty prefix")


def prefix_q(field: str, prefix: str) -> Q:
    """Rows whose `field` starts with `prefix`, as an index range (both SQLite and PostgreSQL use a
    plain index for it; LIKE 'x%' needs text_pattern_ops on PostgreSQL)."""
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": successor(prefix)})


class Unindexed(Func):
    """A column's value, which SQLite is not to look up in an index (a unary +, its documented way).

    SQLite keeps no statistics on ranges: told `name_initials` in one range and `area` in another,
    it reads the area's index (for a county, a quarter of a million people) rather than the key's
    (typically a few hundred rows, the area checked beside the key in the same index). Search
    filters the area through this, so the key's index is used. PostgreSQL, which has statistics,
    gets the plain column and chooses for itself.
    """

    template = "%(expressions)s"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


class Likely(Func):
    """A condition SQLite is told holds for almost every row (its `likelihood()` hint).

    For the whole city's area, `village >= '3713' AND village < '3714'` holds for every household,
    but SQLite, without statistics on ranges, guesses it picks out a few, reads them from the
    village index and sorts them all to show the newest 25 (a million ids). Told the truth, it
    reads the table from the newest end and stops after a page; a COUNT still reads the smaller
    index. Elsewhere the plain condition.
    """

    template = "%(expressions)s"
    output_field = BooleanField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="likelihood(%(expressions)s, 0.9375)",
                              **extra_context)


class SortValue(Func):
    """An integer column as a value to sort by (`+id`), not an index order to follow.

    Asked for a county's newest households, PostgreSQL reads the primary key backwards, expecting
    the county's households (a tenth of all) spread evenly over the ids; a county registered first
    has the oldest ids, and it reads nine hundred thousand rows to find 25. Sorting by the value,
    it takes the county's ids from the village index and sorts them (a few milliseconds).
    """

    template = "+%(expressions)s"


def _anyof(conditions: list[Q]) -> Q | None:
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def full_id_number(old: str) -> str:
    """A 15-digit ID number (issued before 1999) as the 18-character number it is stored as."""
    body = old[:6] + "19" + old[6:]
    return body + check_character(body)


def parse(query: str, *, whole_numbers: bool) -> Search:
    """What `query` asks for. `whole_numbers`: the actor sees ID and phone numbers whole; a role
    that sees them masked may search an ID number's last four characters (what it sees) and whole
    numbers, never longer endings or phone fragments, which would give away hidden digits one
    search at a time.

    - 18 characters (17 digits and a digit or X), or 15 digits (converted): that ID number.
    - 4 to 17 digits: the ending of an ID number; with 7 or more also the start of a phone number
      (an 11-digit mobile number, whole, for masked roles too).
    - Two or more Latin letters: the start of the pinyin of a name or of its initials ("zs",
      "zhangs").
    - Chinese characters: the start of a name or of a given name (秀英 finds 李秀英); with three or
      more, also part of an address.
    - Anything else: part of an address.
    Full-width characters, spaces and the case of letters do not matter.
    """
    text = normalise(query)
    upper = text.upper()
    if not text:
        return Search(None)
    if _OLD_ID_NUMBER.fullmatch(upper):
        number = full_id_number(upper)
        return Search(Q(id_number=number), number_kind="id_number", number=number)
    if _ID_NUMBER.fullmatch(upper):
        return Search(Q(id_number=upper), number_kind="id_number", number=upper)
    if _DIGITS.fullmatch(upper) or _ID_ENDING.fullmatch(upper) or _PHONE.fullmatch(upper):
        whole_phone = not whole_numbers and _MOBILE.fullmatch(upper)
        return Search(_anyof(_number_conditions(upper, whole_numbers)),
                      number_kind="phone" if whole_phone else "", number=upper if whole_phone else "")
    if _LETTERS.fullmatch(lower := text.lower()):
        if len(lower) < PINYIN_MIN:
            return Search(None)
        conditions = [prefix_q("name_pinyin", lower)]
        if len(lower) <= INITIALS_MAX:
            conditions.append(prefix_q("name_initials", lower))
        return Search(_anyof(conditions))
    if _HAN.fullmatch(text) and _HAN_CHAR.search(text):
        conditions = [prefix_q("name", text), prefix_q("name_given", text)]
        return Search(_anyof(conditions), address=text if len(text) >= ADDRESS_MIN else "")
    return Search(None, address=text)


def explain(query: str, *, whole_numbers: bool) -> str:
    """Why `query` finds nothing by design (not for want of a match), in words for the user; "" when
    it is an ordinary search."""
    text = normalise(query)
    upper = text.upper()
    if _LETTERS.fullmatch(text.lower() or "-") and len(text) < PINYIN_MIN:
        return _("One letter is the pinyin initial of too many people to list. Type two letters or "
                 "more (zs finds 张三), or the name in Chinese characters.")
    numeric = _DIGITS.fullmatch(upper) or _ID_ENDING.fullmatch(upper) or _PHONE.fullmatch(upper)
    whole_id = _ID_NUMBER.fullmatch(upper) or _OLD_ID_NUMBER.fullmatch(upper)
    if numeric and not whole_numbers and not whole_id and len(upper) != ID_ENDING_SHOWN \
            and not _MOBILE.fullmatch(upper):
        return _("Your role sees ID and phone numbers masked, so it searches by the last four "
                 "characters of an ID number, or by a whole ID number or mobile number.")
    if numeric and len(upper) < ID_ENDING_SHOWN:
        return _("Type at least the last four characters of an ID number.")
    return ""


def _number_conditions(number: str, whole_numbers: bool) -> list[Q]:
    conditions = []
    if _ID_ENDING.fullmatch(number) and (whole_numbers or len(number) == ID_ENDING_SHOWN):
        conditions.append(prefix_q("id_reversed", number[::-1]))
    if whole_numbers and _PHONE.fullmatch(number):
        conditions.append(prefix_q("phone", number))
    elif _MOBILE.fullmatch(number):
        conditions.append(Q(phone=number))
    return conditions


# --- addresses ------------------------------------------------------------------------------------

# SQLite: an FTS5 table with the trigram tokenizer over registry_household.address (external
# content, kept by triggers: see the migration registry 0003). PostgreSQL: a pg_trgm GIN index on
# UPPER(address), which serves Django's `icontains`.


def household_address_q(text: str) -> Q:
    """Households whose address contains `text` (case-insensitive), as a filter on Household."""
    if connection.vendor == "sqlite" and len(text) >= ADDRESS_MIN:
        phrase = '"' + text.replace('"', '""') + '"'
        # A literal statement; the text is a parameter (a quoted FTS5 phrase: no query syntax).
        matching = RawSQL(  # noqa: S611
            "SELECT rowid FROM registry_household_address WHERE registry_household_address MATCH %s",
            (phrase,),
        )
        return Q(pk__in=matching)
    return Q(address__icontains=text)
