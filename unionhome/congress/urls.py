from django.urls import path

from unionhome.congress.views import decisions, index, proposals, sessions, votes

app_name = "congress"
urlpatterns = [
    path("", index.index, name="index"),
    *sessions.urlpatterns,
    *votes.urlpatterns,
    *proposals.urlpatterns,
    *decisions.urlpatterns,
]
