"""The rules a survey's questions follow, as pure functions (no database): one question's fields
(``clean_question``) and the whole questionnaire (``structure_problems``).

- Text 1–300 characters on one line.
- Single and multiple choice: 2–20 options, each 1–100 characters, all different; no items.
- Matrix: 2–20 items (rows), each 1–100 characters, all different, each answered on 1–5; no options.
- Likert (1–5), recommendation (0–10) and text: neither options nor items.
- The overall satisfaction question is a Likert or recommendation question asked of everyone (no
  condition); a survey has at most one.
- A Likert or recommendation question may name the service line it asks about (a registered code), which
  driver analysis shows; the overall question names none.
- A display condition names an *earlier* single, multiple, Likert or recommendation question and 1–20
  distinct values the answer must take for this question to be shown: option indexes (0-based) of that
  question, or scores on its scale.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from unionhome.satisfaction.service_lines import is_service_line
from unionhome.surveys.models import Question, QuestionKind
from unionhome.surveys.text_rules import clean_text

MAX_QUESTIONS = 100
TEXT_MAX_LENGTH = 300
CHOICES_MIN = 2
CHOICES_MAX = 20
CHOICE_MAX_LENGTH = 100
CONDITION_VALUES_MAX = 20

CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})
SCALES: dict[str, range] = {
    QuestionKind.LIKERT: range(1, 6),
    QuestionKind.RECOMMENDATION: range(0, 11),
    QuestionKind.MATRIX: range(1, 6),
}
OVERALL_KINDS = frozenset({QuestionKind.LIKERT, QuestionKind.RECOMMENDATION})
CONDITION_KINDS = frozenset({*CHOICE_KINDS, QuestionKind.LIKERT, QuestionKind.RECOMMENDATION})


def allowed_values(question: Question) -> range:
    """The values an answer to ``question`` may hold: option indexes, or scores on its scale (per item for
    a matrix); empty for a text question."""
    if question.kind in CHOICE_KINDS:
        return range(len(question.options))
    return SCALES.get(question.kind, range(0))


def _clean_choices(values: object, *, field: str, errors: dict) -> list[str]:
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        errors[field] = _("Give a list of texts.")
        return []
    cleaned: list[str] = []
    for value in values:
        problems: dict[str, str] = {}
        text = clean_text(value, field=field, max_length=CHOICE_MAX_LENGTH, errors=problems)
        if problems:
            errors[field] = _("Each entry needs 1 to %(max_length)s characters on one line.") % {
                "max_length": CHOICE_MAX_LENGTH
            }
            return []
        cleaned.append(text)
    if not CHOICES_MIN <= len(cleaned) <= CHOICES_MAX:
        errors[field] = _("Give between %(min)s and %(max)s entries.") % {"min": CHOICES_MIN, "max": CHOICES_MAX}
    elif len(set(cleaned)) != len(cleaned):
        errors[field] = _("Each entry must be different.")
    return cleaned


def _int_list(values: object) -> list[int] | None:
    if not isinstance(values, list | tuple):
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return None
    return list(values)


def condition_problem(target: Question, values: Sequence[int]) -> str | None:
    """What is wrong with showing a question when ``target`` is answered with one of ``values``."""
    if target.kind not in CONDITION_KINDS:
        return _("A condition can only depend on a single, multiple, Likert or recommendation question.")
    if not 1 <= len(values) <= CONDITION_VALUES_MAX or len(set(values)) != len(values):
        return _("Choose between 1 and %(max)s different answers that show this question.") % {
            "max": CONDITION_VALUES_MAX
        }
    allowed = allowed_values(target)
    if any(v not in allowed for v in values):
        if target.kind in CHOICE_KINDS:
            return _("Choose options of question %(position)s (numbered from 0 to %(last)s).") % {
                "position": target.position,
                "last": len(target.options) - 1,
            }
        return _("Choose scores from %(low)s to %(high)s.") % {"low": allowed.start, "high": allowed.stop - 1}
    return None


def clean_question(data: dict[str, Any], *, target: Question | None, position: int) -> tuple[dict, dict]:
    """(cleaned fields, errors by field) for a question at ``position`` whose condition (if any) depends on
    ``target``, an earlier question of the same survey (the caller finds it)."""
    errors: dict[str, str] = {}
    kind = data.get("kind")
    if kind not in QuestionKind.values:
        errors["kind"] = _("Choose the kind of question.")
    text = clean_text(data.get("text"), field="text", max_length=TEXT_MAX_LENGTH, errors=errors)
    options: list[str] = []
    items: list[str] = []
    raw_options, raw_items = data.get("options") or [], data.get("items") or []
    if kind in CHOICE_KINDS:
        options = _clean_choices(raw_options, field="options", errors=errors)
    elif raw_options:
        errors["options"] = _("Only a single or multiple choice question has options.")
    if kind == QuestionKind.MATRIX:
        items = _clean_choices(raw_items, field="items", errors=errors)
    elif raw_items:
        errors["items"] = _("Only a matrix question has items.")
    is_overall = bool(data.get("is_overall"))
    if is_overall and kind not in OVERALL_KINDS:
        errors["is_overall"] = _("The overall satisfaction question must be a Likert or recommendation question.")
    service_line = data.get("service_line") or ""
    if service_line and (kind not in OVERALL_KINDS or is_overall):
        errors["service_line"] = _(
            "Only a Likert or recommendation question other than the overall one asks about a service line."
        )
    elif service_line and not is_service_line(service_line):
        errors["service_line"] = _("Choose one of the service lines.")
    values = _int_list(data.get("condition_values") or [])
    if values is None:
        errors["condition_values"] = _("Give the answers as a list of numbers.")
        values = []
    if target is None and values:
        errors["condition_values"] = _("Choose the question this one depends on.")
    elif target is not None:
        if target.position >= position:
            errors["condition_question"] = _("A condition can only depend on an earlier question.")
        elif is_overall:
            errors["condition_question"] = _("The overall satisfaction question is asked of everyone.")
        elif problem := condition_problem(target, values):
            errors["condition_values"] = problem
    cleaned = {
        "kind": kind,
        "text": text,
        "required": bool(data.get("required")),
        "options": options,
        "items": items,
        "is_overall": is_overall,
        "service_line": service_line,
        "condition_question": target,
        "condition_values": values if target is not None else [],
    }
    return cleaned, errors


def structure_problems(questions: Iterable[Question]) -> list[str]:
    """Everything wrong with a questionnaire (questions in order), one message per problem, naming the
    question by its position; empty when it may be opened. Conditions are checked against the questions'
    current order, options and scales."""
    ordered = list(questions)
    problems: list[str] = []
    if not ordered:
        problems.append(_("Add at least one question."))
    if len(ordered) > MAX_QUESTIONS:
        problems.append(_("A survey has at most %(max)s questions.") % {"max": MAX_QUESTIONS})
    overall = [q for q in ordered if q.is_overall]
    if len(overall) > 1:
        problems.append(_("Only one question can be the overall satisfaction question."))
    seen: dict[int, Question] = {}
    for index, question in enumerate(ordered, start=1):
        found: list[str] = []
        if question.is_overall and question.kind not in OVERALL_KINDS:
            found.append(_("The overall satisfaction question must be a Likert or recommendation question."))
        target_id = question.condition_question_id
        if target_id is not None:
            target = seen.get(target_id)
            if target is None:
                found.append(_("A condition can only depend on an earlier question."))
            elif question.is_overall:
                found.append(_("The overall satisfaction question is asked of everyone."))
            elif problem := condition_problem(target, question.condition_values):
                found.append(problem)
        elif question.condition_values:
            found.append(_("Choose the question this one depends on."))
        problems += [_("Question %(position)s: %(problem)s") % {"position": index, "problem": p} for p in found]
        seen[question.pk] = question
    return problems
