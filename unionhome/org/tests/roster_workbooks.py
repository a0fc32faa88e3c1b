"""Real .xlsx rosters for the import and export tests, built with openpyxl."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook
from stdnum.cn import ric

from unionhome.demo.identities import regions_valid_in

HEADER = "工号 姓名 性别 出生日期 身份证号 手机号 所属单位 岗位类别 用工形式 入会日期 标签".split()
HEADER_EN = [
    "Employee number",
    "Name",
    "Gender",
    "Birth date",
    "ID number",
    "Mobile",
    "Unit",
    "Job category",
    "Employment form",
    "Date joined",
    "Tags",
]
COLUMN = {name: i for i, name in enumerate(HEADER)}
NAMES = ["赵敏", "钱多多", "孙悟空", "李雷", "周芷若", "吴用", "郑和", "王小明", "冯巩", "陈静"]


def id_number(birth: datetime.date, gender: str, serial: int = 0) -> str:
    """A checksum-valid ID, distinct for each (birth date, gender, serial < 499)."""
    body = f"{regions_valid_in(birth.year)[0]}{birth:%Y%m%d}{serial * 2 + (1 if gender == 'M' else 2):03d}"
    return body + ric.calc_check_digit(body + "0")


def birth_of(n: int) -> datetime.date:
    return datetime.date(1975, 1, 1) + datetime.timedelta(days=n % 9000)


def row(n: int, unit: str, **changes) -> list:
    """A valid roster row for person ``n`` (unique employee number, ID number and mobile)."""
    gender = "M" if n % 2 else "F"
    birth = birth_of(n)
    values = {
        "工号": f"T{n:06d}",
        "姓名": NAMES[n % len(NAMES)],
        "性别": "男" if gender == "M" else "女",
        "出生日期": birth,
        "身份证号": id_number(birth, gender, n // 9000),
        "手机号": f"198{n:08d}",
        "所属单位": unit,
        "岗位类别": "inspector",
        "用工形式": "permanent",
        "入会日期": datetime.date(2012, 3, 1),
        "标签": "",
    }
    values.update(changes)
    return [values[h] for h in HEADER]


def xlsx(rows: list[list], header: list | None = None, *, title: str = "花名册") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    if header is not False:
        sheet.append(header or HEADER)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "roster.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def read_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [tuple(r) for r in sheet.iter_rows(values_only=True)]
