"""Setting up, opening and closing votes and elections. Casting ballots is in ``ballots.py``.

Opening needs a quorum of the seated representatives checked in. Closing takes the vote row's
exclusive lock, which waits for every ballot being written (they hold a shared lock on the row) and
stops any later one, then counts: the tally is the number of participations, always, and the secret
ballots are written again in a random order before anyone reads them.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, can, require
from unionhome.audit.recorder import record
from unionhome.congress import vote_rules
from unionhome.congress.models import (
    Ballot,
    CheckIn,
    CongressSession,
    Motion,
    Participation,
    Representative,
    Vote,
    VoteOption,
)
from unionhome.org.models import Member

MAX_OPTIONS = 50
MAX_SCRUTINEERS = 10


def attendance(session: CongressSession) -> tuple[int, int]:
    """(seated, present): seated representatives of the session's term, and those of them checked in."""
    seated = Representative.objects.filter(congress_id=session.congress_id, status=Representative.Status.SEATED)
    present = CheckIn.objects.filter(session=session, representative__status=Representative.Status.SEATED)
    return seated.count(), present.count()


@dataclass(frozen=True)
class VoteSpec:
    """What the congress office decides when it sets up a vote (validated by ``vote_create``)."""

    title: str
    kind: str = Vote.Kind.MOTION
    secrecy: str = Vote.Secrecy.SECRET
    method: str = Vote.Method.CHOOSE_ONE
    seats: int = 1
    # Motions: option labels; empty means 赞成/反对/弃权. Elections: the candidates (members).
    options: Sequence[str] = ()
    candidates: Sequence[Member] = ()
    quorum: tuple[int, int] = (2, 3)
    threshold: tuple[int, int] = (1, 2)
    threshold_base: str = Vote.Base.SEATED
    threshold_strict: bool = True
    scrutineers: Sequence[Representative] = ()


