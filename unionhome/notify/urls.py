from unionhome.notify.views import deliveries, inbox, preferences, robots

app_name = "notify"
urlpatterns = [
    *inbox.urlpatterns,
    *preferences.urlpatterns,
    *deliveries.urlpatterns,
    *robots.urlpatterns,
]
