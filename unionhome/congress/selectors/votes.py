"""Reading votes: who sees which, the live turnout, the result and the published ballots.

Members of a union watch its congress's votes (the result is public once the vote is closed);
cadres with ``congress.view`` see them in their scope. Nothing here ever joins a secret ballot to a
participation: the published list shows receipts and choices, and who took part is a separate list.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, can
from unionhome.access.scope import unit_scope_q
from unionhome.congress.models import Ballot, CheckIn, Motion, Participation, Representative, Vote
from unionhome.congress.services.ballots import can_watch, seat_of
from unionhome.congress.services.votes import attendance
from unionhome.org.models import ancestor_paths

LIST_LIMIT = 100
BALLOTS_PAGE = 200
LIVE_SECONDS = 1  # how stale the live turnout may be: one count per second per process, whatever the audience


def votes_visible(viewer) -> QuerySet[Vote]:
    """Votes of the viewer's union (as a member) and of the subtrees where they hold ``congress.view``."""
    q = unit_scope_q(viewer, "congress.view")
    member = viewer.member if getattr(viewer, "member_id", None) else None
    if member is not None:
        q |= Q(unit_path__in=ancestor_paths(member.unit_path))
    return Vote.objects.filter(q)


def vote_list(viewer, *, session_id: int | None = None, status: str = "") -> list[Vote]:
    votes = votes_visible(viewer).select_related("session", "motion")
    if session_id:
        votes = votes.filter(session_id=session_id)
    if status in Vote.Status.values:
        votes = votes.filter(status=status)
    return list(votes.order_by("-session__starts_at", "-created_at", "-id")[:LIST_LIMIT])


def vote_for(viewer, pk: int) -> Vote:
    vote = Vote.objects.select_related("session__congress", "motion").filter(pk=pk).first()
    if vote is None or not can_watch(viewer, vote):
        raise OutOfScope()
    return vote


def motion_for(viewer, pk: int) -> Motion:
    motion = Motion.objects.select_related("session__congress").filter(pk=pk).first()
    if motion is None or not can_watch(viewer, motion):
        raise OutOfScope()
    return motion


def motions_of_session(session) -> list[Motion]:
    return list(Motion.objects.filter(session=session).annotate(vote_count=Count("votes")).order_by("position", "id"))


def votes_of_motion(motion: Motion) -> list[Vote]:
    return list(Vote.objects.filter(motion=motion).select_related("session").order_by("created_at", "id"))


@dataclass(frozen=True)
class Live:
    status: str
    participation: int
    present: int
    seated: int
    # The vote's scope: lets the live-turnout fast path (``congress/live.py``) authorise a viewer from the
    # cached state alone, without loading the vote.
    unit_path: str = ""

    @property
    def turnout_percent(self) -> int:
        return round(100 * self.participation / self.present) if self.present else 0


def vote_live(vote: Vote) -> Live:
    """The live state of a vote: how many took part so far (never what they chose), present, seated.

    Counted at most once a second per server process, so a hall of phones polling costs little."""
    key = f"congress:vote-live:{vote.pk}"
    live = cache.get(key)
    if live is None:
        status = Vote.objects.filter(pk=vote.pk).values_list("status", flat=True).first() or vote.status
        if status == Vote.Status.CLOSED:
            fresh = Vote.objects.get(pk=vote.pk)
            live = Live(status, fresh.participation_count, fresh.present_count, fresh.seated_count, vote.unit_path)
        else:
            seated, present = attendance(vote.session)
            live = Live(status, Participation.objects.filter(vote_id=vote.pk).count(), present, seated, vote.unit_path)
        cache.set(key, live, LIVE_SECONDS)
    return live


def vote_live_by_id(vote_id: int) -> Live | None:
    """``vote_live`` from the vote's id (the same cache; the vote is loaded only when the cache misses);
    None when there is no such vote. Says nothing about who may see it: the caller checks ``unit_path``."""
    live = cache.get(f"congress:vote-live:{vote_id}")
    if live is None:
        vote = Vote.objects.select_related("session").filter(pk=vote_id).first()
        if vote is None:
            return None
        live = vote_live(vote)
    return live


def vote_live_many(votes: list[Vote]) -> dict[int, Live]:
    """The live state of several votes in three queries (a list page), not three per vote."""
    open_ids = [v.pk for v in votes if v.status != Vote.Status.CLOSED]
    taken = dict(
        Participation.objects.filter(vote_id__in=open_ids)
        .values("vote_id")
        .annotate(n=Count("id"))
        .values_list("vote_id", "n")
    )
    seated = dict(
        Representative.objects.filter(
            congress_id__in={v.session.congress_id for v in votes}, status=Representative.Status.SEATED
        )
        .values("congress_id")
        .annotate(n=Count("id"))
        .values_list("congress_id", "n")
    )
    present = dict(
        CheckIn.objects.filter(
            session_id__in={v.session_id for v in votes}, representative__status=Representative.Status.SEATED
        )
        .values("session_id")
        .annotate(n=Count("id"))
        .values_list("session_id", "n")
    )
    return {
        v.pk: Live(v.status, v.participation_count, v.present_count, v.seated_count)
        if v.status == Vote.Status.CLOSED
        else Live(v.status, taken.get(v.pk, 0), present.get(v.session_id, 0), seated.get(v.session.congress_id, 0))
        for v in votes
    }


