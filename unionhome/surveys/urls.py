"""The survey pages under ``/surveys/``: answering (members), building (cadres) and results."""

from unionhome.surveys import urls_answer, urls_build, urls_results

app_name = "surveys"
urlpatterns = [*urls_answer.urlpatterns, *urls_build.urlpatterns, *urls_results.urlpatterns]
