"""files pages."""

urlpatterns: list = []
