"""follow_ups pages."""

urlpatterns: list = []
