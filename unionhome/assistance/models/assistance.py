"""Assistance (帮扶): one act of help to a member (cash, goods, medical, job, schooling or legal help),
requested by one cadre and approved by another, perhaps under a hardship file and paid from a budget line, and
followed up by the cadre responsible for its effect.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from unionhome.assistance.models.amounts import MONEY
from unionhome.assistance.models.budget_lines import BudgetLine
from unionhome.assistance.models.hardship_files import HardshipFile
from unionhome.org.models import Member


class Assistance(models.Model):
    """帮扶: one act of help to a member, requested by one cadre and approved by another."""

    class Kind(models.TextChoices):
        CASH = "cash", _("Cash")
        GOODS = "goods", _("Goods")
        MEDICAL = "medical", _("Medical aid")
        JOB = "job", _("Job help")
        SCHOOLING = "schooling", _("Schooling aid")
        LEGAL = "legal", _("Legal help")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        DELIVERED = "delivered", _("Delivered")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        REVERSED = "reversed", _("Reversed")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="assistances", verbose_name=_("member"))
    hardship_file = models.ForeignKey(
        HardshipFile, null=True, blank=True, on_delete=models.PROTECT, related_name="assistances"
    )
    unit_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount (yuan)"), null=True, blank=True, **MONEY)
    budget_line = models.ForeignKey(
        BudgetLine, null=True, blank=True, on_delete=models.PROTECT, related_name="assistances"
    )
    description = models.TextField(_("what is given and why"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible cadre"),
        help_text=_("Follows up the assistance and answers for its effect."),
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("assistance")
        verbose_name_plural = _("assistance")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="assistance_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True, budget_line__isnull=True)
                | Q(amount__isnull=False, budget_line__isnull=False),
                name="assistance_money_has_budget_line",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="assistance_maker_checker",
            ),
        ]
        indexes = [
            # A status in a subtree, as an index range on PostgreSQL whatever the collation (see HardshipFile).
            models.Index(
                fields=["status", "unit_path"],
                name="assistance_status_scope",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["unit_path"], name="assistance_scope", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["member", "-requested_at"], name="assistance_by_member"),
            # Lists and queues in the order they show: all help and requests by request time, approved help
            # awaiting payment or delivery by decision time (first rows from the index, no sort of every row).
            models.Index(fields=["requested_at", "id"], name="assistance_recent"),
            models.Index(fields=["status", "requested_at", "id"], name="assistance_status_requested"),
            models.Index(fields=["status", "decided_at", "id"], name="assistance_status_decided"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path
