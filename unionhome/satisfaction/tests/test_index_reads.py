"""Reading the satisfaction index: the numbers are index_math's on the same scores, small groups are
suppressed (and cannot be worked out from the overall), the scope holds, and query counts stay fixed."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from unionhome.access.permissions import ROLES
from unionhome.access.policy import OutOfScope, PermissionRefused, grants_of
from unionhome.satisfaction.index_math import RATING, Moments, combined, compare, line_estimate
from unionhome.satisfaction.index_reads import cadre_indexes, index_trend, unit_index, units_below
from unionhome.satisfaction.periods import Period
from unionhome.satisfaction.service_lines import ServiceLineSpec, register_service_line, unregister_service_line
from unionhome.satisfaction.tests.index_data import at, federation, rate

OCT, SEP = Period.parse("2026-10"), Period.parse("2026-09")
VISITS, HARDSHIP, APPEALS = "visits", "hardship_assistance", "appeals"


def estimate(scores):
    return line_estimate(Moments.of(scores), RATING.low, RATING.high)


@pytest.fixture(autouse=True)
def _k5(settings):
    settings.SATISFACTION_MIN_GROUP = 5


@pytest.fixture
def heavy_line():
    """A line of weight 3, so that the weights visibly count."""
    register_service_line(ServiceLineSpec("heavy_test", "Heavy", weight=3.0, order=999))
    yield "heavy_test"
    unregister_service_line("heavy_test")


def test_view_index_is_held_by_chairs_vice_chairs_and_branch_cadres():
    holders = {code for code, role in ROLES.items() if "satisfaction.view_index" in role.permissions}
    assert holders == {"chair", "vice_chair", "branch_cadre"}


def test_unit_index_is_index_math_on_the_same_scores(union, people, heavy_line):
    visits_oct, visits_sep = [5, 4, 4, 3, 5], [3, 3, 4, 2, 5, 1]
    heavy_oct = [5, 5, 4, 4, 4, 3]
    rate(union["g11"], VISITS, visits_oct[:3], when=at(2026, 10, 3))
    rate(union["g21"], VISITS, visits_oct[3:], when=at(2026, 10, 28))
    rate(union["s1"], VISITS, visits_sep, when=at(2026, 9, 30))
    rate(union["g12"], heavy_line, heavy_oct, when=at(2026, 10, 1))
    rate(union["g11"], APPEALS, [1], when=at(2026, 10, 5))  # one answer: suppressed
    rate(union["g11"], VISITS, [1, 1], when=at(2026, 11, 1))  # another month: not counted

    result = unit_index(people["chair"], period=OCT)
    assert result.unit == union["union"] and result.previous_period == SEP and result.min_group == 5
    lines = {line.code: line for line in result.lines}
    assert lines[VISITS].current.estimate == estimate(visits_oct)
    assert lines[VISITS].previous.estimate == estimate(visits_sep)
    assert lines[VISITS].comparison == compare(estimate(visits_oct), estimate(visits_sep))
    assert lines[heavy_line].current.estimate == estimate(heavy_oct) and lines[heavy_line].weight == 3.0
    assert lines[heavy_line].comparison is None  # nothing in September
    appeals = lines[APPEALS].current
    assert (appeals.n, appeals.suppressed, appeals.estimate, lines[APPEALS].comparison) == (1, True, None, None)
    assert lines["education_aid"].current.n == 0 and not lines["education_aid"].current.suppressed
    # The overall counts the shown lines, by their weights; the one suppressed answer is left out.
    expected = combined({VISITS: (estimate(visits_oct), 1.0), heavy_line: (estimate(heavy_oct), 3.0)})
    assert result.overall.estimate == expected and result.overall.n == 11
    assert result.previous.estimate == combined({VISITS: (estimate(visits_sep), 1.0)})
    assert result.comparison == compare(expected, result.previous.estimate)


def test_one_line_of_the_unit_when_asked(union, people):
    rate(union["g11"], VISITS, [5, 4, 4, 3, 5, 2], when=at(2026, 10, 3))
    rate(union["g11"], HARDSHIP, [1, 1, 1, 1, 1], when=at(2026, 10, 3))
    result = unit_index(people["chair"], period=OCT, service_line=VISITS)
    assert [line.code for line in result.lines] == [VISITS]
    assert result.overall.index == pytest.approx(estimate([5, 4, 4, 3, 5, 2]).index)
    assert result.overall.estimate.ci_low == pytest.approx(estimate([5, 4, 4, 3, 5, 2]).ci_low)
    with pytest.raises(ValueError, match="nope"):
        unit_index(people["chair"], period=OCT, service_line="nope")


def test_a_quarter_and_a_year_add_up_their_months(union, people):
    rate(union["g11"], VISITS, [5, 4], when=at(2026, 10, 3))
    rate(union["g12"], VISITS, [3, 2], when=at(2026, 11, 3))
    rate(union["g21"], VISITS, [4, 4], when=at(2026, 12, 31))
    rate(union["g21"], VISITS, [1, 1, 1, 1, 1], when=at(2026, 7, 31))
    quarter = unit_index(people["chair"], period=Period.parse("2026-Q4"), service_line=VISITS)
    assert quarter.overall.estimate == combined({VISITS: (estimate([5, 4, 3, 2, 4, 4]), 1.0)})
    assert quarter.previous.estimate == combined({VISITS: (estimate([1] * 5), 1.0)})
    year = unit_index(people["chair"], period=Period.parse("2026"), service_line=VISITS)
    assert year.overall.n == 11 and year.previous.n == 0


@pytest.mark.parametrize(("k", "shown"), [(5, False), (4, True), (3, True)])
def test_suppression_follows_the_setting(union, people, settings, k, shown):
    settings.SATISFACTION_MIN_GROUP = k
    rate(union["g11"], VISITS, [5, 4, 4, 3], when=at(2026, 10, 3))
    line = unit_index(people["chair"], period=OCT).lines
    visits = next(v for v in line if v.code == VISITS).current
    assert visits.n == 4 and visits.suppressed is not shown and (visits.index is not None) is shown


@given(hidden=st.lists(st.integers(1, 5), min_size=1, max_size=4))
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_a_suppressed_line_cannot_be_worked_out_from_the_overall(union, people, hidden):
    """Whatever the scores of a line under k, the overall (and everything else shown) is the same."""
    group = factories.unit(union["s1"], "新班组", "group")  # hypothesis reuses the database: a fresh unit each time
    rate(group, VISITS, [5, 4, 4, 3, 5], when=at(2026, 10, 3))
    alone = unit_index(people["chair"], period=OCT, unit_id=group.pk)
    rate(group, APPEALS, hidden, when=at(2026, 10, 3))
    beside = unit_index(people["chair"], period=OCT, unit_id=group.pk)
    assert beside.overall == alone.overall
    shown = [(line.code, line.current) for line in beside.lines if line.code != APPEALS]
    assert shown == [(line.code, line.current) for line in alone.lines if line.code != APPEALS]
    appeals = next(line.current for line in beside.lines if line.code == APPEALS)
    assert appeals.suppressed and appeals.estimate is None and appeals.n == len(hidden)


def test_no_line_big_enough_suppresses_the_overall(union, people):
    rate(union["g11"], VISITS, [5, 4], when=at(2026, 10, 3))
    rate(union["g11"], HARDSHIP, [2, 2, 1], when=at(2026, 10, 3))
    overall = unit_index(people["chair"], period=OCT).overall
    assert (overall.n, overall.suppressed, overall.estimate) == (5, True, None)


def test_scope_branch_cadre_sees_their_branch_only(union, people):
    rate(union["g11"], VISITS, [5, 5, 5, 5, 5], when=at(2026, 10, 3))
    rate(union["g21"], VISITS, [1, 1, 1, 1, 1], when=at(2026, 10, 3))
    cadre = people["cadre"]
    mine = unit_index(cadre, period=OCT)
    assert mine.unit == union["s1"] and mine.overall.index == 100.0
    assert unit_index(cadre, period=OCT, unit_id=union["g11"].pk).overall.index == 100.0
    for other in (union["s2"], union["g21"], union["union"]):
        with pytest.raises(OutOfScope):
            unit_index(cadre, period=OCT, unit_id=other.pk)
        with pytest.raises(OutOfScope):
            units_below(cadre, period=OCT, unit_id=other.pk)
    with pytest.raises(OutOfScope):
        unit_index(cadre, period=OCT, unit_id=10**12)
    for who in ("member", "auditor", "admin"):
        for read in (unit_index, units_below, cadre_indexes):
            with pytest.raises(PermissionRefused):
                read(people[who], period=OCT)
        with pytest.raises(PermissionRefused):
            index_trend(people[who])


def test_trend_per_month_and_quarter(union, people):
    today = datetime.date(2026, 10, 20)
    rate(union["g11"], VISITS, [5, 5, 4, 4, 4], when=at(2026, 7, 2))
    rate(union["g11"], VISITS, [2, 3, 3, 2, 2], when=at(2026, 8, 2))
    rate(union["g11"], VISITS, [4, 4], when=at(2026, 9, 2))
    rate(union["g12"], VISITS, [5, 5, 5, 5, 4, 4], when=at(2026, 10, 2))
    trend = index_trend(people["chair"], periods=3, today=today)
    assert [str(p.period) for p in trend.points] == ["2026-08", "2026-09", "2026-10"]
    aug, sep, oct_ = trend.points
    assert aug.figure.estimate == combined({VISITS: (estimate([2, 3, 3, 2, 2]), 1.0)})
    assert aug.comparison == compare(aug.figure.estimate, combined({VISITS: (estimate([5, 5, 4, 4, 4]), 1.0)}))
    assert sep.figure.suppressed and sep.figure.n == 2 and sep.comparison is None and oct_.comparison is None
    quarters = index_trend(people["chair"], kind="quarter", periods=2, today=today, service_line=VISITS)
    assert [str(p.period) for p in quarters.points] == ["2026-Q3", "2026-Q4"]
    assert quarters.points[0].figure.estimate == combined({VISITS: (estimate([5, 5, 4, 4, 4, 2, 3, 3, 2, 2, 4, 4]), 1)})
    assert quarters.points[0].comparison is None  # nothing in Q2
    with pytest.raises(ValueError):
        index_trend(people["chair"], periods=0)
    with pytest.raises(ValueError):
        index_trend(people["chair"], kind="week")


def test_drill_down_from_the_federation(db):
    fed = federation()
    rate(fed["a1"], VISITS, [5, 5, 4, 4, 4], when=at(2026, 10, 2))
    rate(fed["a2"], VISITS, [2, 2, 3, 2, 1, 2], when=at(2026, 10, 2))
    rate(fed["b1"], VISITS, [5, 5], when=at(2026, 10, 2))  # too few: suppressed
    rate(fed["fed"], VISITS, [3, 3, 3, 3, 4], when=at(2026, 10, 2))  # on the federation itself
    below = units_below(fed["chair"], period=OCT)
    assert below.unit == fed["fed"] and below.trail == []
    rows = [(u.unit, u.is_self, u.figure.n, u.figure.suppressed) for u in below.units]
    assert rows == [(fed["fed"], True, 5, False), (fed["a"], False, 11, False), (fed["b"], False, 2, True)]
    assert below.units[1].figure.estimate == combined({VISITS: (estimate([5, 5, 4, 4, 4, 2, 2, 3, 2, 1, 2]), 1.0)})
    assert below.units[2].figure.estimate is None

    down = units_below(fed["chair"], period=OCT, unit_id=fed["a"].pk)
    assert down.trail == [fed["fed"]]
    assert [(u.unit, u.figure.index) for u in down.units] == [
        (fed["a1"], estimate([5, 5, 4, 4, 4]).index),
        (fed["a2"], estimate([2, 2, 3, 2, 1, 2]).index),
    ]
    # A branch with no groups: its ratings are all its own.
    (own,) = units_below(fed["chair"], period=OCT, unit_id=fed["a1"].pk).units
    assert own.is_self and own.unit == fed["a1"] and own.figure.n == 5
    assert units_below(fed["chair"], period=OCT, unit_id=fed["b1"].pk).units[0].figure.suppressed
    assert units_below(fed["chair"], period=SEP, unit_id=fed["a1"].pk).units == []
    # The union's chair starts at their union and cannot climb to the federation.
    assert units_below(fed["a_chair"], period=OCT).trail == []
    with pytest.raises(OutOfScope):
        units_below(fed["a_chair"], period=OCT, unit_id=fed["fed"].pk)


def test_cadres_of_the_unit(union, people):
    rate(union["g11"], VISITS, [5, 4, 5, 4, 5], when=at(2026, 10, 2), cadre=people["cadre"])
    rate(union["g21"], VISITS, [1, 2], when=at(2026, 10, 2), cadre=people["cadre2"])
    rate(union["g21"], HARDSHIP, [3] * 5, when=at(2026, 9, 2), cadre=people["cadre2"])  # another month
    result = cadre_indexes(people["chair"], period=OCT)
    rows = [(c.user_id, c.overall.n, c.overall.suppressed) for c in result.cadres]
    # The auditor and the platform admin hold no cadre role; the chair has no ratings.
    assert rows == [(people["cadre"].pk, 5, False), (people["cadre2"].pk, 2, True), (people["chair"].pk, 0, False)]
    assert result.cadres[0].overall.estimate == combined({VISITS: (estimate([5, 4, 5, 4, 5]), 1.0)})
    assert result.cadres[0].lines[VISITS].estimate == estimate([5, 4, 5, 4, 5])
    assert [(a.role, a.unit) for a in result.cadres[0].roles] == [("branch_cadre", union["s1"])]
    assert result.cadres[1].overall.estimate is None and result.cadres[1].lines[VISITS].estimate is None
    mine = cadre_indexes(people["cadre"], period=OCT)
    assert [c.user_id for c in mine.cadres] == [people["cadre"].pk]


def test_query_counts_do_not_grow_with_rows_or_units(db, django_assert_max_num_queries):
    from unionhome.accounts.models import User

    fed = federation()
    for i in range(12):
        branch = factories.unit(fed["b"], f"乙厂{i}站", "branch")
        cadre = factories.user(f"b-cadre-{i}", roles=(("branch_cadre", branch),))
        for month in (8, 9, 10):
            rate(branch, VISITS, [1 + (i + month) % 5] * 3, when=at(2026, month, 2), cadre=cadre)
            rate(branch, HARDSHIP, [5, 4], when=at(2026, month, 3), cadre=cadre)
    reads = [
        (2, lambda v: unit_index(v, period=OCT)),
        (2, lambda v: unit_index(v, period=OCT, unit_id=fed["b"].pk, service_line=VISITS)),
        (2, lambda v: index_trend(v, periods=12, today=datetime.date(2026, 10, 9))),
        (2, lambda v: index_trend(v, kind="quarter", periods=8, today=datetime.date(2026, 10, 9))),
        (3, lambda v: units_below(v, period=Period.parse("2026-Q4"))),
        (3, lambda v: units_below(v, period=OCT, unit_id=fed["b"].pk)),
        (3, lambda v: units_below(v, period=OCT, unit_id=fed["b"].pk, each_end=2)),
        (4, lambda v: cadre_indexes(v, period=OCT)),
        (4, lambda v: cadre_indexes(v, period=OCT, order="lowest", limit=3)),
    ]
    for most, read in reads:
        viewer = User.objects.get(pk=fed["chair"].pk)
        grants_of(viewer)  # the viewer's grants, loaded once per request by the policy: not counted here
        with django_assert_max_num_queries(most):
            result = read(viewer)
        assert result is not None
    assert len(units_below(fed["chair"], period=OCT, unit_id=fed["b"].pk).units) == 13
    assert len(cadre_indexes(fed["chair"], period=OCT).cadres) == 12 + 2  # and the two chairs
    q3 = Period.parse("2026-Q3")  # a quarter: each branch's visits shown (six answers)
    best, lowest = (
        units_below(fed["chair"], period=q3, unit_id=fed["b"].pk, each_end=2, order=o) for o in ("best", "lowest")
    )
    shown = [u for u in units_below(fed["chair"], period=q3, unit_id=fed["b"].pk).units if u.figure.index is not None]
    assert len(shown) == 12 and best.total == lowest.total == 13
    assert best.units == shown[:2] + shown[-2:]
    lowest_indexes = [u.figure.index for u in lowest.units]  # the same four (equals may swap), lowest first
    assert lowest_indexes == sorted(u.figure.index for u in best.units) and lowest_indexes[0] < lowest_indexes[-1]
    few = cadre_indexes(fed["chair"], period=q3, order="lowest", limit=3)
    every = sorted(
        c.overall.index for c in cadre_indexes(fed["chair"], period=q3).cadres if c.overall.index is not None
    )
    assert few.total == 14 and len(every) == 12 and [c.overall.index for c in few.cadres] == every[:3]
