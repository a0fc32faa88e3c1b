"""Factory-affairs disclosure (厂务公开): notices to an audience in the org tree, with attachments,
a publish window and pinned items; read receipts per member; questions answered in public.

``Notice.audience_path`` is the audience unit's path, so "notices for this member" is one prefix test
(``member.unit_path`` starts with it) and "readers in this unit" is one prefix match on
``NoticeRead.unit_path``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unionhome.org.models import Member, OrgUnit


class Notice(models.Model):
    class Category(models.TextChoices):
        MAJOR_DECISIONS = "major_decisions", _("Major decisions")
        PRODUCTION = "production", _("Production and business")
        WAGES_WELFARE = "wages_welfare", _("Wages and welfare")
        SAFETY = "safety", _("Safety")
        CADRE_INTEGRITY = "cadre_integrity", _("Cadre integrity")
        HOT_TOPICS = "hot_topics", _("Hot topics")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("published by"))
    unit_path = models.CharField(max_length=255, editable=False)
    audience = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("audience"))
    audience_path = models.CharField(max_length=255, editable=False)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    publish_from = models.DateTimeField(_("publish from"))
    publish_until = models.DateTimeField(_("publish until"), null=True, blank=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # A published notice is taken down with a reason that the office (and the audit trail) keeps.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=500, blank=True)

    class Meta:
        ordering = ["-pinned", "-publish_from", "-id"]
        verbose_name = _("disclosure notice")
        verbose_name_plural = _("disclosure notices")
        constraints = [
            models.CheckConstraint(
                condition=Q(publish_until__isnull=True) | Q(publish_until__gt=models.F("publish_from")),
                name="notice_publish_window",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-pinned", "-publish_from"], name="notice_board"),
            models.Index(fields=["audience_path", "status", "-publish_from"], name="notice_audience"),
            models.Index(fields=["unit_path", "-created_at"], name="notice_scope"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class NoticeAttachment(models.Model):
    """A file published with a notice (stored under ``UNIONHOME_PRIVATE_ROOT``, served by the policy)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    original_name = models.CharField(_("file name"), max_length=200)
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["notice_id", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class NoticeRead(models.Model):
    """A member has opened a notice (read receipt); ``unit_path`` is the member's unit when they read it."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="notice_reads")
    unit_path = models.CharField(max_length=255, editable=False)
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["notice_id", "read_at", "id"]
        constraints = [models.UniqueConstraint(fields=["notice", "member"], name="notice_read_once")]
        indexes = [models.Index(fields=["notice", "unit_path"], name="notice_read_by_unit")]

    def __str__(self) -> str:
        return f"{self.member_id} read {self.notice_id}"


class NoticeQuestion(models.Model):
    """A worker's question on a notice; once answered, question and answer are public on the notice."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="questions")
    asker = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    body = models.TextField(_("question"))
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["notice_id", "asked_at", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [
            models.Index(fields=["notice", "answered_at"], name="notice_question_state"),
            # The cadres' queue of unanswered questions, oldest first.
            models.Index(fields=["answered_at", "asked_at", "id"], name="notice_question_queue"),
        ]

    def __str__(self) -> str:
        return self.body[:40]
