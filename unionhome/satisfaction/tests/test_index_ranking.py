"""Ranking many groups cheaply: a group's standing from its moments is exactly that of its whole figure, and
``picked`` returns the groups a page or an endpoint shows, in order."""

from hypothesis import given
from hypothesis import strategies as st

from unionhome.satisfaction.index_figures import figures_by_line, ranking_key, standing, standing_of
from unionhome.satisfaction.index_math import Moments
from unionhome.satisfaction.index_reads import picked

LINES = ("a", "b", "c", "d")


@st.composite
def line_moments(draw):
    scores = draw(st.lists(st.integers(1, 5), max_size=12))
    return Moments.of(scores)


@given(
    moments=st.dictionaries(st.sampled_from(LINES), line_moments(), max_size=4),
    weights=st.dictionaries(
        st.sampled_from(LINES), st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 1 / 3]), min_size=1, max_size=4
    ),
    k=st.integers(1, 6),
)
def test_the_standing_of_moments_is_that_of_their_whole_figure(moments, weights, k):
    assert standing_of(moments, weights, k) == standing(figures_by_line(moments, weights, k)[0])


def places(*standings):
    return {name: (place, name) for name, place in zip("abcdefgh", standings, strict=False)}


def test_picked_orders_shown_by_index_then_suppressed_then_unanswered():
    groups = places((0, 70.0), (2, 0.0), (0, 90.0), (1, 0.0), (0, 80.0), (0, 80.0))
    assert picked(groups) == ["c", "e", "f", "a", "d", "b"]
    assert picked(groups, order="lowest") == ["a", "e", "f", "c", "d", "b"]  # equals still by their tie
    assert picked(groups, order="lowest", limit=2) == ["a", "e"]
    assert picked(groups, limit=10) == picked(groups)


def test_picked_with_many_keeps_the_best_and_the_lowest_shown():
    groups = places((0, 10.0), (0, 20.0), (1, 0.0), (0, 30.0), (0, 40.0), (0, 50.0), (2, 0.0))
    assert picked(groups, each_end=4) == picked(groups)  # 7 groups: no more than twice 4
    assert picked(groups, each_end=2) == ["f", "e", "b", "a"]  # the suppressed and the unanswered are left out
    assert picked(groups, each_end=3) == ["f", "e", "d", "b", "a"]  # only five shown: all of them


def test_ranking_key_puts_equals_in_the_order_of_their_tie():
    assert ranking_key((0, 50.0), "b") > ranking_key((0, 50.0), "a")
    assert ranking_key((0, 60.0), "z") < ranking_key((0, 50.0), "a")
    assert ranking_key((0, 60.0), "z", lowest=True) > ranking_key((0, 50.0), "a", lowest=True)
    assert ranking_key((1, 0.0), "a") > ranking_key((0, 0.0), "z")


@given(n=st.integers(1, 10**9), data=st.data())
def test_a_lines_index_is_the_exact_mean_rounded_once(n, data):
    from fractions import Fraction

    from unionhome.satisfaction.index_math import line_index

    total = data.draw(st.integers(n, 5 * n))
    assert line_index(n, total, 1, 5) == float(Fraction(total - n, 4 * n) * 100)


@given(
    st.lists(
        st.tuples(
            st.floats(0, 100, allow_nan=False),
            st.one_of(st.sampled_from([0.0, 1.0, 2.0, 0.5, 1 / 3]), st.floats(0, 10, allow_nan=False)),
        ),
        max_size=8,
    )
)
def test_the_weighted_index_is_the_exact_weighted_mean_rounded_once(parts):
    from fractions import Fraction

    from unionhome.satisfaction.index_math import weighted_index

    used = [(i, w) for i, w in parts if w > 0]
    expected = None
    if used:
        expected = float(sum(Fraction(w) * Fraction(i) for i, w in used) / sum(Fraction(w) for _, w in used))
    assert weighted_index(parts) == expected
