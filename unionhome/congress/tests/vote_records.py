"""Ready-made votes for the tests: representatives checked in, votes set up, ballots cast."""

import secrets

from unionhome.congress.models import CheckIn, Vote
from unionhome.congress.services.ballots import ballot_cast
from unionhome.congress.services.votes import VoteSpec, vote_create, vote_open


def check_in(congress, reps=None) -> None:
    for rep in congress["reps"] if reps is None else reps:
        CheckIn.objects.get_or_create(session=congress["session"], representative=rep, defaults={"method": "clerk"})


def new_key() -> str:
    return secrets.token_urlsafe(24)


def motion_vote(congress, *, secrecy=Vote.Secrecy.SECRET, open_=True, **spec) -> Vote:
    """A vote on 赞成/反对/弃权 by the congress office; checked in and opened unless ``open_`` is False."""
    vote = vote_create(
        actor=congress["office"],
        session=congress["session"],
        spec=VoteSpec(title=spec.pop("title", "关于2027年工资集体协商方案的表决"), secrecy=secrecy, **spec),
    )
    if open_:
        check_in(congress)
        vote = vote_open(actor=congress["office"], vote=vote)
    return vote


def option(vote: Vote, meaning_or_label: str):
    for o in vote.options.all():
        if o.meaning == meaning_or_label or o.label == meaning_or_label:
            return o
    raise LookupError(meaning_or_label)


def cast(congress, i: int, vote: Vote, choice: str, key: str | None = None):
    """Representative ``i`` (0–7) chooses the option with this meaning or label."""
    return ballot_cast(
        actor=congress["rep_users"][i], vote=vote, marks=[option(vote, choice).pk], ballot_key=key or new_key()
    )
