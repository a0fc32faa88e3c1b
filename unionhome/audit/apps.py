from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "unionhome.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from unionhome.home.navigation import NavItem, register

        register(NavItem(_("Audit trail"), "audit:event_list", "audit.view", order=800))
