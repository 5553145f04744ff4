"""The demo city's fixed facts: Linyi's county-level units, 低保 standards, the mix of households the
bureau knows, and the names people and villages are drawn from."""

import datetime
import itertools

from safetynet.core.ids import SEX_FEMALE, SEX_MALE

# Everything the households hold is dated by the demo clock (core.demo.DemoClock: `--as-of`). The
# logins' names alone are drawn against the day of the Linyi briefing, so that a seed gives the same
# logins whatever the clock.
BRIEFING_DATE = datetime.date(2022, 12, 16)
# A recent applicant applied within this many days of the clock: open work, not years overdue.
RECENT_APPLICATION_DAYS = 45
# Half the standing caseload was entered in the registry's first year (2022), the rest since.
FIRST_YEAR_SHARE = 0.5
CITY_CODE = "3713"

# Linyi's 13 county-level units: short pinyin for user names, name, approximate 2020 census population
# (thousands; SPEC §2.1 gives ≈ 11 M in all) and the address code their people's ID numbers carry
# when first issued before 1994 (临沂地区, 3728xx; the urban units were 临沂市, 372801).
COUNTIES = {
    "371302": ("lanshan", "兰山区", 1440, "372801"),
    "371311": ("luozhuang", "罗庄区", 610, "372801"),
    "371312": ("hedong", "河东区", 720, "372801"),
    "371321": ("yinan", "沂南县", 800, "372832"),
    "371322": ("tancheng", "郯城县", 870, "372822"),
    "371323": ("yishui", "沂水县", 1000, "372827"),
    "371324": ("lanling", "兰陵县", 1160, "372823"),  # 苍山县 until 2014
    "371325": ("feixian", "费县", 780, "372831"),
    "371326": ("pingyi", "平邑县", 880, "372830"),
    "371327": ("junan", "莒南县", 850, "372824"),
    "371328": ("mengyin", "蒙阴县", 480, "372829"),
    "371329": ("linshu", "临沭县", 580, "372833"),
    "371371": ("gaoxin", "临沂高新技术产业开发区", 200, "372801"),
}
# 371371 is a statistical code, not in GB/T 2260: the police never issued numbers with it. The
# zone's two townships were carved out of 罗庄区, whose code its people carry.
ID_ADDRESS_CODE = {"371371": "371311"}
DISTRICTS = {"371302", "371311", "371312", "371371"}

# 2022 低保 standards, yuan per person per month (SPEC §6.8): urban in districts and zones, urban
# in counties, rural.
STANDARD_URBAN_DISTRICT = 730
STANDARD_URBAN_COUNTY = 700
STANDARD_RURAL = 545

# The build's SQLite page cache (core.batch.large_page_cache): the indexes of a million households.
DEMO_CACHE_MB = 2048
HOUSEHOLDS_PER_TOWNSHIP = 12
HOUSEHOLDS_PER_VILLAGE = 6

# Who the bureau knows, by urban/rural (weights): 特困 persons, 低保 households, 低保边缘,
# monitored (large medical costs, new disability) and recent applicants.
KIND_WEIGHTS = {
    "rural": {"tekun": 26, "dibao": 52, "edge": 10, "monitored": 8, "applicant": 4},
    "urban": {"tekun": 10, "dibao": 55, "edge": 15, "monitored": 12, "applicant": 8},
}
# The household structures each kind has, and its counted income as a share of the standard.
KIND_STRUCTURES = {
    "tekun": ({"elderly_alone": 80, "disabled_alone": 20}, (0.0, 0.6)),
    "dibao": ({"elderly_alone": 15, "elderly_couple": 22, "family_ill": 22, "three_generations": 12,
               "single_parent": 11, "disabled_with_parents": 10, "grandparents": 8}, (0.15, 0.9)),
    "edge": ({"family_ill": 35, "elderly_couple": 25, "three_generations": 20, "single_parent": 20},
             (1.0, 1.45)),
    "monitored": ({"family_ill": 50, "three_generations": 20, "elderly_couple": 15,
                   "disabled_with_parents": 15}, (0.9, 2.2)),
    "applicant": ({"elderly_alone": 15, "elderly_couple": 20, "family_ill": 25, "single_parent": 20,
                   "disabled_with_parents": 10, "grandparents": 10}, (0.4, 1.3)),
}


def _words(text: str) -> list[str]:
    return text.split()


