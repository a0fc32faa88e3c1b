"""The first-signal rule over generated weekly series (pure functions, no database)."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unionhome.voices.first_signal import Rule, baseline_of, flagged_weeks, is_signal, signals_in

RULE = Rule()


def test_the_bound_in_numbers():
    assert [RULE.bound(b) for b in (0, 0.5, 1, 4, 20)] == [3, 3, 3, 9, 41]


def test_a_steady_branch_is_never_flagged():
    assert flagged_weeks([5] * 20, RULE, start=8) == []
    assert flagged_weeks([5] * 20, RULE) == [0, 1, 2, 3]  # a new branch, until its history has built up


def test_a_noisy_branch_is_not_flagged_for_its_noise():
    rng = random.Random(7)
    series = [rng.randint(3, 7) for _ in range(40)]
    assert flagged_weeks(series, RULE, start=8) == []


def test_one_spike_is_flagged_once():
    series = [2, 1, 3, 2, 2, 1, 2, 3, 2, 12, 2, 2]
    assert flagged_weeks(series, RULE, start=8) == [9]


def test_a_new_branch_without_history():
    assert not is_signal(2, [], RULE)
    assert is_signal(3, [], RULE)
    assert baseline_of([], 8) == 0


def test_a_quiet_branch_needs_three():
    assert flagged_weeks([0, 0, 0, 1, 0, 0, 0, 2, 0, 1], RULE) == []
    assert flagged_weeks([0, 0, 0, 0, 0, 0, 0, 0, 3], RULE) == [8]


def test_only_the_last_eight_weeks_make_the_baseline():
    old_busy = [30] * 10 + [1] * 8
    assert is_signal(5, old_busy, RULE)
    assert baseline_of(old_busy, 8) == 1


def test_settings_change_the_numbers(settings):
    settings.VOICES_SIGNAL_MIN_COUNT = 5
    settings.VOICES_SIGNAL_RATIO = 3
    assert not is_signal(4, [0] * 8)
    assert is_signal(5, [0] * 8)
    assert not is_signal(6, [2] * 8) and is_signal(7, [2] * 8)


def test_signals_in_reads_the_job_totals():
    totals = {(1, "canteen"): (9, 8), (2, "canteen"): (3, 40), (1, "safety"): (3, 0)}
    found = signals_in(totals, RULE)
    assert [(s.branch_id, s.category, s.count, s.baseline) for s in found] == [
        (1, "canteen", 9, 1.0),
        (1, "safety", 3, 0.0),
    ]


weekly = st.lists(st.integers(min_value=0, max_value=200), min_size=0, max_size=30)


@given(weekly, st.integers(min_value=0, max_value=200))
def test_never_flags_a_count_at_or_below_its_baseline(previous, count):
    if count <= baseline_of(previous, RULE.baseline_weeks):
        assert not is_signal(count, previous, RULE)


@given(weekly)
def test_a_series_never_above_its_baseline_is_never_flagged(series):
    quiet: list[int] = []
    for n in series:
        quiet.append(min(n, int(baseline_of(quiet, RULE.baseline_weeks))))
    assert flagged_weeks(quiet, RULE) == []


@given(weekly, st.integers(min_value=0, max_value=50))
def test_always_flags_a_spike_above_the_bound(previous, extra):
    baseline = baseline_of(previous, RULE.baseline_weeks)
    spike = max(RULE.min_count, int(RULE.ratio * baseline + RULE.margin) + 1) + extra
    assert is_signal(spike, previous, RULE)
    assert len(flagged_weeks([*previous, spike], RULE)) >= 1
    assert len(previous) in flagged_weeks([*previous, spike], RULE)


@pytest.mark.parametrize("baseline", [0, 0.25, 1.5, 4, 10.125, 55])
def test_the_bound_is_the_smallest_flagged_count(baseline):
    bound = RULE.bound(baseline)
    assert RULE.flags(bound, baseline) and not RULE.flags(bound - 1, baseline)
