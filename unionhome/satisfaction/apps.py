from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    name = "unionhome.satisfaction"
    label = "satisfaction"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each app registers its service lines and what its members can rate in its own ``ratings.py``
        # (see ``service_lines.py`` and ``ratable.py``).
        autodiscover_modules("ratings")
        from unionhome.satisfaction import navigation  # noqa: F401  (the index dashboard's menu entry)
