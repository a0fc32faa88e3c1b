"""The Hardship Assistance Centre's demo data: a small, varied set for the reference union, and data in
proportion to the roster for the other unions of a federation (benchmarks).

Like the roster (``loader.py``), these rows are written in bulk instead of through the services: no
per-row permission checks or audit events, no per-row queries, bounded memory (one union at a time,
written every few thousand rows). What the services would keep true is computed here instead:

* money balances: a budget line's ``committed`` is the sum of its approved, unpaid items and its
  ``spent`` the sum of its ``Payment`` rows (payments less reversals), so ``ledger.line_balances`` holds
  for every line; its ``amount`` leaves something available;
* a file's household incomes add up to its income per head, which agrees with its level under the
  union's thresholds (sudden hardship aside: an accident or an illness, whatever the income);
* a file's ``FileEvent`` history has a row per transition up to its state, in date order;
* a delivered assistance has its follow-ups on the union's schedule, and a payment when money is given;
* a rating points at a delivered (paid, done) item of the member who was served.

Dates are relative to the day of loading, so that the demo always has re-reviews, follow-ups and visits
due this week and overdue. The same seed on the same day gives the same data. The reference union's
data does not depend on the size of the federation around it.

Millions of rows (a federation of a million members has about 50,000 files, 500,000 assistance records
and 2,000,000 visits) are too many for model instances and the ORM's insert compiler, so ``Rows``
keeps plain tuples and hands out the ids itself (from the table's largest id): a child knows its
parent's id before either is written, and foreign keys are checked at commit (both backends create
them ``DEFERRABLE INITIALLY DEFERRED``). They are written with ``executemany`` on SQLite and with
``COPY ... FROM STDIN`` on PostgreSQL, whose id sequences are then moved past the new rows. Encrypted
columns are encrypted here as the field would do it; aware datetimes are stored as Django stores them.
"""

import datetime
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from unionhome.access.models import RoleAssignment
from unionhome.accounts.models import User
from unionhome.assistance.models import (
    ZERO,
    AidApplication,
    AidCampaign,
    AidTier,
    Assistance,
    AssistanceSettings,
    BudgetLine,
    ConsentRecord,
    FileEvent,
    FollowUp,
    HardshipCause,
    HardshipFile,
    HouseholdMember,
    Objection,
    Occasion,
    Payment,
    ReReview,
    Visit,
    VisitCampaign,
    VisitRule,
)
from unionhome.assistance.ratings import EDUCATION_AID, HARDSHIP_ASSISTANCE, VISITS
from unionhome.demo import shape
from unionhome.demo.chinese_names import given_name
from unionhome.demo.identities import synthetic_id_number
from unionhome.encryption import EncryptedTextField, encrypt_bytes, keyed_digest
from unionhome.org.models import Member, MemberTag
from unionhome.satisfaction.models import Rating
from unionhome.satisfaction.services import rating_build, ratings_bulk_record

CENT = Decimal("0.01")
CONSENT_VERSION = "2025.1"  # as services/files.py records it
CONSENT_PURPOSE = "建立困难职工档案：处理本人及家庭成员的健康、收入等敏感个人信息，仅用于帮扶审核与跟踪"
# Proportions of a federation's data per member of the unions other than the reference union.
FILE_SHARE = 0.05
ASSISTANCE_PER_MEMBER = 0.5
AID_APPLICATIONS_PER_MEMBER = 0.01  # per campaign (one a year)
VISITS_PER_MEMBER = (0, 1, 2, 3, 4)
VISITS_PER_MEMBER_WEIGHTS = (10, 25, 30, 20, 15)  # 2.05 a member still on the roll: about 2 a member
RULE_DAYS = {
    Occasion.ILLNESS: 7,
    Occasion.BEREAVEMENT: 3,
    Occasion.CHILDBIRTH: 15,
    Occasion.MARRIAGE: 15,
    Occasion.RETIREMENT: 30,
    Occasion.DISASTER: 3,
}
ASSISTANCE_LABEL = Assistance._meta.label_lower
VISIT_LABEL = Visit._meta.label_lower
AID_LABEL = AidApplication._meta.label_lower

Progress = Callable[[int, int, float], None]


# --- Time -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """Today and now in the site's time zone; ``at`` makes a moment of a day, never later than now."""

    today: datetime.date
    now: datetime.datetime

    @classmethod
    def current(cls, today: datetime.date | None = None) -> "Clock":
        now = timezone.localtime()
        if today is not None and today != now.date():
            now = datetime.datetime.combine(today, datetime.time(18, 0), tzinfo=now.tzinfo)
        return cls(now.date(), now)

    def day(self, offset: int) -> datetime.date:
        return self.today + datetime.timedelta(days=offset)

    def at(self, day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
        moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.now.tzinfo)
        return min(moment, self.now)

    @property
    def year(self) -> int:
        return self.today.year


def plus(day: datetime.date, days: int) -> datetime.date:
    return day + datetime.timedelta(days=days)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (datetime.date(year + (month == 12), month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


def yuan(value: float, step: int = 100) -> Decimal:
    """A positive whole amount in yuan, rounded to ``step``."""
    return Decimal(max(step, int(round(value / step)) * step)).quantize(CENT)


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def random_day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return plus(first, rng.randint(0, max(0, (last - first).days)))


# --- Writing rows ---------------------------------------------------------------------------------

# Parents before children (foreign keys are checked at commit anyway).
TABLES: tuple[type[models.Model], ...] = (
    BudgetLine,
    AidCampaign,
    AidTier,
    VisitCampaign,
    VisitCampaign.tags.through,
    HardshipFile,
    HardshipCause,
    HouseholdMember,
    ConsentRecord,
    FileEvent,
    ReReview,
    Objection,
    Assistance,
    AidApplication,
    Visit,
    Visit.visitors.through,
    Payment,
    FollowUp,
)
_REQUIRED = object()


@dataclass
class Table:
    sql: str  # SQLite: an INSERT for executemany; PostgreSQL: a COPY ... FROM STDIN
    names: tuple[str, ...]  # column attnames, the id first
    defaults: tuple[Any, ...]
    adapt: tuple[Callable[[Any], Any] | None, ...]
    known: frozenset[str]


def _sqlite_datetime(value: datetime.datetime) -> str:
    # What Django's SQLite backend stores for an aware datetime: naive UTC text.
    return str(value.astimezone(datetime.UTC).replace(tzinfo=None))


def _encrypt(value: str) -> str:
    # What ``EncryptedTextField.get_prep_value`` stores: empty stays empty.
    return encrypt_bytes(value.encode()).decode() if value else value


def _table(model: type[models.Model], now: datetime.datetime) -> Table:
    fields = [f for f in model._meta.concrete_fields]
    fields.sort(key=lambda f: not f.primary_key)
    names, defaults, adapt = [], [], []
    for f in fields:
        names.append(f.attname)
        if f.primary_key:
            defaults.append(_REQUIRED)
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults.append(now)
        elif f.has_default() or f.null or f.empty_strings_allowed:
            defaults.append(f.get_default())
        else:
            defaults.append(_REQUIRED)
        if isinstance(f, EncryptedTextField):
            adapt.append(_encrypt)
        elif isinstance(f, models.DateTimeField) and connection.vendor == "sqlite":
            adapt.append(_sqlite_datetime)
        else:
            adapt.append(None)
    quote = connection.ops.quote_name
    target = f"{quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
    if connection.vendor == "postgresql":
        sql = f"COPY {target} FROM STDIN"
    else:
        sql = f"INSERT INTO {target} VALUES ({', '.join(['%s'] * len(fields))})"
    return Table(sql, tuple(names), tuple(defaults), tuple(adapt), frozenset(names))


class Rows:
    """Rows of the centre's tables as tuples, with their ids handed out here; ``flush`` writes them.

    ``add(Model, **columns)`` takes column attnames (``member_id``, not ``member``), fills the rest with
    the fields' defaults (``auto_now`` fields: now) and returns the new row's id.
    """

    def __init__(self, clock: Clock, batch_size: int):
        self.clock, self.batch_size = clock, batch_size
        self.tables = {model: _table(model, clock.now) for model in TABLES}
        self.rows: dict[type[models.Model], list[tuple]] = {model: [] for model in TABLES}
        self.next_id: dict[type[models.Model], int] = {}
        self.orm: list[models.Model] = []  # settings and visit rules: a few rows, through the ORM
        self.ratings: list[Rating] = []  # written by the satisfaction app's one write path
        self.pending = 0
        self.counts: Counter[type[models.Model]] = Counter()

    def add(self, model: type[models.Model], **values: Any) -> int:
        table = self.tables[model]
        if not values.keys() <= table.known:
            raise TypeError(f"{model.__name__} has no column(s) {sorted(values.keys() - table.known)}")
        if "id" not in values:
            values["id"] = self.reserve(model)
        pk = values["id"]
        row = []
        for name, default, adapt in zip(table.names, table.defaults, table.adapt, strict=True):
            value = values.get(name, default)
            if value is _REQUIRED:
                raise TypeError(f"{model.__name__}.{name} is required")
            if value is not None and adapt is not None:
                value = adapt(value)
            row.append(value)
        self.rows[model].append(tuple(row))
        self.pending += 1
        return pk

    def reserve(self, model: type[models.Model]) -> int:
        """The id of a row to be added later (``add(model, id=..., ...)``)."""
        if model not in self.next_id:
            self.next_id[model] = (model.objects.aggregate(top=models.Max("id"))["top"] or 0) + 1
        pk = self.next_id[model]
        self.next_id[model] = pk + 1
        return pk

    def add_orm(self, obj: models.Model) -> models.Model:
        self.orm.append(obj)
        self.pending += 1
        return obj

    def add_rating(self, rating: Rating) -> None:
        self.ratings.append(rating)
        self.pending += 1

    def flush(self) -> None:
        if not self.pending:
            return
        with transaction.atomic():
            by_model: dict[type[models.Model], list[models.Model]] = {}
            for obj in self.orm:
                by_model.setdefault(type(obj), []).append(obj)
            for model, objs in by_model.items():
                model.objects.bulk_create(objs, batch_size=self.batch_size)
            with connection.cursor() as cursor:
                for model in TABLES:
                    rows, sql = self.rows[model], self.tables[model].sql
                    if rows and connection.vendor == "postgresql":
                        # COPY: one stream per table instead of a round trip per row.
                        with cursor.cursor.copy(sql) as copy:
                            for row in rows:
                                copy.write_row(row)
                    else:
                        for start in range(0, len(rows), self.batch_size):
                            cursor.executemany(sql, rows[start : start + self.batch_size])
                    self.counts[model] += len(rows)
                    rows.clear()
            self.counts[Rating] += ratings_bulk_record(self.ratings, batch_size=self.batch_size)
            self.ratings = []
        self.orm.clear()
        self.pending = 0

    def finish(self) -> None:
        """Write what is left; on PostgreSQL, move the id sequences past the ids handed out here."""
        self.flush()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), list(self.next_id)):
                    cursor.execute(statement)


