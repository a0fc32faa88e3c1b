from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "unionhome.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from unionhome.accounts import checks, signals  # noqa: F401
        from unionhome.home.navigation import NavItem, register

        register(NavItem(_("Logins"), "accounts:manage", "accounts.manage", order=800))
