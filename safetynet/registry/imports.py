"""Households from spreadsheets (.xlsx, .csv): the template, reading, cleaning, grouping, applying.

The layout is one row per person; every row names its household (户编号, or the head's ID number
户主身份证号). `COLUMNS` is the one table of the layout: the template, its 说明 sheet, the import
and the export (registry.exports) all read it.

The unit is the household. A household whose rows all read cleanly is stored whole — a new one
through `bulk.household_bulk_create`, a registered one through the single-record services so that
its changes show on its timeline — or handed back whole: every row of a rejected household goes
into the returned file as the user wrote it, with the reason in 错误原因. Nothing is lost.

Reading accepts what can be read without guessing: full-width digits, a lowercase x, stray spaces,
dates written 1950年1月1日 / 1950/1/1 / 1950-1-1 / 19500101 or as date cells, amounts with 元 or
thousands separators, codes whose leading zeros Excel dropped, a code or its Chinese name, a title
row or a two-row (merged) header above the data, columns in any order, empty rows. Anything else
is rejected with a reason. For a registered household a blank cell means "no change", and so does
a masked value as a masked export shows it: an export can be edited and imported again.

Entry points: `import_start` (a service: checks, stores the upload, queues the task on commit) and
`run_import` (the work; the task calls it, and so may a benchmark, synchronously).
"""

import csv
import datetime
import io
import logging
import re
import time
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from safetynet.core import ids
from safetynet.core.masking import mask_certificate, mask_id_number, mask_phone
from safetynet.core.models import Division, DivisionLevel, UrbanRural, User
from safetynet.core.money import parse_yuan
from safetynet.core.scope import in_scope, may_unmask, scope_q
from safetynet.core.services import ConflictError
from safetynet.core.text import normalise
from safetynet.registry import codes, rules, services
from safetynet.registry.models import AssetItem, Household, ImportJob, IncomeItem, Membership, Person

logger = logging.getLogger(__name__)

# --- the layout ----------------------------------------------------------------------------------

KEY, HOUSEHOLD, PERIOD, PERSON, MEMBER, INCOME, ASSET, SYSTEM = (
    "key",
    "household",
    "period",
    "person",
    "member",
    "income",
    "asset",
    "system",
)
DATA_SHEET = "家庭成员"
NOTES_SHEET = "说明"
ERROR_HEADER = "错误原因"
ROW_HEADER = "原行号"


@dataclass(frozen=True)
class Column:
    header: str  # as the template writes it
    part: str  # what it describes: KEY, HOUSEHOLD, PERSON …
    field: str  # the model field; for INCOME the category, for ASSET the asset type
    kind: str  # how a cell is read: see _READERS
    note: str = ""  # the 说明 sheet's explanation (the layout is data: Chinese)
    choices: type | None = None
    aliases: tuple[str, ...] = ()
    required: str = ""
    width: int = 12


_INCOME_NOTE = (
    "本人在收入期间内的这一项收入（元），按计入家庭收入的口径。不计入家庭收入的款项（如基础养老金、"
    "高龄津贴）不在本表填写，请在系统中录入。同一人同一项有几笔的，填合计。"
)
_ASSET_NOTE = "本人名下这一项财产的价值（元）。可豁免的财产（如唯一住房、生产资料）请在系统中录入。"

COLUMNS: list[Column] = [
    Column(
        "户编号",
        KEY,
        "household_key",
        "key",
        "本表内区分各户的编号，由填表人自定（如 1、2、3 或 A001），同一户的各行填同一个编号。"
        "可以不填，改填「户主身份证号」。",
        aliases=("家庭编号", "户号", "户序号"),
        required="二选一",
        width=10,
    ),
    Column(
        "户主身份证号",
        KEY,
        "head_id",
        "id",
        "本户户主的身份证号，同一户的各行填同一个号码。已填「户编号」的可以不填。",
        aliases=("户主身份证号码", "户主公民身份号码", "户主证件号码"),
        required="二选一",
        width=21,
    ),
    Column(
        "村/社区代码",
        HOUSEHOLD,
        "village",
        "village",
        "本户所在村（社区）的12位统计用区划代码。",
        aliases=("村(社区)代码", "村社区代码", "村居代码", "社区代码", "村代码", "所在村代码"),
        required="新户必填",
        width=15,
    ),
    Column(
        "住址",
        HOUSEHOLD,
        "address",
        "text",
        "本户住址。",
        aliases=("家庭住址", "家庭地址", "地址", "现住址", "居住地址"),
        required="新户必填",
        width=24,
    ),
    Column(
        "城乡",
        HOUSEHOLD,
        "urban_rural",
        "choice",
        "城市 或 农村；不填时按所在村（社区）。",
        choices=UrbanRural,
        aliases=("城乡类别", "城乡属性", "城乡分类"),
    ),
    Column(
        "住房",
        HOUSEHOLD,
        "housing_status",
        "choice",
        "住房状况。",
        choices=codes.HousingStatus,
        aliases=("住房状况", "住房情况"),
    ),
    Column("房屋结构", HOUSEHOLD, "house_structure", "choice", "", choices=codes.HouseStructure),
    Column(
        "住房面积（平方米）",
        HOUSEHOLD,
        "floor_area",
        "area",
        "住房建筑面积，单位平方米。",
        aliases=("住房面积", "房屋面积", "建筑面积"),
    ),
    Column(
        "取暖方式",
        HOUSEHOLD,
        "heating",
        "choice",
        "",
        choices=codes.Heating,
        aliases=("取暖", "冬季取暖方式"),
    ),
    Column(
        "一氧化碳报警器",
        HOUSEHOLD,
        "co_alarm",
        "bool",
        "是否安装了一氧化碳报警器：是 或 否。",
        aliases=("是否安装一氧化碳报警器", "co报警器"),
    ),
    Column(
        "家庭联系电话",
        HOUSEHOLD,
        "phone",
        "phone",
        "本户的联系电话。",
        aliases=("户联系电话", "家庭电话"),
        width=14,
    ),
    Column(
        "收入起始日期",
        PERIOD,
        "period_start",
        "date",
        "各项收入所属期间的第一天，如 2022-01-01。填了收入金额的，新录入的收入必须填写收入期间。",
        aliases=("收入期间起", "收入开始日期"),
    ),
    Column(
        "收入截止日期",
        PERIOD,
        "period_end",
        "date",
        "收入所属期间的最后一天，如 2022-12-31。",
        aliases=("收入期间止", "收入结束日期"),
    ),
    Column("姓名", PERSON, "name", "name", "", required="必填", width=10),
    Column(
        "身份证号",
        PERSON,
        "id_number",
        "id",
        "18位居民身份证号（末位X大小写均可；15位老号码自动转换）。请把此列设为文本格式，以免Excel把号码变成数字。",
        aliases=("身份证号码", "公民身份号码", "证件号码", "身份证"),
        required="必填",
        width=21,
    ),
    Column("性别", PERSON, "sex", "choice", "男 或 女；不填时按身份证号。", choices=codes.Sex, width=6),
    Column(
        "出生日期",
        PERSON,
        "birth_date",
        "date",
        "如 1950-01-01、1950年1月1日、1950/1/1 或 19500101；不填时按身份证号。",
        aliases=("出生年月日",),
    ),
    Column(
        "民族",
        PERSON,
        "ethnicity",
        "choice",
        "民族名称或GB/T 3304代码；不填按汉族。",
        choices=codes.Ethnicity,
        width=8,
    ),
    Column(
        "与户主关系",
        MEMBER,
        "relation",
        "choice",
        "GB/T 4761 代码或名称，如 02 户主、10 配偶、20 子、30 女。户主本人填「户主」（或「本人」）；"
        "按「户主身份证号」认出的户主可以不填。",
        choices=codes.Relation,
        aliases=("与户主关系代码", "家庭关系", "关系"),
        required="必填",
    ),
    Column(
        "共同生活",
        MEMBER,
        "co_living",
        "bool",
        "是否与本户共同生活：是 或 否；不填按「是」。",
        aliases=("是否共同生活",),
    ),
    Column(
        "不共同生活原因",
        MEMBER,
        "exclusion",
        "choice",
        "不算作共同生活家庭成员的原因；填了原因即视为不共同生活。",
        choices=codes.Exclusion,
        aliases=("不计入原因",),
    ),
    Column("入户日期", MEMBER, "joined_on", "date", "成为本户成员的日期；不填为导入当天。已登记的成员不改。"),
    Column("婚姻状况", PERSON, "marital", "choice", "", choices=codes.Marital),
    Column("文化程度", PERSON, "education", "choice", "", choices=codes.Education),
    Column("就业状况", PERSON, "employment", "choice", "", choices=codes.Employment),
    Column(
        "劳动能力",
        PERSON,
        "labour_capacity",
        "choice",
        "新登记的人员不填按「有劳动能力」。",
        choices=codes.LabourCapacity,
    ),
    Column(
        "健康状况", PERSON, "health", "choice", "新登记的人员不填按「健康或良好」。", choices=codes.Health
    ),
    Column(
        "残疾类别",
        PERSON,
        "disability_category",
        "choice",
        "与残疾等级同时填写。",
        choices=codes.DisabilityCategory,
    ),
    Column(
        "残疾等级",
        PERSON,
        "disability_grade",
        "choice",
        "一级至四级，与残疾类别同时填写。",
        choices=codes.DisabilityGrade,
    ),
    Column(
        "残疾证号",
        PERSON,
        "disability_cert_no",
        "certificate",
        "20位：身份证号加残疾类别、残疾等级各一位。",
        aliases=("残疾人证号", "残疾证编号"),
        width=23,
    ),
    Column(
        "重病",
        PERSON,
        "serious_illness",
        "choice",
        "重特大疾病的种类，没有的不填。",
        choices=codes.SeriousIllness,
        aliases=("重病类型", "重特大疾病", "大病"),
    ),
    Column("精神疾病", PERSON, "mental_illness", "bool", "是 或 否。", aliases=("是否精神疾病",)),
    Column("生活自理能力", PERSON, "self_care", "choice", "", choices=codes.SelfCare, aliases=("自理能力",)),
    Column(
        "在校学生", PERSON, "in_school", "bool", "是否全日制在校：是 或 否。", aliases=("是否在校", "在校")
    ),
    Column(
        "人员状态", PERSON, "status", "choice", "新登记的人员不填按「正常」。", choices=codes.PersonStatus
    ),
    Column(
        "联系电话",
        PERSON,
        "phone",
        "phone",
        "本人的联系电话。",
        aliases=("个人联系电话", "手机号码", "手机号", "电话"),
        width=14,
    ),
    Column(
        "户籍地代码",
        PERSON,
        "hukou_division",
        "division",
        "户口所在地的区划代码（6、9或12位）；新登记的人员不填为本户所在村（社区）。",
        aliases=("户籍地区划代码", "户籍所在地代码"),
    ),
    Column(
        "居住地代码",
        PERSON,
        "residence_division",
        "division",
        "居住地的区划代码；新登记的人员不填为本户所在村（社区）。",
        aliases=("居住地区划代码", "现居住地代码"),
    ),
    Column(
        "工资性收入（元/年）",
        INCOME,
        codes.IncomeCategory.WAGE,
        "amount",
        _INCOME_NOTE,
        aliases=("工资性收入", "工资收入"),
    ),
    Column(
        "经营净收入（元/年）",
        INCOME,
        codes.IncomeCategory.BUSINESS,
        "amount",
        _INCOME_NOTE,
        aliases=("经营净收入", "经营性净收入"),
    ),
    Column(
        "财产净收入（元/年）",
        INCOME,
        codes.IncomeCategory.PROPERTY,
        "amount",
        _INCOME_NOTE,
        aliases=("财产净收入", "财产性净收入"),
    ),
    Column(
        "转移净收入（元/年）",
        INCOME,
        codes.IncomeCategory.TRANSFER,
        "amount",
        _INCOME_NOTE,
        aliases=("转移净收入", "转移性净收入"),
    ),
    Column(
        "其他收入（元/年）", INCOME, codes.IncomeCategory.OTHER, "amount", _INCOME_NOTE, aliases=("其他收入",)
    ),
    Column(
        "存款（元）", ASSET, codes.AssetType.SAVINGS, "amount", _ASSET_NOTE, aliases=("储蓄存款", "银行存款")
    ),
    Column("国债（元）", ASSET, codes.AssetType.BONDS, "amount", _ASSET_NOTE),
    Column("股票（元）", ASSET, codes.AssetType.SHARES, "amount", _ASSET_NOTE, aliases=("股票市值",)),
    Column(
        "储蓄型保险（元）",
        ASSET,
        codes.AssetType.SAVINGS_INSURANCE,
        "amount",
        _ASSET_NOTE,
        aliases=("商业储蓄型保险",),
    ),
    Column(
        "系统人员编号",
        SYSTEM,
        "person",
        "system",
        "导出时由系统填写，身份证号遮盖时据此认出已登记的人员。请勿修改；新增的人员留空。",
        aliases=("人员编号",),
    ),
]
# Headers that are known and carry nothing to import (a returned file's own columns among them).
IGNORED_HEADERS = ("序号", "年龄", "备注", ERROR_HEADER, ROW_HEADER)

