"""A person's choices: their robots' webhooks, channels per event group, quiet hours, the digest hour.

No row means the defaults: every channel the person has (their email address, a robot webhook) for every
event group, sent at once, no quiet hours. ``groups`` holds only what differs from that::

    {"congress": {"channels": ["email"], "digest": true}, "assistance": {"channels": []}}
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from unionhome.encryption import EncryptedTextField


class Preferences(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="notify_preferences"
    )
    # Encrypted at rest: a webhook address is a credential (anyone holding it can post to the group).
    wecom_webhook = EncryptedTextField(_("WeCom group robot webhook"), blank=True)
    dingtalk_webhook = EncryptedTextField(_("DingTalk group robot webhook"), blank=True)
    dingtalk_secret = EncryptedTextField(_("DingTalk signing secret"), blank=True)
    groups = models.JSONField(default=dict, blank=True)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    digest_hour = models.PositiveSmallIntegerField(_("daily digest at"), default=18, validators=[MaxValueValidator(23)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "notify"
        ordering = ["user_id"]
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(condition=models.Q(digest_hour__lte=23), name="notify_digest_hour_range"),
        ]

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"
