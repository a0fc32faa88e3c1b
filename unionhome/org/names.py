"""Pinyin keys for Chinese names: sorting by pinyin and finding "zs" → 张三."""

from pypinyin import Style, lazy_pinyin, pinyin

# Surnames read differently from the same characters in ordinary words (曾经 céng, but 曾 Zēng as a
# surname). A name starts with its surname, so these readings apply to a name's first characters.
SURNAME_READINGS = {
    "万俟": ["mo", "qi"],
    "尉迟": ["yu", "chi"],
    "长孙": ["zhang", "sun"],
    "单于": ["chan", "yu"],
    "曾": ["zeng"],
    "单": ["shan"],
    "覃": ["qin"],
    "解": ["xie"],
    "仇": ["qiu"],
    "朴": ["piao"],
    "区": ["ou"],
    "查": ["zha"],
    "盖": ["ge"],
    "乐": ["yue"],
    "繁": ["po"],
    "员": ["yun"],
    "种": ["chong"],
    "缪": ["miao"],
    "翟": ["zhai"],
    "召": ["shao"],
    "秘": ["bi"],
    "宓": ["fu"],
    "阚": ["kan"],
    "相": ["xiang"],
    "句": ["gou"],
    "寻": ["xun"],
    "厍": ["she"],
    "沈": ["shen"],
    "任": ["ren"],
    "华": ["hua"],
    "石": ["shi"],
    "柏": ["bai"],
    "蕃": ["pi"],
    "折": ["she"],
}


def _surname(name: str) -> tuple[str, list[str]]:
    for length in (2, 1):
        if name[:length] in SURNAME_READINGS:
            return name[:length], SURNAME_READINGS[name[:length]]
    return "", []


def _readings(name: str) -> list[str]:
    surname, readings = _surname(name)
    return readings + lazy_pinyin(name[len(surname) :], style=Style.NORMAL, errors="default")


def pinyin_key(name: str) -> str:
    """Full toneless pinyin, lower case, no separators: 张三 → "zhangsan", 曾小贤 → "zengxiaoxian"."""
    return "".join(_readings(name)).lower()[:200]


def pinyin_initials(name: str) -> str:
    """Initial letters: 张三 → "zs", 曾小贤 → "zxx"."""
    return "".join(reading[:1] for reading in _readings(name) if reading).lower()[:50]


def unambiguous_pinyin_prefix(text: str) -> str | None:
    """The pinyin every name starting with ``text`` must have, when each character has one reading.

    张 → "zhang" (a name starting with 张 has a pinyin key starting with "zhang"); 曾 (zeng/ceng) or
    any non-Chinese character → None. Lets a name search also narrow by the pinyin sort key, whose
    index the directory already walks.
    """
    if not text or not all("\u4e00" <= ch <= "\u9fff" for ch in text):
        return None
    surname, known = _surname(text)
    rest = text[len(surname) :]
    readings = pinyin(rest, style=Style.NORMAL, heteronym=True) if rest else []
    if len(readings) != len(rest) or any(len({r.lower() for r in options}) != 1 for options in readings):
        return None
    return "".join(known + [options[0].lower() for options in readings])
