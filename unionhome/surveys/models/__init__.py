"""Satisfaction surveys (满意度调查): the survey and its questions, who was asked, and what was answered."""

from unionhome.surveys.models.responses import Answer, Invitation, Response  # noqa: F401
from unionhome.surveys.models.surveys import Question, QuestionKind, Survey, default_min_group  # noqa: F401
