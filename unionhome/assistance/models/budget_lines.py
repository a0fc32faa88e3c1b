"""The budget lines that pay for the centre's work (``BudgetLine``): a sum set aside by a unit for a year from
one fund source. A line keeps ``amount = available + committed + spent`` with every part at least zero (a database
check constraint), and ``spent`` always equals the sum of its ``Payment`` rows: see ``ledger.py``.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from unionhome.assistance.models.amounts import MONEY, ZERO
from unionhome.org.models import OrgUnit


class BudgetLine(models.Model):
    """A sum set aside for the centre's work: fund source, year, amount. See ``ledger.py``."""

    class FundSource(models.TextChoices):
        UNION_FUNDS = "union_funds", _("Union funds")
        HIGHER_UNION = "higher_union", _("Higher union subsidy")
        COMPANY = "company", _("Company welfare funds")
        DONATIONS = "donations", _("Donations")
        OTHER = "other", _("Other")

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("held by"))
    unit_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=100)
    fund_source = models.CharField(_("fund source"), max_length=20, choices=FundSource.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount"), **MONEY)
    committed = models.DecimalField(_("committed"), default=ZERO, editable=False, **MONEY)
    spent = models.DecimalField(_("spent"), default=ZERO, editable=False, **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "name", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "name"], name="budgetline_unique_name"),
            # amount >= committed + spent, written with a half-fen margin: SQLite keeps these decimals as
            # floating point and adds them so (0.10 + 0.20 > 0.30 there), which would refuse a line spent
            # exactly to its last fen. Every value has two decimals, so a real overspend is at least a fen.
            models.CheckConstraint(
                condition=Q(committed__gte=0)
                & Q(spent__gte=0)
                & Q(amount__gt=F("committed") + F("spent") - Decimal("0.005")),
                name="budgetline_never_below_zero",
            ),
        ]
        indexes = [models.Index(fields=["unit_path", "year"], name="budgetline_scope")]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    @property
    def available(self) -> Decimal:
        return self.amount - self.committed - self.spent

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path
