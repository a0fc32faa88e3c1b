"""The heat map read (``index_heatmap.units_heatmap``): the units below × the last months or quarters from the
tallies, small cells suppressed, the unit's own members in a row of their own, in a fixed number of queries."""

import datetime

import pytest

from tests import factories
from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.satisfaction.index_heatmap import units_heatmap
from unionhome.satisfaction.tests.index_data import at, rate

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _k5(settings):
    settings.SATISFACTION_MIN_GROUP = 5


def cells(heatmap, unit):
    row = next(row for row in heatmap.rows if row.unit == unit and not row.is_self)
    return {str(p): f for p, f in zip(heatmap.periods, row.cells, strict=True)}


def test_months_and_quarters_with_small_cells_suppressed(people, union, django_assert_num_queries):
    rate(union["g11"], "visits", [5, 5, 4, 4, 5], when=at(2026, 10, 3))
    rate(union["g11"], "visits", [1, 2], when=at(2026, 9, 3))  # two answers: suppressed
    rate(union["g21"], "hardship_assistance", [3] * 6, when=at(2026, 6, 3))
    rate(union["g21"], "hardship_assistance", [3] * 6, when=at(2026, 4, 3))  # before the 6 months shown
    chair = people["chair"]
    chair.role_assignments.count()  # nothing cached yet: the grants are read in the count below
    with django_assert_num_queries(4):  # grants, unit, units below, tallies
        heatmap = units_heatmap(chair, kind="month", columns=6, today=TODAY)
    assert [str(p) for p in heatmap.periods] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert [row.unit for row in heatmap.rows] == [union["s1"], union["s2"]]  # in the tree's order
    s1 = cells(heatmap, union["s1"])
    assert s1["2026-10"].index == 90.0 and s1["2026-10"].n == 5
    assert s1["2026-09"].suppressed and s1["2026-09"].index is None and s1["2026-09"].n == 2
    assert s1["2026-11"].n == 0 and not s1["2026-11"].suppressed
    assert cells(heatmap, union["s2"])["2026-06"].index == 50.0

    quarters = units_heatmap(chair, kind="quarter", columns=8, today=TODAY)
    assert str(quarters.periods[0]) == "2025-Q1" and str(quarters.periods[-1]) == "2026-Q4"
    s2 = cells(quarters, union["s2"])
    assert s2["2026-Q2"].n == 12 and s2["2026-Q2"].index == 50.0
    one_line = units_heatmap(chair, columns=6, service_line="visits", today=TODAY)
    assert cells(one_line, union["s2"])["2026-06"].n == 0


def test_the_units_own_members_and_the_query_count_with_more_units(people, union, django_assert_max_num_queries):
    rate(union["union"], "visits", [4] * 5, when=at(2026, 10, 3))  # members attached to the union itself
    rate(union["g11"], "visits", [5] * 5, when=at(2026, 10, 3))
    heatmap = units_heatmap(people["chair"], today=TODAY)
    own = heatmap.rows[-1]
    assert own.is_self and own.unit == union["union"] and own.cells[-2].index == 75.0 and own.cells[-2].n == 5
    for i in range(5):
        branch = factories.unit(union["union"], f"新分工会{i}", "branch", code=f"N{i:02d}")
        rate(branch, "visits", [3] * 5, when=at(2026, 10, 5))
    with django_assert_max_num_queries(4):
        assert len(units_heatmap(people["chair"], today=TODAY).rows) == 8


def test_scope_and_bad_arguments(people, union):
    assert [row.unit for row in units_heatmap(people["cadre"], today=TODAY).rows] == [union["g11"], union["g12"]]
    with pytest.raises(OutOfScope):
        units_heatmap(people["cadre"], unit_id=union["s2"].pk, today=TODAY)
    with pytest.raises(PermissionRefused):
        units_heatmap(people["member"], today=TODAY)
    for bad in ({"columns": 5}, {"columns": 13}, {"kind": "year"}):
        with pytest.raises(ValueError):
            units_heatmap(people["chair"], today=TODAY, **bad)


def test_with_many_units_below_only_the_lowest_are_mapped(people, union, monkeypatch):
    from unionhome.satisfaction import index_heatmap

    monkeypatch.setattr(index_heatmap, "MAX_ROWS", 2)
    rate(union["g11"], "visits", [5] * 5, when=at(2026, 10, 3))  # station 1: 100
    rate(union["g21"], "visits", [2] * 5, when=at(2026, 9, 3))  # station 2: 25 (its newest shown index)
    third = factories.unit(union["union"], "第三站", "branch", code="S03")
    rate(third, "visits", [3] * 5, when=at(2026, 10, 3))  # 50
    factories.unit(union["union"], "第四站", "branch", code="S04")  # no ratings: after the others
    heatmap = units_heatmap(people["chair"], today=TODAY)
    assert heatmap.units_below == 4
    assert [row.unit for row in heatmap.rows] == [union["s2"], third]  # the two lowest, in the tree's order
