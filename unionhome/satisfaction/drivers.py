"""Driver analysis (importance × performance), pure functions: no models, no database.

Each respondent is a row: a mapping from an item's key to the score given (absent when not answered). One item
is the overall satisfaction question; every other item is a possible *driver* of it.

- importance: Pearson's r between the item and the overall question, over the respondents who answered both
  (pairwise complete);
- weight: Johnson's relative weight (2000), the item's share of R² when the overall question is regressed on
  all items at once, over the respondents who answered everything (complete cases). Unlike r it shares what
  correlated items explain together instead of counting it once per item;
- performance: the item's mean over the same pairwise respondents, mapped to 0–100 (1–5 → (x−1)×25,
  0–10 → x×10);
- quadrant: split by the medians of importance and performance: important and below the median performance is
  "act first", important and above "keep up", less important and below "lower priority", less important and
  above "overdone".

Rows are read once (a stream is fine): the pairwise sums are kept as they come, and the scores of the respondents
who answered the overall question are packed into an array of floats (8 bytes a score: 100,000 respondents × 30
items take 24 MB) for the second pass over the complete cases of the items kept. The order of rows does not
matter.
"""

import math
import statistics
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

LIKERT = "likert"  # 1–5 (Likert questions and matrix items)
RECOMMENDATION = "recommendation"  # 0–10

ACT_FIRST = "act_first"
KEEP_UP = "keep_up"
LOWER_PRIORITY = "lower_priority"
OVERDONE = "overdone"
QUADRANTS = (ACT_FIRST, KEEP_UP, LOWER_PRIORITY, OVERDONE)

_EIGEN_FLOOR = 1e-10


@dataclass(frozen=True)
class DriverItem:
    """An item to analyse: a Likert or recommendation question, or one matrix row."""

    key: str
    label: str
    scale: str = LIKERT
    service_line: str = ""
    is_overall: bool = False


@dataclass(frozen=True)
class Driver:
    key: str  # "q<question id>" or "q<question id>.<item index>"
    label: str  # the question text, or the matrix item's text
    service_line: str  # Question.service_line ("" when none)
    importance: float  # Pearson r with the overall question, pairwise complete
    weight: float | None  # relative weight (share of R², sums to 1 over items) on complete cases
    performance: float  # the item's mean mapped to 0–100
    n: int  # pairwise complete respondents
    quadrant: str  # "act_first" | "keep_up" | "lower_priority" | "overdone"


@dataclass(frozen=True)
class DriverAnalysis:
    drivers: list[Driver]  # most important first
    n: int  # respondents who answered the overall question
    r_squared: float | None
    overall_label: str


def to_percent(value: float, scale: str) -> float:
    """A score (or a mean score) on the 0–100 scale."""
    return value * 10.0 if scale == RECOMMENDATION else (value - 1.0) * 25.0


def pearson(n: int, sx: float, sy: float, sxx: float, syy: float, sxy: float) -> float | None:
    """Pearson's r from sums (None when either side does not vary or there are fewer than two pairs)."""
    if n < 2:
        return None
    vx, vy = n * sxx - sx * sx, n * syy - sy * sy
    if vx <= 0 or vy <= 0:
        return None
    return max(-1.0, min(1.0, (n * sxy - sx * sy) / math.sqrt(vx * vy)))


class _Pairs:
    """Sums over the respondents who answered both this item and the overall question."""

    __slots__ = ("n", "sx", "sy", "sxx", "syy", "sxy")

    def __init__(self) -> None:
        self.n = self.sx = self.sy = self.sxx = self.syy = self.sxy = 0

    def add(self, x, y) -> None:
        self.n += 1
        self.sx += x
        self.sy += y
        self.sxx += x * x
        self.syy += y * y
        self.sxy += x * y


def _read(rows: Iterable[Mapping[str, float]], overall: DriverItem, others: Sequence[DriverItem]):
    """One pass: the pairwise sums of each item with the overall question, and the scores of the respondents
    who answered the overall question, packed (NaN: not answered) for the complete cases."""
    pairs = [_Pairs() for _ in others]
    kept = array("d")
    for row in rows:
        y = row.get(overall.key)
        if y is None:
            continue
        kept.append(y)
        for item, pair in zip(others, pairs, strict=True):
            x = row.get(item.key)
            kept.append(math.nan if x is None else x)
            if x is not None:
                pair.add(x, y)
    return pairs, kept


def _complete_sums(scores: array, width: int, used: list[int]):
    """Over the respondents who answered the overall question (column 0) and every ``used`` column: their
    count, the sums of each column and the sums of products (upper triangle), columns in the order 0, *used."""
    columns = [0, *used]
    sums = [0.0] * len(columns)
    cross = [[0.0] * len(columns) for _ in columns]
    count = 0
    for start in range(0, len(scores), width):
        values = [scores[start + c] for c in columns]
        if any(math.isnan(v) for v in values):
            continue
        count += 1
        for i, vi in enumerate(values):
            sums[i] += vi
            line = cross[i]
            for j in range(i, len(values)):
                line[j] += vi * values[j]
    return count, sums, cross


