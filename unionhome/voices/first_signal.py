"""The first-signal rule (第一信号): when does a branch's appeals in a category rise "well above its own
baseline"?

For each branch and category:

* **this week** is the number of appeals from Monday to Sunday (local time; a week in progress counts
  what has arrived so far);
* the **baseline** is the mean weekly number over the previous 8 weeks (weeks without appeals count as
  0, so a new branch's baseline is 0);
* the week is **flagged** when ``count >= MIN_COUNT`` (3) **and** ``count >= RATIO × baseline + MARGIN``
  (2 × baseline + 1).

In words a cadre can repeat: "at least three appeals this week, and more than twice the usual number".
A quiet branch (baseline 0 to 1) is flagged at 3; a branch that usually has 4 a week at 9; one that
usually has 20 at 41.

Why this and not a Poisson bound: appeals are not independent arrivals. One bad meal or one late bus
brings ten appeals at once, and busy weeks follow the shift roster, so counts vary far more than a
Poisson model expects; its bound (about baseline + 3·√baseline) would flag ordinary busy weeks of big
branches again and again, and nobody could explain the number at a branch meeting. A ratio with a
floor is robust, explainable, and conservative where it matters: a small branch needs three appeals,
not one, before anyone is told.

The numbers are settings (defaults in brackets): ``VOICES_SIGNAL_MIN_COUNT`` (3),
``VOICES_SIGNAL_RATIO`` (2.0), ``VOICES_SIGNAL_MARGIN`` (1), ``VOICES_SIGNAL_BASELINE_WEEKS`` (8).

Everything here is a pure function of counts (no database), so the rule is tested with generated series.
"""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Rule:
    min_count: int = 3
    ratio: float = 2.0
    margin: float = 1.0
    baseline_weeks: int = 8

    def bound(self, baseline: float) -> int:
        """The smallest weekly count that is flagged for ``baseline``."""
        return max(self.min_count, math.ceil(self.ratio * baseline + self.margin - 1e-9))

    def flags(self, count: int, baseline: float) -> bool:
        return count >= self.bound(baseline)


def current_rule() -> Rule:
    """The rule with the numbers from the settings."""
    return Rule(
        min_count=int(getattr(settings, "VOICES_SIGNAL_MIN_COUNT", 3)),
        ratio=float(getattr(settings, "VOICES_SIGNAL_RATIO", 2.0)),
        margin=float(getattr(settings, "VOICES_SIGNAL_MARGIN", 1)),
        baseline_weeks=int(getattr(settings, "VOICES_SIGNAL_BASELINE_WEEKS", 8)),
    )


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


def baseline_of(previous: Sequence[int], weeks: int) -> float:
    """Mean weekly count over the last ``weeks`` of ``previous`` (oldest first); missing weeks are 0."""
    if weeks <= 0:
        return 0.0
    return sum(previous[-weeks:]) / weeks


def is_signal(count: int, previous: Sequence[int], rule: Rule | None = None) -> bool:
    """Whether ``count`` this week is a first signal against the weekly counts before it (oldest first)."""
    rule = rule or current_rule()
    return rule.flags(count, baseline_of(previous, rule.baseline_weeks))


def flagged_weeks(series: Sequence[int], rule: Rule | None = None, *, start: int = 0) -> list[int]:
    """The indexes of the weeks of ``series`` (weekly counts, oldest first) that are flagged, from week
    ``start`` on (the weeks before it serve as history only)."""
    rule = rule or current_rule()
    return [i for i in range(start, len(series)) if is_signal(series[i], series[:i], rule)]


@dataclass(frozen=True)
class Signal:
    branch_id: int
    category: str
    count: int
    baseline: float


def signals_in(totals: dict[tuple[int, str], tuple[int, int]], rule: Rule | None = None) -> list[Signal]:
    """The flagged (branch, category) pairs of a week from ``{(branch_id, category): (count this week,
    total of the baseline weeks)}``, as the alert job reads them in one aggregate query."""
    rule = rule or current_rule()
    found = []
    for (branch_id, category), (count, before) in sorted(totals.items()):
        baseline = before / rule.baseline_weeks if rule.baseline_weeks > 0 else 0.0
        if rule.flags(count, baseline):
            found.append(Signal(branch_id, category, count, round(baseline, 2)))
    return found
