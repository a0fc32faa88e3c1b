"""Periods of the satisfaction index: written and read back, stepped back, listed, labelled in both languages."""

import datetime

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from unionhome.satisfaction.periods import KINDS, MONTHS_IN, Period

periods = st.builds(
    Period.containing, st.sampled_from(KINDS), st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 12, 31))
)


@given(periods)
def test_a_period_reads_back_what_it_writes(period):
    assert Period.parse(str(period)) == period
    assert period.start <= period.months()[-1] < period.end
    assert len(period.months()) == {"month": 1, "quarter": 3, "year": 12}[period.kind]


@given(periods)
def test_the_previous_period_ends_where_the_period_starts(period):
    before = period.previous()
    if period.start == datetime.date(2000, 1, 1):
        assert before is None
    else:
        assert before.kind == period.kind and before.end == period.start and before < period


@given(st.text(max_size=12))
def test_only_the_three_forms_are_read(text):
    try:
        period = Period.parse(text)
    except ValueError:
        return
    assert str(period) == text


@pytest.mark.parametrize(
    ("text", "kind", "start"),
    [
        ("2026-11", "month", datetime.date(2026, 11, 1)),
        ("2026-01", "month", datetime.date(2026, 1, 1)),
        ("2026-Q4", "quarter", datetime.date(2026, 10, 1)),
        ("2026-Q1", "quarter", datetime.date(2026, 1, 1)),
        ("2026", "year", datetime.date(2026, 1, 1)),
        ("2000", "year", datetime.date(2000, 1, 1)),
        ("2100-12", "month", datetime.date(2100, 12, 1)),
    ],
)
def test_parse(text, kind, start):
    assert Period.parse(text) == Period(kind, start)


@pytest.mark.parametrize(
    "text",
    ["", "2026-13", "2026-00", "2026-1", "2026-Q5", "2026-Q0", "2026-q4", "1999", "2101", "2101-01", "２０２６",
     "2026-11-01", " 2026", "2026\n", "26", "2026Q4", None, 2026],
)  # fmt: skip
def test_anything_else_is_refused_with_a_message(text):
    with pytest.raises(ValueError, match="2026-Q4"):
        Period.parse(text)


def test_a_period_starts_on_its_first_day():
    with pytest.raises(ValueError):
        Period("quarter", datetime.date(2026, 11, 1))
    with pytest.raises(ValueError):
        Period("month", datetime.date(2026, 11, 2))
    with pytest.raises(ValueError):
        Period("week", datetime.date(2026, 11, 2))


def test_previous_crosses_years():
    assert str(Period.parse("2026-01").previous()) == "2025-12"
    assert str(Period.parse("2026-Q1").previous()) == "2025-Q4"
    assert str(Period.parse("2026").previous()) == "2025"


def test_last_periods_up_to_today():
    today = datetime.date(2026, 2, 14)
    assert [str(p) for p in Period.last("month", 4, today)] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert [str(p) for p in Period.last("quarter", 3, today)] == ["2025-Q3", "2025-Q4", "2026-Q1"]
    assert [str(p) for p in Period.last("year", 2, today)] == ["2025", "2026"]
    assert [str(p) for p in Period.last("year", 5, datetime.date(2001, 6, 1))] == ["2000", "2001"]


@given(st.sampled_from(KINDS), st.integers(1, 40), st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)))
def test_last_periods_follow_each_other(kind, n, today):
    listed = Period.last(kind, n, today)
    since_2000 = ((today.year - 2000) * 12 + today.month - 1) // MONTHS_IN[kind] + 1
    assert len(listed) == min(n, since_2000) and listed[-1].start <= today < listed[-1].end
    assert all(a.end == b.start for a, b in zip(listed, listed[1:], strict=False))


def test_labels_in_english_and_chinese():
    month, quarter, year = Period.parse("2026-11"), Period.parse("2026-Q4"), Period.parse("2026")
    with translation.override("en"):
        assert [month.label(), quarter.label(), year.label()] == ["Nov 2026", "Q4 2026", "2026"]
    with translation.override("zh-hans"):
        assert [month.label(), quarter.label(), year.label()] == ["2026年11月", "2026年第4季度", "2026年"]
