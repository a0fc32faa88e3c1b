from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "unionhome.disclosure"
    label = "disclosure"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Factory-affairs disclosure"

    def ready(self):
        from unionhome.disclosure import navigation  # noqa: F401  (menu entries and work queue)
