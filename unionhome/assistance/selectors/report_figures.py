"""What the centre's report holds: one dataclass per report section (files, assistance, money, follow-ups,
education aid, visits), their rows by level, cause, kind, fund source, grade and occasion, the per-child row
and the ``Report`` that gathers them, with ``percent`` for their rates. Plain data filled by
``report_queries`` and read by the pages, the API, the exports and the annual report: counts and sums only,
never a name or any other personal detail.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from unionhome.assistance.models import ZERO
from unionhome.org.models import OrgUnit
from unionhome.report_year import ReportYear as Period  # the year reported on, shared with the annual report


@dataclass
class FileRow:
    code: str
    label: str
    active_during: int = 0
    active_at_end: int = 0


@dataclass
class FileFigures:
    active_during: int = 0
    active_at_end: int = 0
    new: int = 0
    exited: int = 0
    by_level: list[FileRow] = field(default_factory=list)
    by_cause: list[FileRow] = field(default_factory=list)


@dataclass
class KindRow:
    code: str
    label: str
    count: int = 0
    amount: Decimal = ZERO


@dataclass
class FundRow:
    code: str
    label: str
    assistance: Decimal = ZERO
    aid: Decimal = ZERO
    visits: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.assistance + self.aid + self.visits


@dataclass
class AssistanceFigures:
    count: int = 0
    amount: Decimal = ZERO
    by_kind: list[KindRow] = field(default_factory=list)


@dataclass
class MoneyFigures:
    """Every payment of the centre in the year, net of reversals: assistance, education aid and visits."""

    by_fund: list[FundRow] = field(default_factory=list)

    @property
    def assistance(self) -> Decimal:
        return sum((row.assistance for row in self.by_fund), ZERO)

    @property
    def aid(self) -> Decimal:
        return sum((row.aid for row in self.by_fund), ZERO)

    @property
    def visits(self) -> Decimal:
        return sum((row.visits for row in self.by_fund), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((row.total for row in self.by_fund), ZERO)


@dataclass
class GradeRow:
    code: str
    label: str
    count: int = 0


@dataclass
class FollowUpFigures:
    due: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    pending: int = 0
    grades: list[GradeRow] = field(default_factory=list)

    @property
    def late(self) -> int:
        return self.done - self.on_time

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.on_time, self.done + self.overdue)


@dataclass
class AidFigures:
    applications: int = 0
    approved: int = 0
    rejected: int = 0
    paid: int = 0
    approved_amount: Decimal = ZERO
    paid_amount: Decimal = ZERO


@dataclass
class OccasionRow:
    code: str
    label: str
    due: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    done_in_year: int = 0


@dataclass
class VisitFigures:
    due: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    done_in_year: int = 0
    amount: Decimal = ZERO
    by_occasion: list[OccasionRow] = field(default_factory=list)


@dataclass
class ChildRow:
    """One direct child unit of the report's unit (or, with ``unit`` None, records placed on the unit itself)."""

    unit: OrgUnit | None
    label: str
    files_active_during: int = 0
    files_active_at_end: int = 0
    files_new: int = 0
    files_exited: int = 0
    assistance_count: int = 0
    assistance_amount: Decimal = ZERO
    follow_ups_due: int = 0
    follow_ups_done: int = 0
    follow_ups_on_time: int = 0
    follow_ups_overdue: int = 0
    aid_applications: int = 0
    aid_approved: int = 0
    aid_paid_amount: Decimal = ZERO
    visits_due: int = 0
    visits_done: int = 0
    visits_overdue: int = 0
    visits_done_in_year: int = 0

    @property
    def follow_ups_on_time_rate(self) -> Decimal | None:
        return percent(self.follow_ups_on_time, self.follow_ups_done + self.follow_ups_overdue)

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__ if name not in ("unit", "label"))


@dataclass
class Report:
    unit: OrgUnit
    period: Period
    files: FileFigures
    assistance: AssistanceFigures
    money: MoneyFigures
    follow_ups: FollowUpFigures
    aid: AidFigures
    visits: VisitFigures
    children: list[ChildRow]

    @property
    def year(self) -> int:
        return self.period.year


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent with one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))
