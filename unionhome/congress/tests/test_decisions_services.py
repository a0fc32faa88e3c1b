"""Decision services: creating the thread, opinion calls and comments, adoption and summary, the motion and
the "decided" guard, the disclosure notice, and the stage table. Each happy path, each guard (a clear
error and nothing written) and each denied role."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import factories
from unionhome.access.policy import PermissionRefused
from unionhome.audit.models import AuditEvent
from unionhome.congress.models import Decision, OpinionCall, OpinionComment, Vote
from unionhome.congress.services import decisions as services
from unionhome.congress.services import opinion_calls as calls
from unionhome.congress.tests import decision_records as records
from unionhome.notify.models import Notification


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- creating a decision -------------------------------------------------------------------------


def test_office_creates_a_decision_on_its_union(congress):
    decision = records.new_decision(congress)
    assert (decision.stage, decision.unit_path, decision.created_by) == (
        Decision.Stage.CONSULTING,
        congress["union"]["union"].path,
        congress["office"],
    )
    assert AuditEvent.objects.get(action="congress.decision.created").actor == congress["office"]


@pytest.mark.parametrize("who", ["member", "cadre", "committee", "handler"])
def test_creating_a_decision_needs_the_permission(congress, who):
    with pytest.raises(PermissionRefused):
        services.decision_create(actor=congress[who], union=congress["union"]["union"], title="x")
    assert not Decision.objects.exists()


def test_office_of_another_union_may_not_create_here(congress):
    other = factories.unit(None, "炼油厂工会", "union", code="RF")
    office = factories.user("office_rf", roles=(("congress_office", other),))
    with pytest.raises(PermissionRefused):
        services.decision_create(actor=office, union=congress["union"]["union"], title="x")


@pytest.mark.parametrize(
    ("unit", "title", "field"), [("union", "  ", "title"), ("union", "x" * 201, "title"), ("s1", "ok", "union")]
)
def test_decision_needs_a_title_and_a_union(congress, unit, title, field):
    with pytest.raises(ValidationError) as exc:
        services.decision_create(actor=congress["office"], union=congress["union"][unit], title=title)
    assert field in exc.value.message_dict
    assert not Decision.objects.exists() and not events("congress.decision.created")


# --- opinion calls -------------------------------------------------------------------------------


def test_office_opens_an_opinion_call(congress):
    decision = records.new_decision(congress)
    call = records.open_call(congress, decision, audience=congress["union"]["s1"])
    assert (call.status, call.audience_path, call.unit_path) == (
        OpinionCall.Status.OPEN,
        congress["union"]["s1"].path,
        decision.unit_path,
    )
    assert calls.accepting_comments(call)
    assert events("congress.opinion_call.opened") == 1


def test_opinion_call_guards(congress):
    decision = records.new_decision(congress)
    other = factories.unit(None, "炼油厂工会", "union", code="RF")
    now = timezone.now()
    base = {"actor": congress["office"], "decision": decision, "title": "t", "draft": "d"}
    cases = [
        ({"audience": other, "closes_at": now + datetime.timedelta(days=1)}, "audience"),
        ({"audience": congress["union"]["union"], "closes_at": now - datetime.timedelta(minutes=1)}, "closes_at"),
        (
            {
                "audience": congress["union"]["union"],
                "opens_at": now + datetime.timedelta(days=2),
                "closes_at": now + datetime.timedelta(days=1),
            },
            "closes_at",
        ),
        (
            {"audience": congress["union"]["union"], "closes_at": now + datetime.timedelta(days=1), "draft": " "},
            "draft",
        ),
    ]
    for extra, field in cases:
        with pytest.raises(ValidationError) as exc:
            calls.opinion_call_open(**{**base, **extra})
        assert field in exc.value.message_dict
    assert not OpinionCall.objects.exists()


def test_no_opinion_call_once_the_decision_went_to_the_congress(congress):
    decision = records.deliberating(congress)
    with pytest.raises(ValidationError, match="only before the decision goes to the congress"):
        records.open_call(congress, decision)


def test_opening_a_call_needs_the_permission(congress):
    decision = records.new_decision(congress)
    with pytest.raises(PermissionRefused):
        calls.opinion_call_open(
            actor=congress["cadre"],
            decision=decision,
            audience=congress["union"]["s1"],
            title="t",
            draft="d",
            closes_at=timezone.now() + datetime.timedelta(days=1),
        )


def test_office_closes_a_call_early_and_the_sweep_closes_past_deadlines(congress):
    first = records.open_call(congress, records.new_decision(congress))
    calls.opinion_call_close(actor=congress["office"], call=first)
    with pytest.raises(ValidationError, match="already closed"):
        calls.opinion_call_close(actor=congress["office"], call=first)
    second = records.pass_deadline(records.open_call(congress, records.new_decision(congress, "食堂改造")))
    assert calls.opinion_calls_close_due(now=timezone.now()) == 1
    second.refresh_from_db()
    assert second.status == OpinionCall.Status.CLOSED


# --- comments ------------------------------------------------------------------------------------


def test_member_of_the_audience_comments_by_name(congress):
    call = records.open_call(congress, records.new_decision(congress), audience=congress["union"]["s1"])
    comment = calls.opinion_comment_submit(actor=congress["member"], call=call, body="  建议夜班津贴按季度调整。 ")
    assert (comment.author, comment.unit_path, comment.body, comment.submitted_on) == (
        congress["member_record"],
        congress["member_record"].unit_path,
        "建议夜班津贴按季度调整。",
        timezone.localdate(),
    )
    event = AuditEvent.objects.get(action="congress.opinion_comment.submitted")
    assert event.actor == congress["member"] and event.changes["comment"] == comment.pk


def test_member_outside_the_audience_cannot_comment(congress):
    call = records.open_call(congress, records.new_decision(congress), audience=congress["union"]["s2"])
    for who in ("member", "office", "cadre"):
        with pytest.raises(ValidationError, match="for the members of 第二检验站分工会"):
            calls.opinion_comment_submit(actor=congress[who], call=call, body="x")
    assert not OpinionComment.objects.exists()


def test_comments_are_closed_after_the_deadline(congress):
    call = records.pass_deadline(records.open_call(congress, records.new_decision(congress)))
    with pytest.raises(ValidationError, match="Comments closed on .*: the deadline has passed"):
        calls.opinion_comment_submit(actor=congress["member"], call=call, body="晚了")
    with pytest.raises(ValidationError, match="Comments closed"):
        calls.opinion_comment_submit(actor=congress["member"], call=call, body="晚了", anonymous=True)
    assert not OpinionComment.objects.exists()


def test_comments_wait_for_the_opening(congress):
    call = calls.opinion_call_open(
        actor=congress["office"],
        decision=records.new_decision(congress),
        audience=congress["union"]["union"],
        title="t",
        draft="d",
        opens_at=timezone.now() + datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=3),
    )
    with pytest.raises(ValidationError, match="Comments open on"):
        calls.opinion_comment_submit(actor=congress["member"], call=call, body="早了")


@pytest.mark.parametrize(("body", "message"), [(" \n ", "required"), ("字" * 2001, "at most 2000")])
def test_comment_must_not_be_empty_or_too_long(congress, body, message):
    call = records.open_call(congress, records.new_decision(congress))
    with pytest.raises(ValidationError, match=message) as exc:
        calls.opinion_comment_submit(actor=congress["member"], call=call, body=body)
    assert "body" in exc.value.message_dict and not OpinionComment.objects.exists()


def test_anonymous_comment_only_where_allowed(congress):
    call = records.open_call(congress, records.new_decision(congress), allow_anonymous=False)
    with pytest.raises(ValidationError) as exc:
        calls.opinion_comment_submit(actor=congress["member"], call=call, body="x", anonymous=True)
    assert "anonymous" in exc.value.message_dict and not OpinionComment.objects.exists()


def test_at_most_five_named_comments_per_member_anonymous_ones_are_not_counted(congress):
    call = records.open_call(congress, records.new_decision(congress))
    for n in range(5):
        calls.opinion_comment_submit(actor=congress["member"], call=call, body=f"意见{n}")
    with pytest.raises(ValidationError, match="already sent 5 comments"):
        calls.opinion_comment_submit(actor=congress["member"], call=call, body="第六条")
    calls.opinion_comment_submit(actor=congress["member"], call=call, body="匿名补充", anonymous=True)
    assert OpinionComment.objects.filter(author=congress["member_record"]).count() == 5
    assert OpinionComment.objects.filter(author=None).count() == 1


# --- adoption and the summary --------------------------------------------------------------------


def commented_and_closed(congress):
    call = records.open_call(congress, records.new_decision(congress))
    named = calls.opinion_comment_submit(actor=congress["member"], call=call, body="建议提高到50元")
    anonymous = calls.opinion_comment_submit(actor=congress["rep_users"][0], call=call, body="匿名意见", anonymous=True)
    return records.pass_deadline(call), named, anonymous


def test_marking_waits_for_the_deadline(congress):
    call = records.open_call(congress, records.new_decision(congress))
    comment = calls.opinion_comment_submit(actor=congress["member"], call=call, body="x")
    with pytest.raises(ValidationError, match="once the opinion call has closed"):
        calls.opinion_comment_mark(actor=congress["office"], comment=comment, adoption="adopted")
    comment.refresh_from_db()
    assert comment.adoption == OpinionComment.Adoption.PENDING


def test_marking_guards_and_permission(congress):
    call, named, _ = commented_and_closed(congress)
    with pytest.raises(ValidationError) as exc:
        calls.opinion_comment_mark(actor=congress["office"], comment=named, adoption="not_adopted", note=" ")
    assert "note" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        calls.opinion_comment_mark(actor=congress["office"], comment=named, adoption="pending")
    assert "adoption" in exc.value.message_dict
    with pytest.raises(PermissionRefused):
        calls.opinion_comment_mark(actor=congress["member"], comment=named, adoption="adopted")
    named.refresh_from_db()
    assert named.adoption == OpinionComment.Adoption.PENDING and not events("congress.opinion_comment.marked")


def test_summary_needs_every_comment_marked_then_is_published_once(congress):
    call, named, anonymous = commented_and_closed(congress)
    calls.opinion_comment_mark(actor=congress["office"], comment=named, adoption="adopted", note="采纳")
    with pytest.raises(ValidationError, match="1 comment has not been considered"):
        calls.opinion_call_summarise(actor=congress["office"], call=call, summary="综述")
    calls.opinion_comment_mark(actor=congress["office"], comment=anonymous, adoption="not_adopted", note="超出本次范围")
    with pytest.raises(ValidationError) as exc:
        calls.opinion_call_summarise(actor=congress["office"], call=call, summary="  ")
    assert "summary" in exc.value.message_dict
    call = calls.opinion_call_summarise(actor=congress["office"], call=call, summary="采纳1条：津贴提高到50元。")
    assert call.status == OpinionCall.Status.SUMMARISED and call.summarised_at is not None
    event = AuditEvent.objects.get(action="congress.opinion_call.summarised")
    assert (event.changes["adopted"], event.changes["not_adopted"]) == (1, 1)
    # The member who commented by name is told; nobody is told about the anonymous comment.
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["member"]
    with pytest.raises(ValidationError, match="already been published"):
        calls.opinion_call_summarise(actor=congress["office"], call=call, summary="again")
    with pytest.raises(ValidationError, match="can no longer be changed"):
        calls.opinion_comment_mark(actor=congress["office"], comment=named, adoption="partly", note="x")


def test_summary_waits_for_the_deadline_and_needs_the_permission(congress):
    call = records.open_call(congress, records.new_decision(congress))
    with pytest.raises(ValidationError, match="once the opinion call has closed"):
        calls.opinion_call_summarise(actor=congress["office"], call=call, summary="x")
    with pytest.raises(PermissionRefused):
        calls.opinion_call_summarise(actor=congress["cadre"], call=records.pass_deadline(call), summary="x")
    call.refresh_from_db()
    assert call.status == OpinionCall.Status.OPEN


# --- during: the motion, the vote, the notice ----------------------------------------------------


def test_link_motion_waits_for_open_calls_and_takes_this_unions_motions(congress):
    decision = records.new_decision(congress)
    call = records.open_call(congress, decision)
    motion = records.motion(congress)
    with pytest.raises(ValidationError, match="still open"):
        services.decision_link_motion(actor=congress["office"], decision=decision, motion=motion)
    records.pass_deadline(call)
    other = factories.unit(None, "炼油厂工会", "union", code="RF")
    foreign = records.motion(congress)
    type(foreign).objects.filter(pk=foreign.pk).update(unit_path=other.path)
    foreign.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.decision_link_motion(actor=congress["office"], decision=decision, motion=foreign)
    assert "motion" in exc.value.message_dict
    with pytest.raises(PermissionRefused):
        services.decision_link_motion(actor=congress["member"], decision=decision, motion=motion)
    decision.refresh_from_db()
    assert (decision.stage, decision.motion_id) == (Decision.Stage.CONSULTING, None)
    decision = services.decision_link_motion(actor=congress["office"], decision=decision, motion=motion)
    assert (decision.stage, decision.motion) == (Decision.Stage.DELIBERATING, motion)


@pytest.mark.parametrize(
    "vote",
    [None, {"status": Vote.Status.OPEN, "outcome": ""}, {"outcome": Vote.Outcome.FAILED}, {"outcome": "no_quorum"}],
)
def test_decided_needs_a_closed_passed_vote(congress, vote):
    decision = records.deliberating(congress)
    if vote is not None:
        made = records.closed_vote(congress, decision.motion, outcome=vote["outcome"])
        type(made).objects.filter(pk=made.pk).update(status=vote.get("status", Vote.Status.CLOSED))
    with pytest.raises(ValidationError, match="no closed vote on it with the outcome “passed”"):
        services.decision_mark_decided(actor=congress["office"], decision=decision)
    decision.refresh_from_db()
    assert decision.stage == Decision.Stage.DELIBERATING and not events("congress.decision.decided")


def test_decided_with_a_passed_vote(congress):
    decision = records.deliberating(congress)
    vote = records.closed_vote(congress, decision.motion)
    with pytest.raises(PermissionRefused):
        services.decision_mark_decided(actor=congress["cadre"], decision=decision)
    decision = services.decision_mark_decided(actor=congress["office"], decision=decision)
    assert decision.stage == Decision.Stage.DECIDED
    assert AuditEvent.objects.get(action="congress.decision.decided").changes["vote"] == vote.pk


def test_decided_only_from_deliberating(congress):
    decision = records.new_decision(congress)
    with pytest.raises(ValidationError, match="cannot be done while the decision is at the stage"):
        services.decision_mark_decided(actor=congress["office"], decision=decision)


def test_notice_is_linked_once_decided_and_must_be_published_and_of_this_union(congress):
    early = records.deliberating(congress)
    published = records.notice(congress)
    with pytest.raises(ValidationError, match="once the decision has been decided"):
        services.decision_link_notice(actor=congress["office"], decision=early, notice=published)
    decision = records.decided(congress)
    with pytest.raises(ValidationError) as exc:
        services.decision_link_notice(
            actor=congress["office"], decision=decision, notice=records.notice(congress, status="draft")
        )
    assert "notice" in exc.value.message_dict
    other = factories.unit(None, "炼油厂工会", "union", code="RF")
    with pytest.raises(ValidationError):
        services.decision_link_notice(
            actor=congress["office"], decision=decision, notice=records.notice(congress, union=other)
        )
    decision = services.decision_link_notice(actor=congress["office"], decision=decision, notice=published)
    assert decision.notice == published


def test_drop_before_the_decision_with_a_reason(congress):
    decision = records.deliberating(congress)
    with pytest.raises(ValidationError) as exc:
        services.decision_drop(actor=congress["office"], decision=decision, reason=" ")
    assert "reason" in exc.value.message_dict
    decision = services.decision_drop(actor=congress["office"], decision=decision, reason="表决未通过")
    assert decision.stage == Decision.Stage.DROPPED and "表决未通过" in decision.summary
    with pytest.raises(ValidationError, match="cannot be done"):
        services.decision_drop(actor=congress["office"], decision=records.decided(congress), reason="x")


def test_transition_table_is_complete():
    stages = set(Decision.Stage.values)
    for transition in services.TRANSITIONS.values():
        assert transition.sources <= stages and transition.target in stages
    reachable = {Decision.Stage.CONSULTING} | {t.target for t in services.TRANSITIONS.values()}
    assert reachable == stages
