"""visits pages."""

urlpatterns: list = []
