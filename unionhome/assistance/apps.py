from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "unionhome.assistance"
    label = "assistance"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Hardship Assistance Centre"

    def ready(self):
        from unionhome.assistance import navigation  # noqa: F401  (menu entries and work-queue providers)