def jacobi_eigen(matrix: Sequence[Sequence[float]], *, sweeps: int = 100) -> tuple[list[float], list[list[float]]]:
    """Eigenvalues and eigenvectors (as columns) of a symmetric matrix, by cyclic Jacobi rotations."""
    size = len(matrix)
    a = [list(map(float, line)) for line in matrix]
    v = [[1.0 if i == j else 0.0 for j in range(size)] for i in range(size)]
    for _ in range(sweeps):
        off = sum(a[i][j] ** 2 for i in range(size) for j in range(i + 1, size))
        if off < 1e-22:
            break
        for p in range(size - 1):
            for q in range(p + 1, size):
                if abs(a[p][q]) < 1e-300:
                    continue
                theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q])
                t = math.copysign(1.0, theta) / (abs(theta) + math.sqrt(theta * theta + 1.0))
                c = 1.0 / math.sqrt(t * t + 1.0)
                s = t * c
                for k in range(size):
                    akp, akq = a[k][p], a[k][q]
                    a[k][p], a[k][q] = c * akp - s * akq, s * akp + c * akq
                for k in range(size):
                    apk, aqk = a[p][k], a[q][k]
                    a[p][k], a[q][k] = c * apk - s * aqk, s * apk + c * aqk
                for k in range(size):
                    vkp, vkq = v[k][p], v[k][q]
                    v[k][p], v[k][q] = c * vkp - s * vkq, s * vkp + c * vkq
    return [a[i][i] for i in range(size)], v


def relative_weights(rxx: Sequence[Sequence[float]], rxy: Sequence[float]) -> tuple[list[float], float] | None:
    """Johnson's relative weights from the predictors' correlation matrix and their correlations with the
    criterion: (weights summing to 1, R²), or None when nothing is explained."""
    size = len(rxy)
    values, vectors = jacobi_eigen(rxx)
    roots = [math.sqrt(value) if value > _EIGEN_FLOOR else 0.0 for value in values]
    inverse = [1.0 / root if root else 0.0 for root in roots]

    def product(diagonal):
        return [
            [sum(vectors[i][k] * diagonal[k] * vectors[j][k] for k in range(size)) for j in range(size)]
            for i in range(size)
        ]

    lam, lam_inv = product(roots), product(inverse)
    beta = [sum(lam_inv[i][j] * rxy[j] for j in range(size)) for i in range(size)]
    raw = [sum(lam[j][k] ** 2 * beta[k] ** 2 for k in range(size)) for j in range(size)]
    r_squared = sum(raw)
    if r_squared <= 1e-12:
        return None
    return [value / r_squared for value in raw], min(1.0, r_squared)


def _complete_weights(scores: array, width: int, used: list[int], min_n: int):
    """Relative weights by column (0.0 for one that does not vary in the complete cases) and R², on the
    respondents who answered the overall question and every ``used`` column; None when they are too few."""
    complete_n, sums, cross = _complete_sums(scores, width, used)
    if complete_n < max(min_n, len(used) + 2):
        return None
    variance = [complete_n * cross[i][i] - sums[i] ** 2 for i in range(len(sums))]
    varying = [i for i in range(1, len(sums)) if variance[i] > 1e-9]
    if variance[0] <= 1e-9 or not varying:
        return None

    def corr(i, j):
        low, high = min(i, j), max(i, j)
        return (complete_n * cross[low][high] - sums[i] * sums[j]) / math.sqrt(variance[i] * variance[j])

    rxx = [[1.0 if i == j else corr(i, j) for j in varying] for i in varying]
    result = relative_weights(rxx, [corr(0, i) for i in varying])
    if result is None:
        return None
    weights, r_squared = result
    by_column = dict.fromkeys(used, 0.0)
    by_column.update((used[i - 1], weight) for i, weight in zip(varying, weights, strict=True))
    return by_column, r_squared


def quadrant(importance: float, performance: float, importance_median: float, performance_median: float) -> str:
    important = importance >= importance_median
    performing = performance >= performance_median
    if important:
        return KEEP_UP if performing else ACT_FIRST
    return OVERDONE if performing else LOWER_PRIORITY


def drivers_analyse(
    rows: Iterable[Mapping[str, float]], items: Sequence[DriverItem], *, min_n: int
) -> DriverAnalysis | None:
    """Analyse ``rows`` (one mapping of item key → score per respondent) for ``items``, one of which is the
    overall question. None without an overall item or with fewer than ``min_n`` respondents who answered it;
    an item answered together with the overall question by fewer than ``min_n``, or that does not vary, is
    left out."""
    overall = next((item for item in items if item.is_overall), None)
    if overall is None:
        return None
    others = [item for item in items if not item.is_overall]
    pairs, scores = _read(rows, overall, others)
    width = len(others) + 1
    n_overall = len(scores) // width
    if n_overall < min_n:
        return None
    found = []
    for index, (item, pair) in enumerate(zip(others, pairs, strict=True), start=1):
        r = pearson(pair.n, pair.sx, pair.sy, pair.sxx, pair.syy, pair.sxy) if pair.n >= min_n else None
        if r is not None:
            found.append((index, item, r, to_percent(pair.sx / pair.n, item.scale), pair.n))
    complete = _complete_weights(scores, width, [entry[0] for entry in found], min_n) if found else None
    weights, r_squared = complete if complete is not None else ({}, None)
    if not found:
        return DriverAnalysis(drivers=[], n=n_overall, r_squared=None, overall_label=overall.label)
    importance_median = statistics.median(entry[2] for entry in found)
    performance_median = statistics.median(entry[3] for entry in found)
    drivers = [
        Driver(
            key=item.key,
            label=item.label,
            service_line=item.service_line,
            importance=r,
            weight=weights.get(index),
            performance=performance,
            n=n,
            quadrant=quadrant(r, performance, importance_median, performance_median),
        )
        for index, item, r, performance, n in found
    ]
    drivers.sort(key=lambda driver: (-driver.importance, driver.key))
    return DriverAnalysis(drivers=drivers, n=n_overall, r_squared=r_squared, overall_label=overall.label)
