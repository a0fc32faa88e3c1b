"""The survey pages for results: filled in by its views module."""

urlpatterns: list = []
