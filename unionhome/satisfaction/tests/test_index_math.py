"""The satisfaction index arithmetic (docs/satisfaction.md): hand-computed cases, then properties.

Reference values marked "scipy" were computed once with scipy.stats outside the project (scipy is not a
dependency); the others follow by hand from the formulas in the comments.
"""

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from unionhome.satisfaction.index_math import (
    LIKERT,
    RATING,
    RECOMMENDATION,
    Estimate,
    Moments,
    combined,
    compare,
    line_estimate,
    min_group,
    suppressed,
    t_cdf,
    t_quantile,
    t_two_sided_p,
    to_index,
)

# Hand-computed lines used below.
# A: ratings [5, 4, 4, 3] on 1–5 → 100, 75, 75, 50 on 0–100; mean 75; deviations 25, 0, 0, −25, sum of squares
#    1250; s² = 1250 / 3 = 416.67; se = √(416.67 / 4) = 10.2062; df 3; t(0.975, 3) = 3.18245;
#    75 ± 3.18245 × 10.2062 = 75 ± 32.4807 → [42.5193, 107.4807], clamped to [42.5193, 100].
A = Moments.of([5, 4, 4, 3])
# B: recommendations [8, 9, 10, 7, 6] on 0–10 → 80, 90, 100, 70, 60; mean 80; sum of squares 1000; s² = 250;
#    se = √(250 / 5) = 7.0711; df 4; t(0.975, 4) = 2.77645; 80 ± 19.6324 → [60.3676, 99.6324].
B = Moments.of([8, 9, 10, 7, 6])


def test_scores_map_to_0_100():
    assert [to_index(x, *RATING) for x in (1, 2, 3, 4, 5)] == [0, 25, 50, 75, 100]
    assert to_index(7, *RECOMMENDATION) == 70
    assert LIKERT == (1, 5)


def test_moments_of_scores():
    assert A == Moments(n=4, total=16, total_sq=66)
    assert Moments.of([]) == Moments() == Moments(0, 0, 0)
    with pytest.raises(TypeError):
        Moments.of([4.5])
    with pytest.raises(TypeError):
        Moments.of([True])


def test_impossible_moments_are_refused():
    with pytest.raises(ValueError):
        Moments(-1, 0, 0)
    with pytest.raises(ValueError):
        Moments(0, 3, 9)
    with pytest.raises(ValueError):
        Moments(2, 10, 10)  # two scores summing to 10 have squares summing to at least 50
    with pytest.raises(ValueError):
        Moments.of([4]) - Moments.of([5])  # removing a rating that was never added


def test_an_edited_rating_is_removed_then_added():
    edited = A - Moments.of([3]) + Moments.of([5])
    assert edited == Moments.of([5, 4, 4, 5])


def test_line_estimate_by_hand():
    a = line_estimate(A, *RATING)
    assert (a.index, a.n, a.df) == (75.0, 4, 3.0)
    assert a.se == pytest.approx(10.206207, abs=1e-6)
    assert a.ci_low == pytest.approx(42.519293, abs=1e-6)
    assert a.ci_high == 100.0  # 107.48 clamped

    b = line_estimate(B, *RECOMMENDATION)
    assert (b.index, b.n, b.df) == (80.0, 5, 4.0)
    assert b.se == pytest.approx(math.sqrt(50))
    assert (b.ci_low, b.ci_high) == (pytest.approx(60.367568, abs=1e-6), pytest.approx(99.632432, abs=1e-6))

    # [5, 4, 3, 2] → 100, 75, 50, 25: mean 62.5, sum of squares 3125, s² = 1041.67, se = 16.1374.
    c = line_estimate(Moments.of([5, 4, 3, 2]), *RATING)
    assert c.index == 62.5
    assert c.se == pytest.approx(16.137431, abs=1e-6)
    assert c.ci_low == pytest.approx(11.143494, abs=1e-6)


def test_line_estimate_with_few_or_identical_scores():
    assert line_estimate(Moments(), *RATING) == Estimate(index=None, n=0)
    assert line_estimate(Moments.of([4]), *RATING) == Estimate(index=75.0, n=1)  # no interval from one score
    same = line_estimate(Moments.of([4, 4, 4]), *RATING)
    assert (same.index, same.se, same.ci_low, same.ci_high, same.df) == (75.0, 0.0, 75.0, 75.0, 2.0)


