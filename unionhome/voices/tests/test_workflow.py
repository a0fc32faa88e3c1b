"""The appeal state machine: the table itself, its guards, and (with hypothesis) random sequences of
actions that must keep the invariants whatever happens."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from unionhome.voices import appeal_workflow as workflow
from unionhome.voices.models import Appeal

Status = Appeal.Status
NOW = timezone.make_aware(datetime.datetime(2025, 3, 12, 10, 0))


def fresh() -> Appeal:
    return Appeal(kind="complaint", category="welfare", title="t", body="b")


def saved(status: str, **fields) -> Appeal:
    return Appeal(pk=1, status=status, **fields)


def test_the_table_reaches_every_status_and_withdrawn_is_final():
    targets = {t.target for t in workflow.TRANSITIONS.values()} - {workflow.STAY}
    assert targets == set(Status.values)
    assert set(workflow.ACTIONS) == {
        "submit", "acknowledge", "reply", "transfer", "escalate", "close", "rate", "reopen", "withdraw", "follow_up"
    }  # fmt: skip
    for transition in workflow.TRANSITIONS.values():
        assert not transition.sources & workflow.FINAL, transition.action


def test_submit_only_starts_a_new_appeal():
    appeal = fresh()
    assert workflow.transition(appeal, "submit") == Status.SUBMITTED
    assert appeal.status == Status.SUBMITTED
    with pytest.raises(ValidationError, match="not possible while the appeal is"):
        workflow.transition(saved(Status.SUBMITTED), "submit")
    with pytest.raises(ValidationError, match="not possible while the appeal is"):
        workflow.transition(fresh(), "reply")


def test_a_first_reply_acknowledges_and_later_ones_keep_it_being_handled():
    appeal = saved(Status.SUBMITTED)
    assert workflow.transition(appeal, "reply") == Status.ACKNOWLEDGED
    assert workflow.transition(appeal, "reply") == Status.ACKNOWLEDGED
    assert not workflow.can_transition(appeal, "acknowledge")


def test_transfer_escalate_and_follow_up_keep_the_status():
    for status in workflow.OPEN:
        for action in ("transfer", "escalate", "follow_up"):
            appeal = saved(status)
            assert workflow.transition(appeal, action) == status


def test_closed_appeal_can_be_rated_and_reopened_within_its_window_only():
    closed = saved(Status.CLOSED, reopen_until=NOW + datetime.timedelta(days=1))
    assert workflow.available(closed, now=NOW) == ["rate", "reopen"]
    assert workflow.transition(closed, "rate", now=NOW) == Status.CLOSED
    late = saved(Status.CLOSED, reopen_until=NOW - datetime.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="that time has passed") as refused:
        workflow.transition(late, "reopen", now=NOW)
    assert refused.value.code == "reopen_closed"
    assert late.status == Status.CLOSED
    with pytest.raises(ValidationError, match="can no longer be reopened"):
        workflow.transition(saved(Status.CLOSED), "reopen", now=NOW)
    for action in ("reply", "close", "transfer", "withdraw", "follow_up", "escalate", "acknowledge"):
        assert not workflow.can_transition(closed, action, now=NOW), action


def test_withdrawn_is_final_with_a_clear_message():
    appeal = saved(Status.WITHDRAWN)
    for action in workflow.ACTIONS:
        assert not workflow.can_transition(appeal, action)
    with pytest.raises(ValidationError, match="nothing more can be done") as refused:
        workflow.transition(appeal, "reply")
    assert refused.value.code == "final"


def test_unknown_action_is_refused():
    with pytest.raises(ValidationError, match="Unknown action"):
        workflow.transition(saved(Status.SUBMITTED), "approve")


def test_reopened_appeal_is_handled_again():
    appeal = saved(Status.REOPENED)
    assert workflow.available(appeal) == [
        "acknowledge", "reply", "transfer", "escalate", "close", "withdraw", "follow_up"
    ]  # fmt: skip
    assert workflow.transition(appeal, "acknowledge") == Status.ACKNOWLEDGED


def _model(state: str, action: str, window_open: bool) -> str | None:
    """An independent statement of the rules: the next state, or None when refused."""
    opened = state in ("submitted", "acknowledged", "reopened")
    if action == "submit":
        return "submitted" if state == "new" else None
    if action == "acknowledge":
        return "acknowledged" if state in ("submitted", "reopened") else None
    if action == "reply":
        return "acknowledged" if opened else None
    if action in ("transfer", "escalate", "follow_up"):
        return state if opened else None
    if action == "close":
        return "closed" if opened else None
    if action == "withdraw":
        return "withdrawn" if opened else None
    if action == "rate":
        return "closed" if state == "closed" else None
    if action == "reopen":
        return "reopened" if state == "closed" and window_open else None
    raise AssertionError(action)


@settings(max_examples=300, deadline=None)
@given(
    steps=st.lists(st.tuples(st.sampled_from(workflow.ACTIONS + ("bogus",)), st.booleans()), min_size=1, max_size=25)
)
def test_random_sequences_follow_the_rules(steps):
    appeal = fresh()
    state = "new"
    for action, window_open in steps:
        appeal.reopen_until = NOW + datetime.timedelta(hours=1 if window_open else -1)
        expected = None if action == "bogus" else _model(state, action, window_open)
        before = appeal.status
        assert workflow.can_transition(appeal, action, now=NOW) is (expected is not None)
        if expected is None:
            with pytest.raises(ValidationError) as refused:
                workflow.transition(appeal, action, now=NOW)
            assert str(refused.value.messages[0])
            assert appeal.status == before  # a refusal changes nothing
            continue
        assert workflow.transition(appeal, action, now=NOW) == expected
        assert appeal.status == expected
        if state == "new":
            appeal.pk = 1  # the service saves it
        state = expected
        assert appeal.status in Status.values
        if state == "withdrawn":
            assert workflow.available(appeal, now=NOW) == []
