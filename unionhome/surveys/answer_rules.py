"""The rules a member's answers follow, as a pure function over the questions (no database).

``answers`` maps a question (its id, as a number or a string of digits) to:

- single choice: the option's index (0-based);
- multiple choice: a list of distinct option indexes;
- Likert: a score 1–5; recommendation: a score 0–10;
- matrix: a list with one score 1–5 per item, in the items' order (``None`` for an item left out);
- text: up to 2,000 characters, line breaks allowed, no other control characters.

``None``, ``""`` and an empty list mean "not answered". A required question must be answered (every item of
a required matrix); a question hidden by its condition is never demanded, and whatever was sent for it is
**ignored** (not stored): a page that hid it after the member had typed into it must still submit. A
question is shown when it has no condition, or when the question its condition depends on is itself shown
and was answered with one of ``condition_values`` (any of the chosen options, for a multiple choice).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from unionhome.surveys.models import Question, QuestionKind
from unionhome.surveys.structure import CHOICE_KINDS, allowed_values
from unionhome.surveys.text_rules import text_problem

TEXT_ANSWER_MAX_LENGTH = 2000


@dataclass(frozen=True)
class AnswerRow:
    question_id: int
    item: int
    value: int
    text: str = ""


def answer_field(question: Question) -> str:
    """The name an answer's error is given under (``q<question id>``)."""
    return f"q{question.pk}"


def _number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        return int(value.strip())
    return None


def _is_empty(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


def _rows_for(question: Question, raw: object) -> tuple[list[AnswerRow], str | None]:
    """The rows an answer makes, or the problem with it. ``raw`` is not empty."""
    kind = question.kind
    if kind == QuestionKind.TEXT:
        if not isinstance(raw, str):
            return [], _("Enter a text.")
        text = raw.strip()
        if not text:
            return [], None
        if problem := text_problem(text, max_length=TEXT_ANSWER_MAX_LENGTH, multiline=True):
            return [], problem
        return [AnswerRow(question.pk, 0, 0, text)], None
    allowed = allowed_values(question)
    if kind in CHOICE_KINDS:
        out_of_range = _("Choose one of the options.")
    else:
        out_of_range = _("Give a score from %(low)s to %(high)s.") % {"low": allowed.start, "high": allowed.stop - 1}
    if kind in (QuestionKind.SINGLE, QuestionKind.LIKERT, QuestionKind.RECOMMENDATION):
        value = _number(raw)
        if value is None or value not in allowed:
            return [], out_of_range
        return [AnswerRow(question.pk, 0, value)], None
    if kind == QuestionKind.MULTIPLE:
        values = [_number(v) for v in raw] if isinstance(raw, list | tuple) else [None]
        if any(v is None or v not in allowed for v in values):
            return [], out_of_range
        if len(set(values)) != len(values):
            return [], _("Choose each option once.")
        return [AnswerRow(question.pk, 0, v) for v in sorted(values)], None
    if kind == QuestionKind.MATRIX:
        if not isinstance(raw, list | tuple) or len(raw) != len(question.items):
            return [], _("Give one score per item (%(count)s items).") % {"count": len(question.items)}
        scores = [None if _is_empty(v) else _number(v) for v in raw]
        if any(not _is_empty(v) and (s is None or s not in allowed) for v, s in zip(raw, scores, strict=True)):
            return [], out_of_range
        if question.required and any(s is None for s in scores):
            return [], _("Answer every item.")
        return [AnswerRow(question.pk, i, s) for i, s in enumerate(scores) if s is not None], None
    raise ValueError(f"unknown question kind {kind!r}")


def _chosen(rows: list[AnswerRow]) -> set[int]:
    return {row.value for row in rows}


def check_answers(questions: Iterable[Question], answers: Mapping[object, object]) -> tuple[list[AnswerRow], dict]:
    """(the rows to store, errors by field) for ``answers`` to ``questions`` (in their order)."""
    ordered = list(questions)
    errors: dict[str, str] = {}
    if not isinstance(answers, Mapping):
        return [], {"answers": _("Send the answers as a mapping from question to answer.")}
    by_id: dict[int, object] = {}
    for key, value in answers.items():
        number = _number(key)
        if number is None:
            errors["answers"] = _("An answer names a question that is not in this survey.")
            continue
        by_id[number] = value
    if set(by_id) - {q.pk for q in ordered}:
        errors["answers"] = _("An answer names a question that is not in this survey.")
    rows: list[AnswerRow] = []
    shown_answers: dict[int, set[int] | None] = {}  # question id -> chosen values (None: hidden)
    for question in ordered:
        target_id = question.condition_question_id
        if target_id is not None:
            chosen = shown_answers.get(target_id)
            if not chosen or not chosen & set(question.condition_values):
                shown_answers[question.pk] = None  # hidden: not demanded, and its answer is ignored
                continue
        raw = by_id.get(question.pk)
        if _is_empty(raw):
            if question.required:
                errors[answer_field(question)] = _("This question is required.")
            shown_answers[question.pk] = set()
            continue
        made, problem = _rows_for(question, raw)
        if problem:
            errors[answer_field(question)] = problem
        elif not made and question.required:
            errors[answer_field(question)] = _("This question is required.")
        rows.extend(made)
        shown_answers[question.pk] = _chosen(made) if question.kind != QuestionKind.TEXT else set()
    return rows, errors
