"""Quorum, thresholds and elections: hand-computed cases and properties over all small numbers."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from unionhome.congress import vote_rules
from unionhome.congress.vote_rules import OptionCount, Rules, decide_election, decide_motion

fractions = st.integers(1, 12).flatmap(lambda d: st.tuples(st.integers(1, d), st.just(d)))


def test_hand_computed_quorums_and_thresholds():
    assert vote_rules.quorum_needed(50, 2, 3) == 34
    assert vote_rules.quorum_needed(51, 2, 3) == 34
    assert vote_rules.quorum_needed(8, 2, 3) == 6
    assert vote_rules.votes_needed(50, 1, 2, strict=True) == 26  # more than half of 50
    assert vote_rules.votes_needed(51, 1, 2, strict=True) == 26
    assert vote_rules.votes_needed(50, 2, 3, strict=False) == 34  # at least two thirds
    assert vote_rules.votes_needed(0, 1, 2, strict=False) == 1  # never passed with no votes


@given(seated=st.integers(0, 5000), present=st.integers(0, 5000), q=fractions)
def test_quorum_is_exactly_the_fraction(seated, present, q):
    met = vote_rules.quorum_met(present, seated, *q)
    assert met == (seated > 0 and Fraction(present, 1) >= Fraction(q[0], q[1]) * seated and present >= 1)


@given(base=st.integers(0, 5000), votes=st.integers(0, 5000), t=fractions, strict=st.booleans())
def test_votes_needed_is_the_least_that_passes(base, votes, t, strict):
    needed = vote_rules.votes_needed(base, *t, strict=strict)
    share = Fraction(t[0], t[1]) * base
    passes = (votes > share if strict else votes >= share) and votes >= 1
    assert (votes >= needed) == passes


def motion(for_, against, abstain):
    return [OptionCount(1, "赞成", "for", {"for": for_}), OptionCount(2, "反对", "against", {"for": against}),
            OptionCount(3, "弃权", "abstain", {"for": abstain})]  # fmt: skip


@given(
    seated=st.integers(1, 300),
    data=st.data(),
)
def test_a_motion_passes_only_with_quorum_and_more_than_half_of_the_seated(seated, data):
    present = data.draw(st.integers(0, seated))
    for_ = data.draw(st.integers(0, present))
    against = data.draw(st.integers(0, present - for_))
    outcome = decide_motion(motion(for_, against, 0), Rules(), seated=seated, present=present, cast=for_ + against)
    quorum = 3 * present >= 2 * seated
    if not quorum:
        assert outcome.code == "no_quorum"
    else:
        assert outcome.code == ("passed" if 2 * for_ > seated else "failed")
    # One more vote for never turns a pass into a fail.
    if outcome.code == "passed" and for_ < present:
        assert (
            decide_motion(motion(for_ + 1, against, 0), Rules(), seated=seated, present=present, cast=0).code
            == "passed"
        )


def test_an_election_reports_a_tie_for_the_last_seat():
    counts = [OptionCount(i, f"候选人{i}", "candidate", {"for": v}) for i, v in [(1, 9), (2, 7), (3, 7), (4, 2)]]
    outcome = decide_election(counts, Rules(), 2, seated=10, present=10, cast=10)
    assert outcome.code == "tie" and outcome.winners == (1,) and outcome.tied == (2, 3)
    outcome = decide_election(counts, Rules(), 3, seated=10, present=10, cast=10)
    assert outcome.code == "elected" and outcome.winners == (1, 2, 3)


@given(votes=st.lists(st.integers(0, 20), min_size=1, max_size=8), seats=st.integers(1, 8))
def test_an_election_never_elects_more_than_the_seats_nor_anyone_short_of_the_threshold(votes, seats):
    seats = min(seats, len(votes))
    counts = [OptionCount(i, str(i), "candidate", {"for": v}) for i, v in enumerate(votes)]
    outcome = decide_election(counts, Rules(), seats, seated=20, present=20, cast=20)
    assert len(outcome.winners) <= seats
    assert all(votes[i] > 10 for i in outcome.winners + outcome.tied)
    if outcome.code == "tie":
        tied_votes = {votes[i] for i in outcome.tied}
        assert len(tied_votes) == 1 and len(outcome.winners) + len(outcome.tied) > seats
