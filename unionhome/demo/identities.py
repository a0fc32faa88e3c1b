"""Synthetic but checksum-valid resident ID numbers and mobile numbers for demo and test data."""

import datetime
import random

from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

# Real county codes around the reference union (Yueyang, Hunan): 岳阳楼区, 云溪区, 君山区, 岳阳县, 临湘市,
# and older Hunan codes valid in every year, for people born before the Yueyang codes existed.
REGION_CODES = ("430602", "430603", "430611", "430621", "430682")
FALLBACK_REGION_CODES = ("430100", "430121", "430122", "430400")
_regions_by_year: dict[int, tuple[str, ...]] = {}


def regions_valid_in(year: int) -> tuple[str, ...]:
    """County codes that python-stdnum accepts for someone born in ``year`` (codes change over time)."""
    if year not in _regions_by_year:
        valid = []
        for code in REGION_CODES:
            body = f"{code}{year}0101001"
            try:
                ric.get_birth_place(body + ric.calc_check_digit(body + "0"))
            except StdnumError:
                continue
            valid.append(code)
        _regions_by_year[year] = tuple(valid) or FALLBACK_REGION_CODES
    return _regions_by_year[year]


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
    body = f"{rng.choice(regions_valid_in(birth_date.year))}{birth_date:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def synthetic_mobile(rng: random.Random, serial: int | None = None) -> str:
    """An 11-digit mobile; pass a distinct ``serial`` (< 10**8) to guarantee uniqueness."""
    tail = serial if serial is not None else rng.randrange(0, 10**8)
    return f"{rng.choice(MOBILE_PREFIXES)}{tail % 10**8:08d}"


ORDER_CODES_PER_REGION = 499  # order codes 001-998, odd for men and even for women


def serials_per_birth_date(birth_date: datetime.date) -> int:
    """How many distinct IDs ``serial_id_number`` can give one gender for one birth date."""
    return len(regions_valid_in(birth_date.year)) * ORDER_CODES_PER_REGION


def serial_id_number(birth_date: datetime.date, gender: str, serial: int) -> str:
    """A checksum-valid ID that is distinct for each (birth date, gender, ``serial``).

    ``serial`` (0 ≤ serial < ``serials_per_birth_date(birth_date)``) picks a region valid in the
    birth year and the order code, whose last digit is odd for men and even for women; bulk loaders
    count serials per birth date and gender, so that a million synthetic IDs need no lookup to stay
    unique.
    """
    regions = regions_valid_in(birth_date.year)
    if not 0 <= serial < len(regions) * ORDER_CODES_PER_REGION:
        raise ValueError(f"serial {serial} out of range")
    order = serial // len(regions) * 2 + (1 if gender == "M" else 2)
    body = f"{regions[serial % len(regions)]}{birth_date:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")