COLUMN_OF = {(c.part, c.field): c for c in COLUMNS}
INCOME_CATEGORIES = [c.field for c in COLUMNS if c.part == INCOME]
ASSET_TYPES = [c.field for c in COLUMNS if c.part == ASSET]
# Fields a blank cell leaves as they are for a registered person; a new person gets the model default.
PERSON_IMPORT_FIELDS = [c.field for c in COLUMNS if c.part == PERSON]
HOUSEHOLD_IMPORT_FIELDS = [c.field for c in COLUMNS if c.part == HOUSEHOLD]

# Names clerks use beside the code tables' own (the tables' labels, Chinese and English, and codes
# are all accepted; a name that fits two codes is accepted for neither).
CHOICE_ALIASES: dict[type, dict[str, object]] = {
    codes.Sex: {"男性": 1, "女性": 2, "m": 1, "f": 2},
    UrbanRural: {
        "城镇": "urban",
        "城": "urban",
        "城区": "urban",
        "乡村": "rural",
        "农": "rural",
        "乡": "rural",
    },
    codes.Relation: {
        "丈夫": "11",
        "妻子": "12",
        "儿子": "20",
        "女儿": "30",
        "哥哥": "71",
        "弟弟": "73",
        "姐": "75",
        "妹": "77",
        "儿媳妇": "38",
        "父": "51",
        "母": "52",
    },
    codes.Health: {"健康": "10", "良好": "10", "一般": "20", "较弱": "20"},
    codes.SelfCare: {"能自理": 1, "自理": 1, "半自理": 2, "部分自理": 2, "不能自理": 3, "完全不能自理": 3},
    codes.Heating: {
        "燃煤": "2",
        "燃气": "1",
        "天然气": "1",
        "空调": "3",
        "电暖器": "4",
        "电取暖": "4",
        "集中": "0",
        "暖气": "0",
        "无": "9",
        "无取暖": "9",
        "烧柴": "5",
        "柴火": "5",
        "木柴": "5",
        "太阳能": "6",
    },
    codes.HousingStatus: {"借住": "07", "租房": "08", "租住": "08"},
    codes.Marital: {"离异": "40", "有配偶": "20"},
    codes.Education: {
        "本科": "20",
        "大专": "30",
        "专科": "30",
        "高中": "60",
        "中专": "40",
        "职高": "40",
        "文盲": "90",
        "未上学": "90",
    },
    codes.Employment: {"退休": "retired", "学生": "student", "个体": "self_employed", "学龄前": "preschool"},
    codes.Exclusion: {"服刑": "prison", "戒毒": "rehab", "失踪": "missing", "宗教教职人员": "clergy_3y"},
    codes.SeriousIllness: {
        "白血病": "01",
        "再生障碍性贫血": "01",
        "恶性肿瘤": "02",
        "癌症": "02",
        "红斑狼疮": "04",
        "精神病": "06",
        "结核病": "07",
        "心脏病": "10",
    },
    codes.DisabilityGrade: {f"{n}级": n for n in range(1, 5)},
}
# Suffixes a name may go without: 汉 for 汉族, 肢体 for 肢体残疾.
CHOICE_SUFFIXES: dict[type, str] = {codes.Ethnicity: "族", codes.DisabilityCategory: "残疾"}

HEADER_SCAN_ROWS = 30
BATCH_HOUSEHOLDS = 1000
MAX_IMPORT_BYTES = getattr(settings, "SAFETYNET_MAX_IMPORT_BYTES", 100 * 1024 * 1024)


def _fold(text) -> str:
    """How names are compared: NFKC (full-width → ASCII), no spaces, lower case."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()


def _header_key(text) -> str:
    return _fold(text).strip("*:").replace("*", "")


def _without_note(text: str) -> str:
    """'工资性收入(元/年)' → '工资性收入'."""
    return re.sub(r"\([^)]*\)", "", text)


@cache
def _header_lookup() -> dict[str, Column]:
    lookup: dict[str, Column] = {}
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            key = _header_key(name)
            lookup.setdefault(key, column)
            lookup.setdefault(_without_note(key), column)
    return lookup


def match_header(text) -> Column | None:
    if text is None:
        return None
    key = _header_key(text)
    lookup = _header_lookup()
    return lookup.get(key) or lookup.get(_without_note(key))


def _is_ignored_header(text) -> bool:
    key = _header_key(text)
    return any(key == _header_key(name) for name in IGNORED_HEADERS)


@cache
def _choice_lookup(choices: type) -> dict[str, object]:
    lookup: dict[str, object] = {}
    ambiguous: set[str] = set()

    def add(name: str, value) -> None:
        key = _fold(name)
        if not key:
            return
        if key in lookup and lookup[key] != value:
            ambiguous.add(key)
        lookup.setdefault(key, value)

    for value, label in choices.choices:
        add(str(value), value)
        for language in ("zh-hans", "en"):
            with translation.override(language):
                text = _fold(str(label))
            add(text, value)
            add(_without_note(text), value)  # 一级（最重） → 一级
            suffix = CHOICE_SUFFIXES.get(choices)
            if suffix and text.endswith(suffix) and len(text) > len(suffix):
                add(text[: -len(suffix)], value)
    for name, value in CHOICE_ALIASES.get(choices, {}).items():
        add(name, value)
    for key in ambiguous:
        lookup.pop(key)
    return lookup


@cache
def _chinese_labels(choices: type) -> dict:
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in choices.choices}


def choice_label(choices: type, value) -> str:
    """The Chinese name of a code (templates and exports write names, imports read both)."""
    labels = _chinese_labels(choices)
    if value not in labels:
        value = choices(value).value  # ValueError for what is no code of the table
    return labels[value]


# --- reading one cell ------------------------------------------------------------------------------


class CellError(Exception):
    """A cell that cannot be read without guessing; the message says why, in the user's language."""


@dataclass(frozen=True)
class Masked:
    """A value written masked (3713**********0013): it names a value, it does not give one."""

    text: str


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number_text(value) -> str:
    """A number cell as the digits it shows (a code or phone number Excel took for a number)."""
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("This should be whole digits, not a number with decimals."))
        value = int(value)
    return str(value)


def read_text(value) -> str:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return " ".join(text.split())[:200]


def read_name(value) -> str:
    name = normalise(str(value))
    if len(name) > 50:
        raise CellError(_("A name has at most 50 characters."))
    return name


def read_key(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = _number_text(value)
    return normalise(str(value))[:50]


_ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]")