def forget_live(vote: Vote) -> None:
    cache.delete(f"congress:vote-live:{vote.pk}")


@dataclass(frozen=True)
class VoterState:
    seat: Representative | None
    checked_in: bool
    voted: bool
    scrutineer: bool


def voter_state(viewer, vote: Vote) -> VoterState:
    seat = seat_of(viewer, vote)
    if seat is None:
        return VoterState(None, False, False, False)
    return VoterState(
        seat,
        seat.checked_in,
        Participation.objects.filter(vote=vote, representative=seat).exists(),
        vote.scrutineers.filter(pk=seat.pk).exists(),
    )


def may_run(viewer, vote: Vote) -> bool:
    return can(viewer, "congress.run_votes", vote)


def may_enter_paper(viewer, vote: Vote, state: VoterState) -> bool:
    return vote.status == Vote.Status.OPEN and (state.scrutineer or can(viewer, "congress.manage", vote))


def _labels(vote: Vote) -> dict[int, str]:
    return {o.pk: o.display for o in vote.options.all()}


@dataclass(frozen=True)
class PublishedBallot:
    receipt: str  # empty for a paper ballot of a secret vote
    voter: str  # named votes: the representative; empty for secret ballots
    choices: list[tuple[str, str]]  # (option label, mark)


def published_ballots(vote: Vote, *, receipt: str = "", after: str = "") -> tuple[list[PublishedBallot], str]:
    """A page of the ballots of a closed vote in receipt order (secret) or by voter (named), and the
    cursor of the next page ("" at the end). ``receipt`` finds one ballot by its receipt code."""
    if vote.status != Vote.Status.CLOSED:
        return [], ""
    labels = _labels(vote)
    ballots = Ballot.objects.filter(vote=vote)
    if vote.is_secret:
        if receipt:
            ballots = ballots.filter(receipt=receipt.strip().upper())
        elif after:
            ballots = ballots.filter(receipt__gt=after)
        rows = list(ballots.order_by("receipt", "id")[: BALLOTS_PAGE + 1])
        voter = {}
    else:
        ballots = ballots.select_related("representative__member")
        if after.isdigit():
            ballots = ballots.filter(representative_id__gt=int(after))
        rows = list(ballots.order_by("representative_id")[: BALLOTS_PAGE + 1])
        voter = {b.pk: b.representative.member.name for b in rows if b.representative_id}
    more = len(rows) > BALLOTS_PAGE
    rows = rows[:BALLOTS_PAGE]
    page = [
        PublishedBallot(b.receipt, voter.get(b.pk, ""), [(labels.get(int(oid), "?"), mark) for oid, mark in b.marks])
        for b in rows
    ]
    cursor = ""
    if more and rows:
        cursor = rows[-1].receipt if vote.is_secret else str(rows[-1].representative_id)
    return page, cursor


def participants(vote: Vote) -> list[tuple[str, str, str]]:
    """Who took part (name, delegation, channel), for the record of a closed vote: never what they chose."""
    if vote.status != Vote.Status.CLOSED:
        return []
    return list(
        Participation.objects.filter(vote=vote)
        .order_by("representative__member__name_pinyin", "representative_id")
        .values_list("representative__member__name", "representative__delegation__unit__name", "channel")
    )


def paper_counts(vote: Vote) -> dict:
    """Paper voters recorded and paper ballots still to enter (secret votes: ballots trail participations)."""
    by_channel = dict(
        Participation.objects.filter(vote=vote)
        .values_list("channel")
        .annotate(n=Count("id"))
        .values_list("channel", "n")
    )
    ballots = Ballot.objects.filter(vote=vote).count()
    participations = sum(by_channel.values())
    return {
        "paper_voters": by_channel.get(Participation.Channel.PAPER, 0),
        "to_enter": participations - ballots,
    }


def paper_voters(vote: Vote) -> list[Representative]:
    """Checked-in representatives who have not voted yet: whom a scrutineer may record as paper voters."""
    return list(
        Representative.objects.filter(check_ins__session_id=vote.session_id, status=Representative.Status.SEATED)
        .exclude(participations__vote=vote)
        .select_related("member", "delegation__unit")
        .order_by("member__name_pinyin", "id")[:1000]
    )


def open_vote_prompts(user) -> list:
    """Home-page prompts: votes open now in a session where the user is a seated representative who has
    checked in and not voted yet (two queries)."""
    from unionhome.home.member_prompts import Prompt

    if not getattr(user, "member_id", None):
        return []
    votes = (
        Vote.objects.filter(
            status=Vote.Status.OPEN,
            session__check_ins__representative__member_id=user.member_id,
            session__check_ins__representative__status=Representative.Status.SEATED,
        )
        .exclude(participations__representative__member_id=user.member_id)
        .distinct()
        .order_by("opened_at", "id")[:10]
    )
    return [Prompt(v.title, reverse("congress:vote_detail", args=[v.pk]), _("open now"), urgent=True) for v in votes]
