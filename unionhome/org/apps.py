from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "unionhome.org"
    label = "org"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import unionhome.lookups  # noqa: F401  (registers the __prefix lookup)
        from unionhome.home.navigation import NavItem, register

        register(NavItem(_("Org tree"), "org:tree", "org.view_tree", order=10))
        register(NavItem(_("Members"), "org:directory", "org.view_members", order=20))
