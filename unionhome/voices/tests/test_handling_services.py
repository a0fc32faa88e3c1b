"""Handling services: acknowledge, reply, transfer, close; who may act; bad input writes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from tests import factories
from unionhome.audit.models import AuditEvent
from unionhome.notify.models import Notification
from unionhome.voices.models import Appeal, AppealEvent, AppealReply
from unionhome.voices.services import handling
from unionhome.voices.tests.records import appeal_of

pytestmark = pytest.mark.django_db
Status = Appeal.Status


def counts():
    return (AppealReply.objects.count(), AppealEvent.objects.count(), AuditEvent.objects.count())


def test_routed_department_handler_acknowledges_replies_and_closes(voices):
    appeal = appeal_of(voices["member_record"], category="canteen")
    handler = voices["canteen_handler"]
    handling.appeal_acknowledge(actor=handler, appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.status == Status.ACKNOWLEDGED and appeal.acknowledged_at is not None
    reply = handling.appeal_reply(actor=handler, appeal=appeal, body="已联系食堂，本周内调整。", public=False)
    assert (reply.author, reply.is_public, reply.is_answer) == (handler, False, False)
    answer = handling.appeal_close(actor=handler, appeal=appeal, answer="已调整菜品口味。", public=True)
    appeal.refresh_from_db()
    assert answer.is_answer and answer.is_public
    assert appeal.status == Status.CLOSED and appeal.closed_at is not None
    assert (appeal.reopen_until - appeal.closed_at).days == 15
    kinds = list(appeal.events.values_list("kind", "actor"))
    assert kinds == [("acknowledged", handler.pk), ("replied", handler.pk), ("closed", handler.pk)]
    actions = list(AuditEvent.objects.filter(object_id=str(appeal.pk)).order_by("pk").values_list("action", flat=True))
    assert actions == ["voices.appeal.acknowledged", "voices.appeal.replied", "voices.appeal.closed"]
    sent = Notification.objects.filter(recipient=voices["member"]).values_list("kind", flat=True)
    assert sorted(sent) == ["voices.appeal.closed", "voices.appeal.replied"]


def test_a_first_reply_acknowledges(voices):
    appeal = appeal_of(voices["member_record"], category="safety")
    handling.appeal_reply(actor=voices["safety_officer"], appeal=appeal, body="收到，正在核查。", public=False)
    appeal.refresh_from_db()
    assert appeal.status == Status.ACKNOWLEDGED and appeal.acknowledged_at is not None
    assert list(appeal.events.values_list("kind", flat=True)) == ["acknowledged", "replied"]


def test_anonymous_appeal_gets_no_notification_and_names_nobody(voices):
    appeal = appeal_of(voices["union"]["g11"], category="welfare")
    assert appeal.is_anonymous
    handling.appeal_close(actor=voices["cadre"], appeal=appeal, answer="已处理。", public=False)
    assert not Notification.objects.filter(kind__startswith="voices.appeal.").exists()
    event = AuditEvent.objects.get(action="voices.appeal.closed")
    assert event.actor == voices["cadre"]
    assert str(voices["member_record"].pk) not in str(event.changes)


def test_a_branch_cadre_may_answer_an_appeal_routed_elsewhere_in_scope(voices):
    appeal = appeal_of(voices["member_record"], category="canteen")
    handling.appeal_reply(actor=voices["cadre"], appeal=appeal, body="分工会也在跟进。", public=False)
    assert appeal.replies.count() == 1


@pytest.mark.parametrize("who", ["cadre2", "canteen_handler", "member", "safety_officer"])
def test_people_outside_get_404_and_nothing_is_written(voices, who):
    appeal = appeal_of(voices["member_record"], category="welfare")  # s1's supervisors answer it
    before = counts()
    with pytest.raises(Http404):
        handling.appeal_reply(actor=voices[who], appeal=appeal, body="我来答复", public=False)
    assert counts() == before


@pytest.mark.parametrize("body", ["", "   ", "字" * 2001, "bad\x00text", None])
def test_bad_reply_text_is_refused_and_nothing_written(voices, body):
    appeal = appeal_of(voices["member_record"])
    before = counts()
    with pytest.raises(ValidationError) as refused:
        handling.appeal_reply(actor=voices["cadre"], appeal=appeal, body=body, public=False)
    assert "body" in refused.value.message_dict
    assert counts() == before
    appeal.refresh_from_db()
    assert appeal.status == Status.SUBMITTED


def test_closed_appeal_takes_no_reply(voices):
    appeal = appeal_of(voices["member_record"])
    handling.appeal_close(actor=voices["cadre"], appeal=appeal, answer="已处理。", public=False)
    before = counts()
    with pytest.raises(ValidationError, match="not possible while the appeal is"):
        handling.appeal_reply(actor=voices["cadre"], appeal=appeal, body="补充", public=False)
    with pytest.raises(ValidationError, match="not possible while the appeal is"):
        handling.appeal_close(actor=voices["cadre"], appeal=appeal, answer="再次", public=False)
    assert counts() == before


def test_transfer_to_a_department_keeps_the_deadlines_and_tells_its_handlers(voices):
    appeal = appeal_of(voices["member_record"], category="welfare")
    due = (appeal.acknowledge_due, appeal.answer_due)
    handling.appeal_transfer(
        actor=voices["cadre"], appeal=appeal, reason="食堂相关，转后勤。", department=voices["canteen"]
    )
    appeal.refresh_from_db()
    assert (appeal.department, appeal.handler) == (voices["canteen"], None)
    assert (appeal.acknowledge_due, appeal.answer_due) == due
    event = appeal.events.get()
    assert event.kind == "transferred" and "转后勤" in event.note and event.actor == voices["cadre"]
    assert Notification.objects.filter(recipient=voices["canteen_handler"], kind="voices.appeal.transferred").exists()
    # The department may now answer; the previous route (branch cadres) still may by permission.
    handling.appeal_reply(actor=voices["canteen_handler"], appeal=appeal, body="收到。", public=False)


def test_transfer_to_a_person_and_back_to_the_branch(voices):
    appeal = appeal_of(voices["member_record"], category="canteen")
    handling.appeal_transfer(
        actor=voices["canteen_handler"], appeal=appeal, reason="安全问题", handler=voices["safety_officer"]
    )
    appeal.refresh_from_db()
    assert appeal.handler == voices["safety_officer"] and appeal.department is None
    with pytest.raises(Http404):  # no longer routed to the canteen
        handling.appeal_reply(actor=voices["canteen_handler"], appeal=appeal, body="x", public=False)
    handling.appeal_transfer(actor=voices["safety_officer"], appeal=appeal, reason="交分工会", to_supervisors=True)
    appeal.refresh_from_db()
    assert appeal.handler is None and appeal.department is None


def test_transfer_guards(voices):
    appeal = appeal_of(voices["member_record"], category="canteen")
    actor = voices["canteen_handler"]
    before = counts()
    cases = [
        ({"reason": "", "to_supervisors": True}, "reason"),
        ({"reason": "x" * 2001, "to_supervisors": True}, "reason"),
        ({"reason": "r"}, "target"),
        ({"reason": "r", "handler": voices["cadre"], "to_supervisors": True}, "target"),
        ({"reason": "r", "handler": actor}, "handler"),
        ({"reason": "r", "department": voices["canteen"]}, "department"),
    ]
    voices["canteen"].__class__.objects.create(
        unit=voices["union"]["union"], unit_path=voices["union"]["union"].path, name="旧部门", is_active=False
    )
    inactive = voices["canteen"].__class__.objects.get(name="旧部门")
    cases.append(({"reason": "r", "department": inactive}, "department"))
    other_union = factories.unit(None, "别的工会", "union")
    outsider = factories.user("outsider", roles=(("branch_cadre", other_union),))
    cases.append(({"reason": "r", "handler": outsider}, "handler"))
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as refused:
            handling.appeal_transfer(actor=actor, appeal=appeal, **kwargs)
        assert field in refused.value.message_dict, kwargs
    assert counts() == before
    appeal.refresh_from_db()
    assert appeal.department == voices["canteen"]
