"""What the satisfaction index shows of a group of ratings, with small groups suppressed (pure functions).

A *figure* is one group's index as shown: a unit's service line in a period, a unit's overall index, a
cadre's. It is worked out from the group's exact moments (``index_math.Moments``) on the 1–5 rating scale
and is **suppressed** when the group has fewer than k answers (``index_math.min_group()``, 5 by default):
then it carries n and the flag, never the index, its interval or a comparison.

The overall index counts only the lines that are shown
------------------------------------------------------
The overall index is the weighted mean of the lines' indexes (``index_math.combined``), and the weights are
public (``service_lines.py``). If a suppressed line counted in it, one line suppressed beside lines shown
would be given away exactly: index_s = (overall × Σw − Σ_shown w × index) / w_s. Being a mean rather than a
sum does not protect it, since every other term is shown. So a line with fewer than k answers is left out
of the overall index (and of its n) as well as not shown: the overall is then a function of the shown
lines only and tells nothing more about the hidden ones, however many are hidden. When no line has k
answers, the overall itself is suppressed (with the n of the answers held back). The price: in a small unit
or a short period the overall rests on the larger lines only; ``lines`` say which.

A comparison with the previous period is given only when both figures are shown: a difference with a
hidden figure would give that figure away.

What this does not cover: differences *between* answers. A union's line minus the same line of its
branches shown (or a quarter minus two of its months) can narrow down a small branch's (or month's)
answers. Each figure shown rests on at least k answers, which is the rule the issue sets; the drill-down
shows the remainder on the unit itself as a row of its own (``is_self``), suppressed like any other.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from unionhome.satisfaction.index_math import (
    RATING,
    Comparison,
    Estimate,
    Moments,
    combined,
    compare,
    line_estimate,
    line_index,
    suppressed,
    weighted_index,
)


@dataclass(frozen=True, slots=True)
class Figure:
    """A group's index as shown. ``estimate`` is None when the group has no answers (``n`` 0) or fewer than
    k (``suppressed``); ``n`` is the number of answers counted."""

    n: int = 0
    estimate: Estimate | None = None
    suppressed: bool = False

    @property
    def index(self) -> float | None:
        return self.estimate.index if self.estimate is not None else None


def figure_of(moments: Moments, k: int) -> Figure:
    """One group's figure from its moments (scores 1–5), suppressed below ``k`` answers."""
    if moments.n == 0:
        return Figure()
    if suppressed(moments.n, k):
        return Figure(n=moments.n, suppressed=True)
    return Figure(n=moments.n, estimate=line_estimate(moments, RATING.low, RATING.high))


def overall_of(lines: Iterable[tuple[Figure, float]]) -> Figure:
    """The weighted overall figure of a group's lines ``(figure, weight)``, over the lines shown only."""
    lines = list(lines)
    shown = {str(i): (f.estimate, w) for i, (f, w) in enumerate(lines) if f.estimate is not None}
    held_back = sum(f.n for f, _ in lines if f.suppressed)
    if not shown:
        return Figure(n=held_back, suppressed=held_back > 0)
    estimate = combined(shown)
    return Figure(n=estimate.n, estimate=estimate)


def comparison_of(current: Figure, previous: Figure | None) -> Comparison | None:
    """Welch's test of two shown figures (``index_math.compare``); None unless both are shown."""
    if current.estimate is None or previous is None or previous.estimate is None:
        return None
    return compare(current.estimate, previous.estimate)


def figures_by_line(
    moments: Mapping[str, Moments], weights: Mapping[str, float], k: int
) -> tuple[Figure, dict[str, Figure]]:
    """The overall figure and the figure of each line in ``weights`` (its code → weight), from the moments of
    each line (a line with none has no answers)."""
    figures = {code: figure_of(moments.get(code, Moments()), k) for code in weights}
    return overall_of((figures[code], weight) for code, weight in weights.items()), figures


# Ranking many groups (a federation's thousand unions, its cadres): a group's *standing* is (0, index) when its
# overall figure is shown, (1, 0.0) when suppressed, (2, 0.0) with no answers. ``standing_of`` works it out from
# the moments without the interval (the same index as ``figures_by_line``, bit for bit), so only the groups
# actually shown need their whole figure.
Standing = tuple[int, float]


def standing(figure: Figure) -> Standing:
    if figure.index is not None:
        return (0, figure.index)
    return (1 if figure.suppressed else 2, 0.0)


def standing_of(moments: Mapping[str, Moments], weights: Mapping[str, float], k: int) -> Standing:
    """The standing of ``figures_by_line(moments, weights, k)[0]``, cheaply."""
    shown = [(m, weights[code]) for code, m in moments.items() if code in weights and m.n and not suppressed(m.n, k)]
    if shown:
        index = weighted_index((line_index(m.n, m.total, RATING.low, RATING.high), w) for m, w in shown)
        return (2, 0.0) if index is None else (0, index)
    held_back = any(m.n for code, m in moments.items() if code in weights)
    return (1, 0.0) if held_back else (2, 0.0)


def ranking_key(place: Standing, tie, *, lowest: bool = False) -> tuple:
    """Sort key: shown figures by index (highest first, or ``lowest`` first), then the suppressed, then those
    with no answers; ``tie`` orders equals."""
    kind, index = place
    return (kind, index if lowest else -index, tie)