# --- People and their union -----------------------------------------------------------------------


@dataclass
class Who:
    """What the generators need of a member."""

    id: int
    unit_path: str
    branch: str  # the branch's code suffix, e.g. "S01" (reference union only)
    name: str
    gender: str
    birth_date: datetime.date
    status: str
    employee_no: str = ""
    tags: frozenset[str] = frozenset()


@dataclass
class Staff:
    """The cadres (user ids) who act on a union's cases: who opens, reviews, approves, pays, follows up."""

    officer: int  # assistance officer of the union: reviews, requests, pays, follows up
    chair: int  # approves files, decides on the officer's requests
    station_officers: dict[str, int] = field(default_factory=dict)  # branch suffix -> officer there
    branch_cadres: dict[str, int] = field(default_factory=dict)  # branch suffix -> visits there
    member_users: dict[int, int] = field(default_factory=dict)  # member id -> their own login
    # The cadres' own member records: nobody reviews, helps or visits themselves.
    cadre_members: set[int] = field(default_factory=set)

    def officer_for(self, who: Who) -> int:
        return self.station_officers.get(who.branch, self.officer)

    def visitor_for(self, who: Who) -> int:
        return self.branch_cadres.get(who.branch, self.officer_for(who))

    def approver_for(self, requester: int) -> int:
        """The checker of a request: the union's officer for a station officer's requests, else the chair."""
        return self.officer if requester != self.officer else self.chair


@dataclass
class Line:
    """A budget line being filled: what is committed and spent on it is counted as items are made."""

    id: int
    year: int
    purpose: str
    planned: Decimal
    committed: Decimal = ZERO
    spent: Decimal = ZERO


LINE_NAMES = {
    "relief": ("困难职工帮扶资金", BudgetLine.FundSource.UNION_FUNDS),
    "subsidy": ("上级工会帮扶专项补助", BudgetLine.FundSource.HIGHER_UNION),
    "aid": ("金秋助学爱心捐款", BudgetLine.FundSource.DONATIONS),
    "visits": ("走访慰问经费", BudgetLine.FundSource.UNION_FUNDS),
}
LINE_PLAN = {"relief": 300_000, "subsidy": 200_000, "aid": 100_000, "visits": 120_000}


@dataclass
class Centre:
    """One union's rules and budget lines, as the generators use them."""

    union_id: int
    union_path: str
    settings: AssistanceSettings
    staff: Staff
    lines: dict[tuple[int, str], Line]

    @property
    def created_by(self) -> int:
        return self.staff.officer

    def line(self, year: int, purpose: str) -> Line:
        """The line for ``purpose`` of ``year``; anything older than last year is charged to last year's."""
        years = sorted({y for y, _ in self.lines})
        return self.lines[(min(max(year, years[0]), years[-1]), purpose)]

    @property
    def thresholds(self) -> tuple[Decimal, Decimal]:
        return self.settings.deep_hardship_below, self.settings.relative_hardship_below


def open_centre(rows: Rows, clock: Clock, *, union_id: int, union_path: str, staff: Staff, scale: float) -> Centre:
    """A union's settings and visit rules, and this and last year's budget lines (written by ``settle``)."""
    settings = rows.add_orm(AssistanceSettings(union_id=union_id))
    for occasion, days in RULE_DAYS.items():
        rows.add_orm(VisitRule(union_id=union_id, occasion=occasion, due_days=days, active=True))
    lines = {}
    for year in (clock.year - 1, clock.year):
        for purpose in LINE_NAMES:
            planned = yuan(LINE_PLAN[purpose] * scale, 10_000)
            lines[(year, purpose)] = Line(rows.reserve(BudgetLine), year, purpose, planned)
    return Centre(union_id, union_path, settings, staff, lines)


def settle(rows: Rows, clock: Clock, centre: Centre) -> None:
    """Write the union's budget lines: the plan, or more when more was used; something stays available."""
    for (year, purpose), line in centre.lines.items():
        name, source = LINE_NAMES[purpose]
        used = line.committed + line.spent
        created = datetime.date(year, 1, 6) if year < clock.year else min(clock.today, datetime.date(year, 1, 6))
        rows.add(
            BudgetLine,
            id=line.id,
            unit_id=centre.union_id,
            unit_path=centre.union_path,
            name=f"{year}年{name}",
            fund_source=source,
            year=year,
            amount=max(line.planned, yuan(float(used) * 1.15 + 5_000, 10_000)),
            committed=line.committed,
            spent=line.spent,
            created_by_id=centre.created_by,
            created_at=clock.at(created),
        )


# --- Hardship files -------------------------------------------------------------------------------

ILLNESSES = (
    "尿毒症，每周透析三次",
    "乳腺癌术后化疗",
    "肺癌术后靶向治疗",
    "冠心病支架术后长期服药",
    "脑梗死后遗症，行动不便",
    "白血病，骨髓移植后康复中",
    "肝硬化，定期住院治疗",
    "糖尿病并发肾病",
)
CHRONIC = ("高血压、糖尿病，长期服药", "类风湿关节炎", "慢性阻塞性肺病", "哮喘")
DISABILITIES = ("肢体二级残疾", "视力一级残疾", "智力三级残疾", "听力二级残疾")
DISASTERS = ("住房遭遇火灾", "汛期房屋被淹", "家人遭遇交通事故重伤", "老家房屋因暴雨垮塌")
WHO_CN = {"self": "本人", "spouse": "配偶", "child": "孩子", "parent": "老人", "parent_in_law": "老人"}
LEVELS = ("deep", "relative", "sudden")
LEVEL_WEIGHTS = (30, 52, 18)
LEVEL_CAUSES = {
    "deep": (("illness", "low_income"), ("disability", "low_income"), ("illness", "schooling")),
    "relative": (
        ("low_income",),
        ("low_income", "schooling"),
        ("single_parent", "low_income"),
        ("schooling",),
        ("illness",),
    ),
    "sudden": (("disaster",), ("illness",), ("disaster", "illness")),
}
REJECT_REASONS = (
    "经核实家庭人均月收入高于困难标准，不符合建档条件",
    "申请材料不全，经两次告知仍未补齐",
    "家庭拥有两套以上住房，不符合建档条件",
)
EXIT_REASONS = (
    "子女毕业参加工作，家庭收入明显增加，脱困",
    "配偶重新就业，家庭人均收入超过困难标准，脱困",
    "病情稳定，医保报销后负担减轻，经复核脱困",
    "本人申请退出，家庭经济状况好转",
)
RE_REVIEW_NOTES = ("家庭状况无明显变化，继续帮扶", "医疗支出仍然较大，维持原困难等级", "入户核实，情况属实")
OBJECTION = "反映该职工家中另有商铺出租收入，申报收入不实。"
OBJECTION_DISMISSED = "经入户核实，商铺系亲属所有，与申请人无关，异议不成立。"


@dataclass
class Person:
    """One row of a household, before it is written."""

    relation: str
    age: int
    health: str
    employment: str
    income: Decimal = ZERO
    note: str = ""