def test_line_estimate_refuses_a_bad_scale():
    with pytest.raises(ValueError):
        line_estimate(A, 5, 5)
    with pytest.raises(ValueError):
        line_estimate(Moments.of([9, 9]), *RATING)


def test_combined_with_unequal_weights_by_hand():
    # Weights A 2, B 1, an empty line 5 (left out). Index (2 × 75 + 1 × 80) / 3 = 76.6667.
    # Variance (2/3)² × 104.167 + (1/3)² × 50 = 46.2963 + 5.5556 = 51.8519, se 7.20082.
    # Welch–Satterthwaite df = 51.8519² / (46.2963² / 3 + 5.5556² / 4) = 3.72299; t(0.975, 3.723) = 2.85985 (scipy)
    # → 76.6667 ± 20.5932 = [56.0734, 97.2599].
    result = combined(
        {
            "hardship_assistance": (line_estimate(A, *RATING), 2),
            "visits": (line_estimate(B, *RECOMMENDATION), 1.0),
            "appeals": (line_estimate(Moments(), *RATING), 5),
        }
    )
    assert result.index == pytest.approx(230 / 3)
    assert result.n == 9
    assert result.se == pytest.approx(7.200823, abs=1e-6)
    assert result.df == pytest.approx(3.722992, abs=1e-6)
    assert (result.ci_low, result.ci_high) == (pytest.approx(56.073427, abs=1e-5), pytest.approx(97.259906, abs=1e-5))


def test_combined_part_with_one_score_borrows_the_pooled_variance():
    # D: one 5-star rating (100), weight 1, next to A (weight 2) and B (weight 1). Index (150 + 80 + 100) / 4 = 82.5.
    # Pooled variance of the scores = (3 × 416.67 + 4 × 250) / 7 = 321.43 with 7 df: D's se² = 321.43 / 1.
    # Variance 0.5² × 104.167 + 0.25² × 50 + 0.25² × 321.43 = 49.256, se 7.01826; df 8.47854 (scipy t: 2.28354).
    result = combined(
        {
            "a": (line_estimate(A, *RATING), 2),
            "b": (line_estimate(B, *RECOMMENDATION), 1),
            "d": (line_estimate(Moments.of([5]), *RATING), 1),
        }
    )
    assert (result.index, result.n) == (82.5, 10)
    assert result.se == pytest.approx(7.018259, abs=1e-6)
    assert result.df == pytest.approx(8.478540, abs=1e-6)
    assert result.ci_low == pytest.approx(66.473496, abs=1e-5)


def test_combined_of_single_scores_only_has_no_interval():
    one = line_estimate(Moments.of([5]), *RATING)
    other = line_estimate(Moments.of([2]), *RATING)
    assert combined({"a": (one, 1), "b": (other, 3)}) == Estimate(index=43.75, n=2)
    assert combined({}) == Estimate(index=None, n=0)
    assert combined({"a": (one, 0)}) == Estimate(index=None, n=0)  # weight 0: not in the index
    with pytest.raises(ValueError):
        combined({"a": (one, -1)})
    with pytest.raises(ValueError):
        combined({"a": (one, math.nan)})


def test_compare_with_a_known_welch_example():
    # Welch's t test, example 1 of Wikipedia's "Welch's t-test": A1 against A2 gives t = −2.46, df = 25.0,
    # p = 0.021 (scipy: t −2.455356, df 24.988529, p 0.021378). The measures are scores on 0–1000 read in
    # tenths, so that their index on 0–100 is the measure itself.
    a1 = [275, 210, 190, 236, 170, 179, 169, 201, 219, 226, 231, 196, 190, 217, 214]
    a2 = [271, 220, 208, 234, 234, 235, 258, 220, 248, 202, 219, 221, 229, 205, 244]
    current, previous = (line_estimate(Moments.of(xs), 0, 1000) for xs in (a1, a2))
    result = compare(current, previous)
    assert result.difference == pytest.approx(-2.166667, abs=1e-6)
    assert result.t == pytest.approx(-2.455356, abs=1e-6)
    assert result.df == pytest.approx(24.988529, abs=1e-6)
    assert result.p_value == pytest.approx(0.021378, abs=1e-6)
    assert result.significant and result.drop
    assert not compare(current, previous, alpha=0.01).significant
    assert not compare(current, previous, min_n=16).significant  # too few answers: no alarm
    rise = compare(previous, current)
    assert rise.significant and not rise.drop and rise.t == pytest.approx(2.455356, abs=1e-6)


