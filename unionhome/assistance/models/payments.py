"""The ledger's rows (``Payment``): each money movement out of a budget line, or its reversal, for exactly one
served item (an assistance, an education-aid application or a visit). Payments are never updated or deleted;
``ledger.py`` is the only place that writes them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unionhome.assistance.models.amounts import MONEY
from unionhome.assistance.models.assistance import Assistance
from unionhome.assistance.models.budget_lines import BudgetLine
from unionhome.org.models import Member


class Payment(models.Model):
    """A money movement out of a budget line (positive) or its reversal (negative). Never updated or deleted.

    Exactly one served item: an assistance, an education-aid application or a visit. A payment made
    with an ``idempotency_key`` is recorded once; a retry returns it (``ledger.pay``).
    """

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        REVERSAL = "reversal", _("Reversal")

    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="payments")
    unit_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    assistance = models.ForeignKey(Assistance, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    aid_application = models.ForeignKey(
        "AidApplication", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    visit = models.ForeignKey("Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    payee = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    paid_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="payment") & Q(amount__gt=0) & Q(reverses__isnull=True))
                | (Q(kind="reversal") & Q(amount__lt=0) & Q(reverses__isnull=False)),
                name="payment_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(assistance__isnull=False, aid_application__isnull=True, visit__isnull=True)
                | Q(assistance__isnull=True, aid_application__isnull=False, visit__isnull=True)
                | Q(assistance__isnull=True, aid_application__isnull=True, visit__isnull=False),
                name="payment_for_one_item",
            ),
        ]
        indexes = [
            models.Index(fields=["budget_line", "paid_at"], name="payment_by_line"),
            models.Index(fields=["unit_path", "paid_at"], name="payment_scope"),
            # Reports: a subtree's payments in a year, by LIKE 'prefix%' whatever the database collation.
            models.Index(
                fields=["unit_path", "paid_at"],
                name="payment_report_scope",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path
