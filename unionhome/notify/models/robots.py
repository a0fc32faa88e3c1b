"""A unit's group robot (WeCom or DingTalk): the unit's cadres' group chat hears the events it takes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from unionhome.encryption import EncryptedTextField
from unionhome.notify.models.deliveries import Channel


class Robot(models.Model):
    PLATFORMS = [(Channel.WECOM.value, Channel.WECOM.label), (Channel.DINGTALK.value, Channel.DINGTALK.label)]

    unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="notify_robots")
    unit_path = models.CharField(max_length=255)
    name = models.CharField(_("name"), max_length=60)
    platform = models.CharField(_("platform"), max_length=10, choices=PLATFORMS)
    webhook = EncryptedTextField(_("webhook address"))
    secret = EncryptedTextField(_("signing secret"), blank=True)
    groups = models.JSONField(_("event groups"), default=list)
    include_subtree = models.BooleanField(_("also events of the units below"), default=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "notify"
        ordering = ["unit_path", "name", "id"]
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        indexes = [models.Index(fields=["unit_path"], name="robot_unit", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return self.name

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path
