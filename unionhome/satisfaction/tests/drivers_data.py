"""A closed survey with answers for the driver analysis tests, built and answered through the services.

Station 1 (group 一站甲班) answers 12 times and station 2 (二站甲班) 4 times, so the union and station 1 have
enough respondents and station 2 alone has not. The standard questionnaire (``surveys/tests/builders.py``):
q3 is the overall Likert question, q4 the recommendation (0–10), q5 a matrix of two items (帮扶, 诉求处理).
Here the overall score follows 帮扶 exactly, the recommendation loosely and 诉求处理 not at all.
"""

from tests import factories
from unionhome.surveys.services import response_submit, survey_close, survey_invite, survey_open
from unionhome.surveys.tests.builders import build_survey

# (overall, recommendation, 帮扶, 诉求处理) per respondent.
S1_ANSWERS = [
    (5, 10, 5, 3),
    (4, 8, 4, 2),
    (4, 9, 4, 4),
    (3, 6, 3, 3),
    (2, 5, 2, 2),
    (1, 3, 1, 4),
    (5, 9, 5, 2),
    (3, 7, 3, 4),
    (2, 4, 2, 3),
    (4, 6, 4, 3),
    (3, 8, 3, 2),
    (5, 7, 5, 4),
]
S2_ANSWERS = [(1, 2, 1, 5), (2, 3, 2, 5), (1, 1, 1, 5), (2, 2, 2, 5)]


def answers_of(survey, overall, recommendation, hardship, appeals) -> dict:
    q = list(survey.questions.order_by("position"))
    return {q[0].pk: 0, q[2].pk: overall, q[3].pk: recommendation, q[4].pk: [hardship, appeals]}


def answered_survey(actor, union, *, anonymous=False, close=True):
    """The survey run by the union, answered by 16 members (12 in station 1, 4 in station 2), closed."""
    survey = build_survey(actor, union["union"], anonymous=anonymous)
    survey = survey_open(actor=actor, survey=survey)
    respondents = [(union["g11"], a) for a in S1_ANSWERS] + [(union["g21"], a) for a in S2_ANSWERS]
    users = []
    for i, (unit, _answers) in enumerate(respondents):
        member = factories.member(unit, f"答卷人{i}")
        users.append(factories.user(f"respondent{i}", member=member))
    survey_invite(survey=survey)
    for user, (_unit, answers) in zip(users, respondents, strict=True):
        response_submit(actor=user, survey=survey, answers=answers_of(survey, *answers))
    return survey_close(actor=actor, survey=survey) if close else survey
