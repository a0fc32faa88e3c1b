"""Synthetic but checksum-valid resident ID numbers and mobile numbers for demo and test data."""

import datetime
import random

from stdnum.cn import ric

# Real county codes around the reference union (Yueyang, Hunan): 岳阳楼区, 云溪区, 君山区, 岳阳县, 临湘市.
REGION_CODES = ("430602", "430603", "430611", "430621", "430682")
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "177",
    "180",
    "181",
    "182",
    "183",
    "186",
    "187",
    "188",
    "189",
    "199",
)


def synthetic_id_number(rng: random.Random, birth_date: datetime.date, gender: str, sequence: int | None = None) -> str:
    """An 18-character ID with a valid region, the given birth date, a gender-matching sequence and check digit."""
    seq = sequence if sequence is not None else rng.randrange(0, 100)
    order = seq % 100 * 10 + (rng.choice((1, 3, 5, 7, 9)) if gender == "M" else rng.choice((0, 2, 4, 6, 8)))
    body = f"{rng.choice(REGION_CODES)}{birth_date:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def synthetic_mobile(rng: random.Random, serial: int | None = None) -> str:
    """An 11-digit mobile; pass a distinct ``serial`` (< 10**8) to guarantee uniqueness."""
    tail = serial if serial is not None else rng.randrange(0, 10**8)
    return f"{rng.choice(MOBILE_PREFIXES)}{tail % 10**8:08d}"
