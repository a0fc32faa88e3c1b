from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from unionhome.access.permissions import ROLE_CHOICES


class RoleAssignment(models.Model):
    """A role held by a user on an org unit; its permissions reach the unit's whole subtree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=40, choices=ROLE_CHOICES)
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="role_assignments")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "role"]
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="role_assignment_unique")]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    @property
    def permission_unit_path(self) -> str:
        """A grant belongs to the unit it is held on (for the policy and audit scoping)."""
        return self.unit.path
