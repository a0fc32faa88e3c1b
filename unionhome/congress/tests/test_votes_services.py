"""Votes: set up, open with a quorum, one ballot per representative, close and count."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from unionhome.access.policy import PermissionRefused
from unionhome.congress.models import Ballot, CheckIn, Participation, Vote
from unionhome.congress.services.ballots import AlreadyVoted, NotRepresentative, ballot_cast, receipt_for
from unionhome.congress.services.votes import VoteSpec, vote_close, vote_create, vote_open
from unionhome.congress.tests.vote_records import cast, check_in, motion_vote, new_key, option

pytestmark = pytest.mark.django_db


def test_a_motion_vote_gets_for_against_abstain(congress):
    vote = motion_vote(congress, open_=False)
    assert [o.meaning for o in vote.options.all()] == ["for", "against", "abstain"]
    assert vote.status == Vote.Status.DRAFT and vote.unit_path == congress["session"].unit_path


@pytest.mark.parametrize(
    "spec, field",
    [
        (VoteSpec(title=" "), "title"),
        (VoteSpec(title="x", quorum=(3, 2)), "quorum"),
        (VoteSpec(title="x", threshold=(0, 2)), "threshold"),
        (VoteSpec(title="x", options=["甲方案"]), "options"),
        (VoteSpec(title="x", options=["甲", "甲"]), "options"),
        (VoteSpec(title="x", kind="election", method="up_to_seats"), "candidates"),
        (VoteSpec(title="x", method="up_to_seats"), "method"),
    ],
)
def test_a_badly_set_up_vote_is_refused_and_nothing_is_written(congress, spec, field):
    with pytest.raises(ValidationError) as refused:
        vote_create(actor=congress["office"], session=congress["session"], spec=spec)
    assert field in refused.value.message_dict
    assert not Vote.objects.exists()


def test_only_the_congress_office_and_chair_set_up_votes(congress):
    with pytest.raises(PermissionRefused):
        vote_create(actor=congress["rep_users"][0], session=congress["session"], spec=VoteSpec(title="x"))
    with pytest.raises(PermissionRefused):
        vote_create(actor=congress["cadre"], session=congress["session"], spec=VoteSpec(title="x"))
    assert vote_create(actor=congress["chair"], session=congress["session"], spec=VoteSpec(title="x"))


def test_a_vote_opens_only_with_a_quorum_present(congress):
    vote = motion_vote(congress, open_=False)
    check_in(congress, congress["reps"][:5])  # 5 of 8: two thirds of 8 needs 6
    with pytest.raises(ValidationError, match="5 of 8 seated representatives are checked in, 6 are needed"):
        vote_open(actor=congress["office"], vote=vote)
    check_in(congress, congress["reps"][5:6])
    assert vote_open(actor=congress["office"], vote=vote).status == Vote.Status.OPEN
    with pytest.raises(ValidationError, match="already been opened"):
        vote_open(actor=congress["office"], vote=vote)


def test_representatives_vote_once_and_the_tally_is_the_participations(congress):
    vote = motion_vote(congress)
    for i, choice in enumerate(["for", "for", "for", "for", "for", "against", "abstain"]):
        assert cast(congress, i, vote, choice).recorded
    vote = vote_close(actor=congress["office"], vote=vote)
    assert vote.participation_count == 7 == Ballot.objects.filter(vote=vote).count()
    assert {o["meaning"]: o["count"] for o in vote.result["options"]} == {"for": 5, "against": 1, "abstain": 1}
    # More than half of all 8 seated is 5: passed.
    assert vote.outcome == "passed" and vote.result["needed"] == 5


def test_more_than_half_of_the_seated_not_of_those_voting(congress):
    vote = motion_vote(congress)
    for i, choice in enumerate(["for", "for", "for", "for", "against", "against"]):
        cast(congress, i, vote, choice)
    vote = vote_close(actor=congress["office"], vote=vote)
    # 4 of 6 cast is a majority of the ballots, but not more than half of the 8 seated.
    assert vote.outcome == "failed" and vote.result["needed"] == 5


def test_a_second_ballot_is_refused_and_a_retry_gets_the_same_receipt(congress):
    vote = motion_vote(congress)
    key = new_key()
    first = cast(congress, 0, vote, "for", key)
    again = cast(congress, 0, vote, "for", key)
    assert again == type(first)(first.receipt, recorded=False)
    assert first.receipt == receipt_for(vote.pk, key)
    with pytest.raises(AlreadyVoted):
        cast(congress, 0, vote, "against")
    assert Participation.objects.filter(vote=vote).count() == 1 == Ballot.objects.filter(vote=vote).count()


@pytest.mark.parametrize(
    "who, error",
    [("member", NotRepresentative), ("chair", NotRepresentative), ("s2_outsider", "scope")],
)
def test_only_seated_representatives_vote(congress, who, error, union):
    from tests import factories
    from unionhome.access.policy import OutOfScope

    vote = motion_vote(congress)
    actor = congress[who] if who in congress else None
    if who == "s2_outsider":
        other = factories.unit(None, "另一工会", "union", code="OTHER")
        actor = factories.user("outsider", member=factories.member(other, "钱多多"))
        error = OutOfScope
    with pytest.raises(error):
        ballot_cast(actor=actor, vote=vote, marks=[option(vote, "for").pk], ballot_key=new_key())
    assert not Participation.objects.exists()


def test_a_representative_not_checked_in_cannot_vote(congress):
    vote = motion_vote(congress)
    CheckIn.objects.filter(representative=congress["reps"][0]).delete()
    with pytest.raises(ValidationError, match="Check in"):
        cast(congress, 0, vote, "for")


def test_ballots_only_while_open(congress):
    vote = motion_vote(congress, open_=False)
    check_in(congress)
    with pytest.raises(ValidationError, match="not open yet"):
        cast(congress, 0, vote, "for")
    vote_open(actor=congress["office"], vote=vote)
    cast(congress, 0, vote, "for")
    vote_close(actor=congress["office"], vote=vote)
    with pytest.raises(ValidationError, match="closed"):
        cast(congress, 1, vote, "for")
    assert Participation.objects.filter(vote=vote).count() == 1


@pytest.mark.parametrize("marks", [[], [10**9], ["x"], [[1, "maybe"]], None])
def test_an_invalid_ballot_is_refused(congress, marks):
    vote = motion_vote(congress)
    o = option(vote, "for")
    marks = [o.pk, option(vote, "against").pk] if marks == [] else marks
    with pytest.raises(ValidationError):
        ballot_cast(actor=congress["rep_users"][0], vote=vote, marks=marks or [], ballot_key=new_key())
    with pytest.raises(ValidationError, match="ballot key"):
        ballot_cast(actor=congress["rep_users"][0], vote=vote, marks=[o.pk], ballot_key="short")
    assert not Participation.objects.exists() and not Ballot.objects.exists()


def test_a_secret_ballot_names_no_voter_and_a_named_one_does(congress):
    secret = motion_vote(congress)
    cast(congress, 0, secret, "for")
    ballot = Ballot.objects.get(vote=secret)
    assert ballot.representative_id is None and len(ballot.receipt) == 10
    named = motion_vote(congress, secrecy=Vote.Secrecy.NAMED, title="记名表决")
    assert cast(congress, 0, named, "against").receipt == ""
    assert Ballot.objects.get(vote=named).representative == congress["reps"][0]


def test_rules_close_and_count_an_election_with_a_tie(congress, union):
    from unionhome.congress.services.votes import VoteSpec

    candidates = [rep.member for rep in congress["reps"][:4]]
    vote = vote_create(
        actor=congress["office"],
        session=congress["session"],
        spec=VoteSpec(title="增补工会委员选举", kind="election", method="up_to_seats", seats=2, candidates=candidates),
    )
    check_in(congress)
    vote_open(actor=congress["office"], vote=vote)
    a, b, c, _d = (o.pk for o in vote.options.all())
    ballots = [[a, b], [a, c], [a, b], [a, c], [a, b], [a, c], [b, c]]
    for i, marks in enumerate(ballots):
        ballot_cast(actor=congress["rep_users"][i], vote=vote, marks=marks, ballot_key=new_key())
    with pytest.raises(ValidationError, match="at most 2"):
        ballot_cast(actor=congress["rep_users"][7], vote=vote, marks=[a, b, c], ballot_key=new_key())
    vote = vote_close(actor=congress["office"], vote=vote)
    # a: 6 elected; b and c: 4 each — both short of more than half of 8 seated (5): nobody else elected.
    assert vote.outcome == "elected" and vote.result["winners"] == [a] and vote.result["tied"] == []


def test_paper_ballots_must_all_be_entered_before_the_close(congress):
    vote = motion_vote(congress)
    vote.scrutineers.add(congress["reps"][7])
    scrutineer = congress["rep_users"][7]
    from unionhome.congress.services.ballots import paper_ballot_enter, paper_participation_record

    with pytest.raises(PermissionDenied):
        paper_participation_record(actor=congress["rep_users"][0], vote=vote, representative=congress["reps"][1])
    paper_participation_record(actor=scrutineer, vote=vote, representative=congress["reps"][1])
    paper_participation_record(actor=scrutineer, vote=vote, representative=congress["reps"][2])
    with pytest.raises(AlreadyVoted.__mro__[1]):  # ValidationError
        cast(congress, 1, vote, "for")
    paper_ballot_enter(actor=scrutineer, vote=vote, marks=[option(vote, "for").pk])
    with pytest.raises(ValidationError, match="1 paper ballots have not been entered"):
        vote_close(actor=congress["office"], vote=vote)
    paper_ballot_enter(actor=scrutineer, vote=vote, marks=[option(vote, "against").pk])
    with pytest.raises(ValidationError, match="Every paper voter"):
        paper_ballot_enter(actor=scrutineer, vote=vote, marks=[option(vote, "for").pk])
    vote = vote_close(actor=congress["office"], vote=vote)
    assert vote.participation_count == 2
    assert {o["meaning"]: o["count"] for o in vote.result["options"]} == {"for": 1, "against": 1, "abstain": 0}
