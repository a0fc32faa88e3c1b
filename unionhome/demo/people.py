"""Synthetic members of one union: plausible, self-consistent, and the same for the same seed.

Each person has a gender and age fitting their job, a name fitting both, an ID number whose birth
date and sex digit agree with them, a unique mobile, an employment form, a date joined, and now and
then a retirement, a departure or a transfer recorded as status history.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from unionhome.demo.chinese_names import full_name
from unionhome.demo.identities import serial_id_number, serials_per_birth_date, synthetic_mobile
from unionhome.org.names import pinyin_initials, pinyin_key

# Ages and dates are counted from a fixed day, so that a seed gives the same data in any year.
REFERENCE_DATE = datetime.date(2026, 1, 1)

JOB_WEIGHTS: dict[str, dict[str, float]] = {
    "shift": {"inspector": 55, "sampler": 18, "analyst": 12, "technician": 9, "engineer": 4, "manager": 2},
    "lab": {"analyst": 72, "technician": 12, "engineer": 8, "inspector": 5, "manager": 3},
    "sampling": {"sampler": 68, "inspector": 16, "technician": 10, "manager": 4, "logistics": 2},
    "office": {"administrative": 35, "logistics": 22, "engineer": 18, "manager": 15, "technician": 10},
}
FEMALE_SHARE = {
    "inspector": 0.42,
    "analyst": 0.70,
    "sampler": 0.25,
    "technician": 0.30,
    "engineer": 0.35,
    "manager": 0.25,
    "administrative": 0.65,
    "logistics": 0.40,
}
EMPLOYMENT_WEIGHTS = {"permanent": 72, "fixed_term": 14, "dispatched": 10, "part_time": 1.5, "rehired": 2.5}
FRONTLINE_JOBS = {"inspector": 0.93, "sampler": 0.95, "analyst": 0.9, "technician": 0.4}
# Status shares among members on the roster; the rest are active.
STATUS_SHARES = (("retired", 0.014), ("left", 0.009), ("transferred", 0.004))
LEAVING_REASONS = ("辞职", "劳动合同期满终止", "解除劳动合同")
TRANSFER_REASONS = ("调往炼油部", "调往化工部", "调往储运部", "调往公司机关")
JOINED_REASON = "加入工会"
RETIRED_REASON = "退休"


@dataclass
class Person:
    """One member row before it is written, with what goes into the tag and history tables."""

    unit_code: str
    name: str
    gender: str
    birth_date: datetime.date
    job_category: str
    employment_form: str
    joined_on: datetime.date
    status: str = "active"
    status_on: datetime.date | None = None
    status_reason: str = ""
    tags: list[str] = field(default_factory=list)
    employee_no: str = ""
    id_number: str = ""
    mobile: str = ""


@lru_cache(maxsize=200_000)
def pinyin_pair(name: str) -> tuple[str, str]:
    """(full pinyin, initials) for a name; names repeat a lot, so this is cached."""
    return pinyin_key(name), pinyin_initials(name)


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _retirement_age(gender: str, job: str) -> int:
    if gender == "M":
        return 60
    return 55 if job in ("manager", "engineer", "administrative") else 50


def make_person(rng: random.Random, unit_code: str, group_kind: str) -> Person:
    job = _weighted(rng, JOB_WEIGHTS[group_kind])
    gender = "F" if rng.random() < FEMALE_SHARE[job] else "M"
    status, roll = "active", rng.random()
    for candidate, share in STATUS_SHARES:
        if roll < share:
            status = candidate
            break
        roll -= share
    retire_at = _retirement_age(gender, job)
    if status == "retired":
        age = rng.randint(retire_at, retire_at + 3)
    else:
        age = int(rng.triangular(20, 60 if gender == "M" else 55, 41))
    birth = datetime.date(REFERENCE_DATE.year - age - 1, 1, 1) + datetime.timedelta(days=rng.randrange(365))
    employment = _weighted(rng, EMPLOYMENT_WEIGHTS)
    if employment == "rehired" and age < 50:
        employment = "permanent"
    adult = _years_after(birth, 18)
    span = (REFERENCE_DATE - adult).days
    if employment in ("fixed_term", "dispatched", "part_time"):
        joined = REFERENCE_DATE - datetime.timedelta(days=rng.randrange(30, max(31, min(span, 3650))))
    else:
        joined = adult + datetime.timedelta(days=rng.randrange(180, max(181, min(span, 8 * 365))))
    joined = min(joined, REFERENCE_DATE - datetime.timedelta(days=30))
    person = Person(unit_code, full_name(rng, gender, birth.year), gender, birth, job, employment, joined, status)
    if status == "retired":
        person.status_on = max(_years_after(birth, retire_at), joined + datetime.timedelta(days=1))
        person.status_reason = RETIRED_REASON
    elif status != "active":
        person.status_on = joined + datetime.timedelta(days=rng.randrange(1, max(2, (REFERENCE_DATE - joined).days)))
        person.status_reason = rng.choice(LEAVING_REASONS if status == "left" else TRANSFER_REASONS)
    if gender == "F":
        person.tags.append("female")
    if rng.random() < FRONTLINE_JOBS.get(job, 0.0):
        person.tags.append("frontline")
    if status == "active" and age >= 30 and employment == "permanent" and rng.random() < 0.01:
        person.tags.append("model_worker")
    return person


class Identities:
    """Hands out employee numbers, ID numbers and mobiles that never repeat within one data set."""

    ID_STRIDE = 1237  # a prime: coprime with every capacity k × 499 (k ≤ 5)
    MOBILE_STRIDE = 48271  # coprime with 10**8: serial → stride * serial mod 10**8 never repeats

    def __init__(self) -> None:
        self.per_birth: Counter[tuple[datetime.date, str]] = Counter()
        self.issued = 0

    def assign(self, rng: random.Random, people: list[Person], union_number: int) -> None:
        """Number the union's people in order of joining, as a personnel office would have."""
        people.sort(key=lambda p: (p.joined_on, p.birth_date, p.name))
        for i, person in enumerate(people, start=1):
            person.employee_no = f"{1000 + union_number:04d}{i:04d}"
            person.id_number = self._id_number(person)
            person.mobile = synthetic_mobile(rng, (self.issued * self.MOBILE_STRIDE + 13579) % 10**8)
            self.issued += 1

    def _id_number(self, person: Person) -> str:
        while self.per_birth[(person.birth_date, person.gender)] >= serials_per_birth_date(person.birth_date):
            person.birth_date += datetime.timedelta(days=1)  # that day is full: the next one
        key = (person.birth_date, person.gender)
        nth = self.per_birth[key]
        self.per_birth[key] += 1
        # Walk the day's serials in a scrambled but fixed order (the stride is coprime with their number,
        # a multiple of the prime 499 and at most 5 regions), so that regions and order codes vary like
        # real ones and still never repeat.
        capacity = serials_per_birth_date(person.birth_date)
        start = person.birth_date.toordinal() * 31 + (person.gender == "M")
        return serial_id_number(person.birth_date, person.gender, (start + nth * self.ID_STRIDE) % capacity)
