from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "unionhome.notify"
    label = "notify"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Notifications"

    def ready(self):
        from unionhome.notify import navigation  # noqa: F401  (menu entries)