def test_compare_without_enough_data():
    a = line_estimate(A, *RATING)
    nothing = compare(a, line_estimate(Moments(), *RATING))
    assert (nothing.difference, nothing.t, nothing.p_value, nothing.significant) == (None, None, None, False)
    single = compare(a, line_estimate(Moments.of([1]), *RATING))
    assert (single.difference, single.t, single.significant) == (75.0, None, False)
    flat = compare(line_estimate(Moments.of([5] * 12), *RATING), line_estimate(Moments.of([4] * 12), *RATING))
    assert (flat.difference, flat.t, flat.p_value, flat.significant, flat.drop) == (25.0, math.inf, 0.0, True, False)
    same = compare(line_estimate(Moments.of([4] * 12), *RATING), line_estimate(Moments.of([4] * 12), *RATING))
    assert (same.difference, same.p_value, same.significant) == (0.0, 1.0, False)


@pytest.mark.parametrize(
    "df, expected", [(1, 12.706), (3, 3.182), (4, 2.776), (10, 2.228), (30, 2.042), (1000, 1.962), (10**8, 1.960)]
)
def test_t_quantiles_from_the_table(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=5e-4)
    assert t_quantile(0.025, df) == pytest.approx(-expected, abs=5e-4)


def test_t_distribution_against_reference_values():
    assert t_two_sided_p(2.0, 10) == pytest.approx(0.0734, abs=5e-4)
    assert t_two_sided_p(2.5, 5) == pytest.approx(0.0545, abs=5e-4)
    # scipy, to many places, also for degrees of freedom that are not whole (Welch).
    assert t_two_sided_p(2.0, 10) == pytest.approx(0.07338803477074037, rel=1e-9)
    assert t_two_sided_p(-2.5, 5) == pytest.approx(0.05449009934237626, rel=1e-9)
    assert t_two_sided_p(1.0, 2.5) == pytest.approx(0.40406102727827364, rel=1e-9)
    assert t_quantile(0.995, 7.5) == pytest.approx(3.421422688124044, rel=1e-9)
    assert t_quantile(0.975, 99999) == pytest.approx(1.9599877077718442, rel=1e-9)
    assert t_cdf(0.0, 3) == 0.5
    assert t_two_sided_p(math.inf, 3) == 0.0
    with pytest.raises(ValueError):
        t_quantile(1.0, 3)
    with pytest.raises(ValueError):
        t_two_sided_p(1.0, 0)


def test_small_groups_are_suppressed(settings):
    assert min_group() == 5
    assert suppressed(4) and not suppressed(5)
    assert not suppressed(3, k=3)
    settings.SATISFACTION_MIN_GROUP = 10
    assert min_group() == 10
    assert suppressed(9) and not suppressed(10)


# Properties -----------------------------------------------------------------------------------------------

ratings = st.lists(st.integers(1, 5), max_size=40)
lines = st.dictionaries(
    st.sampled_from(["assistance", "visits", "education_aid", "appeals"]),
    st.tuples(ratings, st.one_of(st.integers(0, 10), st.floats(0.01, 100))),
    min_size=1,
)


def _combined(parts):
    return combined({name: (line_estimate(Moments.of(xs), *RATING), w) for name, (xs, w) in parts.items()})


@given(ratings)
def test_index_and_interval_stay_on_the_scale(scores):
    e = line_estimate(Moments.of(scores), *RATING)
    if e.n == 0:
        assert e.index is None
        return
    assert 0 <= e.index <= 100
    if e.n > 1:
        assert 0 <= e.ci_low <= e.index <= e.ci_high <= 100


