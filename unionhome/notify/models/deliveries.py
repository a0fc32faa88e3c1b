"""One message to one external channel: a person's email, WeCom or DingTalk robot, or a unit's robot.

The life of a delivery (``notify.services.sending`` moves it; see docs/notify.md)::

    held ──(daily digest)──> bundled            (its text went out in a digest delivery)
    queued ──claim──> sending ──ok──> sent
                        │  └─temporary error──> queued (later, backoff) … ──(last attempt)──> failed
                        │  └─permanent error──> failed
                        └─worker stopped before the call──> queued (the sweep; nothing was sent)
                        └─worker stopped during the call──> uncertain (never retried by itself)
    failed / uncertain / cancelled ──resend by an admin──> queued (one more attempt)
    queued ──channel removed, account disabled──> cancelled

``idempotency_key`` is unique: a notification has at most one delivery per channel, a digest one per
person, channel and day, a robot announcement one per robot and dedupe key. The key also makes the
email's Message-ID.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WECOM = "wecom", _("WeCom robot")
    DINGTALK = "dingtalk", _("DingTalk robot")


class Delivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", pgettext_lazy("delivery", "Sent")
        FAILED = "failed", _("Failed")
        UNCERTAIN = "uncertain", _("Uncertain")
        HELD = "held", _("Waiting for the daily digest")
        BUNDLED = "bundled", _("Sent in a digest")
        CANCELLED = "cancelled", _("Not sent")

    class Purpose(models.TextChoices):
        PERSONAL = "personal", _("Personal")
        DIGEST = "digest", _("Daily digest")
        ROBOT = "robot", _("Unit robot")

    idempotency_key = models.CharField(max_length=200, unique=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    robot = models.ForeignKey(
        "notify.Robot", null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    notification = models.ForeignKey(
        "notify.Notification", null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    digest = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="bundled_deliveries"
    )
    # What is sent, as it was when the delivery was made.
    kind = models.CharField(max_length=60)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    # Where it belongs, for the admins who may see it (the audit trail's rule, ``audit.selectors``):
    # a unit robot's unit, or the union of the person it is for.
    unit_path = models.CharField(max_length=255, blank=True)
    union_path = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    call_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(pgettext_lazy("delivery", "sent"), null=True, blank=True)
    last_error = models.CharField(_("reason"), max_length=500, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "notify"
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["recipient", "channel", "status"], name="delivery_held"),
            models.Index(fields=["-created_at", "-id"], name="delivery_recent"),
            models.Index(fields=["status", "-created_at", "-id"], name="delivery_by_status"),
            models.Index(fields=["unit_path"], name="delivery_unit", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["union_path"], name="delivery_union", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.title}"

    @property
    def resendable(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.UNCERTAIN, self.Status.CANCELLED)
