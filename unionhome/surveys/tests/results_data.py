"""Responses put straight into the tables for results tests: many of them, in chosen units, quickly.

The answering rules have their own tests (``test_answering.py``); here what matters is what the results make
of the rows, so ``add_responses`` writes ``Response`` and ``Answer`` rows the way ``response_submit`` stores
them (an anonymous response: no member, the branch as its unit, the opening time as its time).
"""

import itertools

from django.utils import timezone

from tests import factories
from unionhome.surveys.models import Answer, Response, Survey

_names = itertools.count(1)


def add_responses(survey: Survey, unit, count: int, answers: dict[int, object], *, named_members=None) -> list:
    """``count`` responses from ``unit`` each answering ``answers`` ({question position (0-based): answer} as
    ``response_submit`` takes them). A named survey's responses get new members of ``unit`` (or
    ``named_members``); returns those members."""
    questions = list(survey.questions.order_by("position"))
    members = []
    for i in range(count):
        member = None
        if not survey.is_anonymous:
            member = named_members[i] if named_members else factories.member(unit, f"答卷人{next(_names):04d}")
            members.append(member)
        response = Response.objects.create(
            survey=survey,
            member=member,
            unit_path=unit.path,
            submitted_at=survey.opens_at if survey.is_anonymous else timezone.now(),
        )
        rows = []
        for position, answer in answers.items():
            question = questions[position]
            if isinstance(answer, str):
                rows.append(Answer(response=response, question=question, text=answer))
            elif question.kind == "matrix":
                rows += [Answer(response=response, question=question, item=j, value=v) for j, v in enumerate(answer)]
            elif isinstance(answer, list):
                rows += [Answer(response=response, question=question, value=v) for v in answer]
            else:
                rows.append(Answer(response=response, question=question, value=answer))
        Answer.objects.bulk_create(rows)
    return members


def answers(single=1, multiple=(0, 2), likert=4, recommendation=9, matrix=(5, 3), text="食堂可以再改进。"):
    """Answers to the standard questionnaire of ``builders.QUESTIONS`` (question 7 left out)."""
    given = {0: single, 1: list(multiple), 2: likert, 3: recommendation, 4: list(matrix), 5: text}
    return {k: v for k, v in given.items() if v is not None}
