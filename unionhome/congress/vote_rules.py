"""The arithmetic of quorums, thresholds and tallies: pure functions on whole numbers, no floats.

A rule is a fraction (numerator/denominator) of a base count:

- quorum: the representatives present must be **at least** ``q`` of those seated
  (two thirds by default: 34 of 50);
- passing: the votes for must be **more than** (``strict``) or **at least** ``t`` of the base, which is
  all seated representatives (the default and the law's usual rule), those present, or the ballots cast:
  more than half of 50 seated is 26 votes, whoever turned up.

Every comparison is done as ``a * denominator`` against ``numerator * b`` so that 2/3 and 1/2 are exact.
A vote never passes with no votes for it: at least one vote is always needed.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

FOR, AGAINST, ABSTAIN = "for", "against", "abstain"
MARKS = (FOR, AGAINST, ABSTAIN)


def quorum_needed(seated: int, numerator: int, denominator: int) -> int:
    """The fewest present representatives that make a quorum: ceil(numerator × seated / denominator)."""
    return max(1, -(-numerator * seated // denominator))


def quorum_met(present: int, seated: int, numerator: int, denominator: int) -> bool:
    return seated > 0 and present >= quorum_needed(seated, numerator, denominator)


def votes_needed(base: int, numerator: int, denominator: int, strict: bool) -> int:
    """The fewest votes for that pass: more than (strict) or at least numerator/denominator of ``base``."""
    if strict:
        needed = numerator * base // denominator + 1
    else:
        needed = -(-numerator * base // denominator)
    return max(1, needed)


@dataclass(frozen=True)
class Rules:
    quorum_numerator: int = 2
    quorum_denominator: int = 3
    threshold_numerator: int = 1
    threshold_denominator: int = 2
    base: str = "seated"  # "seated", "present" or "cast"
    strict: bool = True

    @classmethod
    def of(cls, vote) -> "Rules":
        return cls(
            vote.quorum_numerator,
            vote.quorum_denominator,
            vote.threshold_numerator,
            vote.threshold_denominator,
            vote.threshold_base,
            vote.threshold_strict,
        )

    def base_count(self, *, seated: int, present: int, cast: int) -> int:
        return {"seated": seated, "present": present, "cast": cast}[self.base]

    def needed(self, *, seated: int, present: int, cast: int) -> int:
        return votes_needed(
            self.base_count(seated=seated, present=present, cast=cast),
            self.threshold_numerator,
            self.threshold_denominator,
            self.strict,
        )


@dataclass(frozen=True)
class OptionCount:
    option_id: int
    label: str
    meaning: str
    marks: dict[str, int] = field(default_factory=dict)  # "for"/"against"/"abstain" → count

    @property
    def votes_for(self) -> int:
        return self.marks.get(FOR, 0)


def tally(option_ids: Sequence[int], ballots: Iterable[Sequence[Sequence]]) -> dict[int, dict[str, int]]:
    """Count the marks of ``ballots`` (each a list of ``[option id, mark]``) per option and mark."""
    counts = {oid: dict.fromkeys(MARKS, 0) for oid in option_ids}
    for marks in ballots:
        for option_id, mark in marks:
            counts[int(option_id)][mark] += 1
    return counts


@dataclass(frozen=True)
class Outcome:
    code: str  # Vote.Outcome value
    needed: int  # votes for needed to pass (or to be elected)
    quorum_met: bool
    quorum_needed: int
    winners: tuple[int, ...] = ()  # option ids passed / adopted / elected
    tied: tuple[int, ...] = ()  # candidates tied for the last seats (elections)


def decide_motion(counts: Sequence[OptionCount], rules: Rules, *, seated: int, present: int, cast: int) -> Outcome:
    """A choose-one vote. With a "for" option: passed when it has the votes needed. With options of
    other meanings (plan A, plan B…): the option that has the votes needed is adopted (at most one can,
    when the threshold is at least half; otherwise the one with most votes, and a tie adopts none)."""
    q_needed = quorum_needed(seated, rules.quorum_numerator, rules.quorum_denominator)
    q_met = quorum_met(present, seated, rules.quorum_numerator, rules.quorum_denominator)
    needed = rules.needed(seated=seated, present=present, cast=cast)
    if not q_met:
        return Outcome("no_quorum", needed, False, q_needed)
    fors = [c for c in counts if c.meaning == FOR]
    if fors:
        passed = fors[0].votes_for >= needed
        return Outcome("passed" if passed else "failed", needed, True, q_needed, (fors[0].option_id,) if passed else ())
    reaching = sorted((c for c in counts if c.votes_for >= needed), key=lambda c: -c.votes_for)
    if not reaching or (len(reaching) > 1 and reaching[0].votes_for == reaching[1].votes_for):
        return Outcome("failed", needed, True, q_needed)
    return Outcome("passed", needed, True, q_needed, (reaching[0].option_id,))


def decide_election(
    counts: Sequence[OptionCount], rules: Rules, seats: int, *, seated: int, present: int, cast: int
) -> Outcome:
    """Candidates with the votes needed are elected in order of votes for, up to ``seats``; when
    candidates tie across the last seat, those tied are reported and none of them is declared elected."""
    q_needed = quorum_needed(seated, rules.quorum_numerator, rules.quorum_denominator)
    q_met = quorum_met(present, seated, rules.quorum_numerator, rules.quorum_denominator)
    needed = rules.needed(seated=seated, present=present, cast=cast)
    if not q_met:
        return Outcome("no_quorum", needed, False, q_needed)
    eligible = sorted((c for c in counts if c.votes_for >= needed), key=lambda c: (-c.votes_for, c.option_id))
    if len(eligible) <= seats:
        return Outcome("elected", needed, True, q_needed, tuple(c.option_id for c in eligible))
    cutoff = eligible[seats - 1].votes_for
    above = tuple(c.option_id for c in eligible if c.votes_for > cutoff)
    at_cutoff = tuple(c.option_id for c in eligible if c.votes_for == cutoff)
    if len(above) + len(at_cutoff) == seats:
        return Outcome("elected", needed, True, q_needed, above + at_cutoff)
    return Outcome("tie", needed, True, q_needed, above, at_cutoff)
