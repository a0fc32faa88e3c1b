"""The roster file's column layout, shared by the import, its template and the export.

The header names are part of the file format (what cadres type in Excel), so each column has a
fixed Chinese and English header plus common aliases; either language is accepted on import.
"""

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool
    help: str | Promise
    aliases: tuple[str, ...] = ()
    width: int = 14
    text: bool = False  # stored as text in the template, so Excel keeps leading zeros and all 18 digits

    def label(self, language: str | None) -> str:
        return self.zh if (language or "").lower().startswith("zh") else self.en


COLUMNS: tuple[Column, ...] = (
    Column(
        "employee_no",
        "工号",
        "Employee number",
        True,
        _("Unique in the union; the key for updates."),
        ("员工编号", "职工编号", "employee no", "employee_no"),
        text=True,
    ),
    Column("name", "姓名", "Name", True, _("Full name, at most 50 characters."), ("member name",), width=12),
    Column("gender", "性别", "Gender", True, _("男 or 女 (Male or Female)."), ("sex",), width=8),
    Column(
        "birth_date",
        "出生日期",
        "Birth date",
        True,
        _("A date cell or YYYY-MM-DD; must match the ID number."),
        ("date of birth", "birthday", "birth_date"),
    ),
    Column(
        "id_number",
        "身份证号",
        "ID number",
        False,
        _("18 characters, checked with its check digit; may be empty."),
        ("身份证号码", "身份证", "公民身份号码", "id no", "id_number"),
        width=22,
        text=True,
    ),
    Column(
        "mobile",
        "手机号",
        "Mobile",
        False,
        _("Mainland China mobile number; may be empty."),
        ("手机号码", "手机", "联系电话", "mobile number", "mobile phone", "phone"),
        text=True,
    ),
    Column(
        "unit",
        "所属单位",
        "Unit",
        True,
        _("The unit's code or its exact name, inside your scope (see the Units sheet)."),
        ("单位", "单位编码", "unit code", "unit_code"),
        width=18,
    ),
    Column(
        "job_category",
        "岗位类别",
        "Job category",
        True,
        _("One of the values on the Allowed values sheet."),
        ("岗位", "job_category"),
    ),
    Column(
        "employment_form",
        "用工形式",
        "Employment form",
        True,
        _("One of the values on the Allowed values sheet."),
        ("employment_form",),
    ),
    Column(
        "joined_on",
        "入会日期",
        "Date joined",
        True,
        _("A date cell or YYYY-MM-DD, not in the future."),
        ("joined on", "joined_on", "join date"),
    ),
    Column(
        "tags",
        "标签",
        "Tags",
        False,
        _("Tag names separated by commas or 、 (e.g. 女职工、劳模); an empty cell removes all tags."),
        ("tag",),
        width=18,
    ),
)

# Written by the export for people to read; ignored by the import, so an exported file imports back.
INFO_COLUMNS: tuple[Column, ...] = (
    Column("unit_name", "单位名称", "Unit name", False, _("Ignored on import."), width=18),
    Column("status", "状态", "Status", False, _("Ignored on import."), width=8),
)

REQUIRED_KEYS = frozenset(c.key for c in COLUMNS if c.required)
TAG_SEPARATORS = re.compile(r"[,，、;；]")


def normalize_header(value: object) -> str:
    """Case, spaces, underscores, a trailing "*" and a bracketed hint do not matter: "出生日期（YYYY-MM-DD）*"."""
    text = str(value if value is not None else "").strip().lower()
    text = re.sub(r"[（(\[【].*?[）)\]】]", "", text)
    return re.sub(r"[\s_*：:]+", " ", text).strip()


HEADER_LOOKUP: dict[str, Column] = {
    normalize_header(name): column
    for column in (*COLUMNS, *INFO_COLUMNS)
    for name in (column.zh, column.en, *column.aliases)
}
