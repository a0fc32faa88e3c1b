"""Workers' appeals (职工诉求): a question, suggestion, complaint or request for help, sent by a member,
named or anonymously, routed to a handler, acknowledged and answered within working-day deadlines,
escalated up the org tree when late, rated by the member and reopened when the answer did not help.

An anonymous appeal keeps no link to its member anywhere: ``member`` is empty, the unit is the member's
branch (never their group: a group is small enough to name someone), the submission time is cut to the
hour, and the submitter reads and rates it with a private follow-up code of which only a keyed digest is
stored. Nothing about it is written to the audit trail or the logs.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionhome.org.models import Member, OrgUnit


class AppealKind(models.TextChoices):
    QUESTION = "question", _("Question")
    SUGGESTION = "suggestion", _("Suggestion")
    COMPLAINT = "complaint", _("Complaint")
    HELP = "help", _("Request for help")


class AppealCategory(models.TextChoices):
    WAGES = "wages", pgettext_lazy("appeal category", "Wages and pay")
    SAFETY = "safety", pgettext_lazy("appeal category", "Safety")
    WELFARE = "welfare", pgettext_lazy("appeal category", "Welfare")
    CANTEEN = "canteen", pgettext_lazy("appeal category", "Canteen")
    COMMUTING = "commuting", pgettext_lazy("appeal category", "Commuting")
    DORMITORY = "dormitory", pgettext_lazy("appeal category", "Dormitory")
    TRAINING = "training", pgettext_lazy("appeal category", "Training")
    RIGHTS = "rights", pgettext_lazy("appeal category", "Rights")
    OTHER = "other", pgettext_lazy("appeal category", "Other")


class Appeal(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("appeal status", "Waiting to be acknowledged")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("appeal status", "Being handled")
        CLOSED = "closed", pgettext_lazy("appeal status", "Answered and closed")
        REOPENED = "reopened", pgettext_lazy("appeal status", "Reopened")
        WITHDRAWN = "withdrawn", pgettext_lazy("appeal status", "Withdrawn")

    OPEN_STATUSES = (Status.SUBMITTED, Status.ACKNOWLEDGED, Status.REOPENED)

    kind = models.CharField(_("kind"), max_length=12, choices=AppealKind.choices)
    category = models.CharField(_("category"), max_length=12, choices=AppealCategory.choices)
    title = models.CharField(_("title"), max_length=80)
    body = models.TextField(_("details"))
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    # Empty exactly when the appeal is anonymous.
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("member")
    )
    # The member's unit (named) or their branch (anonymous); ``branch`` is the branch (or the union for a
    # member attached to the union itself): routing, deadlines and first-signal counts go by branch.
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    unit_path = models.CharField(max_length=255, editable=False)
    branch = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    # HMAC-SHA256 of the follow-up code of an anonymous appeal (the code itself is shown once, kept nowhere).
    code_digest = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    # Who answers: a person, or a handling department (any of its handlers).
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appeals_to_handle",
        verbose_name=_("handler"),
    )
    department = models.ForeignKey(
        "congress.HandlingDepartment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("handling department"),
    )
    # Escalation: the unit whose supervisors now answer for the appeal (its branch first, then up the tree).
    escalation_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("escalated to")
    )
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted"))
    acknowledge_due = models.DateTimeField(_("acknowledge by"))
    answer_due = models.DateTimeField(_("answer by"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopen_until = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    # The member's latest rating of an answer (1-5), kept here for lists; the ratings themselves are
    # satisfaction ``Rating`` rows (service line ``appeals``).
    rating_score = models.PositiveSmallIntegerField(null=True, blank=True)
    # Topic words found by jieba in the title and details (first-signal analysis and the hot-issues board).
    keywords = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_anonymous=True, member__isnull=True) | Q(is_anonymous=False, member__isnull=False),
                name="appeal_anonymous_has_no_member",
            ),
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | Q(code_digest__isnull=False), name="appeal_anonymous_has_code"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "-submitted_at", "-id"], name="appeal_own"),
            models.Index(fields=["handler", "status", "answer_due"], name="appeal_handler_queue"),
            models.Index(fields=["department", "status", "answer_due"], name="appeal_department_queue"),
            models.Index(fields=["escalation_unit", "status", "answer_due"], name="appeal_escalated"),
            models.Index(
                fields=["unit_path", "status", "answer_due"],
                name="appeal_scope",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "timestamptz_ops"],
            ),
            models.Index(fields=["status", "acknowledge_due"], name="appeal_due_ack"),
            models.Index(fields=["status", "answer_due"], name="appeal_due_answer"),
            # A history newest first for a viewer whose scope holds nearly every appeal (a federation).
            models.Index(fields=["submitted_at", "id"], name="appeal_recent"),
            # The open appeals of a wide scope (a federation's chair), earliest deadline first.
            models.Index(
                fields=["answer_due", "id"],
                condition=Q(status__in=["submitted", "acknowledged", "reopened"]),
                name="appeal_open_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        """The number people quote: SQ plus the id, zero-padded."""
        return f"SQ{self.pk:07d}" if self.pk else ""

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class AppealAttachment(models.Model):
    """A photo or document sent with an appeal (images are stored without their metadata)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    original_name = models.CharField(_("file name"), max_length=120)
    stored_name = models.CharField(max_length=100, editable=False)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class AppealReply(models.Model):
    """A message on an appeal: a handler's reply (the answer when it closes the appeal) or the
    submitter's follow-up (``from_submitter``; no author is stored, named or not).

    A public reply may be shown, without the appeal's details or anyone's name, on the hot-issues board
    as "what was done"."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_submitter = models.BooleanField(default=False)
    body = models.TextField(_("reply"))
    is_public = models.BooleanField(_("public"), default=False)
    is_answer = models.BooleanField(_("answer"), default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        indexes = [models.Index(fields=["is_public", "-created_at"], name="appeal_reply_public")]

    def __str__(self) -> str:
        return self.body[:40]


class AppealEvent(models.Model):
    """The appeal's history as its submitter and handlers see it (never naming the anonymous submitter)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("appeal event", "Submitted")
        ROUTED = "routed", pgettext_lazy("appeal event", "Routed")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("appeal event", "Acknowledged")
        REPLIED = "replied", pgettext_lazy("appeal event", "Replied")
        TRANSFERRED = "transferred", pgettext_lazy("appeal event", "Transferred")
        ESCALATED = "escalated", pgettext_lazy("appeal event", "Escalated")
        CLOSED = "closed", pgettext_lazy("appeal event", "Closed")
        RATED = "rated", pgettext_lazy("appeal event", "Rated")
        RATING_CHANGED = "rerated", pgettext_lazy("appeal event", "Rating changed")
        REOPENED = "reopened", pgettext_lazy("appeal event", "Reopened")
        WITHDRAWN = "withdrawn", pgettext_lazy("appeal event", "Withdrawn")
        FOLLOWED_UP = "followed_up", pgettext_lazy("appeal event", "Submitter wrote")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # The cadre or handler who acted; empty for the submitter and for the daily sweep.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["appeal", "at"], name="appeal_event_timeline"),
            models.Index(fields=["kind", "at"], name="appeal_event_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind}"