def _check_id_birth_date(digits: str) -> None:
    """core.ids' check of the birth date inside an ID number (same messages), without asking the
    time zone for today's date a hundred thousand times."""
    try:
        born = datetime.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise CellError(
            _("The birth date in the ID number (%(digits)s) is not a real date.") % {"digits": digits}
        ) from None
    if born.year < 1890 or born > _today():
        raise CellError(
            _("The birth date in the ID number (%(date)s) is impossible.") % {"date": born.isoformat()}
        )


_TODAY: list = [None, 0.0]


def _today() -> datetime.date:
    now = time.monotonic()
    if _TODAY[0] is None or now - _TODAY[1] > 60:
        _TODAY[:] = [timezone.localdate(), now]
    return _TODAY[0]


def read_id(value):
    """(the number as written, normalised; the 18-character number) or a Masked."""
    if isinstance(value, float) and not (value.is_integer() and value < 1e15):
        raise CellError(
            _(
                "Excel stored this ID number as a number and lost its last digits: format the "
                "column as text and type the number again."
            )
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value))
    text = normalise(str(value)).upper()
    if "*" in text:
        return Masked(text)
    if re.fullmatch(r"[0-9]{15}", text):
        body = text[:6] + "19" + text[6:]
        return text, body + ids.check_character(body)
    if not _ID_PATTERN.fullmatch(text):
        raise CellError(_("An ID number has 18 characters: 17 digits and a final digit or X."))
    _check_id_birth_date(text[6:14])
    if ids.check_character(text[:17]) != text[17]:
        raise CellError(_("The last character of the ID number does not match the others: check each digit."))
    return text, text


def read_certificate(value):
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            _(
                "Excel stored this number as a number and lost its last digits: format the "
                "column as text and type the number again."
            )
        )
    text = normalise(str(value)).upper()
    return Masked(text) if "*" in text else text[:20]


def read_phone(value):
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = _number_text(value)
    text = normalise(str(value))
    if "*" in text:
        return Masked(text)
    if not re.fullmatch(r"\+?[0-9][0-9-]{2,19}", text):
        raise CellError(_("A phone number has digits only (a dash between area code and number is fine)."))
    return text[:20]


def read_division(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = _number_text(value)
    code = normalise(str(value))
    if not re.fullmatch(r"[0-9]{6}([0-9]{3}){0,2}", code):
        raise CellError(_("A division code has 6, 9 or 12 digits."))
    return code


def read_village(value) -> str:
    code = read_division(value)
    if len(code) != 12:
        raise CellError(_("A village or community code has 12 digits."))
    return code


_DATE_PATTERNS = [
    re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日?"),
    re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})"),
    re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})"),
]
_TIME_OF_DAY = re.compile(r"(T)?[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$")


def read_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 10_000_000 <= value <= 99_999_999:
            value = str(int(value))
        else:
            raise CellError(_("Write dates as year-month-day, such as 1950-01-01 or 1950年1月1日."))
    text = normalise(str(value))
    if "*" in text:
        return Masked(text)
    text = _TIME_OF_DAY.sub("", text) if len(text) > 10 else text
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                raise CellError(_("%(value)s is not a real date.") % {"value": text}) from None
    raise CellError(_("Write dates as year-month-day, such as 1950-01-01 or 1950年1月1日."))


_TRUE = {"是", "有", "已安装", "安装", "已装", "y", "yes", "true", "1", "√", "✓", "对"}
_FALSE = {"否", "无", "没有", "未安装", "未装", "不是", "n", "no", "false", "0", "×", "✗"}


def read_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        value = _number_text(value)
    text = _fold(value)
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("Write 是 (yes) or 否 (no)."))


def _decimal_of_number(value) -> Decimal:
    """A number cell as a Decimal. Excel keeps 1234.5 as a binary float: what differs from two
    decimals only in the 10th place is that float, not a figure anyone typed."""
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    rounded = amount.quantize(Decimal("0.01"))
    if abs(amount - rounded) > Decimal("1e-9"):
        raise CellError(_("An amount has at most two decimals (fen)."))
    return rounded


def read_amount(value) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        amount = _decimal_of_number(value)
    else:
        try:
            amount = parse_yuan(str(value))
        except ValidationError as error:
            raise CellError(error.messages[0]) from None
    if amount is None:
        return None
    if amount < 0:
        raise CellError(_("The amount cannot be negative."))
    if amount >= Decimal("1e12"):
        raise CellError(_("Enter an amount in yuan, such as 1234.50."))
    return amount


def read_area(value) -> Decimal:
    if isinstance(value, str):
        value = re.sub(r"(平方米|平米|㎡|m²|m2)$", "", normalise(value), flags=re.IGNORECASE)
    area = read_amount(value)
    if area is not None and area >= Decimal("1e6"):
        raise CellError(_("The floor area is too large: give it in square metres."))
    return area


def read_system(value) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = _number_text(value)
    text = normalise(str(value))
    if not text.isdigit():
        raise CellError(_("Leave the system number as the export wrote it, or blank for a new person."))
    return int(text)


def read_choice(value, choices: type):
    lookup = _choice_lookup(choices)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = _number_text(value)
    text = _fold(value)
    if text in lookup:
        return lookup[text]
    codes_ = [str(v) for v in choices.values]
    width = len(codes_[0]) if codes_ and all(c.isdigit() and len(c) == len(codes_[0]) for c in codes_) else 0
    if text.isdigit() and width and len(text) < width and text.zfill(width) in lookup:
        return lookup[text.zfill(width)]  # Excel dropped the leading zero: 2 for 02
    # A code with its name: 02户主, 02-户主, 户主(02)
    match = re.fullmatch(r"([0-9]+)[-_.、:]?(\D.*)", text) or re.fullmatch(r"(\D.*?)\(([0-9]+)\)", text)
    if match:
        code, name = match.groups() if match.group(1).isdigit() else reversed(match.groups())
        if code in lookup and lookup.get(name) == lookup[code]:
            return lookup[code]
    raise CellError(
        _("%(value)s is not one of this column's values (the sheet 说明 of the template lists them).")
        % {"value": str(value).strip()}
    )


_READERS: dict[str, Callable] = {
    "key": read_key,
    "id": read_id,
    "name": read_name,
    "text": read_text,
    "phone": read_phone,
    "division": read_division,
    "village": read_village,
    "date": read_date,
    "bool": read_bool,
    "amount": read_amount,
    "area": read_area,
    "certificate": read_certificate,
    "system": read_system,
}


def read_cell(column: Column, value):
    """The value of one cell, None when blank; CellError when it cannot be read."""
    if _is_blank(value):
        return None
    if column.kind == "choice":
        return read_choice(value, column.choices)
    return _READERS[column.kind](value)


_MEMO_LIMIT = 20_000


def cell_reader(column: Column) -> Callable:
    """read_cell for one column, remembering what it made of each value it met: a code, a yes/no
    or a date column holds few distinct values, a file of 100 k rows the same ones again and again."""
    if column.kind == "choice":
        choices = column.choices

        def read(value):
            return read_choice(value, choices)
    else:
        read = _READERS[column.kind]
    if column.kind not in ("choice", "bool", "date", "division", "village", "text"):

        def plain(value):
            return None if _is_blank(value) else read(value)

        return plain
    memo: dict = {}

    def remembered(value):
        if value is None:
            return None
        try:
            outcome = memo[value]
        except KeyError:
            if _is_blank(value):
                outcome = (True, None)
            else:
                try:
                    outcome = (True, read(value))
                except CellError as error:
                    outcome = (False, str(error))
            if len(memo) < _MEMO_LIMIT:
                memo[value] = outcome
        if outcome[0]:
            return outcome[1]
        raise CellError(outcome[1])

    return remembered


# --- reading a file --------------------------------------------------------------------------------


class FileError(Exception):
    """The file as a whole cannot be imported (not a spreadsheet, no header …)."""


def sniff_spreadsheet(head: bytes, filename: str) -> str:
    """'.xlsx' or '.csv' for an accepted file; ValidationError in plain words otherwise."""
    suffix = Path(filename or "").suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return ".xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(
            {
                "file": _(
                    "This is an old Excel file (.xls): open it in Excel or WPS, save it "
                    "as .xlsx, and import that."
                )
            }
        )
    if suffix in (".csv", ".txt") and b"\x00" not in head.lstrip(b"\xff\xfe"):
        return ".csv"
    if suffix in (".csv", ".txt") and head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ".csv"
    raise ValidationError({"file": _("Only Excel (.xlsx) and CSV files can be imported.")})


def _xlsx_rows(path: Path) -> tuple[Iterator[tuple], list[str]]:
    """The first sheet's rows (not 说明's), and the names of the other sheets, which are not read.

    python-calamine (Rust) when it is installed reads 100 k rows in a second or two; openpyxl's
    read-only mode, the fallback, takes half a minute."""
    try:
        import python_calamine
    except ImportError:
        return _openpyxl_rows(path)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own error types for a damaged file
        raise FileError(_("The file cannot be read as an Excel workbook: save it again as .xlsx.")) from error
    names = [n for n in workbook.sheet_names if n.strip() != NOTES_SHEET] or workbook.sheet_names
    if not names:
        raise FileError(_("The workbook has no sheet."))
    # skip_empty_area=False: the grid from A1, so that row numbers are those the user sees.
    grid = workbook.get_sheet_by_name(names[0]).to_python(skip_empty_area=False)

    def rows():
        for row in grid:
            yield tuple(None if value == "" else value for value in row)

    return rows(), names[1:]


