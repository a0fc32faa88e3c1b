"""Visits and condolences (走访慰问): the occasions a visit is for, the per-union rules that make a reported
life event's visit due, the festival campaigns (送温暖 / 送清凉) that make visits due to whole groups, and the
visits themselves, due and then done, with what was given and found.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionhome.assistance.models.amounts import MONEY
from unionhome.assistance.models.budget_lines import BudgetLine
from unionhome.encryption import EncryptedTextField
from unionhome.org.models import Member, OrgUnit


class Occasion(models.TextChoices):
    ILLNESS = "illness", _("Illness or hospital stay")
    BEREAVEMENT = "bereavement", _("Bereavement")
    CHILDBIRTH = "childbirth", _("Childbirth")
    MARRIAGE = "marriage", _("Marriage")
    RETIREMENT = "retirement", _("Retirement")
    DISASTER = "disaster", _("Disaster")
    WINTER = "winter", _("Winter warmth campaign (送温暖)")
    SUMMER = "summer", _("Summer cool campaign (送清凉)")
    FESTIVAL = "festival", _("Festival visit")


class VisitRule(models.Model):
    """A reported life event makes a visit due within ``due_days`` (per union)."""

    union = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices)
    due_days = models.PositiveSmallIntegerField(_("visit due within (days)"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["union_id", "occasion"]
        constraints = [models.UniqueConstraint(fields=["union", "occasion"], name="visitrule_unique")]

    def __str__(self) -> str:
        return self.get_occasion_display()


class VisitCampaign(models.Model):
    """A festival campaign (送温暖 / 送清凉): visits due to every active hardship file and chosen groups."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("run by"))
    unit_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=100)
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices)
    due_by = models.DateField(_("visits due by"))
    include_hardship_files = models.BooleanField(_("every active hardship file"), default=True)
    include_retirees = models.BooleanField(_("retired members"), default=False)
    tags = models.ManyToManyField("org.MemberTag", blank=True, related_name="+", verbose_name=_("members tagged"))
    budget_line = models.ForeignKey(BudgetLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_by", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class Visit(models.Model):
    """走访慰问: a visit to a member, due (from a rule or a campaign) and then done."""

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", pgettext_lazy("visit", "Cancelled")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="visits", verbose_name=_("member"))
    unit_path = models.CharField(max_length=255, editable=False)
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices)
    campaign = models.ForeignKey(VisitCampaign, null=True, blank=True, on_delete=models.PROTECT, related_name="visits")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DUE)
    due_by = models.DateField(_("due by"), null=True, blank=True)
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    visitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("visitors")
    )
    visitor_names = models.CharField(_("other visitors"), max_length=200, blank=True)
    gifts = models.CharField(_("gifts"), max_length=300, blank=True)
    amount = models.DecimalField(_("money given (yuan)"), null=True, blank=True, **MONEY)
    budget_line = models.ForeignKey(BudgetLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    findings = EncryptedTextField(_("what was found"), blank=True)
    needs = models.TextField(_("needs raised"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_by", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0), name="visit_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(visited_on__isnull=False), name="visit_done_has_date"
            ),
            # A campaign visits each member once.
            models.UniqueConstraint(
                fields=["campaign", "member"], condition=Q(campaign__isnull=False), name="visit_once_per_campaign"
            ),
        ]
        indexes = [
            # Due visits by due date and done ones by visit date; with the unit path and the member in the index
            # the calendar counts a month's visits in a wide scope (not the viewer's own) from the index alone.
            models.Index(fields=["status", "due_by", "unit_path", "member"], name="visit_due_calendar"),
            models.Index(
                fields=["unit_path", "status", "due_by"],
                name="visit_scope_due",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "date_ops"],
            ),
            models.Index(fields=["status", "visited_on", "unit_path", "member"], name="visit_done_calendar"),
            models.Index(fields=["member", "-created_at"], name="visit_by_member"),
            # Reports: a subtree's visits due or made in a year, by LIKE 'prefix%' whatever the database collation
            # (the visit date is checked in the index, so the rows of other years are not read).
            models.Index(
                fields=["unit_path", "due_by", "visited_on"],
                name="visit_report_scope",
                opclasses=["varchar_pattern_ops", "date_ops", "date_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_occasion_display()} #{self.pk}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path
