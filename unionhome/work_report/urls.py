"""The annual union-work report under ``/reports/``."""

from django.urls import path

from unionhome.work_report import views

app_name = "work_report"
urlpatterns = [path("annual/", views.annual, name="annual")]
