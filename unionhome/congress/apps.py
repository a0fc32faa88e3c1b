from django.apps import AppConfig


class CongressConfig(AppConfig):
    name = "unionhome.congress"
    label = "congress"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Workers' congress"

    def ready(self):
        from unionhome.congress import navigation  # noqa: F401  (menu entries, work queue, ratings)
