"""Proposals (提案): drafted by a representative (or suggested by any member and adopted by one),
seconded (附议), reviewed and accepted (立案), referred to a handling department (承办部门), replied to,
rated by the proposer, and handled again when the proposer is dissatisfied.

The state machine lives in ``congress/proposal_workflow.py``; ``ProposalEvent`` rows are the history
the proposer sees, each with its reason.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unionhome.congress.models.sessions import CongressSession, Representative
from unionhome.org.models import Member, OrgUnit


class HandlingDepartment(models.Model):
    """A department of the enterprise that answers proposals referred to it; its handlers reply."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("union"))
    unit_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=100)
    handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="handling_departments", verbose_name=_("handlers")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["unit_path", "name"]
        verbose_name = _("handling department")
        verbose_name_plural = _("handling departments")
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="department_name_once_per_union")]

    def __str__(self) -> str:
        return self.name

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class Proposal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUGGESTED = "suggested", _("Suggestion awaiting a representative")
        SECONDING = "seconding", _("Open for seconding")
        SUBMITTED = "submitted", _("Submitted for review")
        ACCEPTED = "accepted", _("Accepted")
        CONVERTED = "converted", _("Converted to a suggestion")
        MERGED = "merged", _("Merged into another proposal")
        REFERRED = "referred", _("Referred to a department")
        REPLIED = "replied", _("Replied")
        REHANDLING = "rehandling", _("Sent back for re-handling")
        CLOSED = "closed", _("Closed")

    class Category(models.TextChoices):
        WAGES = "wages", _("Wages and benefits")
        SAFETY = "safety", _("Safety and health")
        PRODUCTION = "production", _("Production and business")
        MANAGEMENT = "management", _("Management and rules")
        WELFARE = "welfare", _("Welfare and living conditions")
        TRAINING = "training", _("Training and careers")
        OTHER = "other", _("Other")

    class CloseReason(models.TextChoices):
        RATED = "rated", _("Rated by the proposer")
        TIMEOUT = "timeout", _("No rating within the period")
        NOT_ACCEPTED = "not_accepted", _("Not accepted")

    session = models.ForeignKey(CongressSession, on_delete=models.PROTECT, related_name="proposals")
    unit_path = models.CharField(max_length=255, editable=False)  # the proposer's delegation (or unit)
    # Who wrote it: a representative's own proposal, or a member's suggestion a representative adopted.
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="proposals_written")
    proposer = models.ForeignKey(
        Representative, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)  # 立案号, given on acceptance
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    reasons = models.TextField(_("reasons (案由)"))
    measures = models.TextField(_("proposed measures"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_proposals"
    )
    department = models.ForeignKey(
        HandlingDepartment, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    reply_due_on = models.DateField(_("reply due"), null=True, blank=True)
    rating_due_on = models.DateField(_("rating due"), null=True, blank=True)
    close_reason = models.CharField(_("closed because"), max_length=20, choices=CloseReason.choices, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"], condition=Q(number__isnull=False), name="proposal_number_once"
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status", "-created_at"], name="proposal_by_status"),
            models.Index(fields=["department", "status", "reply_due_on"], name="proposal_by_department"),
            models.Index(fields=["unit_path", "-created_at"], name="proposal_scope"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class Seconding(models.Model):
    """A representative's signature seconding (附议) a proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="secondings")
    representative = models.ForeignKey(Representative, on_delete=models.PROTECT, related_name="secondings")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "representative"], name="seconding_once_per_representative")
        ]

    def __str__(self) -> str:
        return f"{self.representative} → {self.proposal}"


class ProposalReply(models.Model):
    """A department's reply to a proposal (one per round of handling), and the proposer's rating of it."""

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASICALLY = "basically", _("Basically satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="replies")
    # The proposer (the member who rates) and their unit, copied for the satisfaction ratings.
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    department = models.ForeignKey(HandlingDepartment, on_delete=models.PROTECT, related_name="replies")
    round = models.PositiveSmallIntegerField(default=1)
    body = models.TextField(_("reply"))
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    replied_at = models.DateTimeField(auto_now_add=True)
    on_time = models.BooleanField(default=True)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposal_id", "round"]
        verbose_name = _("proposal reply")
        verbose_name_plural = _("proposal replies")
        constraints = [models.UniqueConstraint(fields=["proposal", "round"], name="reply_once_per_round")]
        # The replies of a subtree in a year (the annual work report, the proposal reports).
        indexes = [
            models.Index(
                fields=["unit_path", "replied_at"],
                name="reply_scope_time",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal} #{self.round}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class ProposalProgress(models.Model):
    """Implementation progress the department records after replying."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="progress")
    note = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal_id", "recorded_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="progress_percent_at_most_100")]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.percent}%"


class ProposalEvent(models.Model):
    """One step in a proposal's history, with the reason the proposer sees."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"
