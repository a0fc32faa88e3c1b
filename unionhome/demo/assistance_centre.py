"""The assistance demo's people and centre of a union: members served, cadres, budget lines and settings,
and settling the lines' committed and spent money at the end."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from unionhome.assistance.models import ZERO, AssistanceSettings, BudgetLine, Occasion, VisitRule
from unionhome.demo.assistance_clock import Clock, yuan
from unionhome.demo.assistance_rows import Rows

RULE_DAYS = {
    Occasion.ILLNESS: 7,
    Occasion.BEREAVEMENT: 3,
    Occasion.CHILDBIRTH: 15,
    Occasion.MARRIAGE: 15,
    Occasion.RETIREMENT: 30,
    Occasion.DISASTER: 3,
}

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
