"""The questionnaire rules as properties over random questionnaires (pure functions, no database)."""

from hypothesis import given
from hypothesis import strategies as st

from unionhome.surveys.models import Question
from unionhome.surveys.structure import structure_problems

KINDS = ["single", "multiple", "likert", "recommendation", "matrix", "text"]


@st.composite
def questionnaires(draw) -> list[Question]:
    """A sound questionnaire: each condition on an earlier question that can carry one, with valid values."""
    made: list[Question] = []
    for pk in range(1, draw(st.integers(1, 8)) + 1):
        kind = draw(st.sampled_from(KINDS))
        question = Question(pk=pk, position=pk, kind=kind, text="?", options=[], items=[], condition_values=[])
        if kind in ("single", "multiple"):
            question.options = [f"o{i}" for i in range(draw(st.integers(2, 5)))]
        if kind == "matrix":
            question.items = ["a", "b"]
        targets = [q for q in made if q.kind != "matrix" and q.kind != "text"]
        if targets and draw(st.booleans()):
            target = draw(st.sampled_from(targets))
            scale = {"likert": range(1, 6), "recommendation": range(11)}.get(target.kind, range(len(target.options)))
            question.condition_question_id = target.pk
            question.condition_values = draw(st.lists(st.sampled_from(list(scale)), min_size=1, unique=True))
        made.append(question)
    return made


@given(questionnaires())
def test_a_sound_questionnaire_has_no_problems(questions):
    assert structure_problems(questions) == []


@given(questionnaires(), st.randoms())
def test_any_order_is_sound_exactly_when_every_condition_looks_back(questions, random):
    shuffled = list(questions)
    random.shuffle(shuffled)
    place = {q.pk: i for i, q in enumerate(shuffled)}
    looks_back = all(q.condition_question_id is None or place[q.condition_question_id] < place[q.pk] for q in shuffled)
    assert (structure_problems(shuffled) == []) == looks_back


@given(questionnaires())
def test_two_overall_questions_are_one_too_many(questions):
    for question in questions[:2]:
        question.kind, question.is_overall, question.condition_question_id = "likert", True, None
    problems = structure_problems(questions)
    assert ("Only one question can be the overall satisfaction question." in problems) == (len(questions) >= 2)


def test_a_likert_question_may_name_a_registered_service_line_and_nothing_else_may():
    from unionhome.surveys.structure import clean_question
    from unionhome.voices.ratings import APPEALS

    cleaned, errors = clean_question(
        {"kind": "likert", "text": "Appeals?", "service_line": APPEALS}, target=None, position=1
    )
    assert errors == {} and cleaned["service_line"] == APPEALS
    _cleaned, errors = clean_question(
        {"kind": "likert", "text": "?", "service_line": "no_such_line"}, target=None, position=1
    )
    assert "service_line" in errors
    _cleaned, errors = clean_question({"kind": "text", "text": "?", "service_line": APPEALS}, target=None, position=1)
    assert "service_line" in errors
    overall = {"kind": "likert", "text": "?", "service_line": APPEALS, "is_overall": True}
    assert "service_line" in clean_question(overall, target=None, position=1)[1]
