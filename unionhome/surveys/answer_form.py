"""The answering page's form, as pure functions (no database): the posted fields read into the answers
``response_submit`` takes, and each question laid out for the template with what the member chose or typed.

Field names: ``q<id>`` for a question (one value; several for a multiple choice), ``q<id>_<item>`` for a
matrix item's score. A condition is written on the question's block (``data-condition``) for the page's
script; without the script every question is shown and the server decides.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from unionhome.surveys.answer_rules import TEXT_ANSWER_MAX_LENGTH, answer_field
from unionhome.surveys.models import Question, QuestionKind
from unionhome.surveys.structure import SCALES

LIKERT_ENDS = (_("Very dissatisfied"), _("Very satisfied"))
RECOMMENDATION_ENDS = (_("Not at all likely"), _("Extremely likely"))
LIKERT_WORDS = {
    1: _("Very dissatisfied"),
    2: _("Dissatisfied"),
    3: _("Neither satisfied nor dissatisfied"),
    4: _("Satisfied"),
    5: _("Very satisfied"),
}


def item_field(question: Question, item: int) -> str:
    return f"{answer_field(question)}_{item}"


def answers_from_post(questions: list[Question], data: Mapping) -> dict[int, object]:
    """``{question id: answer}`` from the posted fields (values stay text; ``answer_rules`` reads them)."""
    answers: dict[int, object] = {}
    for question in questions:
        name = answer_field(question)
        if question.kind == QuestionKind.MULTIPLE:
            answers[question.pk] = list(data.getlist(name)) if hasattr(data, "getlist") else data.get(name) or []
        elif question.kind == QuestionKind.MATRIX:
            scores = [data.get(item_field(question, i), "") for i in range(len(question.items))]
            answers[question.pk] = scores if any(scores) else []
        else:
            answers[question.pk] = data.get(name, "")
    return answers


@dataclass
class Choice:
    value: int
    label: str
    checked: bool
    words: str = ""  # a scale point's words, for screen readers (e.g. "1: very dissatisfied")


@dataclass
class ItemRow:
    index: int
    text: str
    name: str
    choices: list[Choice]
    error_id: str


@dataclass
class Shown:
    """One question as the page shows it."""

    question: Question
    number: int
    name: str
    error: str = ""
    choices: list[Choice] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)
    text: str = ""
    ends: tuple = ()
    max_length: int = TEXT_ANSWER_MAX_LENGTH
    condition: str = ""  # JSON {"question": "q<id>", "values": [...]} for the script
    condition_note: str = ""

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def error_id(self) -> str:
        return f"{self.name}-error"


def _as_set(value: object) -> set[str]:
    if isinstance(value, list | tuple):
        return {str(v) for v in value}
    return {str(value)} if value not in (None, "") else set()


def _scale(question: Question, chosen: set[str]) -> list[Choice]:
    words = LIKERT_WORDS if question.kind in (QuestionKind.LIKERT, QuestionKind.MATRIX) else {}
    return [
        Choice(value=v, label=str(v), checked=str(v) in chosen, words=str(words.get(v, "")))
        for v in SCALES[question.kind]
    ]


def _condition_note(question: Question, by_id: dict[int, Question], numbers: dict[int, int]) -> str:
    target = by_id.get(question.condition_question_id)
    if target is None:
        return ""
    if target.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        values = [target.options[v] for v in question.condition_values if 0 <= v < len(target.options)]
    else:
        values = [str(v) for v in question.condition_values]
    return _("Answer this only if your answer to question %(number)s was: %(values)s") % {
        "number": numbers[target.pk],
        "values": " / ".join(values),
    }


def shown_questions(questions: list[Question], answers: Mapping[int, object], errors: Mapping[str, str]) -> list:
    """The questions laid out for the page, with what was chosen or typed (``answers`` as read from the post)."""
    by_id = {q.pk: q for q in questions}
    numbers = {q.pk: n for n, q in enumerate(questions, start=1)}
    out = []
    for question in questions:
        name = answer_field(question)
        raw = answers.get(question.pk)
        shown = Shown(question=question, number=numbers[question.pk], name=name, error=str(errors.get(name, "")))
        kind = question.kind
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            chosen = _as_set(raw)
            shown.choices = [Choice(i, text, str(i) in chosen) for i, text in enumerate(question.options)]
        elif kind == QuestionKind.MATRIX:
            scores = list(raw) if isinstance(raw, list | tuple) else []
            scores += [""] * (len(question.items) - len(scores))
            shown.items = [
                ItemRow(i, text, item_field(question, i), _scale(question, _as_set(scores[i])), f"{name}-error")
                for i, text in enumerate(question.items)
            ]
            shown.ends = (LIKERT_ENDS[0], LIKERT_ENDS[1])
        elif kind == QuestionKind.TEXT:
            shown.text = raw if isinstance(raw, str) else ""
        else:
            shown.choices = _scale(question, _as_set(raw))
            shown.ends = LIKERT_ENDS if kind == QuestionKind.LIKERT else RECOMMENDATION_ENDS
        if question.condition_question_id is not None:
            shown.condition = json.dumps(
                {"question": f"q{question.condition_question_id}", "values": list(question.condition_values)}
            )
            shown.condition_note = str(_condition_note(question, by_id, numbers))
        out.append(shown)
    return out
