"""The survey builder's pages under ``/surveys/manage/`` (``satisfaction.manage_surveys``)."""

from django.urls import path

from unionhome.surveys import views_build, views_build_actions
from unionhome.surveys import views_build_questions as questions

urlpatterns = [
    path("manage/", views_build.manage_list, name="manage"),
    path("manage/new/", views_build.survey_new, name="build_new"),
    path("manage/<int:pk>/", views_build.survey_detail, name="detail"),
    path("manage/<int:pk>/edit/", views_build.survey_edit, name="build_edit"),
    path("manage/<int:pk>/rate/", views_build.survey_rate, name="rate"),
    path("manage/<int:pk>/preview/", views_build.survey_preview, name="build_preview"),
    path("manage/<int:pk>/open/", views_build_actions.survey_open_view, name="build_open"),
    path("manage/<int:pk>/close/", views_build_actions.survey_close_view, name="build_close"),
    path("manage/<int:pk>/remind/", views_build_actions.survey_remind_view, name="build_remind"),
    path("manage/<int:pk>/questions/new/", questions.question_new, name="build_question_new"),
    path("manage/<int:pk>/questions/<int:question_pk>/", questions.question_edit, name="build_question_edit"),
    path("manage/<int:pk>/questions/<int:question_pk>/remove/", questions.question_drop, name="build_question_remove"),
    path("manage/<int:pk>/questions/<int:question_pk>/move/", questions.question_move, name="build_question_move"),
]