def household(
    rng: random.Random, who: Who, day: datetime.date, level: str, causes: Sequence[str], centre: Centre
) -> list[Person]:
    """The applicant and the people they live with, with incomes whose mean per head fits ``level``."""
    me = age_on(who.birth_date, day)
    people = [Person("self", me, "healthy", "retired" if who.status == "retired" else "employed")]
    if "single_parent" not in causes and rng.random() < 0.9:
        spouse_employment = rng.choice(("employed", "unemployed", "unemployed")) if me < 60 else "retired"
        people.append(Person("spouse", max(20, me + rng.randint(-4, 4)), "healthy", spouse_employment))
    children = 2 if "schooling" in causes and rng.random() < 0.4 else (1 if me < 62 or rng.random() < 0.3 else 0)
    if "single_parent" in causes or "schooling" in causes:
        children = max(children, 1)
    for k in range(children):
        child = max(1, me - rng.randint(24, 32) - 3 * k)
        employment = "preschool" if child < 6 else ("student" if child < 23 else rng.choice(("employed", "unemployed")))
        people.append(Person("child", child, "healthy", employment))
    if me < 52 and rng.random() < 0.35:
        people.append(
            Person(
                rng.choice(("parent", "parent_in_law")),
                min(100, me + rng.randint(25, 31)),
                rng.choice(("healthy", "chronic")),
                "retired",
            )
        )
    # Who is ill or disabled: the member, the spouse, a child or an elderly parent.
    if "illness" in causes:
        ill = rng.choice(people)
        ill.health, ill.note = "serious", rng.choice(ILLNESSES)
        if ill.employment == "employed" and ill.relation != "self":
            ill.employment = "unable"
    if "disability" in causes:
        disabled = rng.choice(people[1:] or people)
        disabled.health, disabled.note = "disabled", rng.choice(DISABILITIES)
        if disabled.employment in ("employed", "unemployed") and disabled.relation != "self":
            disabled.employment = "unable"
    for person in people:
        if person.health == "chronic" and not person.note:
            person.note = rng.choice(CHRONIC)

    deep, relative = (float(t) for t in centre.thresholds)
    if level == "deep":
        per_head = deep * rng.uniform(0.55, 0.95)
    elif level == "relative":
        per_head = rng.uniform(deep * 1.05, relative * 0.95)
    else:
        per_head = rng.uniform(deep * 1.1, relative * 1.6)
    total = int(per_head * len(people))
    # Other earners first (a spouse's wage, a parent's pension); the member's own pay is the rest.
    left = total
    for person in people[1:]:
        if person.employment in ("employed", "retired"):
            share = min(int(total * rng.uniform(0.15, 0.35)), left - 300) if left > 600 else 0
            person.income = Decimal(max(0, share // 10 * 10)).quantize(CENT)
            left -= int(person.income)
    people[0].income = Decimal(max(0, left)).quantize(CENT)
    return people


def income_per_head(people: Sequence[Person]) -> tuple[Decimal, Decimal]:
    total = sum((p.income for p in people), ZERO)
    return total, (total / len(people)).quantize(CENT, rounding=ROUND_HALF_UP)


def situation(people: Sequence[Person], causes: Sequence[str], rng: random.Random) -> str:
    parts = []
    for cause in causes:
        if cause == "illness":
            ill = next((p for p in people if p.health == "serious"), people[0])
            parts.append(f"{WHO_CN.get(ill.relation, '家人')}患{ill.note.split('，')[0]}，医疗费用自付部分负担重。")
        elif cause == "disability":
            disabled = next((p for p in people if p.health == "disabled"), people[0])
            parts.append(f"{WHO_CN.get(disabled.relation, '家人')}{disabled.note}，需要长期照料。")
        elif cause == "disaster":
            parts.append(f"{rng.choice(DISASTERS)}，家庭财产损失严重，生活一时陷入困境。")
        elif cause == "single_parent":
            parts.append("离异后独自抚养子女，家庭收入来源单一。")
        elif cause == "low_income":
            parts.append("配偶无固定工作，家庭人均月收入低于困难标准。")
        elif cause == "schooling":
            parts.append("子女在校就读，学费和生活费支出大，家庭入不敷出。")
    return "".join(parts)


@dataclass
class FileCase:
    """A written file, with what the assistance and aid generators need to know of it."""

    id: int
    who: Who
    state: str
    causes: tuple[str, ...]
    income_per_head: Decimal
    activated_on: datetime.date | None
    closed_on: datetime.date | None


def build_file(
    rows: Rows,
    rng: random.Random,
    clock: Clock,
    centre: Centre,
    staff: Staff,
    who: Who,
    *,
    state: str,
    entered: datetime.date,
    level: str | None = None,
    variant: str = "",
) -> FileCase:
    """A file that reached ``state`` on ``entered``, with its household, causes, consent and history.

    Variants: ``rejected_by_union`` (rejected after the branch review), ``objection`` (publicity with an
    open objection), ``dismissed`` (publicity with an objection dismissed), ``re_reviewed`` (an active
    file with a re-review done), ``exit_on_review`` (an exited file that left at its re-review).
    """
    level = level or rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
    causes = rng.choice(LEVEL_CAUSES[level])
    reviewer, approver = staff.officer_for(who), staff.chair
    opener = staff.member_users.get(who.id)
    on_behalf = opener is None
    opener = opener or reviewer
    days, months = centre.settings.publicity_days, centre.settings.re_review_months

    # Walk back from the day the file reached its state to the day it was opened. Actions and dates follow
    # hardship_workflow.py and services/files.py: publicity runs ``days`` days including the first.
    closed_on = activated = publicity_start = reviewed = submitted = None
    re_reviews: list[tuple[datetime.date, datetime.date, str]] = []  # (due, done, outcome)
    if state == "exited":
        closed_on = entered
        if variant == "exit_on_review":
            activated = add_months(plus(closed_on, rng.randint(0, 20)), -months)
            re_reviews.append((add_months(activated, months), closed_on, "exit"))
        else:
            activated = plus(closed_on, -rng.randint(90, 330))
    elif state == "active":
        activated = entered
        if variant == "re_reviewed":
            due = add_months(activated, months)
            re_reviews.append((due, plus(due, -rng.randint(0, 14)), "continue"))
    if activated:
        publicity_start = plus(activated, -days - rng.randint(1, 3))
    if state == "publicity":
        publicity_start = entered
    if publicity_start:
        reviewed = plus(publicity_start, -rng.randint(2, 8))
    if state == "branch_reviewed":
        reviewed = entered
    if state == "rejected" and variant == "rejected_by_union":
        reviewed = plus(entered, -rng.randint(3, 10))
    if reviewed:
        submitted = plus(reviewed, -rng.randint(1, 6))
    if state == "submitted":
        submitted = entered
    if state == "rejected" and variant != "rejected_by_union":
        submitted = plus(entered, -rng.randint(2, 9))
    created = plus(submitted, -rng.randint(0, 4)) if submitted else entered

    events: list[tuple[str, str, str, datetime.date, int, str]] = [("open", "", "draft", created, opener, "")]
    if submitted:
        events.append(("submit", "draft", "submitted", submitted, opener, ""))
    if reviewed:
        events.append(("branch_review", "submitted", "branch_reviewed", reviewed, reviewer, "入户核实，情况属实"))
    if publicity_start:
        events.append(("approve", "branch_reviewed", "publicity", publicity_start, approver, ""))
    if activated:
        events.append(("activate", "publicity", "active", activated, approver, ""))
    close_reason = ""
    if state == "rejected":
        close_reason = rng.choice(REJECT_REASONS)
        frm = "branch_reviewed" if reviewed else "submitted"
        events.append(("reject", frm, "rejected", entered, approver if reviewed else reviewer, close_reason))
    next_due = add_months(activated, months) if activated else None
    for _due, done, outcome in re_reviews:
        if outcome == "continue":
            events.append(("re_review", "active", "active", done, approver, ""))
            next_due = add_months(done, months)
    if state == "exited":
        close_reason = rng.choice(EXIT_REASONS)
        events.append(("exit", "active", "exited", closed_on, approver, close_reason))

    people = household(rng, who, created, level, causes, centre)
    total, per_head = income_per_head(people)
    file_id = rows.add(
        HardshipFile,
        member_id=who.id,
        union_id=centre.union_id,
        unit_path=who.unit_path,
        state=state,
        level=level,
        situation=situation(people, causes, rng),
        household_size=len(people),
        household_monthly_income=total,
        income_per_head=per_head,
        opened_by_id=opener,
        opened_on_behalf=on_behalf,
        submitted_at=clock.at(submitted, 10) if submitted else None,
        branch_reviewed_by_id=reviewer if reviewed else None,
        approved_by_id=approver if publicity_start else None,
        publicity_starts_on=publicity_start,
        publicity_ends_on=plus(publicity_start, days - 1) if publicity_start else None,
        activated_on=activated,
        next_review_due=next_due if state == "active" else None,
        closed_on=closed_on if state == "exited" else (entered if state == "rejected" else None),
        close_reason=close_reason,
        created_at=clock.at(created, 9),
        updated_at=clock.at(max(e[3] for e in events), 17),
    )
    for cause in causes:
        rows.add(HardshipCause, file_id=file_id, cause=cause)
    for p in people:
        rows.add(
            HouseholdMember,
            file_id=file_id,
            relation=p.relation,
            age=p.age,
            health=p.health,
            health_note=p.note,
            monthly_income=p.income,
            employment=p.employment,
        )
    rows.add(
        ConsentRecord,
        member_id=who.id,
        file_id=file_id,
        purpose=CONSENT_PURPOSE,
        text_version=CONSENT_VERSION,
        method=ConsentRecord.Method.PAPER if on_behalf else ConsentRecord.Method.ONLINE,
        recorded_by_id=opener,
        given_at=clock.at(created, 8, 30),
    )
    for i, (action, frm, to, day, actor, note) in enumerate(events):
        rows.add(
            FileEvent,
            file_id=file_id,
            action=action,
            from_state=frm,
            to_state=to,
            note=note,
            actor_id=actor,
            occurred_at=clock.at(day, 9 + min(i, 8), 15),
        )
    for due, done, outcome in re_reviews:
        rows.add(
            ReReview,
            file_id=file_id,
            due_on=due,
            done_on=done,
            outcome=outcome,
            level=level,
            reviewed_by_id=approver,
            notes=rng.choice(RE_REVIEW_NOTES) if outcome == "continue" else close_reason,
        )
    if state == "publicity" and variant in ("objection", "dismissed"):
        recorded = plus(publicity_start, 1)
        resolved = variant == "dismissed"
        rows.add(
            Objection,
            hardship_file_id=file_id,
            unit_path=who.unit_path,
            summary=OBJECTION,
            raised_by="同班组职工" if resolved else "",
            recorded_by_id=reviewer,
            recorded_at=clock.at(recorded, 11),
            resolution=Objection.Resolution.DISMISSED if resolved else Objection.Resolution.OPEN,
            resolution_note=OBJECTION_DISMISSED if resolved else "",
            resolved_by_id=approver if resolved else None,
            resolved_at=clock.at(plus(recorded, 1), 15) if resolved else None,
        )
    return FileCase(file_id, who, state, causes, per_head, activated, closed_on)


# --- Assistance, payments, follow-ups, ratings ----------------------------------------------------

MONEY_KINDS = {"cash": (500, 5_000), "goods": (300, 2_000), "medical": (2_000, 20_000), "schooling": (1_000, 5_000)}
DESCRIPTIONS = {
    "cash": ("发放生活困难补助", "春节困难职工慰问金", "发放临时救助金", "发放季度生活补助"),
    "goods": ("送米、面、油等生活物资", "送冬衣、棉被", "购置轮椅等康复器具", "送助学用品"),
    "medical": ("大病医疗救助，补助医保报销后自付部分", "住院医疗费用补助", "门诊特殊病种药费补助"),
    "schooling": ("子女学费补助", "子女秋季开学生活费补助"),
    "job": ("为配偶推荐公司后勤保洁岗位", "联系社区就业服务站，推荐再就业培训", "推荐子女参加公司招聘"),
    "legal": ("协助申请工伤认定，提供法律咨询", "劳动争议法律援助，联系律师代理", "协助处理交通事故赔偿"),
}
REJECTIONS = (
    "本年度已享受同类帮扶，不重复发放",
    "材料不全，请补充医疗费用票据后重新申请",
    "医疗费用已由商业保险全额报销，不符合救助条件",
)
CANCELLATIONS = ("职工本人婉拒", "已通过社区救助解决", "职工已调离本单位")
REVERSAL_REASON = "收款银行账号有误，款项被退回，冲正后重新核实"
FINDINGS = (
    "补助已用于支付医疗费，家庭生活基本稳定",
    "物资已送达，职工表示感谢",
    "配偶已上岗，家庭收入增加",
    "病情稳定，仍需长期服药",
    "子女已按时入学，学费问题解决",
    "医疗支出仍较大，建议继续关注",
    "家中老人住院，负担加重",
)
NEXT_STEPS = ("继续跟踪", "年底复核时重点关注", "协助申请大病医保二次报销", "无需进一步帮扶", "推荐参加技能培训")
GRADES = ("resolved", "improved", "unchanged", "worse")
GRADE_WEIGHTS = (30, 45, 20, 5)
COMMENTS = ("帮扶很及时，感谢工会", "干部上门很暖心", "手续简单，办得快", "希望今后多关注", "", "", "")
SCORES = (5, 4, 3, 2, 1)
SCORE_WEIGHTS = (55, 30, 10, 3, 2)


def money_for(rng: random.Random, kind: str) -> Decimal | None:
    if kind not in MONEY_KINDS:
        return None
    low, high = MONEY_KINDS[kind]
    return yuan(rng.uniform(low, high))


def build_assistance(
    rows: Rows,
    rng: random.Random,
    clock: Clock,
    centre: Centre,
    *,
    who: Who,
    file: FileCase | None,
    kind: str,
    status: str,
    requested_on: datetime.date,
    requester: int,
    delivered_on: datetime.date | None = None,
    rated: bool | None = None,
    overdue_follow_up: bool = False,
) -> int:
    """One assistance in ``status``, with its budget movements, payment(s), follow-ups and perhaps a rating.

    The requester is responsible for it and pays it out; ``staff.approver_for`` the requester decides.
    """
    approver = centre.staff.approver_for(requester)
    amount = money_for(rng, kind)
    decided_on = min(clock.today, plus(requested_on, rng.randint(1, 3)))
    if status in ("delivered", "reversed"):
        delivered_on = delivered_on or min(clock.today, plus(decided_on, rng.randint(1, 7)))
        decided_on = min(decided_on, delivered_on)
        requested_on = min(requested_on, decided_on)
    else:
        delivered_on = None
    purpose = "subsidy" if (kind == "medical" or rng.random() < 0.3) else "relief"
    line = centre.line((requested_on if status == "requested" else decided_on).year, purpose) if amount else None
    requested_at = clock.at(requested_on, 10, rng.randrange(60))
    decided = status != "requested"
    note = ""
    if status == "rejected":
        note = rng.choice(REJECTIONS)
    elif status == "cancelled":
        note = rng.choice(CANCELLATIONS)
    item = rows.add(
        Assistance,
        member_id=who.id,
        hardship_file_id=file.id if file else None,
        unit_path=who.unit_path,
        kind=kind,
        amount=amount,
        budget_line_id=line.id if line else None,
        description=rng.choice(DESCRIPTIONS[kind]),
        status=status,
        requested_by_id=requester,
        requested_at=requested_at,
        decided_by_id=approver if decided else None,
        decided_at=clock.at(decided_on, 15, rng.randrange(60)) if decided else None,
        decision_note=note,
        responsible_id=requester,
        delivered_on=delivered_on,
        created_at=requested_at,
    )
    if line is not None and status == "approved":
        line.committed += amount
    if line is not None and delivered_on is not None:
        paid = pay(rows, clock, line, Assistance, item, who, amount, requester, delivered_on)
        if status == "reversed":
            reverse(
                rows,
                clock,
                line,
                Assistance,
                item,
                who,
                paid,
                amount,
                requester,
                min(clock.today, plus(delivered_on, rng.randint(2, 10))),
            )
    if status == "delivered":
        follow_ups(rows, rng, clock, centre, item, who, requester, delivered_on, overdue_follow_up)
        if rated if rated is not None else rng.random() < 0.4:
            rate(rows, rng, clock, HARDSHIP_ASSISTANCE, ASSISTANCE_LABEL, item, who, requester, delivered_on)
    return item


_ITEM_COLUMN = {Assistance: "assistance_id", AidApplication: "aid_application_id", Visit: "visit_id"}


def pay(
    rows: Rows,
    clock: Clock,
    line: Line,
    model: type[models.Model],
    item: int,
    who: Who,
    amount: Decimal,
    paid_by: int,
    day: datetime.date,
) -> int:
    """A payment out of ``line`` (what ``ledger.pay`` would record): the line's ``spent`` grows by it."""
    line.spent += amount
    return rows.add(
        Payment,
        budget_line_id=line.id,
        unit_path=who.unit_path,
        kind=Payment.Kind.PAYMENT,
        amount=amount,
        payee_id=who.id,
        paid_by_id=paid_by,
        paid_at=clock.at(day, 14),
        **{_ITEM_COLUMN[model]: item},
    )


def reverse(
    rows: Rows,
    clock: Clock,
    line: Line,
    model: type[models.Model],
    item: int,
    who: Who,
    payment: int,
    amount: Decimal,
    actor: int,
    day: datetime.date,
) -> int:
    """The reversal of a payment (what ``ledger.reverse`` would record): the money is available again."""
    line.spent -= amount
    return rows.add(
        Payment,
        budget_line_id=line.id,
        unit_path=who.unit_path,
        kind=Payment.Kind.REVERSAL,
        amount=-amount,
        payee_id=who.id,
        reverses_id=payment,
        note=REVERSAL_REASON,
        paid_by_id=actor,
        paid_at=clock.at(day, 16),
        **{_ITEM_COLUMN[model]: item},
    )


def follow_ups(
    rows: Rows,
    rng: random.Random,
    clock: Clock,
    centre: Centre,
    item: int,
    who: Who,
    responsible: int,
    delivered_on: datetime.date,
    force_overdue: bool = False,
) -> None:
    """The follow-ups on the union's schedule: done when past (mostly), now and then overdue, or ahead."""
    escalate_after = centre.settings.escalate_after_days
    behind = False
    for sequence, days in enumerate(centre.settings.follow_up_days, start=1):
        due = plus(delivered_on, days)
        late = (clock.today - due).days
        values: dict[str, Any] = {}
        if late > 0:
            on_time = 0.98 if late > 60 else (0.9 if late > 14 else 0.6)
            if not behind and not force_overdue and rng.random() < on_time:
                values = {
                    "done_on": max(plus(delivered_on, 1), min(clock.today, plus(due, rng.randint(-7, 3)))),
                    "grade": rng.choices(GRADES, GRADE_WEIGHTS)[0],
                    "findings": rng.choice(FINDINGS),
                    "next_steps": rng.choice(NEXT_STEPS),
                    "recorded_by_id": responsible,
                }
            else:
                behind = True
                values = {"reminded_at": clock.at(plus(due, 1), 8)}
                if late > escalate_after:
                    values["escalated_at"] = clock.at(plus(due, escalate_after + 1), 8)
        force_overdue = False
        rows.add(
            FollowUp,
            assistance_id=item,
            unit_path=who.unit_path,
            sequence=sequence,
            due_on=due,
            responsible_id=responsible,
            **values,
        )


def rate(
    rows: Rows,
    rng: random.Random,
    clock: Clock,
    service_line: str,
    item_type: str,
    item: int,
    who: Who,
    cadre: int | None,
    served_on: datetime.date,
) -> None:
    rows.add_rating(
        rating_build(
            service_line=service_line,
            item_type=item_type,
            item_id=item,
            member_id=who.id,
            unit_path=who.unit_path,
            cadre_id=cadre,
            score=rng.choices(SCORES, SCORE_WEIGHTS)[0],
            comment=rng.choice(COMMENTS),
            rated_at=clock.at(min(clock.today, plus(served_on, rng.randint(1, 15))), 20),
        )
    )


# --- Education aid --------------------------------------------------------------------------------

TIERS = (("研究生", 6000), ("本科", 5000), ("专科（高职）", 3000))
TIER_WEIGHTS = (10, 60, 30)
SCHOOLS = {
    "研究生": ("中南大学", "湖南大学", "华中科技大学"),
    "本科": ("湘潭大学", "长沙理工大学", "湖南理工学院", "武汉大学", "湖南师范大学", "中国石油大学（华东）"),
    "专科（高职）": ("岳阳职业技术学院", "湖南石油化工职业技术学院", "长沙民政职业技术学院"),
}
AID_REJECTIONS = ("家庭人均月收入高于本次助学标准", "录取通知书非本年度，不符合条件")
AID_WITHDRAWN = "已获得其他助学金资助，本人撤回申请"


@dataclass
class AidRound:
    id: int
    year: int
    opens_on: datetime.date
    closes_on: datetime.date
    publicity_ends_on: datetime.date | None
    line: Line
    tiers: dict[str, tuple[int, Decimal]]
    keys: set[str] = field(default_factory=set)  # children who applied (keyed digests of their ID numbers)


def build_aid_campaign(rows: Rows, clock: Clock, centre: Centre, *, year: int, state: str) -> AidRound:
    if year < clock.year:
        opens, closes = datetime.date(year, 7, 1), datetime.date(year, 8, 31)
        publicity: tuple[datetime.date | None, datetime.date | None] = (
            datetime.date(year, 9, 8),
            datetime.date(year, 9, 13),
        )
    else:
        opens, closes, publicity = clock.day(-20), clock.day(25), (None, None)
    line = centre.line(year, "aid")
    campaign = rows.add(
        AidCampaign,
        unit_id=centre.union_id,
        unit_path=centre.union_path,
        name=f"{year}年金秋助学",
        year=year,
        state=state,
        opens_on=opens,
        closes_on=closes,
        budget_line_id=line.id,
        require_admission_this_year=True,
        require_active_file=False,
        income_per_head_below=centre.settings.relative_hardship_below,
        publicity_days=5,
        publicity_starts_on=publicity[0],
        publicity_ends_on=publicity[1],
        created_by_id=centre.created_by,
        created_at=clock.at(plus(opens, -7)),
    )
    tiers = {}
    for name, amount in TIERS:
        money = Decimal(amount).quantize(CENT)
        tiers[name] = (rows.add(AidTier, campaign_id=campaign, name=name, amount=money), money)
    return AidRound(campaign, year, opens, closes, publicity[1], line, tiers)


def build_aid_application(
    rows: Rows,
    rng: random.Random,
    clock: Clock,
    staff: Staff,
    campaign: AidRound,
    who: Who,
    *,
    status: str,
    file: FileCase | None,
    rated: bool = False,
) -> int | None:
    """One child's application; ``None`` when that child already applied in this campaign."""
    tier = rng.choices(tuple(campaign.tiers), TIER_WEIGHTS)[0]
    tier_id, amount = campaign.tiers[tier]
    child_gender = rng.choice("MF")
    born = plus(datetime.date(campaign.year - (22 if tier == "研究生" else 18), 1, 1), rng.randrange(365))
    child_id = synthetic_id_number(rng, born, child_gender)
    key = keyed_digest(child_id)
    if key in campaign.keys:
        return None
    campaign.keys.add(key)
    surname = who.name[:2] if who.name[:2] in ("欧阳", "司马") else who.name[:1]
    submitted = min(clock.today, random_day(rng, campaign.opens_on, campaign.closes_on))
    officer = staff.officer_for(who)
    decided = status in ("approved", "rejected", "paid")
    decided_on = min(clock.today, max(submitted, plus(campaign.closes_on, 3)))
    app = rows.add(
        AidApplication,
        campaign_id=campaign.id,
        member_id=who.id,
        unit_path=who.unit_path,
        child_name=surname + given_name(rng, child_gender, born.year),
        child_id_number=child_id,
        child_key=key,
        school=rng.choice(SCHOOLS[tier]),
        admitted_year=campaign.year,
        tier_id=tier_id,
        amount=amount,
        income_per_head=file.income_per_head if file else yuan(rng.uniform(700, 1550), 10),
        hardship_file_id=file.id if file else None,
        status=status,
        submitted_by_id=staff.member_users.get(who.id, officer),
        submitted_at=clock.at(submitted, 11, rng.randrange(60)),
        reviewed_by_id=officer if status in ("reviewed", "approved", "rejected", "paid") else None,
        decided_by_id=staff.chair if decided else None,
        decided_at=clock.at(decided_on, 15) if decided else None,
        decision_note={"rejected": rng.choice(AID_REJECTIONS), "withdrawn": AID_WITHDRAWN}.get(status, ""),
    )
    if status == "approved":
        campaign.line.committed += amount
    if status == "paid":
        paid_on = min(clock.today, plus(campaign.publicity_ends_on or clock.today, 3))
        pay(rows, clock, campaign.line, AidApplication, app, who, amount, officer, paid_on)
        if rated:
            rate(rows, rng, clock, EDUCATION_AID, AID_LABEL, app, who, staff.chair, paid_on)
    return app


# --- Visits ---------------------------------------------------------------------------------------

GIFTS = {
    Occasion.ILLNESS: ("水果、牛奶", "营养品一盒", "鲜花、水果"),
    Occasion.BEREAVEMENT: ("花圈、挽联",),
    Occasion.CHILDBIRTH: ("婴儿用品礼包",),
    Occasion.MARRIAGE: ("新婚贺礼",),
    Occasion.RETIREMENT: ("纪念品、荣誉证书",),
    Occasion.DISASTER: ("大米、食用油、被褥", "生活物资一批"),
    Occasion.WINTER: ("大米一袋、食用油一桶、棉被一床", "大米、食用油"),
    Occasion.SUMMER: ("绿豆、白糖、防暑药品", "防暑降温用品"),
    Occasion.FESTIVAL: ("月饼、水果", "年货礼包"),
}
REASONS = {
    Occasion.ILLNESS: (
        "住院治疗（岳阳市一人民医院）",
        "住院手术（岳阳市中心医院）",
        "住院治疗（长岭医院）",
        "术后康复（湘雅医院）",
    ),
    Occasion.BEREAVEMENT: ("父亲病故", "母亲病故", "配偶病故"),
    Occasion.CHILDBIRTH: ("喜得千金", "喜得贵子"),
    Occasion.MARRIAGE: ("新婚",),
    Occasion.RETIREMENT: ("光荣退休",),
    Occasion.DISASTER: ("家中房屋被洪水淹没", "住房失火"),
    Occasion.FESTIVAL: ("春节慰问", "中秋慰问"),
}
VISIT_MONEY = {  # occasion -> (share of done visits with money, yuan)
    Occasion.ILLNESS: (0.7, 800),
    Occasion.BEREAVEMENT: (0.9, 1_000),
    Occasion.CHILDBIRTH: (0.6, 500),
    Occasion.MARRIAGE: (0.6, 500),
    Occasion.RETIREMENT: (0.5, 800),
    Occasion.DISASTER: (0.9, 2_000),
    Occasion.WINTER: (0.2, 300),
    Occasion.SUMMER: (0.0, 0),
    Occasion.FESTIVAL: (0.1, 200),
}
VISIT_FINDINGS = (
    "精神状态良好，家属照顾周到",
    "家中老人卧床，需要护理帮助",
    "医药费负担较重，建议启动医疗救助",
    "家庭生活困难，建议建立困难职工档案",
    "恢复良好，准备近期返岗",
)
VISIT_NEEDS = ("", "", "", "申请医疗救助", "希望帮助配偶就业", "子女上学有困难")
CANCELLED_VISIT = "职工已出院返岗，本人婉谢"


@dataclass
class Round:
    """A festival campaign (送温暖 / 送清凉)."""

    id: int
    occasion: str
    due_by: datetime.date
    created_on: datetime.date
    created_by: int | None


def build_campaign(
    rows: Rows,
    clock: Clock,
    centre: Centre,
    *,
    occasion: str,
    due_by: datetime.date,
    include_files: bool,
    include_retirees: bool,
    tags: Sequence[int] = (),
) -> Round:
    title = "送温暖走访慰问" if occasion == Occasion.WINTER else "送清凉慰问"
    created_on = min(clock.today, plus(due_by, -30))
    campaign = rows.add(
        VisitCampaign,
        unit_id=centre.union_id,
        unit_path=centre.union_path,
        name=f"{due_by.year}年{title}",
        occasion=occasion,
        due_by=due_by,
        include_hardship_files=include_files,
        include_retirees=include_retirees,
        budget_line_id=centre.line(due_by.year, "visits").id,
        created_by_id=centre.created_by,
        created_at=clock.at(created_on),
    )
    for tag in tags:
        rows.add(VisitCampaign.tags.through, visitcampaign_id=campaign, membertag_id=tag)
    return Round(campaign, occasion, due_by, created_on, centre.created_by)


def build_visit(
    rows: Rows,
    rng: random.Random,
    clock: Clock,
    centre: Centre,
    staff: Staff,
    who: Who,
    *,
    occasion: str,
    due_by: datetime.date,
    status: str,
    campaign: Round | None = None,
    money: Decimal | None | bool = None,
    visitors: bool = True,
    rated: bool | None = None,
    findings: bool | None = None,
) -> int:
    """A visit due by ``due_by``; done ones have a date, gifts and perhaps money (paid out at once).

    ``money``: an amount, ``False`` for none, ``True`` for the occasion's usual sum, ``None`` for the
    occasion's usual sum now and then.
    """
    visitor = staff.visitor_for(who)
    created = campaign.created_on if campaign else min(clock.today, plus(due_by, -RULE_DAYS.get(occasion, 30)))
    values: dict[str, Any] = {}
    reason = rng.choice(REASONS[occasion]) if occasion in REASONS else ""
    amount = None
    if status == "done":
        visited = min(clock.today, max(created, plus(due_by, -rng.randint(0, max(1, (due_by - created).days // 2)))))
        if findings if findings is not None else rng.random() < 0.2:
            values["findings"], values["needs"] = rng.choice(VISIT_FINDINGS), rng.choice(VISIT_NEEDS)
        share, usual = VISIT_MONEY[occasion]
        if isinstance(money, Decimal):
            amount = money
        elif usual and (money is True or (money is None and rng.random() < share)):
            amount = yuan(usual)
        values.update(
            visited_on=visited,
            gifts=rng.choice(GIFTS[occasion]),
            recorded_by_id=visitor,
            visitor_names=rng.choice(("", "", "工会小组长")),
        )
        if amount:
            values.update(amount=amount, budget_line_id=centre.line(visited.year, "visits").id)
    elif status == "cancelled":
        reason = f"{reason}（{CANCELLED_VISIT}）" if reason else CANCELLED_VISIT
    visit = rows.add(
        Visit,
        member_id=who.id,
        unit_path=who.unit_path,
        occasion=occasion,
        campaign_id=campaign.id if campaign else None,
        reason=reason,
        status=status,
        due_by=due_by,
        created_by_id=campaign.created_by if campaign else staff.officer_for(who),
        created_at=clock.at(created, 9),
        **values,
    )
    if status == "done":
        if amount:
            # As services/visits.py does: the cadre who records the visit pays the money out.
            pay(rows, clock, centre.line(visited.year, "visits"), Visit, visit, who, amount, visitor, visited)
        if visitors:
            rows.add(Visit.visitors.through, visit_id=visit, user_id=visitor)
        if rated if rated is not None else rng.random() < 0.15:
            rate(rows, rng, clock, VISITS, VISIT_LABEL, visit, who, visitor, visited)
    return visit


# --- The reference union: a small, hand-shaped set ------------------------------------------------

# (state, variant, branch suffix, days since the file reached its state)
FILE_PLAN: tuple[tuple[str, str, str, int], ...] = (
    ("draft", "", "S01", 2),
    ("draft", "", "S05", 6),
    ("draft", "", "S09", 12),
    ("submitted", "", "S01", 1),
    ("submitted", "", "S01", 4),
    ("submitted", "", "S03", 3),
    ("submitted", "", "S07", 9),
    ("branch_reviewed", "", "S01", 2),
    ("branch_reviewed", "", "S04", 5),
    ("branch_reviewed", "", "S08", 8),
    ("publicity", "objection", "S02", 2),
    ("publicity", "", "S01", 7),  # publicity over: ready to activate
    ("publicity", "dismissed", "S06", 6),
    ("active", "demo_member", "S01", 200),
    ("active", "", "S01", 420),  # re-review 55 days overdue
    ("active", "", "S02", 379),  # re-review 14 days overdue
    ("active", "", "S05", 368),  # re-review 3 days overdue
    ("active", "", "S01", 362),  # re-review due this week
    ("active", "", "S07", 360),  # re-review due this week
    ("active", "re_reviewed", "S03", 560),
    ("active", "re_reviewed", "S08", 610),
    ("active", "re_reviewed", "S01", 450),
    ("active", "", "S02", 300),
    ("active", "", "S04", 250),
    ("active", "", "S06", 180),
    ("active", "", "S09", 140),
    ("active", "", "S03", 95),
    ("active", "", "S08", 60),
    ("active", "", "S05", 40),
    ("active", "", "S07", 24),
    ("active", "", "S04", 12),
    ("exited", "exit_on_review", "S02", 30),
    ("exited", "exit_on_review", "S06", 150),
    ("exited", "", "S01", 260),
    ("exited", "", "S09", 330),
    ("exited", "", "S05", 90),
    ("rejected", "", "S03", 20),
    ("rejected", "rejected_by_union", "S07", 45),
    ("rejected", "", "S08", 120),
    ("rejected", "rejected_by_union", "S01", 200),
)
# Requests still in the queue: (days ago, status).
RECENT_REQUESTS = tuple((d, "requested" if d % 2 else "approved") for d in range(1, 17))
# Recently delivered help whose first follow-up is due this week or overdue: (days ago, overdue?).
RECENT_DELIVERIES = ((27, False), (29, False), (33, False), (35, True), (40, True), (62, False), (86, False))
ONE_OFF_KINDS = ("cash", "legal", "job", "medical", "schooling", "cash", "legal", "goods") * 2
# (occasion, status, due by in days from today): visits made due by the union's rules.
VISIT_PLAN: tuple[tuple[str, str, int], ...] = (
    (Occasion.ILLNESS, "due", 2),
    (Occasion.ILLNESS, "due", 5),
    (Occasion.ILLNESS, "due", -3),
    (Occasion.ILLNESS, "due", -9),
    (Occasion.ILLNESS, "done", -20),
    (Occasion.ILLNESS, "done", -48),
    (Occasion.ILLNESS, "done", -120),
    (Occasion.ILLNESS, "done", -260),
    (Occasion.ILLNESS, "cancelled", -30),
    (Occasion.BEREAVEMENT, "due", -2),
    (Occasion.BEREAVEMENT, "done", -40),
    (Occasion.BEREAVEMENT, "done", -210),
    (Occasion.CHILDBIRTH, "due", 6),
    (Occasion.CHILDBIRTH, "done", -60),
    (Occasion.CHILDBIRTH, "done", -300),
    (Occasion.MARRIAGE, "due", 10),
    (Occasion.MARRIAGE, "done", -15),
    (Occasion.MARRIAGE, "done", -250),
    (Occasion.RETIREMENT, "done", -75),
    (Occasion.RETIREMENT, "due", 20),
    (Occasion.DISASTER, "done", -100),
    (Occasion.DISASTER, "due", -1),
    (Occasion.FESTIVAL, "done", -240),
    (Occasion.FESTIVAL, "done", -320),
)


class Picker:
    """Hands out members of the reference union, each once, preferring a branch and an age range."""

    def __init__(self, rng: random.Random, people: Sequence[Who], taken: set[int], today: datetime.date):
        self.rng, self.people, self.taken, self.today = rng, list(people), set(taken), today

    def take(
        self, branch: str | None = None, *, statuses: Sequence[str] = ("active",), ages: tuple[int, int] = (20, 70)
    ) -> Who | None:
        def fits(p: Who, same_branch: bool) -> bool:
            return (
                p.id not in self.taken
                and p.status in statuses
                and ages[0] <= age_on(p.birth_date, self.today) <= ages[1]
                and (not same_branch or branch is None or p.branch == branch)
            )

        choices = [p for p in self.people if fits(p, True)] or [p for p in self.people if fits(p, False)]
        if not choices:
            return None
        who = self.rng.choice(choices)
        self.taken.add(who.id)
        return who


def reference_people(union_id: int) -> list[Who]:
    tagged: dict[int, set[str]] = {}
    tags = Member.tags.through.objects.filter(member__union_id=union_id).values_list("member_id", "membertag__code")
    for member_id, code in tags:
        tagged.setdefault(member_id, set()).add(code)
    rows = (
        Member.objects.filter(union_id=union_id)
        .order_by("id")
        .values_list("id", "unit_path", "unit__code", "name", "gender", "birth_date", "status", "employee_no")
    )
    return [
        Who(
            pk,
            path,
            code.split("-")[1] if "-" in code else "",
            name,
            gender,
            birth,
            status,
            number,
            frozenset(tagged.get(pk, ())),
        )
        for pk, path, code, name, gender, birth, status, number in rows
    ]


def reference_staff(union_path: str) -> Staff | None:
    """The demo logins and cadres of the reference union (``None`` when the chair or the officer is missing)."""
    users = dict(User.objects.filter(username__in=["demo-officer", "demo-chair"]).values_list("username", "pk"))
    if len(users) < 2:
        return None
    staff = Staff(users["demo-officer"], users["demo-chair"])
    grants = RoleAssignment.objects.filter(
        role__in=["branch_cadre", "assistance_officer"], unit__kind="branch", unit__path__startswith=union_path
    ).values_list("role", "unit__code", "user_id")
    for role, code, user_id in grants:
        (staff.branch_cadres if role == "branch_cadre" else staff.station_officers)[code.split("-")[-1]] = user_id
    member = User.objects.filter(username="demo-member", member__isnull=False).values_list("member_id", "pk").first()
    if member:
        staff.member_users[member[0]] = member[1]
    return staff


def cause_kinds(causes: Sequence[str]) -> list[str]:
    kinds = ["cash", "goods"]
    if "illness" in causes or "disability" in causes:
        kinds += ["medical", "medical"]
    if "schooling" in causes or "single_parent" in causes:
        kinds += ["schooling"]
    if "low_income" in causes:
        kinds += ["job"]
    if "disaster" in causes:
        kinds += ["cash", "legal"]
    return kinds


def load_reference(rows: Rows, clock: Clock, seed: int, union_id: int, union_path: str) -> None:
    """The reference union's centre: every state, kind and status, things due this week and overdue."""
    staff = reference_staff(union_path)
    people = reference_people(union_id)
    if staff is None or not people:
        return
    cadres = User.objects.filter(member__union_id=union_id, role_assignments__isnull=False)
    staff.cadre_members = set(cadres.values_list("member_id", flat=True))
    rng = random.Random(f"unionhome-demo-assistance:{seed}:reference")
    centre = open_centre(rows, clock, union_id=union_id, union_path=union_path, staff=staff, scale=1)
    by_id = {p.id: p for p in people}
    demo_member = next(iter(staff.member_users), None)
    picker = Picker(rng, people, staff.cadre_members | {demo_member}, clock.today)
    first = datetime.date(clock.year - 1, 1, 1)

    # Hardship files in every state; demo-member's is active.
    cases: list[FileCase] = []
    for state, variant, branch, days_ago in FILE_PLAN:
        if variant == "demo_member":
            who = by_id.get(demo_member) if demo_member else None
        else:
            statuses = ("active", "retired") if state in ("active", "exited") else ("active",)
            who = picker.take(branch, statuses=statuses, ages=(24, 62))
        if who is not None:
            mine = variant == "demo_member"
            cases.append(
                build_file(
                    rows,
                    rng,
                    clock,
                    centre,
                    staff,
                    who,
                    state=state,
                    entered=clock.day(-days_ago),
                    level="relative" if mine else None,
                    variant="" if mine else variant,
                )
            )

    # Assistance: what the active and exited files received over time, and one-off help for others;
    # a few rejected, cancelled, one reversed, the rest delivered.
    plans: list[tuple[FileCase | None, Who, str, datetime.date]] = []
    for case in cases:
        if case.state not in ("active", "exited") or case.who.id == demo_member:
            continue
        start, end = case.activated_on, case.closed_on or clock.day(-20)
        span = max(1, (end - start).days)
        count = 3 + (rng.random() < 0.5) + (span > 300)
        kinds = ["cash"] + [rng.choice(cause_kinds(case.causes)) for _ in range(count - 1)]
        for i, kind in enumerate(kinds):
            day = plus(start, 1 + span * i // count + rng.randint(0, max(1, span // (count * 2))))
            plans.append((case, case.who, kind, max(first, min(day, clock.day(-20)))))
    for kind in ONE_OFF_KINDS:
        who = picker.take()
        if who is not None:
            plans.append((None, who, kind, max(first, clock.day(-rng.randint(25, 700)))))
    order = list(range(len(plans)))
    rng.shuffle(order)
    reversed_one = [i for i in order if plans[i][2] in MONEY_KINDS][:1]
    rest = [i for i in order if i not in reversed_one]
    statuses = dict.fromkeys(rest[:6], "rejected") | dict.fromkeys(rest[6:11], "cancelled")
    statuses |= dict.fromkeys(reversed_one, "reversed")
    for i, (case, who, kind, day) in enumerate(plans):
        build_assistance(
            rows,
            rng,
            clock,
            centre,
            who=who,
            file=case,
            kind=kind,
            status=statuses.get(i, "delivered"),
            requested_on=day,
            requester=staff.officer_for(who),
        )
    active = [c for c in cases if c.state == "active" and c.who.id != demo_member]
    for days_ago, status in RECENT_REQUESTS if active else ():
        case = active[days_ago % len(active)]
        build_assistance(
            rows,
            rng,
            clock,
            centre,
            who=case.who,
            file=case,
            kind=rng.choice(cause_kinds(case.causes)),
            status=status,
            requested_on=clock.day(-days_ago),
            requester=staff.officer_for(case.who),
        )
    for i, (days_ago, overdue) in enumerate(RECENT_DELIVERIES if active else ()):
        case = active[(i * 3 + 1) % len(active)]
        build_assistance(
            rows,
            rng,
            clock,
            centre,
            who=case.who,
            file=case,
            kind=("cash", "goods", "medical")[i % 3],
            status="delivered",
            requested_on=clock.day(-days_ago - 4),
            delivered_on=clock.day(-days_ago),
            requester=staff.officer_for(case.who),
            overdue_follow_up=overdue,
            rated=not overdue and i % 2 == 0,
        )
    mine = next((c for c in cases if c.who.id == demo_member), None)
    if mine is not None:
        # Help delivered last month and rated; help delivered this week, awaiting the member's rating; a request.
        common = {"who": mine.who, "file": mine, "requester": staff.officer_for(mine.who)}
        build_assistance(
            rows,
            rng,
            clock,
            centre,
            kind="cash",
            status="delivered",
            requested_on=clock.day(-55),
            delivered_on=clock.day(-50),
            rated=True,
            **common,
        )
        build_assistance(
            rows,
            rng,
            clock,
            centre,
            kind="goods",
            status="delivered",
            requested_on=clock.day(-9),
            delivered_on=clock.day(-4),
            rated=False,
            **common,
        )
        build_assistance(
            rows, rng, clock, centre, kind="medical", status="requested", requested_on=clock.day(-2), **common
        )

    # Education aid: last year's campaign closed and paid, this year's open; every third applicant has a file.
    open_files = {c.who.id: c for c in cases if c.state == "active"}
    for year, state, aid_statuses in (
        (clock.year - 1, "closed", ["paid"] * 9 + ["rejected", "rejected", "withdrawn"]),
        (clock.year, "open", ["submitted"] * 6 + ["reviewed"] * 4 + ["approved"] * 3 + ["rejected", "withdrawn"]),
    ):
        campaign = build_aid_campaign(rows, clock, centre, year=year, state=state)
        holders = [c.who for c in open_files.values() if 40 <= age_on(c.who.birth_date, clock.today) <= 58]
        for i, status in enumerate(aid_statuses):
            if i % 3 == 0 and holders:
                who: Who | None = holders.pop(rng.randrange(len(holders)))
            else:
                who = picker.take(ages=(40, 56))
            if who is not None:
                build_aid_application(
                    rows,
                    rng,
                    clock,
                    staff,
                    campaign,
                    who,
                    status=status,
                    file=open_files.get(who.id),
                    rated=state == "closed" and i % 3 == 0,
                )

    # Visits: this winter's campaign under way, last winter's and last summer's done, visits due by rules.
    retirees = [p for p in people if p.status == "retired"]
    winter = build_campaign(
        rows, clock, centre, occasion=Occasion.WINTER, due_by=clock.day(10), include_files=True, include_retirees=True
    )
    seen: set[int] = set()
    for i, case in enumerate(c for c in cases if c.state == "active"):
        seen.add(case.who.id)
        build_visit(
            rows,
            rng,
            clock,
            centre,
            staff,
            case.who,
            occasion=Occasion.WINTER,
            due_by=winter.due_by,
            status="done" if i % 3 == 0 else "due",
            campaign=winter,
            money=yuan(500),
            rated=i % 6 == 3,
        )
    for i, who in enumerate(p for p in retirees if p.id not in seen):
        build_visit(
            rows,
            rng,
            clock,
            centre,
            staff,
            who,
            occasion=Occasion.WINTER,
            due_by=winter.due_by,
            status="done" if i % 4 == 0 else "due",
            campaign=winter,
            money=False,
        )
    last_winter = build_campaign(
        rows, clock, centre, occasion=Occasion.WINTER, due_by=clock.day(-355), include_files=True, include_retirees=True
    )
    then = last_winter.due_by
    files_then = [
        c.who for c in cases if c.activated_on and c.activated_on < then and (c.closed_on is None or c.closed_on > then)
    ]
    seen = set()
    for i, who in enumerate(files_then + retirees):
        if who.id not in seen:
            seen.add(who.id)
            build_visit(
                rows,
                rng,
                clock,
                centre,
                staff,
                who,
                occasion=Occasion.WINTER,
                due_by=then,
                status="cancelled" if i == 5 else "done",
                campaign=last_winter,
                money=yuan(500) if i < len(files_then) else False,
                rated=i % 4 == 1,
            )
    model_worker = MemberTag.objects.filter(code="model_worker").values_list("pk", flat=True).first()
    summer = build_campaign(
        rows,
        clock,
        centre,
        occasion=Occasion.SUMMER,
        due_by=clock.day(-130),
        include_files=False,
        include_retirees=False,
        tags=[model_worker] if model_worker else [],
    )
    for who in people:
        if "model_worker" in who.tags and who.status == "active" and who.id not in staff.cadre_members:
            build_visit(
                rows,
                rng,
                clock,
                centre,
                staff,
                who,
                occasion=Occasion.SUMMER,
                due_by=summer.due_by,
                status="done",
                campaign=summer,
                money=False,
                rated=False,
            )
    for occasion, status, due_in in VISIT_PLAN:
        if occasion == Occasion.RETIREMENT:
            who = picker.take(statuses=("retired",)) or picker.take(ages=(54, 62))
        elif occasion in (Occasion.CHILDBIRTH, Occasion.MARRIAGE):
            who = picker.take(ages=(23, 36))
        else:
            who = picker.take()
        if who is not None:
            build_visit(
                rows, rng, clock, centre, staff, who, occasion=occasion, due_by=clock.day(due_in), status=status
            )
    if mine is not None:
        # A hospital stay last month: visited, with condolence money; awaiting the member's rating.
        build_visit(
            rows,
            rng,
            clock,
            centre,
            staff,
            mine.who,
            occasion=Occasion.ILLNESS,
            due_by=clock.day(-16),
            status="done",
            money=yuan(800),
            rated=False,
            findings=True,
        )
    settle(rows, clock, centre)


# --- A federation's other unions: data in proportion to the roster --------------------------------

STATE_WEIGHTS = {
    "active": 52,
    "exited": 22,
    "rejected": 6,
    "draft": 3,
    "submitted": 6,
    "branch_reviewed": 4,
    "publicity": 7,
}
STATUS_WEIGHTS = {"delivered": 78, "approved": 5, "requested": 6, "rejected": 5, "cancelled": 5, "reversed": 1}
KIND_WEIGHTS = {"cash": 38, "goods": 20, "medical": 15, "schooling": 10, "job": 9, "legal": 8}
OCCASION_WEIGHTS = {
    Occasion.FESTIVAL: 28,
    Occasion.WINTER: 24,
    Occasion.SUMMER: 22,
    Occasion.ILLNESS: 12,
    Occasion.BEREAVEMENT: 5,
    Occasion.CHILDBIRTH: 3,
    Occasion.MARRIAGE: 3,
    Occasion.DISASTER: 2,
    Occasion.RETIREMENT: 1,
}


@dataclass(frozen=True)
class UnionRef:
    number: int
    pk: int
    path: str


def union_people(union: UnionRef) -> list[Who]:
    rows = (
        Member.objects.filter(union_id=union.pk)
        .order_by("id")
        .values_list("id", "unit_path", "name", "gender", "birth_date", "status", "employee_no")
    )
    return [
        Who(pk, path, "", name, gender, birth, status, number) for pk, path, name, gender, birth, status, number in rows
    ]


def union_staff(union: UnionRef, people: Sequence[Who], unusable: str) -> Staff | None:
    """An assistance officer and a chair for a union of the federation (no password: they never sign in)."""
    chosen = [p for p in people if p.status == "active"][:2]
    if len(chosen) < 2:
        return None
    users = User.objects.bulk_create(
        [
            User(
                username=f"{role.replace('_', '-')}-{who.employee_no}",
                display_name=who.name,
                member_id=who.id,
                is_demo=True,
                password=unusable,
            )
            for who, role in zip(chosen, ("assistance_officer", "chair"), strict=True)
        ]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role=r, unit_id=union.pk)
            for u, r in zip(users, ("assistance_officer", "chair"), strict=True)
        ]
    )
    return Staff(officer=users[0].pk, chair=users[1].pk, cadre_members={p.id for p in chosen})


def load_union(rows: Rows, clock: Clock, seed: int, union: UnionRef, unusable: str) -> int:
    """One union of the federation: files for about 5 % of members, 0.5 assistance and 2 visits a member."""
    people = union_people(union)
    staff = union_staff(union, people, unusable)
    if staff is None:
        return len(people)
    rng = random.Random(f"unionhome-demo-assistance:{seed}:{union.number}")
    scale = max(0.05, len(people) / shape.REFERENCE_SIZE)
    centre = open_centre(rows, clock, union_id=union.pk, union_path=union.path, staff=staff, scale=scale)
    first = datetime.date(clock.year - 1, 1, 1)
    eligible = [p for p in people if p.status in ("active", "retired") and p.id not in staff.cadre_members]
    active_people = [p for p in eligible if p.status == "active"]

    # Hardship files.
    cases: list[FileCase] = []
    states, state_weights = tuple(STATE_WEIGHTS), tuple(STATE_WEIGHTS.values())
    for who in rng.sample(eligible, min(len(eligible), round(len(people) * FILE_SHARE))):
        state = rng.choices(states, state_weights)[0]
        variant = ""
        if state == "active":
            entered = random_day(rng, plus(first, 30), clock.day(-5))
            # Past the first re-review date: mostly re-reviewed in time, now and then overdue.
            if (clock.today - entered).days > 365 and rng.random() < 0.85:
                variant = "re_reviewed"
        elif state == "exited":
            entered = random_day(rng, plus(first, 120), clock.day(-1))
            variant = "exit_on_review" if rng.random() < 0.5 else ""
        elif state == "rejected":
            entered = random_day(rng, first, clock.day(-1))
            variant = "rejected_by_union" if rng.random() < 0.4 else ""
        elif state == "publicity":
            entered = clock.day(-rng.randint(0, centre.settings.publicity_days + 2))
            variant = "objection" if rng.random() < 0.1 else ""
        else:
            entered = clock.day(-rng.randint(0, 20))
        cases.append(build_file(rows, rng, clock, centre, staff, who, state=state, entered=entered, variant=variant))
    helped = [c for c in cases if c.state in ("active", "exited")]

    # Assistance: most of it to members with a file, the rest one-off help.
    statuses, status_weights = tuple(STATUS_WEIGHTS), tuple(STATUS_WEIGHTS.values())
    kinds, kind_weights = tuple(KIND_WEIGHTS), tuple(KIND_WEIGHTS.values())
    for _ in range(round(len(people) * ASSISTANCE_PER_MEMBER)):
        status = rng.choices(statuses, status_weights)[0]
        case = rng.choice(helped) if helped and rng.random() < 0.6 else None
        if case is not None and status in ("requested", "approved") and case.state != "active":
            case = None
        who = case.who if case else rng.choice(active_people)
        if status in ("requested", "approved"):
            requested = clock.day(-rng.randint(0, 30))
        elif case is not None:
            requested = random_day(rng, max(first, case.activated_on), case.closed_on or clock.today)
        else:
            requested = random_day(rng, first, clock.today)
        build_assistance(
            rows,
            rng,
            clock,
            centre,
            who=who,
            file=case,
            kind=rng.choices(kinds, kind_weights)[0],
            status=status,
            requested_on=requested,
            requester=staff.officer,
        )

    # Education aid: last year's campaign paid out, this year's open.
    open_files = {c.who.id: c for c in cases if c.state == "active"}
    applicants = [p for p in active_people if 40 <= age_on(p.birth_date, clock.today) <= 56]
    for year, state, pool in (
        (clock.year - 1, "closed", ("paid",) * 8 + ("rejected", "withdrawn")),
        (clock.year, "open", ("submitted",) * 5 + ("reviewed",) * 3 + ("approved",) * 2),
    ):
        campaign = build_aid_campaign(rows, clock, centre, year=year, state=state)
        for who in rng.sample(applicants, min(len(applicants), round(len(people) * AID_APPLICATIONS_PER_MEMBER))):
            build_aid_application(
                rows,
                rng,
                clock,
                staff,
                campaign,
                who,
                status=rng.choice(pool),
                file=open_files.get(who.id),
                rated=rng.random() < 0.3,
            )

    # Visits: about two a member over this and last year, from festival campaigns and from rules.
    campaigns = {
        Occasion.WINTER: [
            build_campaign(
                rows,
                clock,
                centre,
                occasion=Occasion.WINTER,
                due_by=clock.day(due),
                include_files=True,
                include_retirees=True,
            )
            for due in (-355, 10)
        ],
        Occasion.SUMMER: [
            build_campaign(
                rows,
                clock,
                centre,
                occasion=Occasion.SUMMER,
                due_by=clock.day(due),
                include_files=False,
                include_retirees=False,
            )
            for due in (-495, -130)
        ],
    }
    occasions, occasion_weights = tuple(OCCASION_WEIGHTS), tuple(OCCASION_WEIGHTS.values())
    last_day = clock.day(30)
    for who in eligible:
        free = {occasion: list(rounds) for occasion, rounds in campaigns.items()}
        for _ in range(rng.choices(VISITS_PER_MEMBER, VISITS_PER_MEMBER_WEIGHTS)[0]):
            occasion = rng.choices(occasions, occasion_weights)[0]
            if occasion == Occasion.RETIREMENT and who.status != "retired":
                occasion = Occasion.FESTIVAL
            campaign = None
            if occasion in free:
                if free[occasion]:
                    campaign = free[occasion].pop(rng.randrange(len(free[occasion])))
                else:
                    occasion = Occasion.FESTIVAL
            due_by = campaign.due_by if campaign else random_day(rng, plus(first, 20), last_day)
            late = (clock.today - due_by).days
            if late > 30:
                status = rng.choices(("done", "cancelled", "due"), (96, 3, 1))[0]
            elif late > 0:
                status = rng.choices(("done", "cancelled", "due"), (75, 3, 22))[0]
            else:
                status = "done" if rng.random() < 0.2 else "due"
            build_visit(
                rows,
                rng,
                clock,
                centre,
                staff,
                who,
                occasion=occasion,
                due_by=due_by,
                status=status,
                campaign=campaign,
                visitors=False,
                money=True if occasion == Occasion.WINTER and who.id in open_files else None,
            )
    settle(rows, clock, centre)
    return len(people)


# --- Entry point ----------------------------------------------------------------------------------


@dataclass
class CentreResult:
    files: int = 0
    assistance: int = 0
    visits: int = 0
    payments: int = 0
    follow_ups: int = 0
    ratings: int = 0
    aid_applications: int = 0
    seconds: float = 0.0


def load_centre(
    *,
    seed: int,
    reference: UnionRef,
    others: Sequence[UnionRef] = (),
    batch_size: int = 5000,
    today: datetime.date | None = None,
    progress: Progress | None = None,
    total_members: int = 0,
) -> CentreResult:
    """The centre's data for the reference union and, in a federation, for every other union."""
    started = time.monotonic()
    clock = Clock.current(today)
    rows = Rows(clock, batch_size)
    load_reference(rows, clock, seed, reference.pk, reference.path)
    unusable = make_password(None)
    done = reported = 0
    for union in others:
        done += load_union(rows, clock, seed, union, unusable)
        if rows.pending >= batch_size * 4:
            rows.flush()
        if progress and done - reported >= 50_000:
            reported = done
            progress(done, total_members, time.monotonic() - started)
    rows.finish()
    counts = rows.counts
    return CentreResult(
        files=counts[HardshipFile],
        assistance=counts[Assistance],
        visits=counts[Visit],
        payments=counts[Payment],
        follow_ups=counts[FollowUp],
        ratings=counts[Rating],
        aid_applications=counts[AidApplication],
        seconds=time.monotonic() - started,
    )