# Common surnames (weights roughly as in Shandong), with some the pinyin tables get wrong (曾 zeng,
# 单 shan, 仇 qiu) and Linyi's own (颜, 厉, 诸葛 from 沂水 诸葛镇).
SURNAMES = {
    "王": 75, "张": 65, "李": 60, "刘": 55, "陈": 25, "杨": 25, "赵": 20, "黄": 10, "周": 15, "吴": 10,
    "徐": 20, "孙": 25, "胡": 8, "朱": 12, "高": 15, "林": 8, "何": 5, "郭": 10, "马": 12, "罗": 4,
    "杜": 10, "宋": 10, "孟": 8, "颜": 4, "鲁": 4, "庄": 5, "厉": 2, "褚": 2, "于": 12, "丁": 8,
    "魏": 8, "石": 7, "韩": 8, "曹": 7, "薛": 6, "田": 6, "葛": 4, "侯": 4, "姜": 8, "崔": 5,
    "曾": 3, "单": 3, "仇": 2, "诸葛": 1,
}
_SURNAME_LIST, _SURNAME_CUMULATIVE = list(SURNAMES), list(itertools.accumulate(SURNAMES.values()))

# Given names by generation and sex: names follow fashions.
GIVEN_NAMES = {
    ("old", SEX_MALE): _words("建国 国庆 德胜 富贵 长山 玉山 树林 庆祥 守信 传友 兆明 洪亮 学文 振华 "
                              "开山 宝田 永福 秀山 来福 培元 凤岐 广田 成林 立春 志刚 明德 殿臣 家和 "
                              "绍文 金 山 林 海 福 贵 忠"),
    ("old", SEX_FEMALE): _words("桂兰 秀英 玉兰 凤英 淑珍 桂英 秀兰 玉梅 素芳 翠花 兰英 凤兰 秀云 玉珍 春花 "
                                "金兰 秀芝 桂芝 玉芬 淑兰 荣 英 兰 芳 秀 梅 花"),
    ("mid", SEX_MALE): _words("伟 磊 军 勇 强 涛 斌 明 刚 杰 建华 晓东 志强 海波 国栋 永刚 红军 建军 卫东 "
                              "文涛 立新 宏伟 新民 庆华 俊峰 学军 洪涛 振宇 成龙 德华"),
    ("mid", SEX_FEMALE): _words("红梅 丽娟 海燕 静 丽 艳 芳 娟 敏 霞 丽丽 晓燕 春燕 秀梅 玉红 美玲 雪梅 桂香 "
                                "爱华 红霞 文静 小红 慧 晓丽 彩霞 凤霞 翠萍"),
    ("young", SEX_MALE): _words("子涵 梓轩 浩然 宇航 俊杰 一鸣 博文 家豪 子豪 浩宇 天佑 明轩 思源 睿 泽 "
                                "晨 航 鑫 鹏 昊天 锦程 文博 子墨 宇轩 皓轩"),
    ("young", SEX_FEMALE): _words("欣怡 雨桐 一诺 佳琪 思雨 梓涵 诗涵 可馨 雨欣 子萱 若曦 语嫣 欣然 婷 悦 雪 "
                                  "琳 佳怡 梦瑶 紫涵 思琪 晨曦 雅琪"),
}

VILLAGE_PLACE_WORDS = _words("庄 村 沟 岭 湖 洼 屯 楼 埠 疃 峪 河 官庄 店")
VILLAGE_PREFIXES = _words("东 西 南 北 前 后 大 小 上 下")
VILLAGE_NATURE = _words("石 柳 杏 桃 枣 槐 松 杨 高 黄 青 白 马 龙 凤 沂 蒙")
VILLAGE_LAND = _words("山 岭 沟 峪 泉 河 湖 庄 园 坡 庄子 崖")
COMMUNITY_NAMES = _words(
    "东关 西关 南关 北关 新华 振兴 和平 文化 滨河 沂河 银河 府前 解放 人民 花园 金雀 育才 书院 九曲 北园 "
    "南坊 翠湖 明珠 锦绣 阳光 幸福 康乐 沂州 琅琊 兰亭 温泉 开元 春晖 荷花 朝阳 新村 长安 建设 胜利 工业 "
    "华夏 东方 平安 永安 和谐 丰收 站前 中心 光明 东苑 西苑 南苑 北苑 桃园 李园 梨园 凤凰 鑫源"
)

MOBILE_PREFIXES = [*range(130, 140), 150, 151, 152, 153, 155, 156, 157, 158, 159, *range(180, 190)]

SERIOUS_ILLNESSES = ["02", "02", "08", "08", "09", "10", "01", "03", "07"]

