"""Education aid (爱心助学 / 金秋助学): the yearly campaigns with their criteria, application window, budget
line and publicity period, the tiers of amount paid to each kind of admission, and members' applications, one per
child and campaign.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from unionhome.assistance.models.amounts import MONEY
from unionhome.assistance.models.budget_lines import BudgetLine
from unionhome.assistance.models.hardship_files import HardshipFile
from unionhome.encryption import EncryptedTextField
from unionhome.org.models import Member, OrgUnit


class AidCampaign(models.Model):
    """爱心助学 / 金秋助学: a yearly education-aid campaign with criteria, window, budget and tiers."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for applications")
        REVIEW = "review", _("Under review")
        PUBLICITY = "publicity", _("Approved list in publicity")
        PAYING = "paying", _("Paying out")
        CLOSED = "closed", _("Closed")

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("run by"))
    unit_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    opens_on = models.DateField(_("applications open"))
    closes_on = models.DateField(_("applications close"))
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="aid_campaigns")
    require_admission_this_year = models.BooleanField(_("child admitted to university this year"), default=True)
    require_active_file = models.BooleanField(_("member has an active hardship file"), default=False)
    income_per_head_below = models.DecimalField(
        _("or monthly income per head below (yuan)"), null=True, blank=True, **MONEY
    )
    publicity_days = models.PositiveSmallIntegerField(_("publicity period (days)"), default=5)
    publicity_starts_on = models.DateField(null=True, blank=True)
    publicity_ends_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-opens_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "name"], name="aidcampaign_unique_name"),
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="aidcampaign_window_ordered"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path


class AidTier(models.Model):
    """An amount paid to one kind of admission, e.g. undergraduate 5,000 yuan, college 3,000 yuan."""

    campaign = models.ForeignKey(AidCampaign, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(_("tier"), max_length=50)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)

    class Meta:
        ordering = ["campaign_id", "-amount", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="aidtier_unique_name"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="aidtier_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.amount})"


class AidApplication(models.Model):
    """A member's application for one child in one campaign."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        REVIEWED = "reviewed", _("Reviewed, awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        PAID = "paid", _("Paid")
        REVERSED = "reversed", _("Payment reversed")

    campaign = models.ForeignKey(AidCampaign, on_delete=models.PROTECT, related_name="applications")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="aid_applications")
    unit_path = models.CharField(max_length=255, editable=False)
    child_name = models.CharField(_("child's name"), max_length=50)
    child_id_number = EncryptedTextField(_("child's ID number"))
    child_key = models.CharField(max_length=64, editable=False)
    school = models.CharField(_("school or university"), max_length=100)
    admitted_year = models.PositiveSmallIntegerField(_("year of admission"))
    tier = models.ForeignKey(AidTier, on_delete=models.PROTECT, related_name="+", verbose_name=_("tier"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    income_per_head = models.DecimalField(_("monthly income per head"), null=True, blank=True, **MONEY)
    hardship_file = models.ForeignKey(
        HardshipFile, null=True, blank=True, on_delete=models.PROTECT, related_name="aid_applications"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One application per child and campaign (withdrawn ones do not count).
            models.UniqueConstraint(
                fields=["campaign", "child_key"],
                condition=~Q(status="withdrawn"),
                name="aidapplication_one_per_child",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="aidapplication_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="aidapplication_by_status"),
            models.Index(fields=["unit_path"], name="aidapplication_scope", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        # No child's name: this text is copied into audit events and lists of objects.
        return f"#{self.pk}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path
