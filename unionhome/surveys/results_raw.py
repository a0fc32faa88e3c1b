"""The raw answers of a survey, one row per response, for the Excel export (``results_export``).

A named survey: the response's number, the member's name and employee number (only where the viewer may see
the member: ``org.view_members`` on the member's unit; blank otherwise), their unit, the time of answering,
then the answers.

An anonymous survey stays anonymous: no member, no time, no response id, the rows in random order; the unit
only at branch level (the response knows no more) and only for branches with at least k responses — the
others are merged as "other", and when "other" would hold fewer than k (but some) responses the smallest
branches shown join it until it holds k. A question answered by fewer than k respondents has no column, so a
free text (or a rare answer) of a small group is not given out.

Queries: the questions, the responses (one query, with the member's name), the units named, the answers
(streamed in chunks, in response order). The rows are kept in memory to be shuffled (anonymous) or written.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import can
from unionhome.org.models import OrgUnit
from unionhome.surveys.models import Answer, Question, Response, Survey

CHUNK_SIZE = 2000


@dataclass
class RawSheet:
    header: list[str]
    rows: list[list]
    named_rows: int  # rows with a member's name


@dataclass(frozen=True)
class _Viewer:
    permission_unit_path: str


def _columns(questions: list[Question]) -> list[tuple[Question, int | None, str]]:
    """(question, matrix item or None, header) per answer column."""
    columns = []
    for q in questions:
        if q.kind == Question.Kind.MATRIX:
            columns += [(q, i, f"{q.position}. {q.text}: {item}") for i, item in enumerate(q.items)]
        else:
            columns.append((q, None, f"{q.position}. {q.text}"))
    return columns


def _answer_cells(columns, answers) -> list:
    """The cells of one response from its answer rows (question id, item, value, text)."""
    given: dict[tuple[int, int], list] = defaultdict(list)
    for question_id, item, value, text in answers:
        given[(question_id, item)].append((value, text))
    cells = []
    for q, item, _header in columns:
        values = given.get((q.pk, item or 0), [])
        if not values:
            cells.append(None)
        elif q.kind == Question.Kind.TEXT:
            cells.append(values[0][1])
        elif q.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            cells.append("；".join(q.options[v] if 0 <= v < len(q.options) else str(v) for v, _t in values))
        else:
            cells.append(values[0][0])
    return cells


def anonymous_units(responses: dict[str, int], k: int) -> set[str]:
    """The branch paths shown in an anonymous export (pure): those with ≥ k responses, less the smallest while
    "other" holds between 1 and k − 1."""
    shown = {path for path, n in responses.items() if n >= k}
    other = sum(n for path, n in responses.items() if path not in shown)
    while 0 < other < k and shown:
        smallest = min(shown, key=lambda path: (responses[path], path))
        shown.discard(smallest)
        other += responses[smallest]
    return shown


def raw_sheet(actor, survey: Survey, respondents: dict[int, int]) -> RawSheet:
    """The raw answers as the module's text says; ``respondents`` is {question id: respondents}."""
    k = survey.min_group
    questions = list(Question.objects.filter(survey_id=survey.pk).order_by("position"))
    if survey.is_anonymous:
        questions = [q for q in questions if respondents.get(q.pk, 0) >= k]
    columns = _columns(questions)
    fields = ["pk", "unit_path", "submitted_at", "member__name", "member__employee_no", "member__unit_path"]
    responses = {r[0]: r for r in Response.objects.filter(survey_id=survey.pk).values_list(*fields).order_by("pk")}
    per_path = defaultdict(int)
    for r in responses.values():
        per_path[r[1]] += 1
    names = dict(OrgUnit.objects.filter(path__in=list(per_path)).values_list("path", "name"))
    answers = (
        Answer.objects.filter(question_id__in=[q.pk for q in questions])
        .order_by("response_id", "question_id", "item", "value")
        .values_list("response_id", "question_id", "item", "value", "text")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    by_response = {
        response_id: _answer_cells(columns, [a[1:] for a in rows])
        for response_id, rows in groupby(answers, lambda a: a[0])
    }
    headers = [h for _q, _i, h in columns]
    if survey.is_anonymous:
        shown = anonymous_units(per_path, k)
        rows = [
            [names.get(r[1], "") if r[1] in shown else _("other"), *by_response.get(pk, [None] * len(columns))]
            for pk, r in responses.items()
        ]
        random.SystemRandom().shuffle(rows)
        return RawSheet([_("Unit"), *headers], rows, 0)
    rows, named = [], 0
    for pk, (_pk, unit_path, submitted_at, name, employee_no, member_path) in responses.items():
        visible = member_path is not None and can(actor, "org.view_members", _Viewer(member_path))
        named += visible
        rows.append(
            [
                pk,
                name if visible else "",
                employee_no if visible else "",
                names.get(unit_path, ""),
                timezone.localtime(submitted_at).replace(tzinfo=None),
                *by_response.get(pk, [None] * len(columns)),
            ]
        )
    header = [_("Response"), _("Member"), _("Employee number"), _("Unit"), _("Answered at"), *headers]
    return RawSheet(header, rows, named)
