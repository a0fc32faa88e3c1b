"""Casting ballots: online by a representative, on paper through the scrutineers.

Exactly one ballot per representative: the ``Participation`` row (unique per vote and representative)
and the ``Ballot`` are written in one transaction, so a double submission racing itself writes one pair
and the other gets "already voted" — or, when it carries the same ballot key (a retry after a lost
connection, a double click), the same answer as the first.

The ballot key is a random string the voter's page (or API client) makes for one ballot and never
shows anyone. From it come, by keyed hashes that cannot be turned back:

- the **receipt** printed on the secret ballot and shown to the voter, who can find it in the
  published ballot list after the close;
- the **key digest** kept on the participation, to recognise a retry.

Neither can be computed from the other without the key, which is stored nowhere: so the database
cannot link a secret ballot to its voter, yet a retry gets its receipt back. Nothing about casting a
secret ballot is written to the audit trail or the logs.
"""

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, can
from unionhome.congress.models import Ballot, CheckIn, Participation, Representative, Vote, VoteOption
from unionhome.congress.seats import seats_of
from unionhome.congress.vote_rules import FOR, MARKS

BALLOT_KEY = re.compile(r"^[\x21-\x7e]{16,100}$")
RECEIPT_LENGTH = 10


class NotRepresentative(PermissionDenied):
    """Voting without a seat in this congress (403)."""


class AlreadyVoted(ValidationError):
    """A second ballot from the same representative with another ballot key (409 in the API)."""

    def __init__(self) -> None:
        super().__init__(_("You have already voted in this vote. Each representative has exactly one ballot."))


@dataclass(frozen=True)
class Cast:
    receipt: str  # empty for a named ballot or a paper ballot
    recorded: bool  # False when this was a retry of a ballot already recorded


def _hash(purpose: str, *parts: Any) -> bytes:
    key = hashlib.sha256(b"unionhome-ballot:" + settings.SECRET_KEY.encode()).digest()
    message = ":".join([purpose, *(str(p) for p in parts)]).encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def receipt_for(vote_id: int, ballot_key: str) -> str:
    """The receipt code of the ballot cast with ``ballot_key`` (10 characters, A–Z and 2–7)."""
    return base64.b32encode(_hash("receipt", vote_id, ballot_key)).decode()[:RECEIPT_LENGTH]


def key_digest(vote_id: int, representative_id: int, ballot_key: str) -> str:
    return _hash("participation", vote_id, representative_id, ballot_key).hex()


def can_watch(actor: Any, obj: Any) -> bool:
    """Members of a union watch its congress (motions, votes, results); cadres of the congress see them
    in their scope. ``obj`` is anything of the congress with a ``unit_path``."""
    member = getattr(actor, "member", None) if getattr(actor, "member_id", None) else None
    if member is not None and member.unit_path.startswith(obj.unit_path):
        return True
    return can(actor, "congress.view", obj)


def seat_of(actor: Any, vote: Vote) -> Representative | None:
    """The actor's seat in the vote's congress, if they hold one, with ``checked_in`` at the vote's session
    (one query)."""
    return (
        seats_of(actor)
        .filter(congress_id=vote.session.congress_id)
        .annotate(checked_in=Exists(CheckIn.objects.filter(session_id=vote.session_id, representative=OuterRef("pk"))))
        .first()
    )


def clean_marks(vote: Vote, options: list[VoteOption], marks: Iterable) -> list[list]:
    """The ballot's marks as stored (``[[option id, mark], …]`` in option order), or a clear error.

    ``marks`` is a list of option ids (choose one, choose up to the seats) or of ``(option id, mark)`` pairs
    (for, against or abstain on each candidate; a candidate left out counts as an abstention)."""
    by_id = {o.pk: o for o in options}
    pairs: list[tuple[int, str]] = []
    try:
        for item in marks:
            if isinstance(item, list | tuple):
                option_id, mark = item
            else:
                option_id, mark = item, FOR
            pairs.append((int(option_id), str(mark)))
    except (TypeError, ValueError):
        raise ValidationError({"marks": _("This ballot is not filled in correctly.")}) from None
    if any(option_id not in by_id for option_id, _mark in pairs) or any(mark not in MARKS for _id, mark in pairs):
        raise ValidationError({"marks": _("This ballot names an option that is not on it.")})
    if len({option_id for option_id, _mark in pairs}) != len(pairs):
        raise ValidationError({"marks": _("Each option can be marked once.")})
    if vote.method == Vote.Method.CHOOSE_ONE:
        if len(pairs) != 1 or pairs[0][1] != FOR:
            raise ValidationError({"marks": _("Choose exactly one option.")})
    elif vote.method == Vote.Method.UP_TO_SEATS:
        if any(mark != FOR for _id, mark in pairs):
            raise ValidationError({"marks": _("Tick the candidates you vote for.")})
        if len(pairs) > vote.seats:
            raise ValidationError(
                {"marks": _("Choose at most %(seats)s candidates: there are %(seats)s seats.") % {"seats": vote.seats}}
            )
    else:  # per candidate: every candidate gets a mark, abstention when left out
        given = dict(pairs)
        pairs = [(o.pk, given.get(o.pk, "abstain")) for o in options]
    order = {o.pk: i for i, o in enumerate(options)}
    return [[option_id, mark] for option_id, mark in sorted(pairs, key=lambda p: order[p[0]])]


