"""The results pages of a survey under ``/surveys/manage/<id>/`` (``views_results``)."""

from django.urls import path

from unionhome.surveys import views_results

urlpatterns = [
    path("manage/<int:pk>/results/", views_results.results_page, name="results"),
    path("manage/<int:pk>/results/rate/", views_results.results_rate, name="results_rate"),
    path("manage/<int:pk>/results.xlsx", views_results.results_xlsx, name="export"),
]
