from django.urls import path

from unionhome.assistance.views import aid, files, follow_ups, index, money, reports, visits

app_name = "assistance"
urlpatterns = [
    path("", index.index, name="index"),
    *files.urlpatterns,
    *money.urlpatterns,
    *follow_ups.urlpatterns,
    *aid.urlpatterns,
    *visits.urlpatterns,
    *reports.urlpatterns,
]
