"""The demo session's motions and votes: a secret vote on the wage plan ready to open (every representative
is checked in, ``demo-rep`` among them), a named vote on the agenda already passed, and a secret election
already counted, with its published receipts."""

import random
import secrets

from unionhome.accounts.models import User
from unionhome.congress.models import Ballot, CongressSession, Participation, Representative, Vote
from unionhome.congress.services.ballots import receipt_for
from unionhome.congress.services.motions import motion_create
from unionhome.congress.services.votes import VoteSpec, vote_close, vote_create, vote_open
from unionhome.org.models import OrgUnit

WAGE_PLAN_SUMMARY = (
    "一、2027年度职工工资总额在上年基础上增长6%，其中一线检验岗位增幅不低于7%。\n"
    "二、调整夜班津贴标准，由每班40元提高至60元。\n"
    "三、建立技能等级与岗位工资挂钩机制，取得高级工及以上职业资格的每月增加技能津贴200元。\n"
    "四、本方案经职工代表大会审议通过后，自2027年1月1日起执行。"
)


def _cast_all(vote: Vote, seats: list[Representative], choose, rng: random.Random) -> None:
    """Ballots for every seat, written directly (the demo has no logins for most representatives)."""
    options = list(vote.options.all())
    participations, ballots = [], []
    for seat in seats:
        marks = choose(options, rng)
        participations.append(Participation(vote=vote, representative=seat))
        ballots.append(
            Ballot(
                vote=vote,
                representative=None if vote.is_secret else seat,
                receipt=receipt_for(vote.pk, secrets.token_urlsafe(24)) if vote.is_secret else "",
                marks=marks,
            )
        )
    Participation.objects.bulk_create(participations)
    Ballot.objects.bulk_create(ballots)


def build(*, union: OrgUnit, session: CongressSession, rng: random.Random) -> Vote:
    """Returns the vote ready to open."""
    chair = User.objects.get(username="demo-chair")
    seats = list(
        Representative.objects.filter(congress_id=session.congress_id, status=Representative.Status.SEATED)
        .filter(check_ins__session=session)
        .order_by("id")
    )

    agenda = motion_create(actor=chair, session=session, kind="other", title="关于本次会议议程的议案")
    named = vote_create(
        actor=chair, session=session, motion=agenda,
        spec=VoteSpec(title="举手表决：通过会议议程", secrecy=Vote.Secrecy.NAMED),
    )  # fmt: skip
    vote_open(actor=chair, vote=named)

    def mostly_for(options, rng):
        weights = {"for": 0.93, "against": 0.02, "abstain": 0.05}
        option = rng.choices(options, weights=[weights[o.meaning] for o in options])[0]
        return [[option.pk, "for"]]

    _cast_all(named, seats, mostly_for, rng)
    vote_close(actor=chair, vote=named)

    candidates = [seat.member for seat in rng.sample(seats, 3)]
    election = vote_create(
        actor=chair, session=session,
        spec=VoteSpec(title="增补提案审查委员会委员选举（差额选举，应选2名）", kind=Vote.Kind.ELECTION,
                      method=Vote.Method.UP_TO_SEATS, seats=2, candidates=candidates),
    )  # fmt: skip
    vote_open(actor=chair, vote=election)

    def two_of_three(options, rng):
        picked = rng.choices(options, weights=[0.9, 0.7, 0.35], k=3)
        return [[o.pk, "for"] for o in options if o in picked][:2]

    _cast_all(election, seats, two_of_three, rng)
    vote_close(actor=chair, vote=election)

    wage_plan = motion_create(
        actor=chair, session=session, kind="wage_plan",
        title="关于《2027年度工资集体协商方案（草案）》的议案", summary=WAGE_PLAN_SUMMARY,
    )  # fmt: skip
    return vote_create(
        actor=chair, session=session, motion=wage_plan,
        spec=VoteSpec(title="无记名投票：2027年度工资集体协商方案", secrecy=Vote.Secrecy.SECRET),
    )  # fmt: skip
