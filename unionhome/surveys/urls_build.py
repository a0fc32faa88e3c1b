"""The survey pages for build: filled in by its views module."""

urlpatterns: list = []
