"""Surveys at federation scale for ``satisfaction_scale``: a few surveys, their invitations, responses and answers.

Four surveys, each with ``answers_per_response`` questions all answered by every response (so ``responses``
responses make ``responses × answers_per_response`` answers): the overall satisfaction question (Likert, 1–5),
one Likert question per registered service line in turn (``Question.service_line``), and a recommendation
question (0–10) last. Scores lean per union and follow the overall one.

* the reference union's named survey (closed) and one of its first branch, anonymous (closed): up to 70 % of
  their audience answers, about 0.5 % and 0.2 % of the responses;
* the federation's named survey (closed, about 60 % of the rest) and its anonymous one (open, the rest), each
  sent to every member (one invitation each).

An anonymous survey's responses name no member, carry the member's branch only and the survey's opening time
(as the answering service writes them), in an order unrelated to the invitations'.
"""

import datetime
import random

from django.db.models import Max
from django.utils import timezone

from unionhome.demo.satisfaction_scale_rows import Shape, next_ids, rows_written


def _questions(survey, count: int) -> list:
    from unionhome.satisfaction.service_lines import service_lines
    from unionhome.surveys.models import Question

    lines = service_lines()
    rows = [Question(survey=survey, position=1, kind="likert", text="总体而言，您对工会的服务满意吗？",
                     required=True, is_overall=True)]  # fmt: skip
    for position in range(2, count):
        spec = lines[(position - 2) % len(lines)]
        rows.append(
            Question(
                survey=survey,
                position=position,
                kind="likert",
                text=f"您对“{spec.label}”满意吗？",
                required=True,
                service_line=spec.code,
            )  # fmt: skip
        )
    rows.append(Question(survey=survey, position=count, kind="recommendation", required=True,
                         text="您有多大可能向工友推荐工会的服务？"))  # fmt: skip
    return Question.objects.bulk_create(rows)


def _plan(shape: Shape):
    from unionhome.demo.shape import REFERENCE_UNION_CODE
    from unionhome.org.models import OrgUnit

    root = OrgUnit.objects.get(pk=shape.root)
    union = OrgUnit.objects.filter(code=REFERENCE_UNION_CODE).first() or root
    branch = (
        OrgUnit.objects.filter(code=f"{REFERENCE_UNION_CODE}-S01").first()
        or OrgUnit.objects.filter(path__startswith=union.path, depth=union.depth + 1).order_by("path").first()
        or union
    )
    return [  # unit, anonymous, title, share of the responses (None: what the federation's surveys share), days
        (union, False, "技术中心工会职工服务满意度调查", 0.005, (200, 170)),
        (branch, True, "第一检验站职工之家满意度匿名调查", 0.002, (150, 140)),
        (root, False, "年度职工服务满意度调查", 0.6, (300, 270)),
        (root, True, "职工服务满意度匿名调查", None, (20, -10)),
    ]


def surveys_built(responses: int, answers_per_response: int, *, seed: int, shape: Shape) -> dict:
    from unionhome.surveys.models import Answer, Invitation, Response, Survey

    rng = random.Random(seed)
    now = timezone.now()
    leans = {shape.unit_path[u][:8]: rng.uniform(-0.5, 0.4) for u in set(shape.union_of.values())}
    plan = _plan(shape)
    left = responses
    built = []
    for unit, anonymous, title, share, (opened_days, closes_days) in plan:
        audience = [i for i, u in enumerate(shape.member_units) if shape.unit_path[u].startswith(unit.path)]
        if share is None or share >= 0.5:  # the federation's: what is left, 60 % to the first
            wanted = round(left * share) if share is not None else left
            cap = len(audience)
        else:
            wanted, cap = round(responses * share), int(0.7 * len(audience))
        count = max(0, min(wanted, cap, left))
        left -= count
        opened = now - datetime.timedelta(days=opened_days)
        closes = now - datetime.timedelta(days=closes_days)
        status = Survey.Status.CLOSED if closes <= now else Survey.Status.OPEN
        survey = Survey.objects.create(
            title=title, unit=unit, unit_path=unit.path, is_anonymous=anonymous, opens_at=opened, closes_at=closes,
            status=status, opened_at=opened, closed_at=closes if status == Survey.Status.CLOSED else None,
            audience_size=len(audience), invited_count=len(audience), invitations_done_at=opened,
            # written in a random order already (``chosen`` below), as the closing shuffle leaves them
            shuffled_at=closes if anonymous and status == Survey.Status.CLOSED else None,
        )  # fmt: skip
        survey.audience_units.set([unit])
        questions = [q.pk for q in _questions(survey, answers_per_response)]
        chosen = rng.sample(audience, count)  # random order: not the invitations'
        answered = dict.fromkeys(chosen)
        for i in chosen:
            answered[i] = opened if anonymous else opened + (closes - opened) * rng.random() * 0.9
        invitations = (
            (survey.pk, shape.member_ids[i], opened, None, answered.get(i)) for i in audience
        )  # fmt: skip
        rows_written(Invitation._meta.db_table, ["survey_id", "member_id", "invited_at", "reminded_at",
                                                 "responded_at"], invitations)  # fmt: skip
        first = next_ids(Response._meta.db_table, count)
        unit_of = shape.branch_path if anonymous else shape.unit_path
        rows_written(
            Response._meta.db_table,
            ["id", "survey_id", "member_id", "unit_path", "submitted_at"],
            ((first + n, survey.pk, None if anonymous else shape.member_ids[i], unit_of[shape.member_units[i]],
              answered[i]) for n, i in enumerate(chosen)),
        )  # fmt: skip
        rows_written(
            Answer._meta.db_table,
            ["response_id", "question_id", "item", "value", "text"],
            _answers(rng, shape, leans, chosen, first, questions),
        )
        built.append({"survey": survey.pk, "title": title, "anonymous": anonymous, "audience": len(audience),
                      "responses": count})  # fmt: skip
    return {
        "surveys": built,
        "responses": Response.objects.filter(survey__in=[b["survey"] for b in built]).count(),
        "answers": sum(b["responses"] for b in built) * answers_per_response,
        "last_response_id": Response.objects.aggregate(m=Max("id"))["m"],
    }


def _answers(rng: random.Random, shape: Shape, leans: dict, chosen: list, first: int, questions: list):
    last = len(questions) - 1
    for n, i in enumerate(chosen):
        path = shape.unit_path[shape.member_units[i]]
        overall = max(1, min(5, round(rng.gauss(4.0 + leans.get(path[:8], 0.0), 1.0))))
        for position, question in enumerate(questions):
            if position == 0:
                value = overall
            elif position == last:
                value = max(0, min(10, round(overall * 2 + rng.gauss(0, 1.5))))
            else:
                value = max(1, min(5, round(overall + rng.gauss(0, 0.8))))
            yield (first + n, question, 0, value, "")
