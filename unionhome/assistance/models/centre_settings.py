"""The centre's per-union rules (``AssistanceSettings``): the income thresholds of deep and relative hardship,
the publicity period, how often an active file is re-reviewed and when a delivered assistance is followed up and
an overdue follow-up escalated. One row per union; ``default_follow_up_days`` is the schedule a new row starts with.
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from unionhome.assistance.models.amounts import MONEY
from unionhome.org.models import OrgUnit


def default_follow_up_days() -> list[int]:
    return [30, 90]


class AssistanceSettings(models.Model):
    """Per-union rules of the centre: hardship thresholds, publicity, schedules. One row per union."""

    union = models.OneToOneField(
        OrgUnit, on_delete=models.CASCADE, related_name="assistance_settings", verbose_name=_("union")
    )
    deep_hardship_below = models.DecimalField(
        _("deep hardship: monthly income per head below (yuan)"), default=Decimal("800.00"), **MONEY
    )
    relative_hardship_below = models.DecimalField(
        _("relative hardship: monthly income per head below (yuan)"), default=Decimal("1600.00"), **MONEY
    )
    publicity_days = models.PositiveSmallIntegerField(_("publicity period (days)"), default=5)
    re_review_months = models.PositiveSmallIntegerField(_("re-review every (months)"), default=12)
    follow_up_days = models.JSONField(_("follow-ups after (days)"), default=default_follow_up_days)
    escalate_after_days = models.PositiveSmallIntegerField(_("escalate overdue follow-ups after (days)"), default=7)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["union_id"]
        verbose_name = _("assistance settings")
        verbose_name_plural = _("assistance settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(deep_hardship_below__gte=0) & Q(relative_hardship_below__gte=F("deep_hardship_below")),
                name="assistance_settings_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.union}"

    @property
    def permission_unit_path(self) -> str:
        return self.union.path
