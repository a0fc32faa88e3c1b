"""Building a draft survey's questions: add, change, remove and reorder them.

The rules are ``structure.py``'s. Each call locks the survey, so that two builders' changes go one at a
time, and keeps the questionnaire sound after every change: a condition always depends on an earlier
question with values that question can take, and there is at most one overall question. A change that
would break a condition is refused with a message naming the question concerned (change or remove that
condition first); nothing is written then.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from unionhome.audit.recorder import record
from unionhome.surveys.models import Question, Survey
from unionhome.surveys.services.building import _require_builder, locked
from unionhome.surveys.structure import CHOICE_KINDS, MAX_QUESTIONS, OVERALL_KINDS, clean_question, structure_problems
from unionhome.surveys.workflow import require_draft

FIELDS = (
    "kind",
    "text",
    "required",
    "options",
    "items",
    "is_overall",
    "service_line",
    "condition_question",
    "condition_values",
)
# Positions are moved out of the way first when renumbering (``(survey, position)`` is unique).
POSITION_OFFSET = 1000


def _target(survey: Survey, value: Any) -> tuple[Question | None, dict]:
    """The question a condition depends on, given as a question or its id (None: no condition)."""
    if value is None:
        return None, {}
    pk = getattr(value, "pk", value)
    target = None
    if isinstance(pk, int) and not isinstance(pk, bool):
        target = Question.objects.filter(survey=survey, pk=pk).first()
    if target is None:
        return None, {"condition_question": _("Choose an earlier question of this survey.")}
    return target, {}


def _overall_taken(survey: Survey, cleaned: dict, question: Question | None = None) -> dict:
    if not cleaned["is_overall"]:
        return {}
    other = Question.objects.filter(survey=survey, is_overall=True).exclude(pk=getattr(question, "pk", None)).first()
    if other is None:
        return {}
    return {
        "is_overall": _("Question %(position)s is already the overall satisfaction question.")
        % {"position": other.position}
    }


def _check_structure(survey: Survey) -> None:
    problems = structure_problems(Question.objects.filter(survey=survey).order_by("position"))
    if problems:
        raise ValidationError({"questions": problems})


def _renumber(survey: Survey, ordered: list[Question]) -> None:
    """Give ``ordered`` (every question of the survey) the positions 1, 2, 3… in that order."""
    Question.objects.filter(survey=survey).update(position=F("position") + POSITION_OFFSET)
    for position, question in enumerate(ordered, start=1):
        question.position = position
    Question.objects.bulk_update(ordered, ["position"])


@transaction.atomic
def question_add(*, actor: Any, survey: Survey, kind: str, text: str, **fields: Any) -> Question:
    """Add a question at the end of a draft survey.

    Fields: ``required``, ``options`` (single and multiple choice), ``items`` (matrix), ``is_overall``,
    ``service_line`` (a Likert or recommendation question's service line code),
    ``condition_question`` (an earlier question of this survey, or its id) and ``condition_values``."""
    _require_builder(actor, survey)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"question_add() got unknown fields {sorted(unknown)}")
    survey = locked(survey)
    require_draft(survey)
    last = Question.objects.filter(survey=survey).aggregate(last=Max("position"))["last"] or 0
    if last >= MAX_QUESTIONS:
        raise ValidationError({"questions": _("A survey has at most %(max)s questions.") % {"max": MAX_QUESTIONS}})
    target, errors = _target(survey, fields.get("condition_question"))
    cleaned, problems = clean_question({**fields, "kind": kind, "text": text}, target=target, position=last + 1)
    errors = {**problems, **errors}
    if not errors:
        errors = _overall_taken(survey, cleaned)
    if errors:
        raise ValidationError(errors)
    question = Question.objects.create(survey=survey, position=last + 1, **cleaned)
    record(actor, "surveys.question.added", survey, question=question.pk, position=question.position, kind=kind)
    return question


@transaction.atomic
def question_update(*, actor: Any, question: Question, **fields: Any) -> Question:
    """Change the given fields of a question of a draft survey (the fields of ``question_add``). Changing
    the kind to one without options (or items) drops them unless new ones are given; a condition set to
    None drops its values."""
    survey = question.survey
    _require_builder(actor, survey)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"question_update() got unknown fields {sorted(unknown)}")
    survey = locked(survey)
    require_draft(survey)
    question = Question.objects.get(pk=question.pk, survey=survey)
    data = {field: getattr(question, field) for field in FIELDS}
    if "kind" in fields:
        if fields["kind"] not in CHOICE_KINDS:
            data["options"] = []
        if fields["kind"] != Question.Kind.MATRIX:
            data["items"] = []
        if fields["kind"] not in OVERALL_KINDS:
            data["service_line"] = ""
    if "condition_question" in fields and fields["condition_question"] is None:
        data["condition_values"] = []
    data.update(fields)
    target, errors = _target(survey, data["condition_question"])
    cleaned, problems = clean_question(data, target=target, position=question.position)
    errors = {**problems, **errors}
    if not errors:
        errors = _overall_taken(survey, cleaned, question)
    if errors:
        raise ValidationError(errors)
    changes = {}
    for field, value in cleaned.items():
        old = getattr(question, field)
        if old != value:
            setattr(question, field, value)
            changes[field] = [getattr(old, "pk", old), getattr(value, "pk", value)]
    if changes:
        question.save()
        _check_structure(survey)  # the questions that depend on this one still can
        record(actor, "surveys.question.updated", survey, question=question.pk, **changes)
    return question


@transaction.atomic
def question_remove(*, actor: Any, question: Question) -> None:
    """Remove a question of a draft survey; the ones after it move up. Refused while another question
    is shown depending on it."""
    survey = question.survey
    _require_builder(actor, survey)
    survey = locked(survey)
    require_draft(survey)
    question = Question.objects.get(pk=question.pk, survey=survey)
    dependents = list(question.dependents.order_by("position").values_list("position", flat=True))
    if dependents:
        message = _("Questions %(positions)s are shown depending on this one: change their conditions first.")
        raise ValidationError({"condition_question": message % {"positions": ", ".join(map(str, dependents))}})
    pk, position = question.pk, question.position
    question.delete()
    _renumber(survey, list(Question.objects.filter(survey=survey).order_by("position")))
    record(actor, "surveys.question.removed", survey, question=pk, position=position)


@transaction.atomic
def questions_reorder(*, actor: Any, survey: Survey, order: Iterable[Any]) -> list[Question]:
    """Put every question of a draft survey in ``order`` (questions or their ids, each once). Refused when a
    condition would then depend on a later question."""
    _require_builder(actor, survey)
    survey = locked(survey)
    require_draft(survey)
    current = list(Question.objects.filter(survey=survey).order_by("position"))
    wanted = [getattr(q, "pk", q) for q in order]
    by_pk = {q.pk: q for q in current}
    if sorted(wanted, key=str) != sorted(by_pk, key=str):
        raise ValidationError({"order": _("Give every question of this survey once.")})
    ordered = [by_pk[pk] for pk in wanted]
    if ordered == current:
        return current
    _renumber(survey, ordered)
    _check_structure(survey)
    record(actor, "surveys.question.reordered", survey, order=[[q.pk for q in current], wanted])
    return ordered