@given(ratings)
def test_a_top_score_never_lowers_a_line_and_a_bottom_score_never_raises_it(scores):
    before = line_estimate(Moments.of(scores), *RATING).index
    up = line_estimate(Moments.of(scores) + Moments.of([5]), *RATING).index
    down = line_estimate(Moments.of(scores + [1]), *RATING).index
    if before is None:
        assert (up, down) == (100.0, 0.0)
    else:
        assert down <= before <= up


@given(lines, st.data())
def test_a_top_score_never_lowers_the_combined_index_nor_a_bottom_score_raises_it(parts, data):
    name = data.draw(st.sampled_from(sorted(parts)))
    scores, weight = parts[name]
    before = _combined(parts)
    up = _combined({**parts, name: (scores + [5], weight)})
    down = _combined({**parts, name: (scores + [1], weight)})
    if before.index is not None:
        assert down.index <= before.index <= up.index
    for e in (before, up, down):
        assert e.index is None or 0 <= e.index <= 100
        assert e.ci_low is None or 0 <= e.ci_low <= e.index <= e.ci_high <= 100


@given(ratings, ratings, ratings)
def test_moments_add_up_in_any_order(xs, ys, zs):
    a, b, c = Moments.of(xs), Moments.of(ys), Moments.of(zs)
    assert (a + b) + c == a + (b + c) == Moments.of(xs + ys + zs)
    assert a + b == b + a
    assert (a + b) - b + b == a + b
    assert (a + b) - b == a


@given(ratings.filter(lambda xs: len(xs) >= 2), st.integers(2, 5))
def test_more_of_the_same_data_narrows_the_interval(scores, times):
    once = line_estimate(Moments.of(scores), *RATING)
    more = line_estimate(Moments.of(scores * times), *RATING)
    assert more.index == once.index
    assert more.ci_high - more.ci_low <= once.ci_high - once.ci_low
    assert more.se <= once.se


@given(ratings.filter(lambda xs: len(xs) >= 2))
def test_one_part_combined_is_that_part(scores):
    e = line_estimate(Moments.of(scores), *RATING)
    c = combined({"only": (e, 3.5)})
    assert (c.index, c.n) == (e.index, e.n)
    assert c.se == pytest.approx(e.se)
    assert c.ci_low == pytest.approx(e.ci_low) and c.ci_high == pytest.approx(e.ci_high)


@given(ratings, ratings)
def test_compare_is_antisymmetric(xs, ys):
    a, b = line_estimate(Moments.of(xs), *RATING), line_estimate(Moments.of(ys), *RATING)
    forward, backward = compare(a, b), compare(b, a)
    assume(forward.t is not None and math.isfinite(forward.t))
    assert forward.t == pytest.approx(-backward.t)
    assert forward.p_value == pytest.approx(backward.p_value)
    assert 0 <= forward.p_value <= 1
    assert not (forward.drop and backward.drop)


@given(st.floats(0.5, 1e6), st.floats(0.5, 0.9999, exclude_min=True))
def test_t_quantile_inverts_the_cdf(df, p):
    t = t_quantile(p, df)
    assert t_cdf(t, df) == pytest.approx(p, abs=1e-9)
    assert t > 0
    assert t_quantile(p, df * 2) <= t + 1e-9  # more degrees of freedom, thinner tails


def test_the_large_df_expansion_matches_the_exact_search():
    from statistics import NormalDist

    from unionhome.satisfaction.index_math import CORNISH_FISHER_DF, _cornish_fisher

    exact = t_quantile.__wrapped__
    for df in (CORNISH_FISHER_DF, 30.5, 45.2, 100, 1000):
        for p in (0.9, 0.975, 0.995):
            assert abs(_cornish_fisher(NormalDist().inv_cdf(p), df) - exact_search(exact, p, df)) < 5e-7


def exact_search(exact, p, df):
    """``t_quantile``'s search itself, below the expansion's threshold whatever df is."""
    import unionhome.satisfaction.index_math as index_math

    kept = index_math.CORNISH_FISHER_DF
    index_math.CORNISH_FISHER_DF = float("inf")
    try:
        return exact(p, df)
    finally:
        index_math.CORNISH_FISHER_DF = kept
