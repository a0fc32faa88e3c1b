from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "unionhome.surveys"
    label = "surveys"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Satisfaction surveys"

    def ready(self):
        from unionhome.surveys import navigation, tasks  # noqa: F401  (menu entries, background work)
