"""Pinyin keys for Chinese names: sorting by pinyin and finding "zs" → 张三."""

from pypinyin import Style, lazy_pinyin


def pinyin_key(name: str) -> str:
    """Full toneless pinyin, lower case, no separators: 张三 → "zhangsan"."""
    return "".join(lazy_pinyin(name, style=Style.NORMAL, errors="default")).lower()[:200]


def pinyin_initials(name: str) -> str:
    """Initial letters: 张三 → "zs"."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")).lower()[:50]
