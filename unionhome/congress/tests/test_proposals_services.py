"""Proposal services: each step's happy path, each guard and bad input (a clear error, nothing written),
each denied role (403 with a reason, 404 out of sight), notifications and the satisfaction rating."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import factories
from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.audit.models import AuditEvent
from unionhome.congress.models import HandlingDepartment, Proposal, ProposalEvent, ProposalReply, Seconding
from unionhome.congress.ratings import PROPOSAL_REPLIES
from unionhome.congress.services import proposal_handling as handling
from unionhome.congress.services import proposals as services
from unionhome.congress.tests import proposal_records as records
from unionhome.congress.tests.proposal_records import CONTENT
from unionhome.notify.models import Notification
from unionhome.satisfaction.models import Rating

pytestmark = pytest.mark.django_db


def messages(exc) -> str:
    return " ".join(exc.value.messages)


# --- drafting and suggesting ---------------------------------------------------------------------


def test_a_representative_drafts_and_submits(congress):
    rep = congress["rep_users"][0]
    proposal = services.proposal_draft(actor=rep, session=congress["session"], **CONTENT)
    assert (proposal.status, proposal.proposer, proposal.author_id) == (
        "draft",
        congress["reps"][0],
        congress["reps"][0].member_id,
    )
    assert proposal.unit_path == congress["delegations"]["s1"].unit_path
    services.proposal_submit(actor=rep, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == "seconding" and proposal.submitted_at is not None
    assert list(proposal.events.values_list("action", flat=True)) == ["draft", "submit"]
    assert AuditEvent.objects.filter(action="congress.proposal.submitted").count() == 1


def test_only_seated_representatives_draft(congress):
    with pytest.raises(PermissionRefused, match="Only seated representatives"):
        services.proposal_draft(actor=congress["member"], session=congress["session"], **CONTENT)
    rep = congress["reps"][0]
    rep.status = "withdrawn"
    rep.save()
    with pytest.raises(PermissionRefused):
        services.proposal_draft(actor=congress["rep_users"][0], session=congress["session"], **CONTENT)
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "  ", "Give the proposal a title."),
        ("title", "x" * 201, "at most 200"),
        ("title", "a\x00b", "cannot be stored"),
        ("category", "nonsense", "Choose a category"),
        ("reasons", "", "Explain the reasons"),
        ("measures", "y" * 4001, "at most 4000"),
    ],
)
def test_bad_content_is_refused_per_field(congress, field, value, message):
    with pytest.raises(ValidationError) as exc:
        services.proposal_draft(
            actor=congress["rep_users"][0], session=congress["session"], **{**CONTENT, field: value}
        )
    assert message in " ".join(exc.value.message_dict[field])
    assert not Proposal.objects.exists()


def test_proposals_close_at_the_sessions_closing_time(congress):
    session = congress["session"]
    proposal = records.draft(congress)
    session.proposals_close_at = timezone.now() - datetime.timedelta(minutes=1)
    session.save()
    with pytest.raises(ValidationError, match="Proposals for this session closed at") as exc:
        services.proposal_draft(actor=congress["rep_users"][1], session=session, **CONTENT)
    assert exc.value.code == "proposals_closed"
    with pytest.raises(ValidationError, match="closed at"):
        services.proposal_submit(actor=congress["rep_users"][0], proposal=proposal)
    with pytest.raises(ValidationError, match="closed at"):
        services.proposal_suggest(actor=congress["member"], session=session, **CONTENT)
    assert Proposal.objects.count() == 1 and Proposal.objects.get().status == "draft"


def test_a_member_suggests_and_a_representative_adopts(congress):
    suggestion = services.proposal_suggest(actor=congress["member"], session=congress["session"], **CONTENT)
    assert (suggestion.status, suggestion.proposer, suggestion.author) == (
        "suggested",
        None,
        congress["member_record"],
    )
    rep = congress["rep_users"][5]
    services.proposal_adopt(actor=rep, proposal=suggestion, note="很有意义")
    suggestion.refresh_from_db()
    assert suggestion.status == "draft" and suggestion.proposer == congress["reps"][5]
    assert suggestion.author == congress["member_record"]  # the author stays the member
    assert suggestion.unit_path == congress["delegations"]["s2"].unit_path
    note = Notification.objects.get(recipient=congress["member"], kind="congress.proposal.adopted")
    assert note.body == "很有意义"
    services.proposal_submit(actor=rep, proposal=suggestion)
    assert Proposal.objects.get(pk=suggestion.pk).status == "seconding"


def test_a_member_of_another_union_cannot_suggest(congress):
    other = factories.unit(None, "别的工会", "union", code="XX")
    outsider = factories.user("outsider", member=factories.member(other, "外人"))
    with pytest.raises(OutOfScope):
        services.proposal_suggest(actor=outsider, session=congress["session"], **CONTENT)
    with pytest.raises(OutOfScope):
        services.proposal_suggest(actor=congress["chair"], session=congress["session"], **CONTENT)  # no member


def test_a_non_representative_cannot_adopt(congress):
    suggestion = services.proposal_suggest(actor=congress["member"], session=congress["session"], **CONTENT)
    with pytest.raises(PermissionRefused, match="seated representatives"):
        services.proposal_adopt(actor=congress["member"], proposal=suggestion)
    with pytest.raises(OutOfScope):
        services.proposal_adopt(actor=congress["handler"], proposal=suggestion)


def test_only_the_proposer_changes_a_draft(congress):
    proposal = records.draft(congress)
    services.proposal_update(actor=congress["rep_users"][0], proposal=proposal, **{**CONTENT, "title": "新标题"})
    assert Proposal.objects.get().title == "新标题"
    with pytest.raises(OutOfScope):  # drafts are private
        services.proposal_update(actor=congress["rep_users"][1], proposal=proposal, **CONTENT)


# --- seconding and sending for review ------------------------------------------------------------


def test_seconding_rules(congress):
    proposal = records.at(congress, "seconding", seconders=())
    reps = congress["rep_users"]
    with pytest.raises(ValidationError, match="cannot second your own") as exc:
        services.proposal_second(actor=reps[0], proposal=proposal)
    assert exc.value.code == "own_proposal"
    services.proposal_second(actor=reps[1], proposal=proposal)
    with pytest.raises(ValidationError, match="already seconded"):
        services.proposal_second(actor=reps[1], proposal=proposal)
    with pytest.raises(PermissionRefused, match="seated representatives"):
        services.proposal_second(actor=congress["chair"], proposal=proposal)  # sees it, holds no seat
    with pytest.raises(OutOfScope):
        services.proposal_second(actor=congress["member"], proposal=proposal)
    assert Seconding.objects.filter(proposal=proposal).count() == 1


def test_sending_for_review_needs_enough_seconders(congress):
    proposal = records.at(congress, "seconding", seconders=(1,))
    with pytest.raises(ValidationError) as exc:
        services.proposal_send_for_review(actor=congress["rep_users"][0], proposal=proposal)
    assert messages(exc) == "This proposal needs 2 seconders, it has 1."
    assert exc.value.code == "needs_seconders"
    assert Proposal.objects.get().status == "seconding"
    with pytest.raises(PermissionRefused, match="Only the proposer"):
        services.proposal_send_for_review(actor=congress["rep_users"][1], proposal=proposal)
    services.proposal_second(actor=congress["rep_users"][2], proposal=proposal)
    services.proposal_send_for_review(actor=congress["rep_users"][0], proposal=proposal)
    assert Proposal.objects.get().status == "submitted"


def test_seconding_closes_with_the_session(congress):
    proposal = records.at(congress, "seconding", seconders=())
    congress["session"].status = "closed"
    congress["session"].save()
    with pytest.raises(ValidationError, match="session is closed"):
        services.proposal_second(actor=congress["rep_users"][1], proposal=records.refresh(proposal))


# --- review --------------------------------------------------------------------------------------


def test_accepting_numbers_proposals_in_order_and_tells_the_proposer(congress):
    first = records.at(congress, "submitted", title="一")
    second = records.at(congress, "submitted", by=3, title="二")
    services.proposal_accept(actor=congress["committee"], proposal=second, reason="符合条件")
    services.proposal_accept(actor=congress["committee"], proposal=first, reason="符合条件")
    assert Proposal.objects.get(pk=second.pk).number == 1 and Proposal.objects.get(pk=first.pk).number == 2
    note = Notification.objects.get(recipient=congress["rep_users"][0], kind="congress.proposal.accepted")
    assert "一" in note.title and note.body == "符合条件"
    event = ProposalEvent.objects.get(proposal=first, action="accept")
    assert (event.from_status, event.to_status, event.note) == ("submitted", "accepted", "符合条件")


def test_review_needs_a_reason_and_the_permission(congress):
    proposal = records.at(congress, "submitted")
    with pytest.raises(ValidationError) as exc:
        services.proposal_accept(actor=congress["committee"], proposal=proposal, reason=" ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(PermissionRefused, match="congress.review_proposals"):
        services.proposal_accept(actor=congress["cadre"], proposal=proposal, reason="x")  # view only
    with pytest.raises(PermissionRefused, match="congress.review_proposals"):
        services.proposal_accept(actor=congress["rep_users"][0], proposal=proposal, reason="x")
    with pytest.raises(OutOfScope):
        services.proposal_accept(actor=congress["member"], proposal=proposal, reason="x")
    assert Proposal.objects.get().status == "submitted" and Proposal.objects.get().number is None


def test_convert_is_final_with_its_reason(congress):
    proposal = records.at(congress, "converted")
    assert (proposal.status, proposal.number, proposal.close_reason) == ("converted", None, "not_accepted")
    assert Notification.objects.filter(kind="congress.proposal.converted").count() == 1
    with pytest.raises(ValidationError, match="nothing more can be done"):
        services.proposal_accept(actor=congress["committee"], proposal=proposal, reason="x")


def test_merge_into_a_proposal_of_the_same_session(congress):
    target = records.at(congress, "accepted", title="目标")
    proposal = records.at(congress, "submitted", by=4, title="被合并")
    draft = records.draft(congress, title="草稿")
    with pytest.raises(ValidationError) as exc:
        services.proposal_merge(actor=congress["committee"], proposal=proposal, into=draft, reason="同类")
    assert "submitted or accepted" in " ".join(exc.value.message_dict["into"])
    with pytest.raises(ValidationError):
        services.proposal_merge(actor=congress["committee"], proposal=proposal, into=proposal, reason="同类")
    with pytest.raises(ValidationError):
        services.proposal_merge(actor=congress["committee"], proposal=proposal, into=None, reason="同类")
    services.proposal_merge(actor=congress["committee"], proposal=proposal, into=target, reason="内容相同，合并办理")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.merged_into_id, proposal.number) == ("merged", target.pk, None)
    assert Notification.objects.get(kind="congress.proposal.merged").body == "内容相同，合并办理"


# --- referral, reply, progress, rating -----------------------------------------------------------


def test_referral_defaults_the_deadline_and_tells_the_handlers(congress):
    proposal = records.at(congress, "referred")
    assert proposal.status == "referred" and proposal.department == congress["department"]
    assert proposal.reply_due_on == congress["today"] + datetime.timedelta(days=30)
    assert Notification.objects.filter(recipient=congress["handler"], kind="congress.proposal.referred_to_you").exists()
    assert Notification.objects.filter(recipient=congress["rep_users"][0], kind="congress.proposal.referred").exists()


def test_referral_refuses_an_inactive_or_foreign_department_and_a_past_deadline(congress):
    proposal = records.at(congress, "accepted")
    inactive = HandlingDepartment.objects.create(
        unit=congress["union"]["union"], unit_path=congress["union"]["union"].path, name="停用部门", is_active=False
    )
    for department, due, field in [
        (inactive, None, "department"),
        (None, None, "department"),
        (congress["department"], congress["today"], "reply_due_on"),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.proposal_refer(
                actor=congress["committee"], proposal=proposal, department=department, reply_due_on=due
            )
        assert field in exc.value.message_dict
    assert Proposal.objects.get().status == "accepted"


def test_only_the_departments_handler_replies(congress):
    proposal = records.at(congress, "referred")
    other = factories.user("other-handler")
    HandlingDepartment.objects.create(
        unit=congress["union"]["union"], unit_path=congress["union"]["union"].path, name="财务部"
    ).handlers.add(other)
    with pytest.raises(OutOfScope):  # cannot even see it
        handling.proposal_reply(actor=other, proposal=proposal, body="答复")
    with pytest.raises(PermissionRefused, match="not referred to your department"):
        handling.proposal_reply(actor=congress["chair"], proposal=proposal, body="答复")
    with pytest.raises(ValidationError):
        handling.proposal_reply(actor=congress["handler"], proposal=proposal, body="  ")
    assert not ProposalReply.objects.exists()


def test_reply_on_time_and_late(congress):
    proposal = records.at(congress, "replied")
    reply = ProposalReply.objects.get()
    assert (reply.round, reply.on_time, reply.member_id) == (1, True, congress["reps"][0].member_id)
    assert proposal.rating_due_on == congress["today"] + datetime.timedelta(days=15)
    late = records.at(congress, "referred", by=2, title="迟复")
    Proposal.objects.filter(pk=late.pk).update(reply_due_on=congress["today"] - datetime.timedelta(days=1))
    reply = handling.proposal_reply(actor=congress["handler"], proposal=late, body="迟到的答复")
    assert reply.on_time is False


def test_progress_is_recorded_by_handlers_after_referral(congress):
    accepted = records.at(congress, "accepted", title="未交办")
    with pytest.raises(OutOfScope):
        handling.proposal_progress_record(actor=congress["handler"], proposal=accepted, note="x", percent=10)
    proposal = records.at(congress, "referred", by=1)
    for percent in (-1, 101, "50", True):
        with pytest.raises(ValidationError):
            handling.proposal_progress_record(actor=congress["handler"], proposal=proposal, note="x", percent=percent)
    handling.proposal_progress_record(actor=congress["handler"], proposal=proposal, note="已招标", percent=40)
    with pytest.raises(PermissionRefused):
        handling.proposal_progress_record(actor=congress["rep_users"][1], proposal=proposal, note="x", percent=1)
    assert list(proposal.progress.values_list("percent", flat=True)) == [40]


@pytest.mark.parametrize(("rating", "score"), [("satisfied", 5), ("basically", 3)])
def test_a_satisfied_rating_closes_and_feeds_the_satisfaction_index(congress, rating, score):
    proposal = records.at(congress, "replied")
    handling.proposal_rate(actor=congress["rep_users"][0], proposal=proposal, rating=rating)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.close_reason) == ("closed", "rated")
    reply = ProposalReply.objects.get()
    found = Rating.objects.get()
    assert (found.service_line, found.item_type, found.item_id, found.score) == (
        PROPOSAL_REPLIES,
        "congress.proposalreply",
        reply.pk,
        score,
    )
    assert (found.member_id, found.cadre_id, found.unit_path) == (
        congress["reps"][0].member_id,
        congress["handler"].pk,
        congress["reps"][0].member.unit_path,  # where the worker is
    )


def test_dissatisfied_sends_it_back_and_the_department_replies_again(congress):
    proposal = records.at(congress, "replied")
    with pytest.raises(ValidationError) as exc:
        handling.proposal_rate(actor=congress["rep_users"][0], proposal=proposal, rating="dissatisfied")
    assert "comment" in exc.value.message_dict
    handling.proposal_rate(actor=congress["rep_users"][0], proposal=proposal, rating="dissatisfied", comment="没落实")
    proposal.refresh_from_db()
    assert proposal.status == "rehandling" and proposal.rating_due_on is None
    assert proposal.reply_due_on == congress["today"] + datetime.timedelta(days=30)
    assert Rating.objects.get().score == 1
    assert Notification.objects.get(recipient=congress["handler"], kind="congress.proposal.rehandling")
    reply = handling.proposal_reply(actor=congress["handler"], proposal=proposal, body="重新答复：已落实")
    assert reply.round == 2
    handling.proposal_rate(actor=congress["rep_users"][0], proposal=proposal, rating="basically")
    assert Proposal.objects.get().status == "closed"
    assert sorted(Rating.objects.values_list("score", flat=True)) == [1, 3]


def test_only_the_proposer_rates_and_only_a_known_rating(congress):
    proposal = records.at(congress, "replied")
    with pytest.raises(PermissionRefused, match="Only the proposer"):
        handling.proposal_rate(actor=congress["rep_users"][1], proposal=proposal, rating="satisfied")
    with pytest.raises(ValidationError):
        handling.proposal_rate(actor=congress["rep_users"][0], proposal=proposal, rating="great")
    with pytest.raises(PermissionRefused):
        handling.proposal_rate(actor=congress["handler"], proposal=proposal, rating="satisfied")
    assert not Rating.objects.exists() and Proposal.objects.get().status == "replied"
