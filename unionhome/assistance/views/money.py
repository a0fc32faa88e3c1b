"""money pages."""

urlpatterns: list = []