def clean_ballot_key(ballot_key: str) -> str:
    if not isinstance(ballot_key, str) or not BALLOT_KEY.match(ballot_key):
        raise ValidationError(
            {"ballot_key": _("The ballot key must be 16–100 visible ASCII characters, new for each ballot.")}
        )
    return ballot_key


def _vote_status_shared(vote_id: int) -> str:
    """The vote's status, holding a lock that lets ballots through together but makes closing wait."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT status FROM congress_vote WHERE id = %s FOR SHARE", [vote_id])
            row = cursor.fetchone()
    else:  # SQLite: every write transaction already runs alone (BEGIN IMMEDIATE)
        row = Vote.objects.filter(pk=vote_id).values_list("status").first()
    if row is None:
        raise OutOfScope()
    return row[0]


def _require_open(status: str) -> None:
    if status == Vote.Status.DRAFT:
        raise ValidationError(_("This vote is not open yet."))
    if status == Vote.Status.CLOSED:
        raise ValidationError(_("This vote is closed: no more ballots are accepted."))


def ballot_cast(*, actor: Any, vote: Vote, marks: Iterable, ballot_key: str) -> Cast:
    """Cast the actor's ballot in ``vote``: once, and safely again with the same ballot key."""
    if not can_watch(actor, vote):
        raise OutOfScope()
    seat = seat_of(actor, vote)
    if seat is None:
        raise NotRepresentative(_("Only seated representatives of this congress can vote."))
    options = list(vote.options.all())
    stored = clean_marks(vote, options, marks)
    ballot_key = clean_ballot_key(ballot_key)
    digest = key_digest(vote.pk, seat.pk, ballot_key)
    receipt = receipt_for(vote.pk, ballot_key) if vote.is_secret else ""
    with transaction.atomic():
        _require_open(_vote_status_shared(vote.pk))
        if not seat.checked_in:  # check-ins are only ever added: read with the seat
            raise ValidationError(_("Check in at the session before you vote."))
        try:
            with transaction.atomic():
                Participation.objects.create(vote=vote, representative=seat, key_digest=digest)
        except IntegrityError:
            earlier = Participation.objects.filter(vote=vote, representative=seat).values_list("key_digest").first()
            if earlier is not None and earlier[0] and hmac.compare_digest(earlier[0], digest):
                return Cast(receipt, recorded=False)
            raise AlreadyVoted() from None
        Ballot.objects.create(vote=vote, representative=None if vote.is_secret else seat, receipt=receipt, marks=stored)
    return Cast(receipt, recorded=True)


# --- Paper ballots (hybrid sessions) -------------------------------------------------------------


def _require_scrutineer(actor: Any, vote: Vote) -> None:
    if not can_watch(actor, vote):
        raise OutOfScope()
    if can(actor, "congress.manage", vote):
        return
    if getattr(actor, "member_id", None) and vote.scrutineers.filter(member_id=actor.member_id).exists():
        return
    raise PermissionDenied(_("Only the scrutineers of this vote and the congress office enter paper ballots."))


def _paper_voter(vote: Vote, representative: Representative) -> None:
    if representative.congress_id != vote.session.congress_id or representative.status != Representative.Status.SEATED:
        raise ValidationError({"representative": _("This person is not a seated representative of this congress.")})
    if not CheckIn.objects.filter(session_id=vote.session_id, representative=representative).exists():
        raise ValidationError({"representative": _("This representative has not checked in at the session.")})


@transaction.atomic
def paper_participation_record(*, actor: Any, vote: Vote, representative: Representative) -> Participation:
    """A scrutineer records that a representative put a paper ballot in the box (secret votes)."""
    _require_scrutineer(actor, vote)
    if not vote.is_secret:
        raise ValidationError(_("In a named vote, enter the paper ballot with its voter."))
    _require_open(Vote.objects.select_for_update().values_list("status", flat=True).get(pk=vote.pk))
    _paper_voter(vote, representative)
    try:
        with transaction.atomic():
            return Participation.objects.create(
                vote=vote, representative=representative, channel=Participation.Channel.PAPER
            )
    except IntegrityError:
        raise ValidationError({"representative": _("This representative has already voted in this vote.")}) from None


@transaction.atomic
def paper_ballot_enter(
    *, actor: Any, vote: Vote, marks: Iterable, representative: Representative | None = None
) -> Ballot:
    """A scrutineer enters one paper ballot. Secret: at most one per paper participation recorded.
    Named: with its voter, who is recorded as taking part at the same time."""
    _require_scrutineer(actor, vote)
    _require_open(Vote.objects.select_for_update().values_list("status", flat=True).get(pk=vote.pk))
    stored = clean_marks(vote, list(vote.options.all()), marks)
    if vote.is_secret:
        if Ballot.objects.filter(vote=vote).count() >= Participation.objects.filter(vote=vote).count():
            raise ValidationError(
                _("Every paper voter's ballot has been entered: record the voter first, then the ballot.")
            )
        return Ballot.objects.create(vote=vote, marks=stored)
    if representative is None:
        raise ValidationError({"representative": _("Name the representative whose ballot this is.")})
    _paper_voter(vote, representative)
    try:
        with transaction.atomic():
            Participation.objects.create(vote=vote, representative=representative, channel=Participation.Channel.PAPER)
    except IntegrityError:
        raise ValidationError({"representative": _("This representative has already voted in this vote.")}) from None
    return Ballot.objects.create(vote=vote, representative=representative, marks=stored)
