from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "unionhome.workdays"
    label = "workdays"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Working-day calendar"
