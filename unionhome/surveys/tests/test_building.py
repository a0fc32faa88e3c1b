"""Building a survey: drafts, questions and their rules, opening and closing, and who may do it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from unionhome.access.policy import PermissionRefused
from unionhome.audit.models import AuditEvent
from unionhome.org.models import MemberTag
from unionhome.surveys.models import Invitation, Question, Survey
from unionhome.surveys.services import (
    question_add,
    question_remove,
    question_update,
    questions_reorder,
    survey_close,
    survey_create,
    survey_open,
    survey_update,
)
from unionhome.surveys.tests.builders import build_survey

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def draft(builder, union, **fields):
    return build_survey(builder, union["union"], questions=[], **fields)


def test_a_draft_is_created_with_its_audience_and_audited(builder, union):
    tag = MemberTag.objects.create(code="women", name="女职工")
    survey = survey_create(
        actor=builder, unit=union["union"], title=" 女职工满意度调查 ", intro="第一行\n第二行",
        audience_units=[union["s1"], union["s2"].pk], audience_tags=[tag], is_anonymous=True,
    )  # fmt: skip
    assert survey.status == "draft" and survey.title == "女职工满意度调查" and survey.unit_path == union["union"].path
    assert set(survey.audience_units.all()) == {union["s1"], union["s2"]}
    assert list(survey.audience_tags.all()) == [tag]
    assert survey.min_group == 5 and survey.created_by == builder
    event = AuditEvent.objects.get(action="surveys.survey.created")
    assert event.object_id == str(survey.pk) and event.unit_path == union["union"].path


def test_the_audience_defaults_to_the_unit(builder, union):
    survey = survey_create(actor=builder, unit=union["s1"], title="一站调查")
    assert list(survey.audience_units.all()) == [union["s1"]]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 101}, "title"),
        ({"title": "a\x07b"}, "title"),
        ({"intro": "x" * 2001}, "intro"),
        ({"is_anonymous": "yes"}, "is_anonymous"),
        ({"min_group": 2}, "min_group"),
        ({"min_group": True}, "min_group"),
        ({"audience_units": []}, "audience_units"),
        ({"audience_tags": [999_999]}, "audience_tags"),
        ({"opens_at": datetime.datetime(2026, 5, 1, 8, 0)}, "opens_at"),  # naive
    ],
)
def test_bad_survey_fields_are_refused_by_field(builder, union, fields, field):
    data = {"title": "调查", **fields}
    with pytest.raises(ValidationError) as excinfo:
        survey_create(actor=builder, unit=union["union"], **data)
    assert field in errors_of(excinfo)
    assert not Survey.objects.exists() and not AuditEvent.objects.filter(action__startswith="surveys.").exists()


def test_the_audience_stays_inside_the_unit_and_dates_are_in_order(builder, union):
    now = timezone.now()
    with pytest.raises(ValidationError) as excinfo:
        survey_create(
            actor=builder, unit=union["s1"], title="一站调查", audience_units=[union["s2"]],
            opens_at=now, closes_at=now - datetime.timedelta(days=1),
        )  # fmt: skip
    assert set(errors_of(excinfo)) == {"audience_units", "closes_at"}


def test_only_a_builder_of_the_unit_builds(people, union):
    with pytest.raises(PermissionRefused):
        survey_create(actor=people["member"], unit=union["union"], title="调查")
    with pytest.raises(PermissionRefused):
        survey_create(actor=people["cadre"], unit=union["s1"], title="调查")  # a branch cadre
    survey = survey_create(actor=people["chair"], unit=union["union"], title="调查")
    with pytest.raises(PermissionRefused):
        question_add(actor=people["cadre2"], survey=survey, kind="likert", text="满意吗？")
    with pytest.raises(PermissionRefused):
        survey_open(actor=people["member"], survey=survey)


def test_questions_of_every_kind_are_added_in_order(builder, union):
    survey = build_survey(builder, union["union"])
    questions = list(survey.questions.order_by("position"))
    assert [q.position for q in questions] == [1, 2, 3, 4, 5, 6, 7]
    assert [q.kind for q in questions] == ["single", "multiple", "likert", "recommendation", "matrix", "text", "text"]
    assert questions[6].condition_question == questions[0] and questions[6].condition_values == [1]
    assert AuditEvent.objects.filter(action="surveys.question.added").count() == 7


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"kind": "dropdown", "text": "?"}, "kind"),
        ({"kind": "likert", "text": ""}, "text"),
        ({"kind": "likert", "text": "x" * 301}, "text"),
        ({"kind": "single", "text": "?", "options": ["只有一个"]}, "options"),
        ({"kind": "single", "text": "?", "options": ["重复", "重复"]}, "options"),
        ({"kind": "multiple", "text": "?", "options": [str(i) for i in range(21)]}, "options"),
        ({"kind": "single", "text": "?", "options": ["好", "x" * 101]}, "options"),
        ({"kind": "single", "text": "?", "options": "好,坏"}, "options"),
        ({"kind": "likert", "text": "?", "options": ["好", "坏"]}, "options"),
        ({"kind": "matrix", "text": "?", "items": []}, "items"),
        ({"kind": "text", "text": "?", "items": ["a", "b"]}, "items"),
        ({"kind": "single", "text": "?", "options": ["a", "b"], "is_overall": True}, "is_overall"),
        ({"kind": "likert", "text": "?", "condition_values": [1]}, "condition_values"),
        ({"kind": "likert", "text": "?", "condition_question": 999_999}, "condition_question"),
    ],
)
def test_bad_questions_are_refused_by_field(builder, union, spec, field):
    survey = draft(builder, union)
    with pytest.raises(ValidationError) as excinfo:
        question_add(actor=builder, survey=survey, **spec)
    assert field in errors_of(excinfo)
    assert not Question.objects.exists()


def test_conditions_need_a_fitting_earlier_question(builder, union):
    survey = draft(builder, union)
    choice = question_add(actor=builder, survey=survey, kind="single", text="参加过吗？", options=["没有", "参加过"])
    text = question_add(actor=builder, survey=survey, kind="text", text="意见")
    for target, values, field in [
        (choice, [2], "condition_values"),  # no option 2
        (choice, [], "condition_values"),
        (choice, [1, 1], "condition_values"),
        (choice, ["1"], "condition_values"),
        (text, [0], "condition_values"),  # a text cannot be a condition
    ]:
        with pytest.raises(ValidationError) as excinfo:
            question_add(actor=builder, survey=survey, kind="likert", text="满意吗？",
                         condition_question=target, condition_values=values)  # fmt: skip
        assert field in errors_of(excinfo), (target, values)
    scale = question_add(actor=builder, survey=survey, kind="recommendation", text="推荐吗？")
    shown = question_add(
        actor=builder, survey=survey, kind="text", text="为什么不推荐？", condition_question=scale.pk,
        condition_values=[0, 1, 2, 3, 4, 5, 6],
    )  # fmt: skip
    # A condition on a question that comes later: move the condition's question after it.
    with pytest.raises(ValidationError) as excinfo:
        question_update(actor=builder, question=choice, condition_question=shown, condition_values=[0])
    assert "condition_question" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        questions_reorder(actor=builder, survey=survey, order=[shown, choice, text, scale])
    assert "Question 1: A condition can only depend on an earlier question." in errors_of(excinfo)["questions"]
    assert [q.pk for q in survey.questions.order_by("position")] == [choice.pk, text.pk, scale.pk, shown.pk]


def test_one_overall_question_asked_of_everyone(builder, union):
    survey = draft(builder, union)
    first = question_add(actor=builder, survey=survey, kind="likert", text="总体满意吗？", is_overall=True)
    with pytest.raises(ValidationError) as excinfo:
        question_add(actor=builder, survey=survey, kind="recommendation", text="推荐吗？", is_overall=True)
    assert errors_of(excinfo)["is_overall"] == ["Question 1 is already the overall satisfaction question."]
    with pytest.raises(ValidationError) as excinfo:
        question_add(actor=builder, survey=survey, kind="recommendation", text="推荐吗？", is_overall=True,
                     condition_question=first, condition_values=[1])  # fmt: skip
    assert "condition_question" in errors_of(excinfo)
    question_update(actor=builder, question=first, is_overall=False)
    question_add(actor=builder, survey=survey, kind="recommendation", text="推荐吗？", is_overall=True)


def test_a_change_that_breaks_a_condition_is_refused(builder, union):
    survey = draft(builder, union)
    choice = question_add(actor=builder, survey=survey, kind="single", text="?", options=["a", "b", "c"])
    question_add(actor=builder, survey=survey, kind="text", text="为什么？", condition_question=choice,
                 condition_values=[2])  # fmt: skip
    with pytest.raises(ValidationError) as excinfo:
        question_update(actor=builder, question=choice, options=["a", "b"])
    assert errors_of(excinfo)["questions"] == ["Question 2: Choose options of question 1 (numbered from 0 to 1)."]
    with pytest.raises(ValidationError) as excinfo:
        question_remove(actor=builder, question=choice)
    assert "2" in errors_of(excinfo)["condition_question"][0]
    choice.refresh_from_db()
    assert choice.options == ["a", "b", "c"] and survey.questions.count() == 2


def test_changing_the_kind_drops_options_and_removing_renumbers(builder, union):
    survey = draft(builder, union)
    a = question_add(actor=builder, survey=survey, kind="single", text="A", options=["x", "y"])
    b = question_add(actor=builder, survey=survey, kind="likert", text="B")
    c = question_add(actor=builder, survey=survey, kind="text", text="C")
    question_update(actor=builder, question=a, kind="likert")
    a.refresh_from_db()
    assert a.kind == "likert" and a.options == []
    question_remove(actor=builder, question=b)
    assert list(survey.questions.order_by("position").values_list("pk", "position")) == [(a.pk, 1), (c.pk, 2)]
    questions_reorder(actor=builder, survey=survey, order=[c.pk, a.pk])
    assert list(survey.questions.order_by("position").values_list("pk", flat=True)) == [c.pk, a.pk]
    with pytest.raises(ValidationError) as excinfo:
        questions_reorder(actor=builder, survey=survey, order=[c.pk])
    assert "order" in errors_of(excinfo)
    assert {"surveys.question.removed", "surveys.question.reordered", "surveys.question.updated"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_opening_needs_questions_and_dates(builder, union):
    survey = draft(builder, union, opens_at=None, closes_at=None)
    with pytest.raises(ValidationError) as excinfo:
        survey_open(actor=builder, survey=survey)
    assert set(errors_of(excinfo)) == {"questions", "opens_at", "closes_at"}
    assert errors_of(excinfo)["questions"] == ["Add at least one question."]
    now = timezone.now()
    survey_update(actor=builder, survey=survey, opens_at=now - datetime.timedelta(days=3),
                  closes_at=now - datetime.timedelta(days=1))  # fmt: skip
    question_add(actor=builder, survey=survey, kind="likert", text="满意吗？")
    with pytest.raises(ValidationError) as excinfo:
        survey_open(actor=builder, survey=survey)
    assert errors_of(excinfo) == {"closes_at": ["The closing time has already passed."]}
    survey.refresh_from_db()
    assert survey.status == "draft" and not Invitation.objects.exists()


def test_open_invites_then_only_close_and_nothing_more_is_edited(builder, union, people):
    survey = build_survey(builder, union["union"])
    survey = survey_open(actor=builder, survey=survey)
    assert survey.status == "open" and survey.opened_at is not None
    assert Invitation.objects.filter(survey=survey).count() == 3  # the union's three members
    assert AuditEvent.objects.get(action="surveys.survey.opened").changes["invited"] == 3
    question = survey.questions.first()
    for call in (
        lambda: survey_update(actor=builder, survey=survey, title="新标题"),
        lambda: question_add(actor=builder, survey=survey, kind="likert", text="?"),
        lambda: question_update(actor=builder, question=question, text="?"),
        lambda: question_remove(actor=builder, question=question),
        lambda: survey_open(actor=builder, survey=survey),
    ):
        with pytest.raises(ValidationError) as excinfo:
            call()
        assert "status" in errors_of(excinfo)
    survey = survey_close(actor=builder, survey=survey)
    assert survey.status == "closed" and survey.closed_at is not None
    with pytest.raises(ValidationError):
        survey_close(actor=builder, survey=survey)


def test_update_audits_old_and_new_values(builder, union):
    survey = draft(builder, union)
    survey_update(actor=builder, survey=survey, title="新标题", audience_units=[union["s2"]], min_group=8)
    survey.refresh_from_db()
    assert (survey.title, survey.min_group) == ("新标题", 8)
    changes = AuditEvent.objects.get(action="surveys.survey.updated").changes
    assert changes["title"] == ["2026年职工满意度调查", "新标题"] and changes["min_group"] == [5, 8]
    assert changes["audience_units"] == [[union["union"].pk], [union["s2"].pk]]


def test_a_condition_is_dropped_with_its_values(builder, union):
    survey = draft(builder, union)
    choice = question_add(actor=builder, survey=survey, kind="single", text="?", options=["a", "b"])
    shown = question_add(actor=builder, survey=survey, kind="text", text="为什么？", condition_question=choice,
                         condition_values=[1])  # fmt: skip
    question_update(actor=builder, question=shown, condition_question=None)
    shown.refresh_from_db()
    assert shown.condition_question is None and shown.condition_values == []
    question_remove(actor=builder, question=choice)  # nothing depends on it any more
    assert list(survey.questions.values_list("pk", "position")) == [(shown.pk, 1)]
