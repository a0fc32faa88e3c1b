"""The arithmetic of the satisfaction index, as pure functions (defined in docs/satisfaction.md).

Scores are kept as exact integer moments (count, sum, sum of squares of the raw scores), which add up across
units and months and stay exact as ratings arrive or are edited. From them: one line's index on 0–100 with its
standard error and 95 % confidence interval, the weighted index over several lines, and the comparison of two
periods with Welch's t test. Student's t distribution is computed here (regularized incomplete beta function),
so that no statistics package is needed.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from statistics import NormalDist
from typing import NamedTuple

from django.conf import settings

CONFIDENCE = 0.95
# Above this many degrees of freedom Student's t is taken as the normal distribution: the 97.5 % quantiles differ
# by less than 3e-7, less than the digits the log-gamma differences of the exact formula lose there.
NORMAL_DF = 10_000_000
CORNISH_FISHER_DF = 30  # from here on the t quantile comes from its expansion in the normal one


class Scale(NamedTuple):
    low: int
    high: int


RATING = Scale(1, 5)
LIKERT = Scale(1, 5)
RECOMMENDATION = Scale(0, 10)


def to_index(score: float, low: int, high: int) -> float:
    """One score on the scale [low, high] mapped to 0–100."""
    return (score - low) / (high - low) * 100


@dataclass(frozen=True, slots=True)
class Moments:
    """Count, sum and sum of squares of raw integer scores: exact, and added up across units and months."""

    n: int = 0
    total: int = 0
    total_sq: int = 0

    def __post_init__(self) -> None:
        if self.n < 0 or self.total_sq < 0 or self.n * self.total_sq < self.total**2:
            # No list of scores has these moments (Cauchy–Schwarz): e.g. a score removed that was never added.
            raise ValueError(f"impossible moments {self}")
        if self.n == 0 and (self.total or self.total_sq):
            raise ValueError(f"impossible moments {self}")

    @classmethod
    def of(cls, scores: Iterable[int]) -> "Moments":
        n = total = total_sq = 0
        for score in scores:
            if isinstance(score, bool) or not isinstance(score, int):
                raise TypeError(f"scores are integers, not {score!r}")
            n, total, total_sq = n + 1, total + score, total_sq + score * score
        return cls(n, total, total_sq)

    def __add__(self, other: "Moments") -> "Moments":
        return Moments(self.n + other.n, self.total + other.total, self.total_sq + other.total_sq)

    def __sub__(self, other: "Moments") -> "Moments":
        return Moments(self.n - other.n, self.total - other.total, self.total_sq - other.total_sq)


@dataclass(frozen=True, slots=True)
class Estimate:
    """An index on 0–100 with its n, standard error, 95 % interval and degrees of freedom (None: undefined)."""

    index: float | None
    n: int
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    df: float | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    difference: float | None  # current − previous, in index points
    t: float | None
    df: float | None
    p_value: float | None
    significant: bool
    drop: bool  # significant and lower than before


def line_estimate(moments: Moments, low: int, high: int) -> Estimate:
    """The index of one service line (or survey item): the mean of the scores mapped to 0–100."""
    if not low < high:
        raise ValueError(f"a scale needs low < high, not [{low}, {high}]")
    n, total = moments.n, moments.total
    if n == 0:
        return Estimate(index=None, n=0)
    if not n * low <= total <= n * high:
        raise ValueError(f"scores outside the scale [{low}, {high}]: {moments}")
    index = line_index(n, total, low, high)
    if n == 1:
        return Estimate(index=index, n=1)
    variance = Fraction(n * moments.total_sq - total * total, n * (n - 1))  # sample variance of the raw scores
    se = math.sqrt(variance / n) * 100 / (high - low)
    return _with_interval(index, n, se, n - 1)


def line_index(n: int, total: int, low: int, high: int) -> float:
    """The mean of n > 0 scores summing to ``total`` on [low, high], mapped to 0–100: one correctly rounded
    division of integers (Python's int / int), so exact up to that one rounding."""
    return (total - n * low) * 100 / (n * (high - low))


def weighted_index(parts: Iterable[tuple[float, float]]) -> float | None:
    """The weighted mean of ``(index, weight)`` pairs with weight > 0 (None when there are none), summed
    exactly and rounded once: it stays in [0, 100], and adding a top score to a part never lowers it by a
    rounding. Floats are binary fractions, so the sums are integers over a power of two (no ``Fraction``: a
    federation's dashboard ranks a thousand units with it)."""
    terms = [(index.as_integer_ratio(), weight.as_integer_ratio()) for index, weight in parts if weight > 0]
    if not terms:
        return None
    scale = max(qi * qw for (_, qi), (_, qw) in terms)  # powers of two: the largest is a common denominator
    weighted = sum(pi * pw * (scale // (qi * qw)) for (pi, qi), (pw, qw) in terms)
    weight_scale = max(qw for _, (_, qw) in terms)
    weights = sum(pw * (weight_scale // qw) for _, (pw, qw) in terms)
    return (weighted * weight_scale) / (scale * weights)


def combined(parts: Mapping[str, tuple[Estimate, float]]) -> Estimate:
    """The weighted index over service lines (or survey items): ``{name: (estimate, weight)}``.

    Parts with no scores or weight 0 are left out. A part with one score has no variance of its own: it
    borrows the variance pooled over the parts with two or more scores; with no such part there is no interval.
    """
    for name, (_, weight) in parts.items():
        if not (math.isfinite(weight) and weight >= 0):
            raise ValueError(f"the weight of {name} must be a finite number ≥ 0, not {weight}")
    used = [(e, w) for e, w in parts.values() if e.n > 0 and w > 0 and e.index is not None]
    if not used:
        return Estimate(index=None, n=0)
    total_weight = sum(Fraction(w) for _, w in used)
    index = weighted_index((e.index, w) for e, w in used)
    n = sum(e.n for e, _ in used)
    spread = [(e.se**2 * e.n, e.n - 1) for e, _ in used if e.n > 1 and e.se is not None]
    pooled_df = sum(df for _, df in spread)
    if not pooled_df:
        return Estimate(index=index, n=n)
    pooled_variance = sum(var * df for var, df in spread) / pooled_df
    terms = []  # (c² se², df) per part, c = w / Σw
    for e, w in used:
        share = float(Fraction(w) / total_weight)
        if e.n > 1 and e.se is not None:
            terms.append((share**2 * e.se**2, e.df or e.n - 1))
        else:
            terms.append((share**2 * pooled_variance / e.n, pooled_df))
    variance = sum(v for v, _ in terms)
    denominator = sum(v * v / df for v, df in terms)
    df = variance * variance / denominator if denominator else float(sum(df for _, df in terms))
    return _with_interval(index, n, math.sqrt(variance), df)


def compare(current: Estimate, previous: Estimate, *, alpha: float = 0.05, min_n: int = 10) -> Comparison:
    """Welch's t test of current against previous; significant only when both periods have ``min_n`` scores."""
    if current.index is None or previous.index is None:
        return Comparison(difference=None, t=None, df=None, p_value=None, significant=False, drop=False)
    difference = current.index - previous.index
    if None in (current.se, current.df, previous.se, previous.df):
        return Comparison(difference=difference, t=None, df=None, p_value=None, significant=False, drop=False)
    v1, v2 = current.se**2, previous.se**2
    if v1 + v2 == 0:  # no spread on either side: the difference is certain
        t = math.copysign(math.inf, difference) if difference else 0.0
        df, p_value = current.df + previous.df, 0.0 if difference else 1.0
    else:
        t = difference / math.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1 * v1 / current.df + v2 * v2 / previous.df)
        p_value = t_two_sided_p(t, df)
    significant = p_value < alpha and current.n >= min_n and previous.n >= min_n
    return Comparison(difference, t, df, p_value, significant, significant and difference < 0)


def min_group() -> int:
    """The smallest group whose answers may be shown (k-anonymity): settings ``SATISFACTION_MIN_GROUP``, 5."""
    return getattr(settings, "SATISFACTION_MIN_GROUP", 5)


def suppressed(n: int, k: int | None = None) -> bool:
    """Whether a group of n answers is too small to show (fewer than k, by default ``min_group()``)."""
    return n < (min_group() if k is None else k)


def _with_interval(index: float, n: int, se: float, df: float) -> Estimate:
    half = t_quantile((1 + CONFIDENCE) / 2, df) * se
    return Estimate(index, n, se, max(0.0, index - half), min(100.0, index + half), float(df))


# Student's t distribution ------------------------------------------------------------------------------------


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| ≥ |t|) for Student's t with df degrees of freedom (df > 0, not necessarily whole)."""
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive, not {df}")
    if math.isinf(t):
        return 0.0
    if df > NORMAL_DF:
        return math.erfc(abs(t) / math.sqrt(2))
    # x = df / (df + t²) and 1 − x, each computed directly so that neither loses digits near 0 or 1.
    return _beta_regularized(df / 2, 0.5, df / (df + t * t), t * t / (df + t * t))


def t_cdf(t: float, df: float) -> float:
    """P(T ≤ t)."""
    tail = t_two_sided_p(t, df) / 2
    return 1 - tail if t > 0 else tail


@lru_cache(maxsize=4096)
def t_quantile(p: float, df: float) -> float:
    """The t with P(T ≤ t) = p: Newton's method on ``t_cdf``, kept inside a shrinking bracket."""
    if not 0 < p < 1:
        raise ValueError(f"p must be in (0, 1), not {p}")
    if p < 0.5:
        return -t_quantile(1 - p, df)
    if p == 0.5:
        return 0.0
    if df > NORMAL_DF:
        return NormalDist().inv_cdf(p)
    if df >= CORNISH_FISHER_DF:
        return _cornish_fisher(NormalDist().inv_cdf(p), df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        lo, hi = hi, hi * 2
    t = (lo + hi) / 2
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    for _ in range(200):
        error = t_cdf(t, df) - p
        if error > 0:
            hi = t
        else:
            lo = t
        density = math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))
        step = t - error / density if density > 0 else hi
        t_next = step if lo < step < hi else (lo + hi) / 2
        if abs(t_next - t) <= 1e-12 * max(1.0, abs(t)):
            return t_next
        t = t_next
    return t


def _cornish_fisher(z: float, df: float) -> float:
    """The t quantile for large df from the normal one (Cornish–Fisher, four terms; Abramowitz & Stegun
    26.7.5): at df = 30 within 3e-8 of the exact value for a 95 % interval (4e-7 at p = 0.995), closer above;
    a few multiplications instead of the search below (the dashboard works out hundreds of intervals a page)."""
    z2 = z * z
    terms = (
        (z2 + 1) * z / 4,
        ((5 * z2 + 16) * z2 + 3) * z / 96,
        (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384,
        ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160,
    )
    return z + sum(term / df**power for power, term in enumerate(terms, start=1))


def _beta_regularized(a: float, b: float, x: float, y: float) -> float:
    """I_x(a, b), the regularized incomplete beta function (Numerical Recipes ``betai``), given y = 1 − x."""
    if x <= 0:
        return 0.0
    if y <= 0:
        return 1.0
    log_x = math.log(x) if x < 0.5 else math.log1p(-y)
    log_y = math.log(y) if y < 0.5 else math.log1p(-x)
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * log_x + b * log_y)
    if x < (a + 1) / (a + b + 2):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1 - front * _beta_continued_fraction(b, a, y) / b


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b) by the modified Lentz method (Numerical Recipes ``betacf``)."""
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        for numerator in (even, odd):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < eps:
            return h
    raise ArithmeticError(f"incomplete beta did not converge for a={a}, b={b}, x={x}")
