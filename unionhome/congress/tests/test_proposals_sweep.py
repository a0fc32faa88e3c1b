"""The daily congress sweep: reminders three days before the reply deadline, escalation of overdue replies
to the congress office, closing unrated replies; run twice, it sends and changes nothing more."""

import datetime

import pytest
from django_tasks_db.models import DBTaskResult

from unionhome.congress import tasks
from unionhome.congress.models import Proposal, ProposalEvent
from unionhome.congress.tests import proposal_records as records
from unionhome.notify.models import Notification
from unionhome.server import scheduler

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _committed(transactional_db, settings):
    """The real task worker reads committed data; notifications are written in the site's language."""
    settings.LANGUAGE_CODE = "en"


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def kinds(user) -> list[str]:
    return sorted(
        Notification.objects.filter(recipient=user, kind__startswith="congress.proposal.").values_list(
            "kind", flat=True
        )
    )


def test_the_daily_job_is_registered():
    jobs = {job.name: job for job in scheduler.registered_jobs()}
    assert jobs["congress.daily"].task.module_path == "unionhome.congress.tasks.congress_daily"
    assert jobs["congress.daily"].every == datetime.timedelta(days=1)


def test_reminder_three_days_before_the_deadline_once(congress, run_tasks):
    proposal = records.at(congress, "referred")
    due = proposal.reply_due_on
    Notification.objects.all().delete()
    tasks.congress_daily.enqueue((due - days(4)).isoformat())
    run_tasks()
    assert kinds(congress["handler"]) == []
    for _ in range(2):
        tasks.congress_daily.enqueue((due - days(3)).isoformat())
        run_tasks()
    assert kinds(congress["handler"]) == ["congress.proposal.reply_due"]
    tasks.congress_daily.enqueue((due - days(1)).isoformat())  # the same deadline: no second reminder
    run_tasks()
    assert kinds(congress["handler"]) == ["congress.proposal.reply_due"]


def test_overdue_replies_are_escalated_to_the_congress_office_once(congress):
    from unionhome.congress.services.proposal_handling import proposals_escalate

    proposal = records.at(congress, "referred")
    late = proposal.reply_due_on + days(1)
    assert proposals_escalate(today=proposal.reply_due_on) == 0
    assert proposals_escalate(today=late) == 1
    assert proposals_escalate(today=late) == 0
    assert proposals_escalate(today=late + days(5)) == 0
    # the office (congress_office role) and the chair (who also holds congress.manage) are told
    assert kinds(congress["office"]) == ["congress.proposal.escalated"]
    assert kinds(congress["chair"]) == ["congress.proposal.escalated"]
    assert kinds(congress["committee"]) == []
    assert ProposalEvent.objects.filter(proposal=proposal, action="escalate").count() == 1
    assert Proposal.objects.get().status == "referred"


def test_rehandling_gets_a_new_deadline_and_a_new_escalation(congress):
    from unionhome.congress.services.proposal_handling import proposals_escalate

    proposal = records.at(congress, "rehandling")
    assert proposals_escalate(today=proposal.reply_due_on + days(1)) == 1
    assert ProposalEvent.objects.filter(action="escalate").count() == 1


def test_unrated_replies_close_after_the_rating_period(congress, run_tasks):
    proposal = records.at(congress, "replied")
    rated = records.at(congress, "closed", by=4, title="已评价")
    tasks.congress_daily.enqueue(proposal.rating_due_on.isoformat())
    run_tasks()
    assert Proposal.objects.get(pk=proposal.pk).status == "replied"
    for _ in range(2):
        result = tasks.congress_daily.enqueue((proposal.rating_due_on + days(1)).isoformat())
        run_tasks()
    assert DBTaskResult.objects.get(pk=result.id).return_value["proposals_rating_timeout"] == 0  # the re-run
    proposal.refresh_from_db()
    assert (proposal.status, proposal.close_reason) == ("closed", "timeout")
    assert ProposalEvent.objects.filter(proposal=proposal, action="time_out").count() == 1
    assert Proposal.objects.get(pk=rated.pk).close_reason == "rated"
