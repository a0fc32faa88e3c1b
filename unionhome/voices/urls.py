from unionhome.voices.views import appeals, config, handling, signals

app_name = "voices"
urlpatterns = [
    *appeals.urlpatterns,
    *handling.urlpatterns,
    *config.urlpatterns,
    *signals.urlpatterns,
]
