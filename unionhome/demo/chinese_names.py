"""Realistic Chinese personal names for demo data.

Surnames follow their national frequency (2020 census shares, in per cent of the population,
rounded; the long tail is folded into the listed ones). Given names have one or two characters;
one-character names are more common among people born before 1980, and the stock of characters
and whole given names shifts with the decade of birth and with gender, as it does in real rosters.
"""

import itertools
import random

# fmt: off
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.12), ("李", 7.00), ("张", 6.68), ("刘", 5.38), ("陈", 4.61), ("杨", 3.08), ("黄", 2.50),
    ("赵", 2.29), ("吴", 2.05), ("周", 1.92), ("徐", 1.59), ("孙", 1.50), ("马", 1.47), ("朱", 1.30),
    ("胡", 1.29), ("郭", 1.16), ("何", 1.13), ("林", 1.04), ("高", 1.03), ("罗", 1.00), ("郑", 0.85),
    ("梁", 0.83), ("谢", 0.74), ("宋", 0.63), ("唐", 0.63), ("许", 0.61), ("韩", 0.60), ("邓", 0.59),
    ("冯", 0.58), ("曹", 0.55), ("彭", 0.54), ("曾", 0.53), ("肖", 0.52), ("田", 0.46), ("董", 0.45),
    ("潘", 0.44), ("袁", 0.43), ("蔡", 0.42), ("蒋", 0.41), ("余", 0.41), ("于", 0.40), ("杜", 0.39),
    ("叶", 0.39), ("程", 0.36), ("魏", 0.35), ("苏", 0.35), ("吕", 0.34), ("丁", 0.33), ("任", 0.33),
    ("卢", 0.32), ("姚", 0.31), ("沈", 0.30), ("钟", 0.30), ("姜", 0.30), ("崔", 0.29), ("谭", 0.29),
    ("陆", 0.28), ("范", 0.27), ("汪", 0.27), ("廖", 0.26), ("石", 0.26), ("金", 0.25), ("韦", 0.25),
    ("贾", 0.24), ("夏", 0.24), ("付", 0.24), ("方", 0.23), ("邹", 0.23), ("熊", 0.22), ("白", 0.22),
    ("孟", 0.22), ("秦", 0.21), ("邱", 0.21), ("侯", 0.21), ("江", 0.21), ("尹", 0.20), ("薛", 0.19),
    ("闫", 0.19), ("段", 0.19), ("雷", 0.19), ("龙", 0.18), ("黎", 0.18), ("史", 0.18), ("陶", 0.17),
    ("贺", 0.17), ("毛", 0.16), ("郝", 0.16), ("顾", 0.16), ("龚", 0.15), ("邵", 0.15), ("万", 0.15),
    ("覃", 0.14), ("武", 0.14), ("钱", 0.14), ("戴", 0.13), ("严", 0.13), ("欧阳", 0.06), ("莫", 0.12),
    ("孔", 0.12), ("向", 0.12), ("汤", 0.12), ("易", 0.11), ("聂", 0.10), ("文", 0.10), ("司马", 0.01),
)
# fmt: on

# Characters and whole given names by gender and by era of birth (before 1980, 1980 and after).
_MALE_OLD = "伟强军勇刚平辉华明斌波建国林峰东海春立新永德志文兵杰涛红良忠庆祥福胜利贵"
_MALE_NEW = "磊超鹏飞鑫宇浩凯健俊帆旭宁龙洋阳亮成博毅锋坤昊然睿哲轩诚翔晖晨阳泽楠琦航"
_FEMALE_OLD = "芳秀英华兰梅红霞玲桂珍凤琴云丽艳萍娟敏静淑玉荣秋菊莲翠琼素"
_FEMALE_NEW = "娜婷雪琳晶颖倩洁莉蓉佳欣怡雯瑶璐琪悦露薇妍丹晓慧静敏蕾萌璇涵"

_WHOLE_MALE_OLD = ("建国", "建华", "国强", "志强", "建军", "卫东", "红兵", "海涛", "振华", "德明", "永刚", "立新")
_WHOLE_MALE_NEW = ("浩然", "子轩", "宇航", "俊杰", "博文", "志远", "思远", "一鸣", "家豪", "明轩", "晨阳", "天宇")
_WHOLE_FEMALE_OLD = ("秀英", "桂兰", "红梅", "丽华", "玉兰", "淑珍", "海燕", "小红", "春燕", "美玲", "晓红", "丽娟")
_WHOLE_FEMALE_NEW = ("欣怡", "梓涵", "诗涵", "雨桐", "婷婷", "佳琪", "思琪", "晓雪", "雅琴", "丹丹", "静怡", "梦瑶")

_SURNAME_VALUES = tuple(s for s, _ in SURNAMES)
_SURNAME_CUM = tuple(itertools.accumulate(w for _, w in SURNAMES))


def _pools(gender: str, birth_year: int) -> tuple[str, tuple[str, ...]]:
    old = birth_year < 1980
    if gender == "F":
        return (_FEMALE_OLD if old else _FEMALE_NEW), (_WHOLE_FEMALE_OLD if old else _WHOLE_FEMALE_NEW)
    return (_MALE_OLD if old else _MALE_NEW), (_WHOLE_MALE_OLD if old else _WHOLE_MALE_NEW)


def surname(rng: random.Random) -> str:
    """A surname drawn with its population frequency."""
    return rng.choices(_SURNAME_VALUES, cum_weights=_SURNAME_CUM)[0]


def given_name(rng: random.Random, gender: str, birth_year: int) -> str:
    """A one- or two-character given name fitting the gender ("M"/"F") and the decade of birth."""
    chars, whole = _pools(gender, birth_year)
    single_share = 0.28 if birth_year < 1980 else 0.12
    roll = rng.random()
    if roll < single_share:
        return rng.choice(chars)
    if roll < single_share + 0.25:
        return rng.choice(whole)
    first = rng.choice(chars)
    second = rng.choice(chars)
    while second == first:
        second = rng.choice(chars)
    return first + second


def full_name(rng: random.Random, gender: str, birth_year: int) -> str:
    """Surname followed by a given name, e.g. 王建国, 李欣怡, 欧阳敏."""
    return surname(rng) + given_name(rng, gender, birth_year)
