"""Changing the proposer's rating of a reply within the edit window (``proposal_rating_change``): who, when,
what each change does to the proposal (stays closed, sent back for re-handling, refused once sent back), the
history, the audit trail and the exact satisfaction tallies; and two changes at once counted once."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.concurrency import run_together
from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.audit.models import AuditEvent
from unionhome.congress.models import Proposal, ProposalEvent, ProposalReply
from unionhome.congress.services import proposal_handling as handling
from unionhome.congress.services.proposal_rating import proposal_rating_change
from unionhome.congress.tests import proposal_records as records
from unionhome.notify.models import Notification
from unionhome.satisfaction.models import Rating
from unionhome.satisfaction.tests.tally_recount import recomputed, stored

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _window(settings):
    settings.SATISFACTION_EDIT_DAYS = 7


def change(congress, proposal, rating, comment=None, by=0):
    return proposal_rating_change(actor=congress["rep_users"][by], proposal=proposal, rating=rating, comment=comment)


def last_event(proposal) -> tuple:
    event = ProposalEvent.objects.filter(proposal=proposal).last()
    return (event.action, event.from_status, event.to_status, event.note)


def state(proposal) -> tuple:
    """Everything a change could touch, to compare before and after a refusal."""
    proposal.refresh_from_db()
    reply = ProposalReply.objects.order_by("-round").first()
    ratings = sorted(Rating.objects.values_list("item_id", "score", "comment"))
    return (
        proposal.status,
        proposal.close_reason,
        proposal.reply_due_on,
        reply.rating,
        reply.rating_comment,
        ratings,
        ProposalEvent.objects.count(),
        AuditEvent.objects.filter(action="congress.proposal.rating_changed").count(),
        Notification.objects.filter(kind="congress.proposal.rehandling").count(),
    )


def test_satisfied_to_basically_keeps_it_closed_and_moves_the_tallies(congress):
    proposal = records.at(congress, "closed")
    rated = Rating.objects.get()
    change(congress, proposal, "basically", "  落实了一半  ")
    proposal.refresh_from_db()
    reply = ProposalReply.objects.get()
    assert (proposal.status, proposal.close_reason) == ("closed", "rated")
    assert (reply.rating, reply.rating_comment) == ("basically", "落实了一半")
    found = Rating.objects.get()
    assert (found.pk, found.score, found.comment, found.rated_at) == (rated.pk, 3, "落实了一半", rated.rated_at)
    assert found.changed_at is not None
    assert stored() == recomputed()
    assert last_event(proposal) == ("rating_change", "closed", "closed", "落实了一半")
    audit = AuditEvent.objects.get(action="congress.proposal.rating_changed")
    assert audit.actor == congress["rep_users"][0] and audit.object_id == str(proposal.pk)


def test_the_same_values_again_change_nothing(congress):
    proposal = records.at(congress, "closed")
    before = state(proposal)
    change(congress, proposal, "satisfied", "")
    assert state(proposal) == before and Rating.objects.get().changed_at is None


def test_changing_to_dissatisfied_sends_it_back_like_a_first_dissatisfied_rating(congress):
    proposal = records.at(congress, "closed")
    with pytest.raises(ValidationError) as exc:
        change(congress, proposal, "dissatisfied", "")
    assert "comment" in exc.value.message_dict
    change(congress, proposal, "dissatisfied", "其实没有落实")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.close_reason, proposal.closed_at) == ("rehandling", "", None)
    assert proposal.reply_due_on == congress["today"] + datetime.timedelta(days=30)
    assert proposal.rating_due_on is None
    assert last_event(proposal) == ("send_back", "closed", "rehandling", "其实没有落实")
    assert Notification.objects.get(recipient=congress["handler"], kind="congress.proposal.rehandling")
    assert Rating.objects.get().score == 1 and stored() == recomputed()
    # The department replies again; the new reply is the one to rate, the old rating is fixed.
    handling.proposal_reply(actor=congress["handler"], proposal=proposal, body="重新答复：已落实")
    with pytest.raises(ValidationError) as exc:
        change(congress, proposal, "dissatisfied", "再改")
    assert exc.value.code == "replied_again"
    handling.proposal_rate(actor=congress["rep_users"][0], proposal=proposal, rating="satisfied")
    change(congress, proposal, "basically")
    assert sorted(Rating.objects.values_list("score", flat=True)) == [1, 3] and stored() == recomputed()


def test_from_dissatisfied_only_the_comment_changes(congress):
    proposal = records.at(congress, "rehandling")
    before = state(proposal)
    with pytest.raises(ValidationError, match="sent back to the department") as exc:
        change(congress, proposal, "satisfied")
    assert exc.value.code == "sent_back" and state(proposal) == before
    change(congress, proposal, "dissatisfied", "时间太晚，而且没有检测")
    proposal.refresh_from_db()
    assert proposal.status == "rehandling"
    assert ProposalReply.objects.get().rating_comment == "时间太晚，而且没有检测"
    assert Rating.objects.get().comment == "时间太晚，而且没有检测" and stored() == recomputed()
    assert last_event(proposal)[0] == "rating_change"
    # No second notice to the department: it was told when the proposal was sent back.
    assert Notification.objects.filter(kind="congress.proposal.rehandling").count() == 1


def test_only_the_proposer_may_change_it(congress):
    proposal = records.at(congress, "closed")
    before = state(proposal)
    with pytest.raises(PermissionRefused, match="Only the proposer"):
        change(congress, proposal, "basically", by=1)
    with pytest.raises(PermissionRefused):
        proposal_rating_change(actor=congress["handler"], proposal=proposal, rating="basically")
    with pytest.raises(OutOfScope):
        proposal_rating_change(actor=congress["member"], proposal=proposal, rating="basically")
    assert state(proposal) == before


@pytest.mark.parametrize(
    ("rating", "comment", "field"),
    [("great", "", "rating"), ("", "", "rating"), (None, "", "rating"), ("basically", "x" * 2001, "comment")],
)
def test_bad_values_are_refused_by_field(congress, rating, comment, field):
    proposal = records.at(congress, "closed")
    before = state(proposal)
    with pytest.raises(ValidationError) as exc:
        change(congress, proposal, rating, comment)
    assert field in exc.value.message_dict and state(proposal) == before


def test_after_the_window_nothing_changes(congress):
    proposal = records.at(congress, "closed")
    ProposalReply.objects.update(rated_at=timezone.now() - datetime.timedelta(days=7, minutes=1))
    before = state(proposal)
    with pytest.raises(ValidationError, match="that time has passed") as exc:
        change(congress, proposal, "dissatisfied", "太晚了")
    assert exc.value.code == "edit_window_over" and state(proposal) == before


@pytest.mark.parametrize("status", ["replied", "referred"])
def test_nothing_rated_yet(congress, status):
    proposal = records.at(congress, status)
    with pytest.raises(ValidationError, match="not rated this reply yet") as exc:
        change(congress, proposal, "satisfied")
    assert exc.value.code == "not_rated" and not Rating.objects.exists()


def test_closed_without_a_rating_has_nothing_to_change(congress):
    proposal = records.at(congress, "replied")
    Proposal.objects.filter(pk=proposal.pk).update(rating_due_on=congress["today"] - datetime.timedelta(days=1))
    handling.proposals_rating_timeout(today=congress["today"])
    with pytest.raises(ValidationError) as exc:
        change(congress, proposal, "satisfied")
    assert exc.value.code == "not_rated" and Proposal.objects.get().close_reason == "timeout"


@pytest.mark.django_db(transaction=True)
def test_two_changes_at_once_count_once(congress):
    proposal = records.at(congress, "closed")
    results = run_together(lambda i: change(congress, proposal, "dissatisfied", "没有落实").pk, count=2)
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    proposal.refresh_from_db()
    assert proposal.status == "rehandling"
    assert ProposalEvent.objects.filter(proposal=proposal, action="send_back").count() == 1
    assert AuditEvent.objects.filter(action="congress.proposal.rating_changed").count() == 1
    assert Notification.objects.filter(kind="congress.proposal.rehandling").count() == 1
    assert Rating.objects.get().score == 1 and stored() == recomputed()
