"""The survey pages for answer: filled in by its views module."""

urlpatterns: list = []
