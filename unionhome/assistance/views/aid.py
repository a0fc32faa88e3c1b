"""aid pages."""

urlpatterns: list = []
