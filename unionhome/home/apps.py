from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "unionhome.home"
    label = "home"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from unionhome.home.navigation import NavItem, register

        register(NavItem(_("Home"), "home:index", None, order=0))
        register(NavItem(_("My data"), "accounts:my_data", None, order=900))
