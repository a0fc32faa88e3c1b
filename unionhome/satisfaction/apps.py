from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    name = "unionhome.satisfaction"
    label = "satisfaction"
    default_auto_field = "django.db.models.BigAutoField"
