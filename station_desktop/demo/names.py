"""Name stock for demo residents and staff.

Tibetan given names are listed with their standard Tibetan spelling and the Chinese
transliteration most used in Lhasa household registers. Tibetans have no family names; a
person usually carries two given names (བཀྲ་ཤིས་ཚེ་རིང་ / 扎西次仁), sometimes one. The last
name usually tells the sex (…སྒྲོལ་མ་ / …卓玛 is a woman); many names are used for both.

Han names are a surname plus a given name; a few use rare characters (堃, 喆, 䶮, 𠀋)
because real registers do, and every screen, search key and printout must cope with them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

Sex = Literal["male", "female"]


@dataclass(frozen=True)
class GivenName:
    bo: str
    zh: str
    sex: Sex | None  # None: used for both
    leads_any: bool = False  # a gendered name that still opens names of the other sex


TIBETAN_NAMES: tuple[GivenName, ...] = (
    # Used for both sexes; the day names (ཉི་མ་ Sunday … སྤེན་པ་ Saturday) are the day of birth.
    GivenName("ཚེ་རིང་", "次仁", None),
    GivenName("བསོད་ནམས་", "索朗", None),
    GivenName("ཚེ་དབང་", "次旺", None),
    GivenName("པདྨ་", "白玛", None),
    GivenName("དཔལ་ལྡན་", "白丹", None),
    GivenName("ཉི་མ་", "尼玛", None),
    GivenName("ཟླ་བ་", "达瓦", None),
    GivenName("མིག་དམར་", "米玛", None),
    GivenName("ལྷག་པ་", "拉巴", None),
    GivenName("ཕུར་བུ་", "普布", None),
    GivenName("པ་སངས་", "巴桑", None),
    GivenName("སྤེན་པ་", "边巴", None),
    GivenName("ཡེ་ཤེས་", "益西", None),
    GivenName("ཀུན་བཟང་", "贡桑", None),
    GivenName("ཕུན་ཚོགས་", "平措", None),
    GivenName("སྐལ་བཟང་", "格桑", None),
    # Men's names (བཀྲ་ཤིས་ also opens women's names: བཀྲ་ཤིས་སྒྲོལ་མ་ 扎西卓玛).
    GivenName("བཀྲ་ཤིས་", "扎西", "male", leads_any=True),
    GivenName("རྡོ་རྗེ་", "多吉", "male"),
    GivenName("ནོར་བུ་", "罗布", "male"),
    GivenName("བསམ་གྲུབ་", "桑珠", "male"),
    GivenName("དབང་འདུས་", "旺堆", "male"),
    GivenName("བསྟན་འཛིན་", "丹增", "male"),
    GivenName("རྣམ་རྒྱལ་", "朗杰", "male"),
    GivenName("དོན་གྲུབ་", "顿珠", "male"),
    GivenName("འཇིགས་མེད་", "晋美", "male"),
    GivenName("བློ་བཟང་", "洛桑", "male"),
    GivenName("ཚེ་བརྟན་", "次旦", "male"),
    GivenName("གྲགས་པ་", "扎巴", "male"),
    GivenName("འཕྲིན་ལས་", "赤列", "male"),
    # Women's names.
    GivenName("སྒྲོལ་མ་", "卓玛", "female"),
    GivenName("བདེ་སྐྱིད་", "德吉", "female"),
    GivenName("ལྷ་མོ་", "拉姆", "female"),
    GivenName("དབང་མོ་", "旺姆", "female"),
    GivenName("ཆོས་སྒྲོན་", "曲珍", "female"),
    GivenName("ལྷ་སྒྲོན་", "拉珍", "female"),
    GivenName("དབྱངས་ཅན་", "央金", "female"),
    GivenName("ཡང་འཛོམས་", "央宗", "female"),
    GivenName("སྒྲོལ་དཀར་", "卓嘎", "female"),
    GivenName("དབྱངས་སྒྲོན་", "央珍", "female"),
    GivenName("མེ་ཏོག་", "美朵", "female"),
    GivenName("ཆོས་སྐྱིད་", "曲吉", "female"),
)

HAN_SURNAMES: tuple[str, ...] = (
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "高",
    "林",
    "罗",
    "郑",
    "梁",
    "谢",
    "宋",
    "唐",
    "韩",
    "冯",
    "邓",
    "曹",
    "彭",
)
HUI_SURNAMES: tuple[str, ...] = ("马", "丁", "白", "杨", "韩", "海", "沙")

# Given names by sex and generation (names follow fashions: 建国 and 秀英 are grandparents).
HAN_GIVEN: dict[tuple[Sex, bool], tuple[str, ...]] = {
    ("male", True): ("建国", "国庆", "建华", "志强", "德明", "永福", "建军", "卫东", "海"),
    ("male", False): (
        "伟",
        "强",
        "磊",
        "洋",
        "勇",
        "杰",
        "涛",
        "鹏",
        "浩",
        "宇航",
        "子轩",
        "喆",
        "堃",
        "俊杰",
        "博文",
    ),
    ("female", True): ("秀英", "桂英", "淑珍", "玉兰", "凤英", "秀兰", "丽华", "桂兰"),
    ("female", False): (
        "丽",
        "静",
        "敏",
        "燕",
        "娟",
        "霞",
        "婷",
        "芳",
        "雪梅",
        "欣怡",
        "梓涵",
        "雨萱",
        "佳琪",
    ),
}
# Rare characters in given names (䶮: CJK Ext. A; 𠀋: Ext. B, outside the BMP).
HAN_RARE_GIVEN: dict[Sex, tuple[str, ...]] = {
    "male": ("䶮", "𠀋", "子堃", "一喆"),
    "female": ("𠀋", "䶮", "婧堃"),
}
OLD_GENERATION_BEFORE = 1975


@dataclass(frozen=True)
class PersonName:
    bo: str
    zh: str


def tibetan_name(rng: random.Random, sex: Sex, *, parts: int | None = None) -> PersonName:
    """A Tibetan name (both scripts) that fits `sex`: usually two given names, sometimes one."""
    count = parts if parts is not None else (2 if rng.random() < 0.78 else 1)
    last = rng.choice(_LAST_CHOICES[sex])
    if count == 1:
        return PersonName(last.bo, last.zh)
    first = rng.choice(_FIRST_CHOICES[sex])
    while first is last:
        first = rng.choice(_FIRST_CHOICES[sex])
    return PersonName(first.bo + last.bo, first.zh + last.zh)


def han_name(
    rng: random.Random,
    sex: Sex,
    birth_year: int,
    *,
    surname: str | None = None,
    hui: bool = False,
) -> str:
    family = surname or rng.choice(HUI_SURNAMES if hui else HAN_SURNAMES)
    if rng.random() < 0.04:
        given = rng.choice(HAN_RARE_GIVEN[sex])
    else:
        given = rng.choice(HAN_GIVEN[(sex, birth_year < OLD_GENERATION_BEFORE)])
    return family + given


def han_surname(rng: random.Random, *, hui: bool = False) -> str:
    return rng.choice(HUI_SURNAMES if hui else HAN_SURNAMES)


def _fits(name: GivenName, sex: Sex) -> bool:
    return name.sex is None or name.sex == sex


SEXES: tuple[Sex, ...] = ("male", "female")
# A name ends in a name of the person's sex or a shared one; it may open with any name
# that fits, or with one that `leads_any`.
_LAST_CHOICES: dict[Sex, tuple[GivenName, ...]] = {
    sex: tuple(n for n in TIBETAN_NAMES if _fits(n, sex)) for sex in SEXES
}
_FIRST_CHOICES: dict[Sex, tuple[GivenName, ...]] = {
    sex: tuple(n for n in TIBETAN_NAMES if _fits(n, sex) or n.leads_any) for sex in SEXES
}


@dataclass(frozen=True)
class StaffName:
    bo: str
    zh: str
    sex: Sex


# Staff of the demo stations: bilingual Tibetan social workers, both scripts.
STAFF_NAMES: tuple[StaffName, ...] = (
    StaffName("བསོད་ནམས་སྒྲོལ་མ་", "索朗卓玛", "female"),
    StaffName("བཀྲ་ཤིས་རྡོ་རྗེ་", "扎西多吉", "male"),
    StaffName("ཚེ་རིང་ལྷ་མོ་", "次仁拉姆", "female"),
    StaffName("ནོར་བུ་ཚེ་རིང་", "罗布次仁", "male"),
    StaffName("བདེ་སྐྱིད་ཡང་འཛོམས་", "德吉央宗", "female"),
    StaffName("ཉི་མ་དོན་གྲུབ་", "尼玛顿珠", "male"),
    StaffName("ཟླ་བ་ཆོས་སྒྲོན་", "达瓦曲珍", "female"),
    StaffName("པ་སངས་ནོར་བུ་", "巴桑罗布", "male"),
    StaffName("ལྷག་པ་སྒྲོལ་དཀར་", "拉巴卓嘎", "female"),
    StaffName("བསྟན་འཛིན་ཉི་མ་", "丹增尼玛", "male"),
    StaffName("ཕུར་བུ་དབང་མོ་", "普布旺姆", "female"),
    StaffName("མིག་དམར་ཚེ་བརྟན་", "米玛次旦", "male"),
    StaffName("དབྱངས་ཅན་སྒྲོལ་མ་", "央金卓玛", "female"),
    StaffName("བློ་བཟང་བསམ་གྲུབ་", "洛桑桑珠", "male"),
    StaffName("སྤེན་པ་ལྷ་སྒྲོན་", "边巴拉珍", "female"),
    StaffName("ཚེ་དབང་རྣམ་རྒྱལ་", "次旺朗杰", "male"),
    StaffName("ཀུན་བཟང་བདེ་སྐྱིད་", "贡桑德吉", "female"),
    StaffName("འཕྲིན་ལས་ཕུན་ཚོགས་", "赤列平措", "male"),
    StaffName("སྐལ་བཟང་དབྱངས་སྒྲོན་", "格桑央珍", "female"),
    StaffName("དཔལ་ལྡན་བཀྲ་ཤིས་", "白丹扎西", "male"),
    StaffName("པདྨ་ཆོས་སྐྱིད་", "白玛曲吉", "female"),
    StaffName("ཡེ་ཤེས་དབང་འདུས་", "益西旺堆", "male"),
    StaffName("ཟླ་བ་མེ་ཏོག་", "达瓦美朵", "female"),
    StaffName("ཉི་མ་འཇིགས་མེད་", "尼玛晋美", "male"),
    StaffName("ལྷག་པ་བདེ་སྐྱིད་", "拉巴德吉", "female"),
    StaffName("ཕུར་བུ་གྲགས་པ་", "普布扎巴", "male"),
    StaffName("བསོད་ནམས་དབང་མོ་", "索朗旺姆", "female"),
    StaffName("ཚེ་རིང་བསྟན་འཛིན་", "次仁丹增", "male"),
    StaffName("པ་སངས་ཆོས་སྒྲོན་", "巴桑曲珍", "female"),
    StaffName("ཚེ་བརྟན་ནོར་བུ་", "次旦罗布", "male"),
    StaffName("ཡང་འཛོམས་ལྷ་མོ་", "央宗拉姆", "female"),
    StaffName("དོན་གྲུབ་ཚེ་དབང་", "顿珠次旺", "male"),
    StaffName("བདེ་སྐྱིད་སྒྲོལ་མ་", "德吉卓玛", "female"),
    StaffName("བསམ་གྲུབ་ཉི་མ་", "桑珠尼玛", "male"),
    StaffName("ལྷ་སྒྲོན་ཡང་འཛོམས་", "拉珍央宗", "female"),
    StaffName("རྡོ་རྗེ་ཚེ་རིང་", "多吉次仁", "male"),
    StaffName("ཆོས་སྐྱིད་དབང་མོ་", "曲吉旺姆", "female"),
    StaffName("བཀྲ་ཤིས་ཕུན་ཚོགས་", "扎西平措", "male"),
    StaffName("མེ་ཏོག་སྒྲོལ་མ་", "美朵卓玛", "female"),
    StaffName("རྣམ་རྒྱལ་དོན་གྲུབ་", "朗杰顿珠", "male"),
)
