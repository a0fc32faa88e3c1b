"""Sending an appeal, named and anonymous; writing to the handler; withdrawing. Each guard and bad input
(a clear error, nothing written), each refused caller."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from unionhome.access.policy import OutOfScope
from unionhome.audit.models import AuditEvent
from unionhome.notify.models import Notification
from unionhome.voices import follow_up_codes
from unionhome.voices.models import Appeal, AppealCount, AppealEvent, AppealReply
from unionhome.voices.services.announcements import anonymous_actions_announce
from unionhome.voices.services.appeals import NotAMember, appeal_follow_up, appeal_withdraw
from unionhome.voices.tests.appeal_helpers import answer, send


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"


def test_a_named_appeal_is_routed_dated_counted_audited_and_told(voices, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appeal, code = send(voices["member"])
    assert code is None
    appeal.refresh_from_db()
    union = voices["union"]
    assert (appeal.member, appeal.unit, appeal.branch, appeal.is_anonymous) == (
        voices["member_record"],
        union["g11"],
        union["s1"],
        False,
    )
    assert appeal.unit_path == union["g11"].path and appeal.status == Appeal.Status.SUBMITTED
    assert appeal.handler_id is None and appeal.department_id is None  # welfare: the branch's supervisors
    assert appeal.acknowledge_due > appeal.submitted_at and appeal.answer_due > appeal.acknowledge_due
    assert appeal.keywords, "the topic words of the signals helper's keywords module"
    events = list(appeal.events.values_list("kind", "actor_id"))
    assert events == [("submitted", None), ("routed", None)]
    assert appeal.events.get(kind="routed").note == union["s1"].name
    assert AppealCount.objects.get(branch=union["s1"], category="welfare").count == 1
    audit = AuditEvent.objects.get(action="voices.appeal.submitted")
    assert audit.actor_id == voices["member"].pk and audit.object_id == str(appeal.pk)
    assert set(audit.changes) == {"kind", "category", "attachments", "handler", "department"}
    assert "夜班下班后" not in str(audit.changes) + audit.object_repr
    told = Notification.objects.get(kind="voices.appeal.routed")
    assert told.recipient == voices["cadre"] and told.url == f"/voices/handle/{appeal.pk}/"


def test_an_anonymous_appeal_keeps_no_link_to_its_member(voices, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appeal, code = send(voices["member"], anonymous=True)
    appeal.refresh_from_db()
    assert appeal.is_anonymous and appeal.member is None
    assert appeal.unit == voices["union"]["s1"] and appeal.branch == voices["union"]["s1"]
    assert (appeal.submitted_at.minute, appeal.submitted_at.second, appeal.submitted_at.microsecond) == (0, 0, 0)
    assert len(code) == 19 and code.count("-") == 3
    assert appeal.code_digest == follow_up_codes.code_digest(code) and code.replace("-", "") not in appeal.code_digest
    assert not AuditEvent.objects.filter(action__startswith="voices.").exists()
    assert set(appeal.events.values_list("actor_id", flat=True)) == {None}
    # Announced by the hourly sweep once the hour is over, never with the minute it was sent.
    assert not Notification.objects.exists()
    anonymous_actions_announce(now=appeal.submitted_at + datetime.timedelta(hours=1, minutes=5))
    told = Notification.objects.get(kind="voices.appeal.routed")
    assert told.recipient == voices["cadre"]
    assert "张三" not in told.title + told.body and voices["member"].username not in told.title + told.body


def test_routing_rules_send_canteen_to_the_department_and_safety_to_the_officer(
    voices, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        canteen, _ = send(voices["member"], category="canteen")
        safety, _ = send(voices["member"], category="safety", anonymous=True)
    anonymous_actions_announce(now=safety.submitted_at + datetime.timedelta(hours=2))
    assert canteen.department == voices["canteen"] and canteen.handler is None
    assert safety.handler == voices["safety_officer"]
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {
        voices["canteen_handler"].pk,
        voices["safety_officer"].pk,
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "长" * 81}, "title"),
        ({"title": "标题\x07"}, "title"),
        ({"title": "两行\n标题"}, "title"),
        ({"body": ""}, "body"),
        ({"body": "字" * 2001}, "body"),
        ({"body": "坏字符\x00"}, "body"),
        ({"kind": "rumour"}, "kind"),
        ({"category": "parking"}, "category"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(voices, fields, field):
    category = fields.pop("category", "welfare")
    with pytest.raises(ValidationError) as caught:
        send(voices["member"], category=category, **fields)
    assert field in caught.value.message_dict
    assert not Appeal.objects.exists() and not AppealCount.objects.exists() and not AuditEvent.objects.exists()


def test_the_limits_are_inclusive(voices):
    appeal, _ = send(voices["member"], title="长" * 80, body="字" * 2000)
    assert len(appeal.title) == 80 and len(appeal.body) == 2000
    trimmed, _ = send(voices["member"], title="  食堂  ", body="\n 多行\n文字 \n")
    assert (trimmed.title, trimmed.body) == ("食堂", "多行\n文字")


def test_only_an_active_member_sends(voices, union):
    with pytest.raises(NotAMember):
        send(voices["cadre"])  # a cadre account without a member record
    left = factories.member(union["g11"], "赵六", status="left")
    with pytest.raises(NotAMember) as caught:
        send(factories.user("left-one", member=left))
    assert "members" in str(caught.value)
    assert not Appeal.objects.exists()


# --- follow-up messages -------------------------------------------------------------------------------


def test_the_member_writes_to_the_handler(voices, django_capture_on_commit_callbacks):
    appeal, _ = send(voices["member"])
    with django_capture_on_commit_callbacks(execute=True):
        reply = appeal_follow_up(actor=voices["member"], appeal=appeal, body="补充：女浴室也一样。")
    assert (reply.from_submitter, reply.author_id, reply.is_public) == (True, None, False)
    assert appeal.events.filter(kind="followed_up", actor__isnull=True).count() == 1
    assert AuditEvent.objects.filter(action="voices.appeal.followed_up").count() == 1
    told = Notification.objects.get(kind="voices.appeal.followed_up")
    assert told.recipient == voices["cadre"] and appeal.reference in told.title
    assert "女浴室" not in told.title + told.body  # the message is read on the handling page


def test_the_anonymous_submitter_writes_with_the_code_only(voices):
    appeal, code = send(voices["member"], anonymous=True)
    with pytest.raises(OutOfScope):
        appeal_follow_up(actor=voices["member"], appeal=appeal, body="没有查询码")
    with pytest.raises(OutOfScope):
        appeal_follow_up(actor=voices["member"], appeal=appeal, body="错误的码", code="AAAA-AAAA-AAAA-AAAA")
    reply = appeal_follow_up(actor=voices["other_s1"], appeal=appeal, body="补充说明", code=code.lower())
    assert reply.author_id is None and reply.created_at >= appeal.submitted_at
    assert (reply.created_at.minute, reply.created_at.second, reply.created_at.microsecond) == (0, 0, 0)
    assert not AuditEvent.objects.filter(action__startswith="voices.").exists()


def test_an_anonymous_message_stays_after_the_handlers_reply_in_the_history(voices):
    """The submitter's time is cut to the hour, but never before the latest event: the order holds."""
    from unionhome.voices.services.handling import appeal_reply

    appeal, code = send(voices["member"], anonymous=True)
    handler_reply = appeal_reply(actor=voices["cadre"], appeal=appeal, body="请补充地点。", public=False)
    mine = appeal_follow_up(actor=None, appeal=appeal, body="二楼女浴室。", code=code)
    assert mine.created_at >= handler_reply.created_at
    kinds = list(appeal.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds[-1] == "followed_up"


def test_nobody_else_writes_on_a_named_appeal(voices):
    appeal, _ = send(voices["member"])
    other = factories.user("lisi", member=voices["other_s1"])
    for who in (other, voices["cadre"]):
        with pytest.raises(OutOfScope):
            appeal_follow_up(actor=who, appeal=appeal, body="不是我的")
    assert not AppealReply.objects.exists()


@pytest.mark.parametrize("body", ["", "  ", "字" * 2001])
def test_a_message_needs_text(voices, body):
    appeal, _ = send(voices["member"])
    with pytest.raises(ValidationError) as caught:
        appeal_follow_up(actor=voices["member"], appeal=appeal, body=body)
    assert "body" in caught.value.message_dict and not AppealReply.objects.exists()


def test_no_message_on_a_closed_appeal(voices):
    appeal, _ = send(voices["member"])
    answer(voices["cadre"], appeal)
    with pytest.raises(ValidationError, match="not possible"):
        appeal_follow_up(actor=voices["member"], appeal=appeal, body="还有问题")
    assert not AppealReply.objects.filter(from_submitter=True).exists()


# --- withdrawing --------------------------------------------------------------------------------------


def test_the_member_withdraws_an_open_appeal_once(voices, django_capture_on_commit_callbacks):
    appeal, _ = send(voices["member"])
    with django_capture_on_commit_callbacks(execute=True):
        done = appeal_withdraw(actor=voices["member"], appeal=appeal, reason="已自行解决")
    assert done.status == Appeal.Status.WITHDRAWN and done.closed_at is not None
    assert AppealEvent.objects.get(appeal=appeal, kind="withdrawn").note == "已自行解决"
    assert AuditEvent.objects.filter(action="voices.appeal.withdrawn").count() == 1
    assert Notification.objects.filter(kind="voices.appeal.withdrawn", recipient=voices["cadre"]).count() == 1
    with pytest.raises(ValidationError, match="nothing more"):
        appeal_withdraw(actor=voices["member"], appeal=appeal)


def test_an_anonymous_appeal_is_withdrawn_with_its_code(voices):
    appeal, code = send(voices["member"], anonymous=True)
    with pytest.raises(OutOfScope):
        appeal_withdraw(actor=voices["member"], appeal=appeal)
    appeal_withdraw(actor=voices["member"], appeal=appeal, code=code)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.WITHDRAWN and appeal.closed_at.minute == 0
    assert not AuditEvent.objects.filter(action__startswith="voices.").exists()


def test_a_closed_appeal_cannot_be_withdrawn(voices):
    appeal, _ = send(voices["member"])
    answer(voices["cadre"], appeal)
    with pytest.raises(ValidationError):
        appeal_withdraw(actor=voices["member"], appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED
