from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    name = "unionhome.satisfaction"
    label = "satisfaction"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each app registers what its members can rate in its own ``ratings.py`` (see ``ratable.py``).
        autodiscover_modules("ratings")
