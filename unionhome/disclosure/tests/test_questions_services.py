"""Questions: a worker of the audience asks, a cadre in scope answers; guards, roles, what is public."""

import pytest
from django.core.exceptions import ValidationError

from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.audit.models import AuditEvent
from unionhome.disclosure.models import NoticeQuestion
from unionhome.disclosure.selectors.questions import (
    own_waiting_questions,
    public_questions,
    question_queue,
    question_to_answer,
    question_work_items,
)
from unionhome.disclosure.services.questions import MAX_WAITING_PER_NOTICE, question_answer, question_ask
from unionhome.disclosure.tests.records import draft, published
from unionhome.notify.models import Notification


def test_a_worker_asks_and_a_cadre_answers_in_public(office):
    notice = published(office["office"], office["union"]["s1"])
    question = question_ask(actor=office["worker"], notice=notice, body="  夜班津贴是否同步调整？ ")
    assert (question.body, question.unit_path, question.asker) == (
        "夜班津贴是否同步调整？",
        office["union"]["g11"].path,
        office["member_record"],
    )
    assert public_questions(notice) == []
    assert own_waiting_questions(office["worker"], notice) == [question]
    assert own_waiting_questions(office["worker_b"], notice) == []
    assert [q.pk for q in question_queue(office["cadre"])] == [question.pk]
    assert question_work_items(office["cadre"])[0].url == f"/disclosure/questions/{question.pk}/answer/"
    answered = question_answer(actor=office["cadre"], question=question, answer="同步调整，标准见附件。")
    assert answered.answered_by == office["cadre"] and answered.answered_at is not None
    [public] = public_questions(notice)
    assert (public.answer, public.asker_unit_name) == ("同步调整，标准见附件。", "一站甲班")
    assert own_waiting_questions(office["worker"], notice) == [] and list(question_queue(office["cadre"])) == []
    note = Notification.objects.get(kind="disclosure.question.answered")
    assert note.recipient == office["worker"] and note.url == f"/disclosure/{notice.pk}/#questions"
    assert AuditEvent.objects.filter(action="disclosure.question.answered").exists()


@pytest.mark.parametrize(
    ("body", "message"), [("   ", "Write your question."), ("问" * 1001, "Use at most 1000 characters.")]
)
def test_empty_or_long_questions_are_refused(office, body, message):
    notice = published(office["office"], office["union"]["s1"])
    with pytest.raises(ValidationError) as exc:
        question_ask(actor=office["worker"], notice=notice, body=body)
    assert exc.value.message_dict == {"body": [message]}
    assert not NoticeQuestion.objects.exists()


def test_a_question_of_exactly_1000_characters_is_fine(office):
    notice = published(office["office"], office["union"]["s1"])
    assert len(question_ask(actor=office["worker"], notice=notice, body="问" * 1000).body) == 1000


def test_asking_on_a_notice_outside_ones_audience_is_not_found(office):
    notice = published(office["office"], office["union"]["s1"])
    with pytest.raises(OutOfScope):
        question_ask(actor=office["worker_s2"], notice=notice, body="我们站呢？")
    with pytest.raises(OutOfScope):
        question_ask(actor=office["worker"], notice=draft(office["office"], office["union"]["s1"]), body="草稿？")
    assert not NoticeQuestion.objects.exists()


def test_a_worker_cannot_flood_a_notice(office):
    notice = published(office["office"], office["union"]["s1"])
    for i in range(MAX_WAITING_PER_NOTICE):
        question_ask(actor=office["worker"], notice=notice, body=f"问题{i}")
    with pytest.raises(ValidationError, match="waiting for an answer"):
        question_ask(actor=office["worker"], notice=notice, body="再问")


def test_answering_without_the_permission_is_refused(office):
    notice = published(office["office"], office["union"]["s1"])
    question = question_ask(actor=office["worker"], notice=notice, body="问")
    for who in ("worker_b", "auditor", "admin"):
        with pytest.raises(PermissionRefused):
            question_answer(actor=office[who], question=question, answer="答")
        with pytest.raises(PermissionRefused):
            question_to_answer(office[who], question.pk)
    with pytest.raises(OutOfScope):  # station 2's cadre: neither the publisher's unit nor the asker's
        question_answer(actor=office["cadre2"], question=question, answer="答")
    with pytest.raises(OutOfScope):
        question_to_answer(office["cadre2"], question.pk)
    assert NoticeQuestion.objects.get().answered_at is None


def test_empty_answers_and_second_answers_are_refused(office):
    notice = published(office["office"], office["union"]["union"])
    question = question_ask(actor=office["worker_s2"], notice=notice, body="问")
    with pytest.raises(ValidationError) as exc:
        question_answer(actor=office["chair"], question=question, answer=" ")
    assert exc.value.message_dict == {"answer": ["Write the answer."]}
    question_answer(actor=office["cadre2"], question=question, answer="答复")  # the asker's branch
    with pytest.raises(ValidationError, match="already been answered"):
        question_answer(actor=office["chair"], question=question, answer="再答")
    assert NoticeQuestion.objects.get().answer == "答复"
