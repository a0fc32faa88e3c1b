"""The annual union-work report under ``/reports/``."""

app_name = "work_report"
urlpatterns: list = []
