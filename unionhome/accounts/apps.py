from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "unionhome.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from unionhome.accounts import checks, signals  # noqa: F401
