"""First signals (第一信号): counts that make a rise in appeals visible without reading two million rows.

``AppealCount`` is the number of appeals per branch, category and day, kept by the submitting service;
``TopicCount`` the same per topic word and month. ``SignalAlert`` records a branch whose appeals in a
category rose well above its own baseline (the rule is in ``voices/first_signal.py``), once per week.
``AppealVolume`` and ``TopicVolume`` add the same counts up for every unit above the branch, by week and
month, for the dashboards of unions and federations.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from unionhome.org.models import OrgUnit
from unionhome.voices.models.appeals import AppealCategory


class AppealCount(models.Model):
    branch = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255)
    category = models.CharField(max_length=12, choices=AppealCategory.choices)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "unit_path", "category"]
        constraints = [models.UniqueConstraint(fields=["branch", "category", "day"], name="appeal_count_once")]
        indexes = [
            # Scopes are path prefixes (LIKE 'p%'): PostgreSQL needs the pattern operator class for them.
            models.Index(
                fields=["unit_path", "day"], name="appeal_count_scope", opclasses=["varchar_pattern_ops", "date_ops"]
            ),
            models.Index(fields=["day"], name="appeal_count_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_path} {self.category} {self.count}"


class TopicCount(models.Model):
    branch = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255)
    category = models.CharField(max_length=12, choices=AppealCategory.choices)
    word = models.CharField(max_length=30)
    month = models.DateField()  # the first day of the month
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["month", "unit_path", "category", "word"]
        constraints = [models.UniqueConstraint(fields=["branch", "category", "word", "month"], name="topic_count_once")]
        indexes = [
            models.Index(
                fields=["unit_path", "month"], name="topic_count_scope", opclasses=["varchar_pattern_ops", "date_ops"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.word} {self.count}"


class SignalAlert(models.Model):
    branch = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("branch"))
    unit_path = models.CharField(max_length=255)
    category = models.CharField(_("category"), max_length=12, choices=AppealCategory.choices)
    week_start = models.DateField(_("week"))
    count = models.PositiveIntegerField(_("appeals this week"))
    baseline = models.FloatField(_("weekly baseline"))
    raised_at = models.DateTimeField(auto_now_add=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week_start", "unit_path", "category"]
        verbose_name = _("first-signal alert")
        verbose_name_plural = _("first-signal alerts")
        constraints = [
            models.UniqueConstraint(fields=["branch", "category", "week_start"], name="signal_alert_once_a_week")
        ]
        indexes = [
            models.Index(
                fields=["unit_path", "week_start"],
                name="signal_alert_scope",
                opclasses=["varchar_pattern_ops", "date_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.week_start} {self.unit_path} {self.category}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class AppealVolume(models.Model):
    """Appeals per unit, category and week for a branch **and every unit above it**, so that a
    federation's dashboard reads a few hundred rows rather than every branch's days. ``category`` ""
    holds the week's total of all categories; ``parent_path`` is the path of the unit just above (""
    for the top), which the breakdown "by the units just below" reads through ``appeal_volume_below``.
    Kept with ``AppealCount`` by ``voices.counting``; no foreign key: paths never change."""

    unit_path = models.CharField(max_length=255)
    parent_path = models.CharField(max_length=255, blank=True)
    category = models.CharField(max_length=12, blank=True)
    week = models.DateField()  # its Monday
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["week", "unit_path", "category"]
        constraints = [models.UniqueConstraint(fields=["unit_path", "category", "week"], name="appeal_volume_once")]
        indexes = [models.Index(fields=["parent_path", "category", "week"], name="appeal_volume_below")]

    def __str__(self) -> str:
        return f"{self.week} {self.unit_path} {self.category or '*'} {self.count}"


class TopicVolume(models.Model):
    """Appeals per unit, topic word and month, for a branch and every unit above it (see ``AppealVolume``)."""

    unit_path = models.CharField(max_length=255)
    word = models.CharField(max_length=30)
    month = models.DateField()  # the first day of the month
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["month", "unit_path", "word"]
        constraints = [models.UniqueConstraint(fields=["unit_path", "month", "word"], name="topic_volume_once")]

    def __str__(self) -> str:
        return f"{self.month} {self.unit_path} {self.word} {self.count}"
