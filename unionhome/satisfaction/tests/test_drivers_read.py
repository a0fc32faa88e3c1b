"""``survey_drivers``: a built, answered and closed survey read in two queries (a closed one's whole analysis
once, then kept on the survey), whole or one unit's subtree, named or anonymous, and nothing with too few
respondents or without an overall question."""

import pytest

from unionhome.satisfaction.drivers import drivers_analyse
from unionhome.satisfaction.tests.drivers_data import S1_ANSWERS, S2_ANSWERS, answered_survey
from unionhome.surveys.drivers_read import driver_items, survey_drivers
from unionhome.surveys.models import Question
from unionhome.surveys.services import question_update
from unionhome.surveys.tests.builders import QUESTIONS, build_survey

pytestmark = pytest.mark.django_db


def keys_of(survey) -> dict[str, str]:
    q = list(survey.questions.order_by("position"))
    return {
        "overall": f"q{q[2].pk}",
        "recommend": f"q{q[3].pk}",
        "hardship": f"q{q[4].pk}.0",
        "appeals": f"q{q[4].pk}.1",
    }


def expected(answers, survey):
    keys = keys_of(survey)
    rows = [
        {keys["overall"]: y, keys["recommend"]: r, keys["hardship"]: h, keys["appeals"]: a} for y, r, h, a in answers
    ]
    questions = list(Question.objects.filter(survey=survey, kind__in=["likert", "recommendation", "matrix"]))
    return drivers_analyse(rows, driver_items(questions)[0], min_n=10)


@pytest.mark.parametrize("anonymous", [False, True])
def test_the_whole_survey_and_one_units_subtree(people, union, anonymous, django_assert_num_queries):
    survey = answered_survey(people["chair"], union, anonymous=anonymous)
    keys = keys_of(survey)
    with django_assert_num_queries(4):  # the survey is closed: analysed once (2 queries) and kept on it
        whole = survey_drivers(survey)
    assert whole == expected(S1_ANSWERS + S2_ANSWERS, survey)
    with django_assert_num_queries(1):  # then read back as it was
        assert survey_drivers(survey) == whole
    assert whole.n == 16 and whole.overall_label == QUESTIONS[2]["text"]
    first = whole.drivers[0]
    assert first.key == keys["hardship"] and first.label == "帮扶" and first.importance == pytest.approx(1.0)
    recommend = {d.key: d for d in whole.drivers}[keys["recommend"]]
    assert recommend.performance == pytest.approx(10 * sum(a[1] for a in S1_ANSWERS + S2_ANSWERS) / 16)
    assert sum(d.weight for d in whole.drivers) == pytest.approx(1.0) and whole.r_squared == pytest.approx(1.0)

    station1 = survey_drivers(survey, unit_path=union["s1"].path)
    assert station1 == expected(S1_ANSWERS, survey) and station1.n == 12
    # Station 2 has 4 respondents: fewer than max(k, 10), nothing is analysed.
    assert survey_drivers(survey, unit_path=union["s2"].path) is None


def test_the_query_count_does_not_grow_with_respondents(people, union, django_assert_num_queries):
    survey = answered_survey(people["chair"], union, close=False)
    with django_assert_num_queries(2):
        assert survey_drivers(survey).n == 16


def test_no_overall_question_or_k_above_ten(people, union):
    survey = answered_survey(people["chair"], union)
    survey.min_group = 20
    assert survey_drivers(survey) is None  # 16 respondents < k = 20
    plain = build_survey(people["chair"], union["union"], questions=[q for q in QUESTIONS if not q.get("is_overall")])
    assert survey_drivers(plain) is None


def test_a_service_line_is_carried_to_its_driver(people, union):
    draft = build_survey(people["chair"], union["union"])
    recommend = draft.questions.get(position=4)
    question_update(actor=people["chair"], question=recommend, service_line="visits")
    items = driver_items(list(Question.objects.filter(survey=draft).order_by("position")))[0]
    assert {item.key: item.service_line for item in items}[f"q{recommend.pk}"] == "visits"
