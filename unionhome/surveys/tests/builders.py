"""Surveys put in place through the services, for tests that are about something else than building."""

import datetime

from django.utils import timezone

from unionhome.surveys.models import Survey
from unionhome.surveys.services import question_add, survey_create, survey_open

# A small questionnaire of every kind: 1 single (required), 2 multiple, 3 Likert overall (required),
# 4 recommendation, 5 matrix of two items, 6 text; 7 a required text shown only when question 1 got option 1.
QUESTIONS = [
    {"kind": "single", "text": "您是否参加过工会活动？", "options": ["没有", "参加过"], "required": True},
    {"kind": "multiple", "text": "您希望增加哪些服务？", "options": ["体检", "培训", "文体活动"]},
    {"kind": "likert", "text": "总体上，您对工会工作满意吗？", "required": True, "is_overall": True},
    {"kind": "recommendation", "text": "您会向同事推荐工会服务吗？"},
    {"kind": "matrix", "text": "请评价以下方面", "items": ["帮扶", "诉求处理"]},
    {"kind": "text", "text": "其他意见"},
    {"kind": "text", "text": "您参加过哪些活动？", "required": True, "condition": (0, [1])},
]


def build_survey(actor, unit, *, questions=QUESTIONS, anonymous=False, **fields) -> Survey:
    """A draft survey with ``questions`` (a ``condition`` is (index of an earlier question, values))."""
    now = timezone.now()
    fields.setdefault("opens_at", now - datetime.timedelta(hours=1))
    fields.setdefault("closes_at", now + datetime.timedelta(days=14))
    survey = survey_create(actor=actor, unit=unit, title="2026年职工满意度调查", is_anonymous=anonymous, **fields)
    made = []
    for spec in questions:
        spec = dict(spec)
        condition = spec.pop("condition", None)
        if condition is not None:
            spec["condition_question"] = made[condition[0]]
            spec["condition_values"] = condition[1]
        made.append(question_add(actor=actor, survey=survey, **spec))
    return survey


def open_survey(actor, unit, **kwargs) -> Survey:
    """A survey built with ``build_survey`` and opened (its audience invited)."""
    survey = build_survey(actor, unit, **kwargs)
    return survey_open(actor=actor, survey=survey)


def full_answers(survey: Survey) -> dict:
    """Answers to every question of the standard questionnaire (question 7 shown: option 1 chosen)."""
    q = list(survey.questions.order_by("position"))
    return {
        q[0].pk: 1,
        q[1].pk: [0, 2],
        q[2].pk: 4,
        q[3].pk: 9,
        q[4].pk: [5, 3],
        q[5].pk: "食堂可以再改进。",
        q[6].pk: "篮球赛",
    }