def _clean_fraction(value: tuple[int, int], field: str) -> tuple[int, int]:
    try:
        numerator, denominator = (int(v) for v in value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Give the rule as a fraction such as 2/3.")}) from None
    if denominator < 1 or numerator < 1 or numerator > denominator or denominator > 100:
        raise ValidationError({field: _("Give the rule as a fraction between 1/100 and 1, such as 2/3.")})
    return numerator, denominator


def _clean_spec(session: CongressSession, spec: VoteSpec) -> VoteSpec:
    errors: dict[str, str] = {}
    title = (spec.title or "").strip()
    if not title:
        errors["title"] = _("Give the vote a title.")
    elif len(title) > 200:
        errors["title"] = _("The title is too long (at most 200 characters).")
    if spec.kind not in Vote.Kind.values:
        errors["kind"] = _("Choose a motion vote or an election.")
    if spec.secrecy not in Vote.Secrecy.values:
        errors["secrecy"] = _("Choose a named vote or a secret ballot.")
    if spec.threshold_base not in Vote.Base.values:
        errors["threshold_base"] = _("Choose what the votes for are counted against.")
    if spec.kind == Vote.Kind.ELECTION:
        if spec.method not in (Vote.Method.UP_TO_SEATS, Vote.Method.PER_CANDIDATE):
            errors["method"] = _("An election is decided by choosing up to the seats or per candidate.")
        candidates = list(dict.fromkeys(spec.candidates))
        if not candidates:
            errors["candidates"] = _("Name at least one candidate.")
        elif len(candidates) > MAX_OPTIONS:
            errors["candidates"] = _("At most %(n)s candidates.") % {"n": MAX_OPTIONS}
        elif any(not c.unit_path.startswith(session.unit_path) for c in candidates):
            errors["candidates"] = _("Candidates must be members of this union.")
        if not 1 <= int(spec.seats or 0) <= max(len(candidates), 1):
            errors["seats"] = _("The seats must be between 1 and the number of candidates.")
    else:
        if spec.method != Vote.Method.CHOOSE_ONE:
            errors["method"] = _("A vote on a motion chooses one option.")
        labels = [label.strip() for label in spec.options if label.strip()]
        if len(set(labels)) != len(labels):
            errors["options"] = _("Each option must be different.")
        elif labels and len(labels) < 2:
            errors["options"] = _("Give at least two options, or none for 赞成/反对/弃权.")
        elif len(labels) > MAX_OPTIONS or any(len(label) > 200 for label in labels):
            errors["options"] = _("At most %(n)s options of 200 characters each.") % {"n": MAX_OPTIONS}
    try:
        quorum = _clean_fraction(spec.quorum, "quorum")
    except ValidationError as e:
        errors.update(e.message_dict)
        quorum = (2, 3)
    try:
        threshold = _clean_fraction(spec.threshold, "threshold")
    except ValidationError as e:
        errors.update(e.message_dict)
        threshold = (1, 2)
    scrutineers = list(dict.fromkeys(spec.scrutineers))
    if len(scrutineers) > MAX_SCRUTINEERS:
        errors["scrutineers"] = _("At most %(n)s scrutineers.") % {"n": MAX_SCRUTINEERS}
    elif any(s.congress_id != session.congress_id or s.status != Representative.Status.SEATED for s in scrutineers):
        errors["scrutineers"] = _("Scrutineers must be seated representatives of this congress.")
    if errors:
        raise ValidationError(errors)
    return VoteSpec(
        title=title,
        kind=spec.kind,
        secrecy=spec.secrecy,
        method=spec.method,
        seats=int(spec.seats) if spec.kind == Vote.Kind.ELECTION else 1,
        options=[label.strip() for label in spec.options if label.strip()],
        candidates=list(dict.fromkeys(spec.candidates)),
        quorum=quorum,
        threshold=threshold,
        threshold_base=spec.threshold_base,
        threshold_strict=bool(spec.threshold_strict),
        scrutineers=scrutineers,
    )


@transaction.atomic
def vote_create(*, actor: Any, session: CongressSession, spec: VoteSpec, motion: Motion | None = None) -> Vote:
    """Set up a vote on a motion (or an election) of ``session``; it opens later, live."""
    require(actor, "congress.manage", session)
    if session.status == CongressSession.Status.CLOSED:
        raise ValidationError(_("This session is closed: no new votes."))
    if motion is not None and motion.session_id != session.pk:
        raise ValidationError({"motion": _("The motion belongs to another session.")})
    if motion is not None and spec.kind != Vote.Kind.MOTION:
        raise ValidationError({"motion": _("An election is not a vote on a motion.")})
    spec = _clean_spec(session, spec)
    vote = Vote.objects.create(
        session=session,
        motion=motion,
        unit_path=session.unit_path,
        kind=spec.kind,
        title=spec.title,
        secrecy=spec.secrecy,
        method=spec.method,
        seats=spec.seats,
        quorum_numerator=spec.quorum[0],
        quorum_denominator=spec.quorum[1],
        threshold_numerator=spec.threshold[0],
        threshold_denominator=spec.threshold[1],
        threshold_base=spec.threshold_base,
        threshold_strict=spec.threshold_strict,
        created_by=actor,
    )
    if spec.kind == Vote.Kind.ELECTION:
        options = [
            VoteOption(vote=vote, label=c.name, meaning=VoteOption.Meaning.CANDIDATE, candidate=c, position=i)
            for i, c in enumerate(spec.candidates)
        ]
        # Two candidates of the same name are told apart by their employee number.
        names = [o.label for o in options]
        for option in options:
            if names.count(option.label) > 1:
                option.label = f"{option.label}（{option.candidate.employee_no}）"
    elif spec.options:
        options = [
            VoteOption(vote=vote, label=label, meaning=VoteOption.Meaning.CANDIDATE, position=i)
            for i, label in enumerate(spec.options)
        ]
    else:
        options = [
            VoteOption(vote=vote, label=str(meaning.label), meaning=meaning, position=i)
            for i, meaning in enumerate(
                (VoteOption.Meaning.FOR, VoteOption.Meaning.AGAINST, VoteOption.Meaning.ABSTAIN)
            )
        ]
    VoteOption.objects.bulk_create(options)
    vote.scrutineers.set(spec.scrutineers)
    record(
        actor,
        "congress.vote.create",
        vote,
        title=vote.title,
        kind=vote.kind,
        secrecy=vote.secrecy,
        options=[o.label for o in options],
        quorum=f"{vote.quorum_numerator}/{vote.quorum_denominator}",
        threshold=f"{vote.threshold_numerator}/{vote.threshold_denominator} {vote.threshold_base}",
    )
    return vote


def _locked_vote(vote: Vote) -> Vote:
    return Vote.objects.select_for_update().select_related("session").get(pk=vote.pk)


def _require_run(actor: Any, vote: Vote) -> None:
    from unionhome.congress.services.ballots import can_watch

    if not (can(actor, "congress.run_votes", vote) or can_watch(actor, vote)):
        raise OutOfScope()
    require(actor, "congress.run_votes", vote)


@transaction.atomic
def vote_open(*, actor: Any, vote: Vote) -> Vote:
    """Open the vote: the session is in progress and a quorum of the seated representatives is present."""
    _require_run(actor, vote)
    vote = _locked_vote(vote)
    if vote.status != Vote.Status.DRAFT:
        raise ValidationError(_("This vote has already been opened."))
    if vote.session.status != CongressSession.Status.IN_PROGRESS:
        raise ValidationError(_("Votes open only while the session is in progress."))
    seated, present = attendance(vote.session)
    if not vote_rules.quorum_met(present, seated, vote.quorum_numerator, vote.quorum_denominator):
        raise ValidationError(
            _(
                "The quorum is not met: %(present)s of %(seated)s seated representatives are checked in, "
                "%(needed)s are needed."
            )
            % {
                "present": present,
                "seated": seated,
                "needed": vote_rules.quorum_needed(seated, vote.quorum_numerator, vote.quorum_denominator),
            }
        )
    vote.status = Vote.Status.OPEN
    vote.opened_at = timezone.now()
    vote.opened_by = actor
    vote.save(update_fields=["status", "opened_at", "opened_by"])
    record(actor, "congress.vote.open", vote, seated=seated, present=present)
    return vote


def _shake_ballot_box(vote: Vote) -> None:
    """Write the secret ballots again in a random order, with new random keys, so that neither their
    keys nor the physical order of the rows follows the order in which they were cast."""
    ballots = list(Ballot.objects.filter(vote=vote).values_list("receipt", "marks"))
    random.SystemRandom().shuffle(ballots)
    Ballot.objects.filter(vote=vote).delete()
    Ballot.objects.bulk_create(Ballot(vote=vote, receipt=receipt, marks=marks) for receipt, marks in ballots)


def count_ballots(vote: Vote) -> dict:
    """The tally and outcome of a vote, from its ballots (as stored at close)."""
    options = list(vote.options.all())
    counts = vote_rules.tally([o.pk for o in options], Ballot.objects.filter(vote=vote).values_list("marks", flat=True))
    option_counts = [vote_rules.OptionCount(o.pk, o.label, o.meaning, counts[o.pk]) for o in options]
    rules = vote_rules.Rules.of(vote)
    sizes = {"seated": vote.seated_count, "present": vote.present_count, "cast": vote.participation_count}
    if vote.kind == Vote.Kind.ELECTION:
        outcome = vote_rules.decide_election(option_counts, rules, vote.seats, **sizes)
    else:
        outcome = vote_rules.decide_motion(option_counts, rules, **sizes)
    return {
        "participation": vote.participation_count,
        "seated": vote.seated_count,
        "present": vote.present_count,
        "quorum_met": outcome.quorum_met,
        "quorum_needed": outcome.quorum_needed,
        "needed": outcome.needed,
        "outcome": outcome.code,
        "winners": list(outcome.winners),
        "tied": list(outcome.tied),
        "options": [
            {
                "id": c.option_id,
                "label": c.label,
                "meaning": c.meaning,
                "count": c.votes_for,
                "for": c.marks["for"],
                "against": c.marks["against"],
                "abstain": c.marks["abstain"],
            }
            for c in option_counts
        ],
    }


@transaction.atomic
def vote_close(*, actor: Any, vote: Vote) -> Vote:
    """Close the vote and count it. Every paper voter's ballot must have been entered first."""
    _require_run(actor, vote)
    vote = _locked_vote(vote)
    if vote.status != Vote.Status.OPEN:
        raise ValidationError(_("Only an open vote can be closed."))
    participations = Participation.objects.filter(vote=vote).count()
    ballots = Ballot.objects.filter(vote=vote).count()
    if ballots != participations:
        raise ValidationError(
            _(
                "%(missing)s paper ballots have not been entered yet: %(participations)s representatives voted, "
                "%(ballots)s ballots are recorded. The scrutineers enter them before the vote is closed."
            )
            % {"missing": participations - ballots, "participations": participations, "ballots": ballots}
        )
    vote.seated_count, vote.present_count = attendance(vote.session)
    vote.participation_count = participations
    if vote.is_secret:
        _shake_ballot_box(vote)
    result = count_ballots(vote)
    vote.result = result
    vote.outcome = result["outcome"]
    vote.status = Vote.Status.CLOSED
    vote.closed_at = timezone.now()
    vote.closed_by = actor
    vote.save()
    record(
        actor,
        "congress.vote.close",
        vote,
        seated=vote.seated_count,
        present=vote.present_count,
        participation=participations,
        outcome=vote.outcome,
        counts={o["label"]: [o["for"], o["against"], o["abstain"]] for o in result["options"]},
    )
    return vote
