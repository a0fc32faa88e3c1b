"""Deliberation items (审议事项), votes on them, and elections (选举), with ballots that keep a secret.

A ``Vote`` is a motion vote or an election. Who took part (``Participation``: one row per
representative, enforced by a unique constraint) and what was chosen (``Ballot``) are stored apart:

- a secret ballot has a random UUID as its key and carries no voter, no timestamp and no sequence
  number; its marks are a JSON list inside the row (so no child rows with their own sequence exist);
  when the vote closes the ballots are written again in a random order (the box is shaken before it is
  opened), so not even the physical order of rows follows the order of voting;
- the voter keeps a receipt code, derived from a random key only their browser knew (see
  ``services/ballots.py``), which the published ballot list shows beside each ballot;
- a named ballot also names its representative, so that the named-vote list can show who voted how.

The tally is always the number of participations: ballots and participations are written in one
transaction, and paper ballots entered by scrutineers must match the paper participations at close.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionhome.congress.models.sessions import CongressSession, Representative
from unionhome.org.models import Member


class Motion(models.Model):
    """A matter put to the congress for deliberation: a wage plan, a collective contract, a welfare scheme…"""

    class Kind(models.TextChoices):
        WAGE_PLAN = "wage_plan", _("Wage plan")
        COLLECTIVE_CONTRACT = "collective_contract", _("Collective contract")
        WELFARE_SCHEME = "welfare_scheme", _("Welfare scheme")
        WORK_REPORT = "work_report", _("Work report")
        RULES = "rules", _("Rules and regulations")
        OTHER = "other", _("Other")

    session = models.ForeignKey(CongressSession, on_delete=models.CASCADE, related_name="motions")
    unit_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    position = models.PositiveSmallIntegerField(_("agenda position"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session_id", "position", "id"]
        verbose_name = _("motion")
        verbose_name_plural = _("motions")

    def __str__(self) -> str:
        return self.title

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class MotionDocument(models.Model):
    """A document laid before the congress with a motion (stored under ``UNIONHOME_PRIVATE_ROOT``)."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="documents")
    original_name = models.CharField(_("file name"), max_length=200)
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Vote(models.Model):
    """A vote on a motion, or an election; opened and closed live by the chair or the congress office."""

    class Kind(models.TextChoices):
        MOTION = "motion", _("Vote on a motion")
        ELECTION = "election", _("Election")

    class Secrecy(models.TextChoices):
        NAMED = "named", _("Named vote")
        SECRET = "secret", _("Secret ballot")

    class Method(models.TextChoices):
        # Motions: one option (赞成/反对/弃权 by default).
        CHOOSE_ONE = "choose_one", _("Choose one option")
        # Elections: tick up to N candidates, or vote for/against/abstain on each candidate.
        UP_TO_SEATS = "up_to_seats", _("Choose up to the number of seats")
        PER_CANDIDATE = "per_candidate", _("For, against or abstain on each candidate")

    class Base(models.TextChoices):
        SEATED = "seated", _("all seated representatives")
        PRESENT = "present", _("representatives present")
        CAST = "cast", _("ballots cast")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("vote status", "Not yet open")
        OPEN = "open", pgettext_lazy("vote status", "Open")
        CLOSED = "closed", pgettext_lazy("vote status", "Closed")

    class Outcome(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Not passed")
        NO_QUORUM = "no_quorum", _("Not valid: quorum not met")
        ELECTED = "elected", _("Election decided")
        TIE = "tie", _("Tie for the last seat")

    session = models.ForeignKey(CongressSession, on_delete=models.CASCADE, related_name="votes")
    motion = models.ForeignKey(Motion, null=True, blank=True, on_delete=models.PROTECT, related_name="votes")
    unit_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MOTION)
    title = models.CharField(_("title"), max_length=200)
    secrecy = models.CharField(_("secrecy"), max_length=20, choices=Secrecy.choices, default=Secrecy.SECRET)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.CHOOSE_ONE)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    # Quorum: present / seated must reach quorum_numerator / quorum_denominator.
    quorum_numerator = models.PositiveSmallIntegerField(_("quorum numerator"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("quorum denominator"), default=3)
    # Passing: votes for must be more than (or at least) threshold × base.
    threshold_numerator = models.PositiveSmallIntegerField(_("threshold numerator"), default=1)
    threshold_denominator = models.PositiveSmallIntegerField(_("threshold denominator"), default=2)
    threshold_base = models.CharField(_("counted against"), max_length=20, choices=Base.choices, default=Base.SEATED)
    threshold_strict = models.BooleanField(_("more than (not “at least”)"), default=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    scrutineers = models.ManyToManyField(
        Representative, blank=True, related_name="scrutinised_votes", verbose_name=_("scrutineers")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Counted at close: seated and present representatives, participations, and the result.
    seated_count = models.PositiveIntegerField(default=0)
    present_count = models.PositiveIntegerField(default=0)
    participation_count = models.PositiveIntegerField(default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["session_id", "created_at", "id"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_denominator__gt=0)
                & Q(threshold_denominator__gt=0)
                & Q(quorum_numerator__lte=models.F("quorum_denominator"))
                & Q(threshold_numerator__lte=models.F("threshold_denominator")),
                name="vote_fractions_valid",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="vote_at_least_one_seat"),
        ]
        indexes = [models.Index(fields=["unit_path", "status"], name="vote_scope")]

    def __str__(self) -> str:
        return self.title

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path

    @property
    def is_secret(self) -> bool:
        return self.secrecy == self.Secrecy.SECRET


class VoteOption(models.Model):
    """An option on the ballot: 赞成/反对/弃权 for a motion, or a candidate in an election."""

    class Meaning(models.TextChoices):
        FOR = "for", pgettext_lazy("vote", "For")
        AGAINST = "against", pgettext_lazy("vote", "Against")
        ABSTAIN = "abstain", pgettext_lazy("vote", "Abstain")
        CANDIDATE = "candidate", _("Candidate")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("label"), max_length=200)
    meaning = models.CharField(_("meaning"), max_length=20, choices=Meaning.choices)
    candidate = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("candidate")
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["vote_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "label"], name="vote_option_label_once"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def display(self) -> str:
        """How the option reads on the ballot and in the result: 赞成/反对/弃权 in the reader's language, or
        the candidate or option as named."""
        return self.label if self.meaning == self.Meaning.CANDIDATE else str(self.get_meaning_display())


class Participation(models.Model):
    """That a representative took part in a vote (never what they chose, for a secret vote).

    ``key_digest`` lets a retried submission (a lost connection) be recognised and answered with the
    same receipt: it is a keyed digest of the voter's random ballot key, from which neither the key nor
    the receipt can be computed."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper ballot")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="participations")
    representative = models.ForeignKey(Representative, on_delete=models.PROTECT, related_name="participations")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    key_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["vote_id", "representative_id"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "representative"], name="participation_once_per_vote"),
        ]

    def __str__(self) -> str:
        return f"{self.representative_id} in {self.vote_id}"


class Ballot(models.Model):
    """What was chosen. Secret: no voter, no time, no sequence; the receipt lets its voter find it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    # Named votes only; the ballot service never sets it on a secret ballot.
    representative = models.ForeignKey(
        Representative, null=True, blank=True, on_delete=models.PROTECT, related_name="named_ballots"
    )
    receipt = models.CharField(max_length=16, blank=True)
    # [[option id, "for" | "against" | "abstain"], …]; a choose-one ballot has one entry, "for".
    marks = models.JSONField(default=list)

    class Meta:
        ordering = ["vote_id", "receipt", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "receipt"], condition=~Q(receipt=""), name="ballot_receipt_once_per_vote"
            ),
            models.UniqueConstraint(
                fields=["vote", "representative"],
                condition=Q(representative__isnull=False),
                name="named_ballot_once_per_vote",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt or str(self.id)
