from django.apps import AppConfig


class WorkReportConfig(AppConfig):
    name = "unionhome.work_report"
    label = "work_report"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Annual union-work report"

    def ready(self):
        from unionhome.work_report import navigation  # noqa: F401  (the report's menu entry)
