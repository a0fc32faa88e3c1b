from django.apps import AppConfig


class VoicesConfig(AppConfig):
    name = "unionhome.voices"
    label = "voices"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Workers' voices"

    def ready(self):
        from unionhome.voices import navigation, signal_tasks, tasks  # noqa: F401  (menu, work queue, sweeps)
