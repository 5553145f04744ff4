"""The import layout: one table of columns (the template, its 说明 sheet, the import and the
export all read it), the names clerks give them, and the code tables' names."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils import translation

from safetynet.core.types import UrbanRural
from safetynet.registry import codes

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
LISTS_SHEET = "下拉选项"  # the template's drop-down lists (hidden); like 说明, never read as data
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
BATCH_HOUSEHOLDS = 4000
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




def header_of(name: str, part: str | None = None) -> str:
    """The column header of a field named in a service's message ('members.1.id_number' too)."""
    field_name = str(name).rsplit(".", 1)[-1]
    parts = (part,) if part else (PERSON, MEMBER, HOUSEHOLD, PERIOD)
    for column in COLUMNS:
        if column.field == field_name and column.part in parts:
            return column.header
    return ""
