"""An anonymous comment on an opinion call cannot be linked to its author: after one is sent (through the
page, the API and the service), the database row, every other table, the audit trail, the notifications
and the captured log records are inspected for anything naming the member."""

import json
import logging

import pytest
from django.apps import apps

from unionhome.accounts.services import api_token_issue
from unionhome.audit.models import AuditEvent
from unionhome.congress.models import OpinionComment
from unionhome.congress.services import opinion_calls as calls
from unionhome.congress.tests import decision_records as records
from unionhome.notify.models import Notification


def table_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def traces_of(congress) -> list[str]:
    """What would name the member: their username, name, employee number, unit path, member and user ids."""
    member = congress["member_record"]
    user = congress["member"]
    return [user.username, member.name, member.employee_no, member.unit_path, f"member={member.pk}", f"user={user.pk}"]


def assert_no_trace(congress, comment: OpinionComment, caplog, before: dict[str, int], events_before: int) -> None:
    member = congress["member_record"]
    row = OpinionComment.objects.filter(pk=comment.pk).values().get()
    assert row["author_id"] is None and row["unit_path"] == ""
    assert set(row) == {"id", "call_id", "author_id", "unit_path", "body", "submitted_on", "adoption", "adoption_note"}
    assert str(row["submitted_on"]) == comment.submitted_on.isoformat()  # a date: no time of day
    # Only the comment row was added anywhere; no audit event, no notification.
    after = table_counts()
    changed = {label: after[label] - before[label] for label in after if after[label] != before[label]}
    assert changed == {"congress.OpinionComment": 1}, changed
    assert AuditEvent.objects.count() == events_before
    assert not AuditEvent.objects.filter(object_type="congress.opinioncomment").exists()
    assert not AuditEvent.objects.filter(changes__comment=comment.pk).exists()
    assert not Notification.objects.exists()
    # Nothing logged names the member (captured at DEBUG from every logger).
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    for trace in traces_of(congress):
        assert trace not in logged, trace
    assert str(member.pk) not in {str(getattr(r, "member_id", "")) for r in caplog.records}


@pytest.fixture
def open_call(congress):
    return records.open_call(congress, records.new_decision(congress))


def test_anonymous_comment_through_the_page_leaves_no_trace(congress, open_call, login_as, client, caplog):
    login_as(congress["member"])
    before, events_before = table_counts(), AuditEvent.objects.count()
    with caplog.at_level(logging.DEBUG):
        response = client.post(
            f"/congress/decisions/calls/{open_call.pk}/", {"body": "夜班津贴建议再提高", "anonymous": "on"}
        )
    assert response.status_code == 302 and response["Location"] == f"/congress/decisions/calls/{open_call.pk}/"
    comment = OpinionComment.objects.get()
    assert_no_trace(congress, comment, caplog, before, events_before)


def test_anonymous_comment_through_the_api_leaves_no_trace(congress, open_call, client, caplog):
    token = api_token_issue(user=congress["member"])[0]
    before, events_before = table_counts(), AuditEvent.objects.count()
    with caplog.at_level(logging.DEBUG):
        response = client.post(
            f"/api/v1/congress/decisions/opinion-calls/{open_call.pk}/comments",
            data=json.dumps({"body": "匿名：建议分档发放", "anonymous": True}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["anonymous"] is True and body["named_comments_left"] is None
    assert_no_trace(congress, OpinionComment.objects.get(), caplog, before, events_before)


def test_anonymous_comment_through_the_service_leaves_no_trace(congress, open_call, caplog):
    before, events_before = table_counts(), AuditEvent.objects.count()
    with caplog.at_level(logging.DEBUG):
        comment = calls.opinion_comment_submit(
            actor=congress["member"], call=open_call, body="匿名意见", anonymous=True
        )
    assert_no_trace(congress, comment, caplog, before, events_before)


def test_a_named_comment_by_contrast_is_on_record(congress, open_call):
    """The control: the inspection above would notice a named comment."""
    comment = calls.opinion_comment_submit(actor=congress["member"], call=open_call, body="实名意见")
    assert comment.author == congress["member_record"]
    assert AuditEvent.objects.filter(action="congress.opinion_comment.submitted", actor=congress["member"]).exists()


def test_anonymous_comments_show_as_anonymous_once_published(congress, open_call, login_as, client):
    calls.opinion_comment_submit(actor=congress["member"], call=open_call, body="匿名：建议分档", anonymous=True)
    call = records.pass_deadline(open_call)
    comment = OpinionComment.objects.get()
    calls.opinion_comment_mark(actor=congress["office"], comment=comment, adoption="adopted")
    calls.opinion_call_summarise(actor=congress["office"], call=call, summary="采纳分档建议")
    login_as(congress["rep_users"][0])
    page = client.get(f"/congress/decisions/calls/{call.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "匿名：建议分档" in page and "Anonymous" in page
    assert congress["member_record"].name not in page
