"""The member's survey pages: their surveys, answering one, and the thank-you page."""

from django.urls import path

from unionhome.surveys import views_answer

urlpatterns: list = [
    path("", views_answer.mine, name="mine"),
    path("<int:pk>/", views_answer.answer, name="answer"),
    path("<int:pk>/thanks/", views_answer.thanks, name="thanks"),
]
