"""The audit trail in the admin: read-only and scoped exactly as ``/audit/`` (``audit.selectors``).

Nobody may add, change or delete an event here (nor anywhere: see ``audit.models``). The audit
committee's own pages at ``/audit/`` are the main tool; this list exists so that the admin shows
the same trail under the same rule.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from unionhome.access.admin_policy import CappedCountPaginator, PolicyModelAdmin
from unionhome.audit.models import AuditEvent
from unionhome.audit.selectors import events_for


@admin.register(AuditEvent)
class AuditEventAdmin(PolicyModelAdmin):
    view_permission = "audit.view"
    list_display = ["occurred_at", "actor_label", "action", "object_type", "object_repr", "ip_address"]
    list_display_links = ["occurred_at"]
    search_fields = ["object_repr"]
    search_help_text = _("Username (exact), or text in the object")
    fields = [
        "occurred_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "unit_path",
        "union_path",
        "changes",
        "ip_address",
        "user_agent",
        "request_id",
    ]
    readonly_fields = fields
    list_per_page = 50
    paginator = CappedCountPaginator

    def policy_queryset(self, request):
        return events_for(request.user)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()[:100]
        if not term:
            return queryset, False
        from django.db.models import Q

        return queryset.filter(Q(actor_label=term) | Q(object_repr__icontains=term)), False

    def has_view_permission(self, request, obj=None) -> bool:
        # An event carries its scope in unit_path/union_path, not in an org unit of its own.
        if not self._allowed(request, self.view_permission):
            return False
        return obj is None or events_for(request.user).filter(pk=obj.pk).exists()

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
