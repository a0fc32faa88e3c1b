"""Follow-up and effectiveness review (跟踪问效): the scheduled checks on a delivered assistance, each due to
the responsible cadre, recorded with what was found and a grade of how well the help worked, reminded and
escalated when overdue.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unionhome.assistance.models.assistance import Assistance
from unionhome.encryption import EncryptedTextField


class FollowUp(models.Model):
    """跟踪问效: a scheduled check on a delivered assistance, recorded by the responsible cadre."""

    class Grade(models.TextChoices):
        RESOLVED = "resolved", _("Resolved")
        IMPROVED = "improved", _("Improved")
        UNCHANGED = "unchanged", _("Unchanged")
        WORSE = "worse", _("Worse")

    assistance = models.ForeignKey(Assistance, on_delete=models.CASCADE, related_name="follow_ups")
    unit_path = models.CharField(max_length=255, editable=False)
    sequence = models.PositiveSmallIntegerField()
    due_on = models.DateField(_("due on"))
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    done_on = models.DateField(_("done on"), null=True, blank=True)
    findings = EncryptedTextField(_("findings"), blank=True)
    grade = models.CharField(_("effectiveness"), max_length=20, choices=Grade.choices, blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assistance", "sequence"], name="followup_unique_sequence"),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True, grade="") | (Q(done_on__isnull=False) & ~Q(grade="")),
                name="followup_done_has_grade",
            ),
        ]
        indexes = [
            models.Index(fields=["done_on", "due_on"], name="followup_due"),
            models.Index(fields=["responsible", "done_on", "due_on"], name="followup_due_by_cadre"),
            models.Index(fields=["unit_path", "due_on"], name="followup_scope"),
            # Open follow-ups in the order the lists show them (due now, overdue, upcoming).
            models.Index(fields=["due_on", "id"], condition=Q(done_on__isnull=True), name="followup_open_due"),
            # Reports: a subtree's follow-ups due in a year, by LIKE 'prefix%' whatever the database collation.
            models.Index(
                fields=["unit_path", "due_on"],
                name="followup_report_scope",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assistance_id}/{self.sequence}"

    @property
    def permission_unit_path(self) -> str:
        return self.unit_path
