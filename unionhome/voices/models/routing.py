"""Where appeals go and how long answering may take.

A ``RoutingRule`` sends appeals of a category (or of every category) from a unit's subtree to a person
or a handling department. The most specific rule wins: the deepest unit first, then a rule naming the
category over one for every category. With no rule, the appeal goes to its branch's supervisors (the
branch chair). ``CategoryPolicy`` holds the deadlines per category, in working days.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unionhome.org.models import OrgUnit
from unionhome.voices.models.appeals import AppealCategory


class RoutingRule(models.Model):
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    unit_path = models.CharField(max_length=255, editable=False)
    # Empty: every category.
    category = models.CharField(_("category"), max_length=12, choices=AppealCategory.choices, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeal_routing_rules",
        verbose_name=_("handler"),
    )
    department = models.ForeignKey(
        "congress.HandlingDepartment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeal_routing_rules",
        verbose_name=_("handling department"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit_path", "category", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(handler__isnull=False, department__isnull=True)
                | Q(handler__isnull=True, department__isnull=False),
                name="routing_rule_one_target",
            ),
            models.UniqueConstraint(
                fields=["unit", "category"], condition=Q(is_active=True), name="routing_rule_once_per_unit_category"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.category or '*'}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class CategoryPolicy(models.Model):
    """Deadlines of one category, in working days, and how long a closed appeal may be reopened."""

    DEFAULT_ACKNOWLEDGE_DAYS = 1
    DEFAULT_ANSWER_DAYS = 7
    DEFAULT_REOPEN_DAYS = 15  # calendar days after the close

    category = models.CharField(_("category"), max_length=12, choices=AppealCategory.choices, unique=True)
    acknowledge_days = models.PositiveSmallIntegerField(_("acknowledge within (working days)"), default=1)
    answer_days = models.PositiveSmallIntegerField(_("answer within (working days)"), default=7)
    reopen_days = models.PositiveSmallIntegerField(_("reopen within (days)"), default=15)

    class Meta:
        ordering = ["category"]
        verbose_name = _("category deadlines")
        verbose_name_plural = _("category deadlines")
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledge_days__gte=1) & Q(answer_days__gte=models.F("acknowledge_days")),
                name="category_policy_sensible_deadlines",
            ),
        ]

    def __str__(self) -> str:
        return self.get_category_display()
