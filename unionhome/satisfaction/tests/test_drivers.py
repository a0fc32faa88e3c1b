"""Driver analysis, the pure math (``satisfaction/drivers.py``): hand-computed cases and properties."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unionhome.satisfaction.drivers import (
    ACT_FIRST,
    KEEP_UP,
    LOWER_PRIORITY,
    OVERDONE,
    RECOMMENDATION,
    DriverItem,
    drivers_analyse,
    jacobi_eigen,
    quadrant,
    relative_weights,
    to_percent,
)

OVERALL = DriverItem("y", "总体满意度", is_overall=True)


def items(*keys: str) -> list[DriverItem]:
    return [OVERALL, *(DriverItem(k, f"项目{k}") for k in keys)]


def by_key(analysis):
    return {d.key: d for d in analysis.drivers}


def test_one_item_by_hand():
    # y 1..5, a 2,1,4,3,5: deviations (−2,−1,0,1,2) and (−1,−2,1,0,2), Σ products 8, Σ squares 10 and 10.
    rows = [{"y": y, "a": a} for y, a in zip([1, 2, 3, 4, 5], [2, 1, 4, 3, 5], strict=True)]
    analysis = drivers_analyse(rows, items("a"), min_n=5)
    (a,) = analysis.drivers
    assert a.importance == pytest.approx(0.8) and a.n == 5 and analysis.n == 5
    assert a.performance == 50.0  # mean 3 on 1–5
    assert a.weight == pytest.approx(1.0) and analysis.r_squared == pytest.approx(0.64)
    assert analysis.overall_label == "总体满意度" and a.label == "项目a"


def test_two_uncorrelated_items_share_r_squared_equally():
    rows = [{"y": y, "a": a, "b": b} for y, a, b in [(1, 1, 1), (3, 1, 3), (3, 3, 1), (5, 3, 3)]]
    found = by_key(drivers_analyse(rows, items("a", "b"), min_n=4))
    assert found["a"].importance == pytest.approx(math.sqrt(0.5)) == found["b"].importance
    assert found["a"].weight == pytest.approx(0.5) and found["b"].weight == pytest.approx(0.5)


def test_relative_weights_add_up_to_the_regression_r_squared():
    r1, r2, r12 = 0.6, 0.5, 0.4
    weights, r_squared = relative_weights([[1.0, r12], [r12, 1.0]], [r1, r2])
    assert r_squared == pytest.approx((r1 * r1 + r2 * r2 - 2 * r1 * r2 * r12) / (1 - r12 * r12))
    assert sum(weights) == pytest.approx(1.0) and weights[0] > weights[1] > 0


def test_jacobi_finds_the_eigenvalues():
    values, vectors = jacobi_eigen([[2.0, 1.0], [1.0, 2.0]])
    assert sorted(values) == pytest.approx([1.0, 3.0])
    for i, value in enumerate(values):  # A v = λ v
        v = [vectors[0][i], vectors[1][i]]
        assert [2 * v[0] + v[1], v[0] + 2 * v[1]] == pytest.approx([value * v[0], value * v[1]])


def test_performance_scales():
    assert to_percent(1, "likert") == 0 and to_percent(5, "likert") == 100 and to_percent(4, "likert") == 75
    assert to_percent(0, RECOMMENDATION) == 0 and to_percent(7, RECOMMENDATION) == 70


def test_quadrants_by_the_medians():
    assert quadrant(0.8, 40, 0.5, 60) == ACT_FIRST
    assert quadrant(0.8, 70, 0.5, 60) == KEEP_UP
    assert quadrant(0.2, 40, 0.5, 60) == LOWER_PRIORITY
    assert quadrant(0.2, 70, 0.5, 60) == OVERDONE


def test_too_few_respondents_no_overall_and_items_left_out():
    rows = [{"y": 1 + i % 5, "a": 1 + (i * 3) % 5, "flat": 3} for i in range(12)]
    assert drivers_analyse(rows, items("a"), min_n=13) is None
    assert drivers_analyse(rows, [DriverItem("a", "a")], min_n=1) is None
    rows += [{"a": 5}] * 20  # no overall answer: not counted
    analysis = drivers_analyse(rows + [{"y": 2, "rare": 4}], items("a", "flat", "rare"), min_n=10)
    assert analysis.n == 13 and [d.key for d in analysis.drivers] == ["a"]  # flat: no spread; rare: n 1
    assert analysis.drivers[0].weight == pytest.approx(1.0)


def test_few_complete_cases_give_no_weights():
    rows = [{"y": 1 + i % 5, "a": 1 + (i * 2) % 5} for i in range(10)]
    rows += [{"y": 1 + i % 5, "b": 1 + (i * 3) % 5} for i in range(10)]
    analysis = drivers_analyse(rows, items("a", "b"), min_n=10)
    assert [d.n for d in analysis.drivers] == [10, 10]
    assert analysis.r_squared is None and all(d.weight is None for d in analysis.drivers)


def test_the_most_important_comes_first():
    rows = [{"y": y, "a": a, "b": y} for y, a in [(1, 2), (2, 1), (3, 5), (4, 3), (5, 4), (3, 3)]]
    analysis = drivers_analyse(rows, items("a", "b"), min_n=5)
    assert [d.key for d in analysis.drivers] == ["b", "a"]


# --- properties ----------------------------------------------------------------------------------------

scores = st.integers(min_value=1, max_value=5)
maybe = st.one_of(st.none(), scores)


@st.composite
def surveys(draw, min_rows=10, max_rows=40):
    count = draw(st.integers(min_value=1, max_value=4))
    keys = [f"i{i}" for i in range(count)]
    rows = draw(
        st.lists(st.fixed_dictionaries({"y": scores, **{k: maybe for k in keys}}), min_size=min_rows, max_size=max_rows)
    )
    return [{k: v for k, v in row.items() if v is not None} for row in rows], keys


def check_bounds(analysis):
    assert analysis is not None
    for d in analysis.drivers:
        assert -1.0 <= d.importance <= 1.0 and 0.0 <= d.performance <= 100.0
    if analysis.r_squared is not None:
        assert 0.0 <= analysis.r_squared <= 1.0
        weights = [d.weight for d in analysis.drivers]
        assert all(w >= -1e-12 for w in weights) and sum(weights) == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(surveys())
def test_figures_stay_in_their_bounds(survey):
    rows, keys = survey
    check_bounds(drivers_analyse(rows, items(*keys), min_n=5))


@settings(max_examples=60, deadline=None)
@given(surveys(), st.randoms(use_true_random=False))
def test_the_order_of_rows_does_not_matter(survey, rnd):
    rows, keys = survey
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert drivers_analyse(rows, items(*keys), min_n=5) == drivers_analyse(shuffled, items(*keys), min_n=5)


@settings(max_examples=60, deadline=None)
@given(surveys())
def test_a_copy_of_the_overall_question_gets_r_one_and_the_largest_weight(survey):
    rows, keys = survey
    if len({row["y"] for row in rows}) < 2:
        return
    rows = [{**row, "copy": row["y"]} for row in rows]
    analysis = drivers_analyse(rows, items(*keys, "copy"), min_n=5)
    copy = by_key(analysis)["copy"]
    assert copy.importance == pytest.approx(1.0) and analysis.drivers[0].importance == pytest.approx(1.0)
    if analysis.r_squared is not None:
        assert analysis.r_squared == pytest.approx(1.0)
        assert copy.weight == pytest.approx(max(d.weight for d in analysis.drivers))
        if len(analysis.drivers) == 1:
            assert copy.weight == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(surveys(), st.integers(min_value=0, max_value=2**32))
def test_noise_never_lifts_r_above_one(survey, seed):
    rows, keys = survey
    rnd = random.Random(seed)
    noisy = [{**row, "noisy": min(5, max(1, row["y"] + rnd.choice([-1, 0, 0, 1])))} for row in rows]  # on the scale
    analysis = drivers_analyse(noisy, items(*keys, "noisy"), min_n=5)
    check_bounds(analysis)
    assert all(d.importance <= 1.0 for d in analysis.drivers)