def _openpyxl_rows(path: Path) -> tuple[Iterator[tuple], list[str]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileError(_("The file cannot be read as an Excel workbook: save it again as .xlsx.")) from error
    sheets = [ws for ws in workbook.worksheets if ws.title.strip() != NOTES_SHEET] or workbook.worksheets
    if not sheets:
        raise FileError(_("The workbook has no sheet."))
    sheet = sheets[0]
    # A workbook written by some programs claims a size (A1:A1) smaller than its data.
    sheet.reset_dimensions()

    def rows():
        try:
            yield from sheet.iter_rows(values_only=True)
        finally:
            workbook.close()

    return rows(), [ws.title for ws in sheets[1:]]


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # what Chinese Excel and WPS save a CSV in (GBK is a subset)
    except UnicodeDecodeError:
        raise FileError(_("The CSV file is neither UTF-8 nor GBK text: save it again from Excel.")) from None


def _csv_rows(path: Path) -> Iterator[tuple]:
    text = _decode(path.read_bytes())
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield tuple(row)


@dataclass
class Sheet:
    headers: list[str]  # each column's header as written (for the returned file)
    columns: dict[int, Column]  # position → the column it is
    rows: Iterator[tuple[int, tuple]]  # (row number as the user sees it, cells as written)
    ignored: list[str] = field(default_factory=list)  # headers not understood, ignored
    other_sheets: list[str] = field(default_factory=list)


def _cell_text(value) -> str:
    return "" if _is_blank(value) else str(value).strip()


def _header_candidates(buffered: list[tuple]) -> tuple[int, dict[int, Column], list[str]]:
    """The header row: the one (with the row above it, for cells of a two-row merged header)
    whose cells name the most known columns."""
    best = (-1, {}, [])
    for index, row in enumerate(buffered):
        above = buffered[index - 1] if index else ()
        # The row above is the top of a two-row header if it names a column itself (a title does not).
        above_is_header = any(match_header(_cell_text(cell)) for cell in above if not _is_blank(cell))
        matched: dict[int, Column] = {}
        texts: list[str] = []
        for position in range(max(len(row), len(above))):
            own = row[position] if position < len(row) else None
            upper = above[position] if position < len(above) else None
            text = _cell_text(own)
            column = match_header(text) if text else None
            if not text and not _is_blank(upper):
                # A header cell merged down from the row above (not a title spanning the sheet).
                above_column = match_header(_cell_text(upper))
                if above_is_header or above_column is not None:
                    text, column = _cell_text(upper), above_column
            texts.append(text)
            if column is not None and column not in matched.values():
                matched[position] = column
        if len(matched) > len(best[1]):
            best = (index, matched, texts)
    return best


def read_sheet(path: Path) -> Sheet:
    """Find the header and the columns; the data rows come lazily. FileError if none found."""
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(8)
    other_sheets: list[str] = []
    if head.startswith(b"PK\x03\x04"):
        source, other_sheets = _xlsx_rows(path)
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError(
            _("This is an old Excel file (.xls): open it in Excel or WPS, save it as .xlsx, and import that.")
        )
    else:
        source = _csv_rows(path)
    source = iter(source)
    buffered = []
    for _row in range(HEADER_SCAN_ROWS):
        try:
            buffered.append(tuple(next(source)))
        except StopIteration:
            break
    index, columns, texts = _header_candidates(buffered)
    found = {column.field for column in columns.values()}
    missing = [
        c.header
        for c in COLUMNS
        if c.part == PERSON and c.field in ("name", "id_number") and c.field not in found
    ]
    if index < 0 or missing:
        raise FileError(
            _("No header row was found: the sheet needs the columns %(columns)s (see the template).")
            % {"columns": "、".join(f"「{name}」" for name in missing or ["姓名", "身份证号"])}
        )
    ignored = []
    seen_positions = set(columns)
    for position, text in enumerate(texts):
        if position not in seen_positions and text and not _is_ignored_header(text):
            ignored.append(text)

    def rows() -> Iterator[tuple[int, tuple]]:
        # Row numbers as the user sees them: the buffered rows were rows 1 … len(buffered).
        yield from enumerate(buffered[index + 1 :], start=index + 2)
        for number, row in enumerate(source, start=len(buffered) + 1):
            yield number, tuple(row)

    return Sheet(headers=texts, columns=columns, rows=rows(), ignored=ignored, other_sheets=other_sheets)


# --- rows and households ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Known:
    """A registered person, as far as matching needs."""

    pk: int
    id_number: str
    area_id: str


class Row:
    __slots__ = (
        "number",
        "cells",
        "key",
        "head_id",
        "id_number",
        "id18",
        "system_id",
        "errors",
        "values",
        "person",
        "implied_head",
    )

    def __init__(self, number: int, cells: tuple):
        self.number, self.cells = number, cells
        self.key = ""
        self.head_id = None  # 18-character number, or a Masked
        self.id_number = None  # as written, normalised (15 or 18), or a Masked
        self.id18 = None
        self.system_id = None
        self.errors: list[str] = []
        self.values: dict[str, dict] = {}
        self.person: _Known | None = None  # the registered person it is, once matched
        self.implied_head = False  # the relation was left blank on the row 户主身份证号 names

    def get(self, part: str, name: str, default=None):
        return self.values.get(part, {}).get(name, default)


@dataclass
class Group:
    """One household's rows."""

    key: str
    rows: list[Row]
    errors: list[str] = field(default_factory=list)  # about the household as a whole
    household_id: int | None = None
    head: Row | None = None
    head_id: str | None = None  # a registered head named in 户主身份证号 but not among the rows
    values: dict[str, dict] = field(default_factory=dict)  # HOUSEHOLD and PERIOD values, merged

    @property
    def rejected(self) -> bool:
        return bool(self.errors) or any(row.errors for row in self.rows)

    def label(self) -> str:
        numbers = [row.number for row in self.rows]
        if len(numbers) == 1:
            return _("row %(row)s") % {"row": numbers[0]}
        return _("rows %(first)s–%(last)s") % {"first": min(numbers), "last": max(numbers)}


def _error(column: Column | str, message: str) -> str:
    header = column.header if isinstance(column, Column) else column
    return _("%(column)s: %(message)s") % {"column": header, "message": message}


def _is_empty_row(cells: tuple) -> bool:
    return not any(value is not None and (value.__class__ is not str or value.strip()) for value in cells)


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected_households: int = 0
    rejected_rows: int = 0
    warnings: list[str] = field(default_factory=list)
    rejected: list[Group] = field(default_factory=list)


class Importer:
    """One file's rows, grouped into households and applied batch by batch."""

    def __init__(
        self,
        *,
        actor: User,
        sheet: Sheet,
        progress: Callable[[int, Outcome], None] | None = None,
        batch_households: int = BATCH_HOUSEHOLDS,
    ):
        self.actor, self.sheet, self.progress = actor, sheet, progress
        self.batch_households = batch_households
        self.by_field = {(c.part, c.field): p for p, c in sheet.columns.items()}
        self.readers = {p: cell_reader(c) for p, c in sheet.columns.items()}
        self.row_readers = [
            (p, c, self.readers[p])
            for p, c in sheet.columns.items()
            if c.part not in (KEY, SYSTEM) and (c.part, c.field) != (PERSON, "id_number")
        ]
        self.outcome = Outcome()
        self.rows: list[Row] = []
        self.groups: list[Group] = []

    # --- the first pass: every row's household and person -------------------------------------

    def _cell(self, row: Row, part: str, name: str):
        position = self.by_field.get((part, name))
        if position is None or position >= len(row.cells):
            return None
        return row.cells[position]

    def _read_key_cells(self, row: Row) -> None:
        for part, name, attribute in (
            (KEY, "household_key", "key"),
            (KEY, "head_id", "head_id"),
            (PERSON, "id_number", "id_number"),
            (SYSTEM, "person", "system_id"),
        ):
            position = self.by_field.get((part, name))
            if position is None:
                continue
            column = self.sheet.columns[position]
            try:
                value = self.readers[position](row.cells[position] if position < len(row.cells) else None)
            except CellError as error:
                row.errors.append(_error(column, str(error)))
                continue
            if attribute == "head_id" and isinstance(value, tuple):
                value = value[1]
            if attribute == "id_number" and isinstance(value, tuple):
                row.id18 = value[1]
            setattr(row, attribute, value)

    def load(self) -> int:
        """Read every data row, find each one's household; return the number of rows."""
        for number, cells in self.sheet.rows:
            if _is_empty_row(cells):
                continue
            row = Row(number, cells)
            self._read_key_cells(row)
            self.rows.append(row)
        self._group()
        return len(self.rows)

    def _group(self) -> None:
        # A row may name its household by number and another row of it by the head's ID number only.
        key_of_head = {}
        for row in self.rows:
            if row.key and isinstance(row.head_id, str):
                key_of_head.setdefault(row.head_id, row.key)
        groups: dict[str, Group] = {}
        for row in self.rows:
            if row.key:
                key = "k:" + row.key
            elif isinstance(row.head_id, str):
                key = "k:" + key_of_head[row.head_id] if row.head_id in key_of_head else "h:" + row.head_id
            else:
                key = f"r:{row.number}"
                if isinstance(row.head_id, Masked):
                    row.errors.append(
                        _("The head's ID number is masked: give the household number (户编号).")
                    )
                elif row.head_id is None and not row.errors:
                    row.errors.append(
                        _("Give the household number (户编号) or the head's ID number (户主身份证号).")
                    )
            groups.setdefault(key, Group(key=key, rows=[])).rows.append(row)
        self.groups = list(groups.values())
        # A person is in one household: the same person twice in the file cannot be read either way.
        for attribute, message in (
            ("id18", _("This ID number is also on row %(row)s: each person goes in the file once.")),
            ("system_id", _("This system number is also on row %(row)s: each person goes in the file once.")),
        ):
            first: dict = {}
            for row in self.rows:
                value = getattr(row, attribute)
                if value is None:
                    continue
                if value in first:
                    other = first[value]
                    row.errors.append(message % {"row": other.number})
                    if not any(str(row.number) in e for e in other.errors):
                        other.errors.append(message % {"row": row.number})
                else:
                    first[value] = row

    # --- the second pass: batch by batch -------------------------------------------------------

    def run(self) -> Outcome:
        done_rows = 0
        for start in range(0, len(self.groups), self.batch_households):
            batch = self.groups[start : start + self.batch_households]
            self._process(batch)
            done_rows += sum(len(g.rows) for g in batch)
            for group in batch:
                if group.rejected:
                    self.outcome.rejected.append(group)
                    self.outcome.rejected_households += 1
                    self.outcome.rejected_rows += len(group.rows)
                    for row in group.rows:
                        row.values = {}  # what was read is no longer needed: the cells are kept
                else:
                    for row in group.rows:
                        row.cells = ()
                        row.values = {}
            if self.progress:
                self.progress(done_rows, self.outcome)
        return self.outcome

    def _process(self, batch: list[Group]) -> None:
        for group in batch:
            for row in group.rows:
                self._read_row(row)
            self._check_group(group)
        live = [g for g in batch if not g.rejected]
        divisions = self._check_divisions(live)
        self._match(live)
        new = [
            g
            for g in live
            if not g.rejected and g.household_id is None and not any(row.person for row in g.rows)
        ]
        self._create(new, divisions)
        new_keys = {g.key for g in new}
        registered = [g for g in live if not g.rejected and g.key not in new_keys]
        state = _State.load([g.household_id for g in registered if g.household_id])
        for group in registered:
            if group.household_id:
                try:
                    _HouseholdUpdate(self, group, divisions, state).apply()
                except _Changed:
                    pass
                except _Rejected:
                    continue
                else:
                    self.outcome.unchanged += 1
                    continue
            self._apply_through_services(group, divisions)

    def _read_row(self, row: Row) -> None:
        values: dict[str, dict] = {}
        cells, width = row.cells, len(row.cells)
        for position, column, read in self.row_readers:
            cell = cells[position] if position < width else None
            if cell is None:
                continue
            try:
                value = read(cell)
            except CellError as error:
                row.errors.append(_error(column, str(error)))
                continue
            if value is not None:
                part = values.get(column.part)
                if part is None:
                    part = values[column.part] = {}
                part[column.field] = value
        if row.id_number is not None:
            number = row.id_number[0] if isinstance(row.id_number, tuple) else row.id_number
            values.setdefault(PERSON, {})["id_number"] = number
        row.values = values

    def _check_group(self, group: Group) -> None:
        rows = group.rows
        # The household's own values: once, or the same on every row that gives them.
        for part in (HOUSEHOLD, PERIOD):
            first: dict[str, tuple] = {}
            for row in rows:
                for name, value in row.values.get(part, {}).items():
                    seen = first.get(name)
                    if seen is None:
                        first[name] = (value, row)
                    elif value != seen[0]:
                        row.errors.append(
                            _error(
                                self._column(part, name),
                                _(
                                    "Row %(row)s gives another value for the same household: give it once, "
                                    "or the same on every row."
                                )
                                % {"row": seen[1].number},
                            )
                        )
            group.values[part] = {name: value for name, (value, _row) in first.items()}
        heads = {row.head_id for row in rows if isinstance(row.head_id, str)}
        if len(heads) > 1:
            group.errors.append(_("The rows of this household name different heads (户主身份证号)."))
        head_id = next(iter(heads)) if len(heads) == 1 else None
        for row in rows:
            relation = row.get(MEMBER, "relation")
            if head_id and row.id18 == head_id:
                if relation is None:
                    row.values.setdefault(MEMBER, {})["relation"] = codes.Relation.HEAD
                    row.implied_head = True
                elif relation not in codes.HEAD_RELATIONS:
                    row.errors.append(
                        _(
                            "This person's ID number is the head's (户主身份证号), but the relation "
                            "to the head says otherwise."
                        )
                    )
        marked = [row for row in rows if row.get(MEMBER, "relation") in codes.HEAD_RELATIONS]
        if len(marked) > 1:
            numbers = "、".join(str(row.number) for row in marked)
            for row in marked:
                row.errors.append(
                    _("A household has one head: rows %(rows)s are all marked as head.") % {"rows": numbers}
                )
        group.head = marked[0] if marked else None
        if head_id and group.head is None and not any(row.id18 == head_id for row in rows):
            group.head_id = head_id  # the head is registered, not in the file: matched later
        start, end = self._period(group)
        if start and end and end < start:
            group.errors.append(_("The income period ends before it starts."))

    @staticmethod
    def _household_values(group: Group, part: str = HOUSEHOLD) -> dict:
        """The household's values of `part` as its rows give them (a copy, to complete)."""
        return dict(group.values.get(part, {}))

    def _period(self, group: Group) -> tuple:
        period = self._household_values(group, PERIOD)
        return period.get("period_start"), period.get("period_end")

    def _check_divisions(self, groups: list[Group]) -> dict[str, Division]:
        wanted = set()
        for group in groups:
            for row in group.rows:
                for part, name in (
                    (HOUSEHOLD, "village"),
                    (PERSON, "hukou_division"),
                    (PERSON, "residence_division"),
                ):
                    if (code := row.get(part, name)) is not None:
                        wanted.add(code)
        divisions = Division.objects.in_bulk(wanted) if wanted else {}
        for group in groups:
            for row in group.rows:
                village = row.get(HOUSEHOLD, "village")
                if village is not None:
                    division = divisions.get(village)
                    if division is None or division.level != DivisionLevel.VILLAGE:
                        row.errors.append(
                            _error(
                                self._column(HOUSEHOLD, "village"),
                                _("There is no village or community with code %(code)s.") % {"code": village},
                            )
                        )
                for name in ("hukou_division", "residence_division"):
                    code = row.get(PERSON, name)
                    if code is not None and code not in divisions:
                        row.errors.append(
                            _error(
                                self._column(PERSON, name),
                                _("There is no division with code %(code)s.") % {"code": code},
                            )
                        )
        return divisions

    @staticmethod
    def _column(part: str, name: str) -> Column:
        return COLUMN_OF[(part, name)]

    # --- who is registered already --------------------------------------------------------------

    def _match(self, groups: list[Group]) -> None:
        numbers, system_ids = set(), set()
        for group in groups:
            for row in group.rows:
                if row.id18:
                    numbers.add(row.id18)
                if row.system_id is not None:
                    system_ids.add(row.system_id)
            if group.head_id:
                numbers.add(group.head_id)
        if not numbers and not system_ids:
            return
        # Who they are and where, no more: the few that change are read whole by the services.
        fields = ("pk", "id_number", "area_id")
        people = [
            _Known(*values) for values in Person.objects.filter(id_number__in=numbers).values_list(*fields)
        ]
        if system_ids:
            people += [
                _Known(*values) for values in Person.objects.filter(pk__in=system_ids).values_list(*fields)
            ]
        by_number = {p.id_number: p for p in people}
        by_pk = {p.pk: p for p in people}
        current = dict(
            Membership.objects.filter(person_id__in=by_pk, left_on__isnull=True).values_list(
                "person_id", "household_id"
            )
        )
        outside = _(
            "This household is registered outside your area (不在您的辖区): it cannot be changed from here."
        )
        for group in groups:
            households = set()
            for row in group.rows:
                person = by_number.get(row.id18) if row.id18 else None
                if row.system_id is not None:
                    known = by_pk.get(row.system_id)
                    if known is None or not in_scope(self.actor, known.area_id):
                        row.errors.append(
                            _error(
                                self._column(SYSTEM, "person"),
                                _("There is no person with this system number in your area."),
                            )
                        )
                        continue
                    same = (
                        isinstance(row.id_number, Masked)
                        and row.id_number.text == mask_id_number(known.id_number)
                    ) or (row.id18 == known.id_number)
                    if not same:
                        row.errors.append(
                            _error(
                                self._column(SYSTEM, "person"),
                                _(
                                    "The system number and the ID number are not the same person: for a new "
                                    "person leave the system number blank."
                                ),
                            )
                        )
                        continue
                    person = known
                elif isinstance(row.id_number, Masked):
                    row.errors.append(
                        _error(
                            self._column(PERSON, "id_number"),
                            _("The ID number is masked (has *): give the whole number."),
                        )
                    )
                    continue
                if person is None:
                    continue
                if not in_scope(self.actor, person.area_id):
                    if outside not in group.errors:
                        group.errors.append(outside)
                    continue
                row.person = person
                if person.pk in current:
                    households.add(current[person.pk])
            head_id = group.head_id
            if head_id and head_id in by_number:
                head = by_number[head_id]
                if not in_scope(self.actor, head.area_id):
                    if outside not in group.errors:
                        group.errors.append(outside)
                elif head.pk in current:
                    households.add(current[head.pk])
            elif head_id:
                group.errors.append(
                    _(
                        "The head (户主身份证号) is not among the rows of the household and not "
                        "registered either."
                    )
                )
            if len(households) > 1:
                group.errors.append(
                    _(
                        "These people belong to different registered households: move them in the "
                        "system first, or import them as separate households."
                    )
                )
            elif households:
                group.household_id = households.pop()

    # --- new households, in bulk ---------------------------------------------------------------------

    def _new_household_errors(self, group: Group, divisions: dict) -> None:
        household = self._household_values(group)
        first = group.rows[0]
        for name in ("village", "address"):
            if household.get(name) is None:
                column = self._column(HOUSEHOLD, name)
                first.errors.append(_error(column, _("A new household needs this.")))
        village = household.get("village")
        if village and village in divisions and not in_scope(self.actor, village):
            first.errors.append(
                _error(
                    self._column(HOUSEHOLD, "village"),
                    _("The village %(code)s is outside your area.") % {"code": village},
                )
            )
        if group.head is None:
            group.errors.append(
                _(
                    "No row is the head of household: mark the head's relation 户主 (or name the "
                    "head in 户主身份证号)."
                )
            )
        has_income = any(row.values.get(INCOME) for row in group.rows)
        start, end = self._period(group)
        if has_income and not (start and end):
            group.errors.append(
                _("Income is given: give the income period too (收入起始日期 and 收入截止日期).")
            )
        for row in group.rows:
            if row.id18 is None and not row.errors:
                row.errors.append(_error(self._column(PERSON, "id_number"), _("Give the ID number.")))
            if row.get(PERSON, "name") is None:
                row.errors.append(_error(self._column(PERSON, "name"), _("Give the name.")))
            if row.get(MEMBER, "relation") is None:
                row.errors.append(
                    _error(self._column(MEMBER, "relation"), _("Give the relation to the head of household."))
                )
            for name in ("phone", "disability_cert_no", "birth_date"):
                if isinstance(row.get(PERSON, name), Masked):
                    row.errors.append(
                        _error(
                            self._column(PERSON, name),
                            _("A masked value (with *) cannot be stored: give the whole value."),
                        )
                    )
        if isinstance(household.get("phone"), Masked):
            first.errors.append(
                _error(
                    self._column(HOUSEHOLD, "phone"),
                    _("A masked value (with *) cannot be stored: give the whole value."),
                )
            )

    def _person_values(self, row: Row, household: dict, village: str) -> dict:
        person = {name: value for name, value in row.values.get(PERSON, {}).items()}
        person["id_number"] = row.id18
        person.setdefault("hukou_division", village)
        person.setdefault("residence_division", village)
        person.setdefault("address", household.get("address", ""))
        person.setdefault("urban_rural", household["urban_rural"])
        if isinstance(row.id_number, tuple) and len(row.id_number[0]) == 15:
            person["id_note"] = _("Converted from an old 15-digit number.")
        return person

    def _member_values(self, row: Row) -> dict:
        member = dict(row.values.get(MEMBER, {}))
        if member.get("exclusion"):
            member["co_living"] = False
        member.setdefault("co_living", True)
        member.setdefault("exclusion", "")
        return member

    def _record(self, group: Group, divisions: dict):
        """The household as bulk.household_bulk_create takes it, and where each of its parts came
        from ({"members": [row …], "income": [(row, column) …], "assets": …}) to place its errors."""
        from safetynet.registry import bulk

        household = self._household_values(group)
        village = household["village"]
        household.setdefault("urban_rural", divisions[village].urban_rural_default or UrbanRural.RURAL)
        ordered = [group.head] + [row for row in group.rows if row is not group.head]
        members, income, assets = [], [], []
        sources = {"members": ordered, "income": [], "assets": []}
        start, end = self._period(group)
        for index, row in enumerate(ordered):
            members.append(self._person_values(row, household, village) | self._member_values(row))
            for category, amount in row.values.get(INCOME, {}).items():
                if amount:
                    income.append(
                        {
                            "member_index": index,
                            "category": category,
                            "amount": amount,
                            "period_start": start,
                            "period_end": end,
                        }
                    )
                    sources["income"].append((row, self._column(INCOME, category)))
            for asset_type, value in row.values.get(ASSET, {}).items():
                if value:
                    assets.append({"member_index": index, "asset_type": asset_type, "value": value})
                    sources["assets"].append((row, self._column(ASSET, asset_type)))
        record = bulk.HouseholdRecord(
            key=group.key, household=household, members=members, income=income, assets=assets, expenses=[]
        )
        return record, sources

    def _create(self, groups: list[Group], divisions: dict) -> None:
        for group in groups:
            self._new_household_errors(group, divisions)
        ready = [g for g in groups if not g.rejected]
        if not ready:
            return
        from safetynet.registry import bulk

        by_key = {g.key: g for g in ready}
        records, sources = [], {}
        for group in ready:
            record, sources[group.key] = self._record(group, divisions)
            records.append(record)
        result = bulk.household_bulk_create(actor=self.actor, records=records, batch_size=max(len(ready), 1))
        for key, errors in result.rejected:
            self._place_bulk_errors(by_key[key], sources[key], errors)
        for key, warning in result.warnings:
            group = by_key.get(key)
            where = group.label() if group else key
            self.outcome.warnings.append(f"{where}: {warning}")
        self.outcome.created += sum(1 for g in ready if not g.rejected)

    _BULK_KEY = re.compile(r"(members|income|assets)\[([0-9]+)\](?:\.(\w+))?|household(?:\.(\w+))?")

    def _place_bulk_errors(self, group: Group, sources: dict, errors: dict) -> None:
        """Put each of bulk's errors ("members[2].id_number": […]) on the row it is about."""
        placed = False
        for key, texts in errors.items():
            match = self._BULK_KEY.fullmatch(str(key))
            row, header = None, ""
            if match and match.group(1) == "members":
                index, name = int(match.group(2)), match.group(3) or ""
                if index < len(sources["members"]):
                    row, header = sources["members"][index], self._header_of(name, None)
            elif match and match.group(1) in ("income", "assets"):
                index = int(match.group(2))
                if index < len(sources[match.group(1)]):
                    row, column = sources[match.group(1)][index]
                    header = column.header
            elif match:
                header = self._header_of(match.group(4) or "", HOUSEHOLD)
                row = next((r for r in group.rows if any(r.values.get(HOUSEHOLD, {}))), group.rows[0])
            for text in texts:
                message = _error(header, str(text)) if header else str(text)
                (row.errors if row is not None else group.errors).append(message)
                placed = True
        if not placed:
            group.errors.append(_("The household could not be stored."))

    @staticmethod
    def _header_of(name: str, part: str | None = None) -> str:
        """The column header of a field named in a service's message ('members.1.id_number' too)."""
        field_name = str(name).rsplit(".", 1)[-1]
        parts = (part,) if part else (PERSON, MEMBER, HOUSEHOLD, PERIOD)
        for column in COLUMNS:
            if column.field == field_name and column.part in parts:
                return column.header
        return ""

    # --- registered households, through the services ------------------------------------------------

    def _apply_through_services(self, group: Group, divisions: dict) -> None:
        """Compare with what is registered; change only what differs, all of it or none of it."""
        try:
            with transaction.atomic():
                changed = _HouseholdUpdate(self, group, divisions).apply()
        except _Rejected:
            return
        if changed:
            self.outcome.updated += 1 if group.household_id else 0
            self.outcome.created += 0 if group.household_id else 1
        else:
            self.outcome.unchanged += 1


class _Rejected(Exception):
    """Raised inside a household's transaction to roll it back; the reasons are on its rows."""


def _service_messages(error: Exception, part: str) -> list[str]:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            messages = []
            for name, texts in error.message_dict.items():
                header = Importer._header_of(name, part) if name != "__all__" else ""
                messages += [_error(header, text) if header else text for text in texts]
            return messages
        return list(error.messages)
    return [str(error)]


class _Changed(Exception):
    """A dry run found something to change: the household goes through the services."""


@dataclass
class _State:
    """What a batch's registered households hold now, read in a handful of queries."""

    households: dict[int, Household]
    members: dict[int, dict[int, Membership]]
    income: dict[int, dict[tuple, list[IncomeItem]]]  # household → (person, category) → items
    assets: dict[int, dict[tuple, list[AssetItem]]]

    @classmethod
    def load(cls, household_ids: list[int]) -> "_State":
        """Plain values (SimpleNamespace rows, not model instances: a re-import of 100 k rows
        compares 100 k people, and building models would be most of its time)."""
        members = defaultdict(dict)
        income, assets = defaultdict(lambda: defaultdict(list)), defaultdict(lambda: defaultdict(list))
        if not household_ids:
            return cls({}, members, income, assets)
        person_fields = [
            name + "_id" if name.endswith("_division") else name for name in PERSON_IMPORT_FIELDS
        ]
        rows = Membership.objects.filter(household_id__in=household_ids, left_on__isnull=True).values_list(
            "pk",
            "household_id",
            "person_id",
            "relation",
            "co_living",
            "exclusion",
            *(f"person__{name}" for name in person_fields),
        )
        for pk, household_id, person_id, relation, co_living, exclusion, *values in rows:
            person = SimpleNamespace(pk=person_id, **dict(zip(person_fields, values, strict=True)))
            members[household_id][person_id] = SimpleNamespace(
                pk=pk,
                person_id=person_id,
                person=person,
                relation=relation,
                co_living=co_living,
                exclusion=exclusion,
            )
        for pk, household_id, person_id, category, amount, start, end in IncomeItem.objects.filter(
            household_id__in=household_ids,
            excluded=False,
            category__in=INCOME_CATEGORIES,
        ).values_list("pk", "household_id", "person_id", "category", "amount", "period_start", "period_end"):
            income[household_id][(person_id, category)].append(
                SimpleNamespace(pk=pk, amount=amount, period_start=start, period_end=end)
            )
        for pk, household_id, person_id, asset_type, value in AssetItem.objects.filter(
            household_id__in=household_ids,
            exempt=False,
            asset_type__in=ASSET_TYPES,
        ).values_list("pk", "household_id", "person_id", "asset_type", "value"):
            assets[household_id][(person_id, asset_type)].append(SimpleNamespace(pk=pk, value=value))
        household_fields = ["village_id", *[name for name in HOUSEHOLD_IMPORT_FIELDS if name != "village"]]
        households = {
            values[0]: SimpleNamespace(pk=values[0], **dict(zip(household_fields, values[1:], strict=True)))
            for values in Household.objects.filter(pk__in=household_ids).values_list("pk", *household_fields)
        }
        return cls(households, members, income, assets)


class _HouseholdUpdate:
    """One registered (or partly registered) household against its rows in the file.

    With `state` it is a dry run over what the batch read: it raises _Changed at the first
    difference, _Rejected (the reasons on the rows) for what cannot be read, and returns when the
    household is unchanged — which is most of a re-import, and costs no query of its own.
    """

    def __init__(self, importer: Importer, group: Group, divisions: dict, state: _State | None = None):
        self.importer, self.actor, self.group, self.divisions = importer, importer.actor, group, divisions
        self.state = state
        self.changed = False

    def _run(self, row: Row, part: str, call: Callable):
        if self.state is not None:
            raise _Changed()
        try:
            result = call()
        except (ValidationError, PermissionDenied, ConflictError) as error:
            row.errors.extend(_service_messages(error, part))
            raise _Rejected() from error
        self.changed = True
        return result

    def apply(self) -> bool:
        group = self.group
        if self.state is not None:
            household = self.state.households.get(group.household_id)
            if household is None:  # gone since the batch was matched
                raise _Changed()
        elif group.household_id:
            household = (
                Household.objects.select_for_update().select_related("village").get(pk=group.household_id)
            )
        else:
            household = None
        if household is not None and not in_scope(self.actor, household.village_id):
            group.errors.append(
                _(
                    "This household is registered outside your area (不在您的辖区): it cannot be "
                    "changed from here."
                )
            )
            raise _Rejected()
        values = Importer._household_values(group)
        if household is None:
            household = self._create_household(values)
        else:
            self._update_household(household, values)
        if self.state is not None:
            members = self.state.members.get(household.pk, {})
        else:
            members = {
                m.person_id: m
                for m in Membership.objects.filter(household=household, left_on__isnull=True).select_related(
                    "person"
                )
            }
        promotions = []
        for row in group.rows:
            if row.person is not None and row.person.pk in members:
                self._update_person(row, members[row.person.pk].person)
                promotions += self._update_membership(row, members[row.person.pk], demote_only=True)
        for row in group.rows:
            if row.person is None or row.person.pk not in members:
                if row is group.head:
                    continue
                self._add_member(row, household)
        for row, membership in promotions:
            self._update_membership(row, membership, demote_only=False)
        head = group.head
        head_missing = head is not None and (head.person is None or head.person.pk not in members)
        if (
            head_missing
            and not Membership.objects.filter(
                household=household, person__id_number=group.head.id18, left_on__isnull=True
            ).exists()
        ):
            self._add_member(group.head, household)
        self._update_items(household)
        return self.changed

    # households

    def _create_household(self, values: dict) -> Household:
        """A household whose people are (partly) registered without one: the services create it."""
        group = self.group
        self.importer._new_household_errors(group, self.divisions)
        if group.rejected:
            raise _Rejected()
        head = group.head
        village = self.divisions[values["village"]]
        data = {name: value for name, value in values.items() if name != "village"} | {"village": village}
        data.setdefault("urban_rural", village.urban_rural_default or UrbanRural.RURAL)
        relation = head.get(MEMBER, "relation")
        if head.person is None:
            person_data = self._new_person_data(head, data)
            household, _warnings = self._run(
                head,
                PERSON,
                lambda: services.household_create_with_new_head(
                    actor=self.actor, data=data, head_data=person_data, head_relation=relation
                ),
            )
        else:
            self._update_person(head, Person.objects.get(pk=head.person.pk))
            person = Person.objects.get(pk=head.person.pk)
            household = self._run(
                head,
                HOUSEHOLD,
                lambda: services.household_create(
                    actor=self.actor,
                    data=data,
                    head=person,
                    head_relation=relation,
                    joined_on=head.get(MEMBER, "joined_on"),
                ),
            )
        return household

    def _update_household(self, household: Household, values: dict) -> None:
        changes = {}
        for name, value in values.items():
            if name == "village":
                if value != household.village_id:
                    changes["village"] = self.divisions[value]
                continue
            if isinstance(value, Masked):
                if value.text != mask_phone(household.phone):
                    self._masked_changed(self.group.rows[0], HOUSEHOLD, name)
                continue
            if getattr(household, name) != value:
                changes[name] = value
        if changes:
            row = next(
                (r for r in self.group.rows if any(r.get(HOUSEHOLD, n) is not None for n in changes)),
                self.group.rows[0],
            )
            self._run(
                row,
                HOUSEHOLD,
                lambda: services.household_update(
                    actor=self.actor, household=household, version=None, data=changes
                ),
            )

    def _masked_changed(self, row: Row, part: str, name: str):
        row.errors.append(
            _error(
                self.importer._column(part, name),
                _(
                    "A masked value (with *) cannot be read: leave it as the export wrote it, or give the "
                    "whole value."
                ),
            )
        )
        raise _Rejected()

    # people and members

    _MASKS = {"phone": mask_phone, "disability_cert_no": mask_certificate}

    def _update_person(self, row: Row, person: Person) -> None:
        changes = {}
        for name, value in row.values.get(PERSON, {}).items():
            if name == "id_number":
                continue  # matched by it: the same
            if isinstance(value, Masked):
                if name == "birth_date":
                    continue  # masked as a role that may not see it sees it: not given
                if value.text != self._MASKS[name](getattr(person, name)):
                    self._masked_changed(row, PERSON, name)
                continue
            current = (
                getattr(person, name + "_id")
                if name in ("hukou_division", "residence_division")
                else (getattr(person, name))
            )
            if current != value:
                changes[name] = self.divisions[value] if name.endswith("_division") else value
        if changes:
            self._run(
                row,
                PERSON,
                lambda: services.person_update(actor=self.actor, person=person, version=None, data=changes),
            )

    def _update_membership(self, row: Row, membership: Membership, *, demote_only: bool) -> list:
        wanted = dict(row.values.get(MEMBER, {}))
        if row.implied_head and membership.relation in codes.HEAD_RELATIONS:
            wanted.pop("relation")  # 本人 or 户主: the head either way, as registered
        changes = {}
        for name in ("relation", "co_living", "exclusion"):
            if name in wanted and wanted[name] != getattr(membership, name):
                changes[name] = wanted[name]
        if wanted.get("exclusion"):
            if membership.co_living:
                changes["co_living"] = False
        elif wanted.get("co_living") is True and membership.exclusion:
            changes["exclusion"] = ""
        if not changes:
            return []
        becomes_head = changes.get("relation") in codes.HEAD_RELATIONS and membership.relation not in (
            codes.HEAD_RELATIONS
        )
        if demote_only and becomes_head:
            return [(row, membership)]  # after the old head has stepped down
        self._run(
            row,
            MEMBER,
            lambda: services.member_update(
                actor=self.actor, membership=membership, version=None, data=changes
            ),
        )
        return []

    def _new_person_data(self, row: Row, household_data: dict) -> dict:
        village = household_data["village"]
        person = {name: value for name, value in row.values.get(PERSON, {}).items()}
        person["id_number"] = row.id_number[0] if isinstance(row.id_number, tuple) else row.id_number
        for name in ("hukou_division", "residence_division"):
            person[name] = self.divisions[person[name]] if name in person else village
        person.setdefault("address", household_data.get("address", ""))
        person.setdefault("urban_rural", household_data.get("urban_rural") or village.urban_rural_default)
        return person

    def _add_member(self, row: Row, household: Household) -> None:
        member = self.importer._member_values(row)
        if row.get(MEMBER, "relation") is None:
            row.errors.append(
                _error(
                    self.importer._column(MEMBER, "relation"),
                    _("Give the relation to the head of household."),
                )
            )
            raise _Rejected()
        arguments = {
            "relation": member["relation"],
            "co_living": member["co_living"],
            "exclusion": member["exclusion"],
            "joined_on": member.get("joined_on"),
        }
        if self.state is not None and row.person is not None:
            raise _Changed()
        if row.person is not None:
            self._update_person(row, Person.objects.get(pk=row.person.pk))
            person = Person.objects.get(pk=row.person.pk)
            self._run(
                row,
                MEMBER,
                lambda: services.member_add(
                    actor=self.actor, household=household, person=person, **arguments
                ),
            )
            return
        if row.get(PERSON, "name") is None:
            row.errors.append(_error(self.importer._column(PERSON, "name"), _("Give the name.")))
            raise _Rejected()
        for name in ("phone", "disability_cert_no", "birth_date"):
            if isinstance(row.get(PERSON, name), Masked):
                self._masked_changed(row, PERSON, name)
        if self.state is not None:
            raise _Changed()
        data = self._new_person_data(
            row,
            {
                "village": household.village,
                "address": household.address,
                "urban_rural": household.urban_rural,
            },
        )
        self._run(
            row,
            PERSON,
            lambda: services.member_add_new_person(
                actor=self.actor, household=household, person_data=data, **arguments
            ),
        )

    # income and assets

    def _update_items(self, household: Household) -> None:
        group = self.group
        start, end = self.importer._period(group)
        wanted_income = [
            (row, category, amount)
            for row in group.rows
            for category, amount in row.values.get(INCOME, {}).items()
        ]
        wanted_assets = [
            (row, kind, value) for row in group.rows for kind, value in row.values.get(ASSET, {}).items()
        ]
        if not wanted_income and not wanted_assets:
            return
        # The people as registered now (members just added included: a dry run has none).
        person_of = {
            row.number: row.person or Person.objects.only("id").filter(id_number=row.id18).first()
            for row in group.rows
        }
        if self.state is not None:
            income, assets = self.state.income.get(household.pk, {}), self.state.assets.get(household.pk, {})
        else:
            income, assets = defaultdict(list), defaultdict(list)
            for item in IncomeItem.objects.filter(
                household=household, excluded=False, category__in=INCOME_CATEGORIES
            ):
                income[(item.person_id, item.category)].append(item)
            for item in AssetItem.objects.filter(
                household=household, exempt=False, asset_type__in=ASSET_TYPES
            ):
                assets[(item.person_id, item.asset_type)].append(item)
        for row, category, amount in wanted_income:
            person = person_of.get(row.number)
            if person is None:
                continue
            items = income.get((person.pk, category), [])
            self._item(
                row,
                items,
                amount,
                "amount",
                {"period_start": start, "period_end": end},
                create=lambda p=person, c=category, a=amount: services.income_item_create(
                    actor=self.actor,
                    household=household,
                    data={"person": p, "category": c, "amount": a, "period_start": start, "period_end": end},
                ),
                update=services.income_item_update,
                column=(INCOME, category),
            )
        for row, asset_type, value in wanted_assets:
            person = person_of.get(row.number)
            if person is None:
                continue
            items = assets.get((person.pk, asset_type), [])
            self._item(
                row,
                items,
                value,
                "value",
                {},
                create=lambda p=person, t=asset_type, v=value: services.asset_item_create(
                    actor=self.actor, household=household, data={"person": p, "asset_type": t, "value": v}
                ),
                update=services.asset_item_update,
                column=(ASSET, asset_type),
            )

    def _item(
        self,
        row: Row,
        items: list,
        amount: Decimal,
        amount_field: str,
        period: dict,
        *,
        create,
        update,
        column,
    ) -> None:
        given_period = {k: v for k, v in period.items() if v is not None}
        if len(items) > 1:
            same = sum(getattr(i, amount_field) for i in items) == amount and all(
                getattr(i, k) == v for i in items for k, v in given_period.items()
            )
            if not same:
                row.errors.append(
                    _error(
                        self.importer._column(*column),
                        _(
                            "This person has several records of this kind: change them one by one in the "
                            "system."
                        ),
                    )
                )
                raise _Rejected()
            return
        if not items:
            if not amount:
                return
            if period and len(given_period) < 2:
                row.errors.append(
                    _("Income is given: give the income period too (收入起始日期 and 收入截止日期).")
                )
                raise _Rejected()
            self._run(row, INCOME, create)
            return
        item = items[0]
        changes = {k: v for k, v in given_period.items() if getattr(item, k) != v}
        if getattr(item, amount_field) != amount:
            changes[amount_field] = amount
        if changes:
            self._run(row, INCOME, lambda: update(actor=self.actor, item=item, version=None, data=changes))


# --- the returned file -------------------------------------------------------------------------------


def _row_reason(group: Group, row: Row) -> str:
    reasons = list(group.errors) + list(row.errors)
    if reasons:
        return "；".join(dict.fromkeys(reasons))
    bad = [str(r.number) for r in group.rows if r.errors]
    return (
        _("Another row of this household (row %(rows)s) has an error: the household is returned whole.")
        % {"rows": "、".join(bad)}
        if bad
        else _("The household is returned whole.")
    )


def rejected_workbook(headers: list[str], groups: list[Group], out) -> None:
    """Every rejected row as written, the reason first (so it is seen), ready to correct and import."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = 60
    width = max([len(headers)] + [len(row.cells) for g in groups for row in g.rows])
    sheet.append([ERROR_HEADER, ROW_HEADER, *headers, *[""] * (width - len(headers))])
    rows = sorted(((row.number, group, row) for group in groups for row in group.rows), key=lambda t: t[0])
    for number, group, row in rows:
        sheet.append([_row_reason(group, row), number, *row.cells])
    workbook.save(out)


# --- the job -------------------------------------------------------------------------------------------


def import_start(*, actor: User, upload: UploadedFile) -> ImportJob:
    """Store an uploaded spreadsheet and queue its import (once the upload is committed).

    ValidationError (key "file") for what is no spreadsheet; PermissionDenied for a role that
    cannot change the registry.
    """
    from safetynet.registry import tasks

    if not rules.may_write_registry(actor):
        raise PermissionDenied(_("Your role cannot change registry records."))
    if not upload or upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationError(
            {
                "file": _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": round(upload.size / 1048576, 1), "limit": MAX_IMPORT_BYTES // 1048576}
            }
        )
    upload.seek(0)
    extension = sniff_spreadsheet(upload.read(8), upload.name or "")
    upload.seek(0)
    job = ImportJob(created_by=actor, original_name=(upload.name or f"import{extension}")[-200:])
    with transaction.atomic():
        job.file.save(f"upload{extension}", upload, save=False)
        try:
            job.save()
        except Exception:
            job.file.delete(save=False)
            raise
        transaction.on_commit(lambda: tasks.import_households.enqueue(job.pk))
    return job


def _save_progress(job: ImportJob, **values) -> None:
    # One short UPDATE: staff writing meanwhile wait for a moment at most.
    for name, value in values.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**values)


def _counts(outcome: Outcome) -> dict:
    return {
        "created_households": outcome.created,
        "updated_households": outcome.updated,
        "unchanged_households": outcome.unchanged,
        "rejected_households": outcome.rejected_households,
        "rejected_rows": outcome.rejected_rows,
    }


def _summary(sheet: Sheet | None, outcome: Outcome) -> str:
    lines = []
    if sheet and sheet.ignored:
        lines.append(
            _("Columns not understood, ignored: %(columns)s.")
            % {"columns": "、".join(f"「{name}」" for name in sheet.ignored)}
        )
    if sheet and sheet.other_sheets:
        lines.append(
            _("Only the first sheet was read; these sheets were not: %(sheets)s.")
            % {"sheets": "、".join(sheet.other_sheets)}
        )
    if outcome.warnings:
        lines.append(_("Warnings (%(count)s):") % {"count": len(outcome.warnings)})
        lines += outcome.warnings[:50]
    return "\n".join(lines)


def run_import(job: ImportJob) -> ImportJob:
    """Do the import of `job` now, in this process; return the job with its counts.

    Every batch of households commits on its own, so staff keep working while it runs; the job
    row carries the progress. A file that cannot be read fails the job with the reason.
    """
    job = ImportJob.objects.select_related("created_by").get(pk=job.pk)
    with translation.override(settings.LANGUAGE_CODE):
        _save_progress(job, status=ImportJob.Status.RUNNING, started_at=timezone.now(), processed_rows=0)
        sheet = None
        try:
            sheet = read_sheet(Path(job.file.path))
            importer = Importer(
                actor=job.created_by,
                sheet=sheet,
                progress=lambda done, outcome: _save_progress(job, processed_rows=done, **_counts(outcome)),
            )
            total = importer.load()
            _save_progress(job, total_rows=total)
            outcome = importer.run()
            if outcome.rejected:
                buffer = io.BytesIO()
                rejected_workbook(sheet.headers, outcome.rejected, buffer)
                stem = Path(job.original_name).stem[:80] or "import"
                job.rejected_file.save(f"{stem}-rejected.xlsx", ContentFile(buffer.getvalue()), save=False)
            _save_progress(
                job,
                status=ImportJob.Status.FINISHED,
                finished_at=timezone.now(),
                processed_rows=total,
                rejected_file=job.rejected_file.name or "",
                message=_summary(sheet, outcome),
                **_counts(outcome),
            )
        except FileError as error:
            _save_progress(
                job, status=ImportJob.Status.FAILED, finished_at=timezone.now(), message=str(error)
            )
        except Exception:
            logger.exception("import %s failed", job.pk)
            _save_progress(
                job,
                status=ImportJob.Status.FAILED,
                finished_at=timezone.now(),
                message=_(
                    "The import stopped on an unexpected error. Households stored before it stay stored; "
                    "import the file again to finish (what is stored already will not change)."
                ),
            )
    return job


# --- reading jobs on a user's behalf ----------------------------------------------------------------


def import_job_list(*, actor: User) -> QuerySet[ImportJob]:
    """Jobs the actor may see: their own, and those of staff inside the actor's area."""
    if not rules.may_read_registry(actor):
        raise PermissionDenied(_("Your role has no access to the registry."))
    return ImportJob.objects.filter(
        Q(created_by=actor) | scope_q(actor, "created_by__division_id")
    ).select_related("created_by")


def import_job_get(*, actor: User, pk: int) -> ImportJob:
    return import_job_list(actor=actor).get(pk=pk)


def may_download_rejected(actor: User, job: ImportJob) -> bool:
    """The returned file holds whole ID numbers as the uploader typed them: for the uploader, and
    for roles that may see whole numbers in the uploader's area."""
    return job.created_by_id == actor.pk or may_unmask(actor, job.created_by.division_id)


# --- the template --------------------------------------------------------------------------------------


def _values_note(column: Column) -> str:
    if column.choices is None:
        return ""
    return "；".join(f"{value} {choice_label(column.choices, value)}" for value in column.choices.values)


def template_workbook(out) -> None:
    """The empty template: the data sheet with its headers (ID and code columns formatted as text),
    and 说明 explaining every column and its values."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for position, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=position, value=column.header)
        cell.font, cell.fill = bold, fill
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = column.width
        if column.kind not in ("date", "amount", "area", "bool"):
            for row in range(2, 1002):  # text, so Excel keeps ID numbers and leading zeros as typed
                sheet.cell(row=row, column=position).number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(NOTES_SHEET)
    notes.append(["列名", "是否必填", "说明", "可填写的值（代码 名称，填代码或名称均可）"])
    for cell in notes[1]:
        cell.font, cell.fill = bold, fill
    for column in COLUMNS:
        notes.append([column.header, column.required, column.note, _values_note(column)])
    notes.append([])
    for line in TEMPLATE_RULES:
        notes.append([line])
    for letter, width in zip("ABCD", (22, 10, 60, 80), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(out)


TEMPLATE_RULES = [
    "填写规则：",
    "1. 每人一行；同一户的各行填同一个「户编号」（或同一个「户主身份证号」）。"
    "各列次序不限，表头上方可以有标题行。",
    "2. 以户为单位导入：一户中只要有一行有错，整户不导入，连同错误原因退回；改正后可再次导入。",
    "3. 本户的信息（村/社区代码、住址、取暖方式等）填在任意一行即可；几行都填的必须一致。",
    "4. 日期可写作 1950-01-01、1950年1月1日、1950/1/1 或 19500101；金额可带“元”和千位分隔符，如 1,234.50元。",
    "5. 已登记的家庭（按身份证号认出）：填了的值与系统不同的才修改，并记入该户的变更记录；空白单元格不修改；"
    "表中没有的成员不会被移出。再次导入同一个文件不会改动任何数据。",
    "6. 导出的表格中身份证号、电话被遮盖（带*号）的，原样保留即表示不修改。",
    "7. 不在您辖区的家庭不能导入或修改。",
]


def template_csv() -> bytes:
    """The template's header row as CSV, UTF-8 with a BOM so that Excel opens it in Chinese."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([column.header for column in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")
