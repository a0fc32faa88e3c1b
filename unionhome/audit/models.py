"""The audit trail: one append-only table.

Nothing in the application can change or remove an event: ``save()`` on a stored event, ``delete()``
and queryset ``update()``/``delete()`` raise ``AuditTrailIsAppendOnly``, and database triggers
(``audit.append_only``) refuse UPDATE, DELETE and TRUNCATE from any client, raw SQL included.

The actor is kept as a plain user id (no foreign-key constraint, nothing cascades): deleting an
account must not rewrite the events it caused, and ``actor_label`` keeps its username readable.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditTrailIsAppendOnly(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ARG002
        raise AuditTrailIsAppendOnly

    def delete(self):
        raise AuditTrailIsAppendOnly


class AuditEvent(models.Model):
    """Who did what, to which object, when and from where. Append-only, also in the database."""

    occurred_at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("actor account"),
    )
    actor_label = models.CharField(_("actor"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    unit_path = models.CharField(
        _("unit path"), max_length=255, blank=True, help_text=_("The org unit of the record acted on.")
    )
    union_path = models.CharField(
        _("union path"),
        max_length=255,
        blank=True,
        help_text=_("For events tied to no org unit (logins, denials, accounts): the union of the person concerned."),
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=200, blank=True)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            # Keyset pagination, newest first: (occurred_at, id) read backwards.
            models.Index(fields=["occurred_at", "id"], name="audit_time_id"),
            # Scope and "unit" filter: an indexed prefix match on the unit path.
            models.Index(fields=["unit_path"], name="audit_unit_path", opclasses=["varchar_pattern_ops"]),
            # "action" filter: prefix ("org.member" finds org.member.updated…).
            models.Index(fields=["action"], name="audit_action_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["actor_label", "occurred_at"], name="audit_actor_label_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditTrailIsAppendOnly
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly
