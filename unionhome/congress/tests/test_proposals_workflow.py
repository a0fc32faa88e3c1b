"""The proposal state machine: the table itself, who may take each step, and (with hypothesis) random
sequences of steps by random people that must keep the invariants whatever happens."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unionhome.congress import proposal_workflow as workflow
from unionhome.congress.models import Proposal, ProposalReply, Seconding
from unionhome.congress.services import proposal_handling as handling
from unionhome.congress.services import proposals as services
from unionhome.congress.tests import proposal_records as records
from unionhome.congress.tests.proposal_records import CONTENT
from unionhome.satisfaction.models import Rating

pytestmark = pytest.mark.django_db
Status = Proposal.Status
NUMBERED = {Status.ACCEPTED, Status.REFERRED, Status.REPLIED, Status.REHANDLING, Status.CLOSED}
WITH_DEPARTMENT = {Status.REFERRED, Status.REPLIED, Status.REHANDLING, Status.CLOSED}
AFTER_SECONDING = NUMBERED | {Status.SUBMITTED, Status.CONVERTED, Status.MERGED}


def test_the_table_reaches_every_status_and_only_the_sweep_times_out():
    targets = {t.target for t in workflow.TRANSITIONS.values()}
    assert targets | {Status.SUGGESTED} == set(Status.values)
    assert workflow.TRANSITIONS["time_out"].who == workflow.SYSTEM
    assert {a for a, t in workflow.TRANSITIONS.items() if t.needs_note} == {"accept", "convert", "merge", "send_back"}
    for transition in workflow.TRANSITIONS.values():
        assert not transition.sources & workflow.FINAL, transition.action


def test_available_steps_per_person(congress):
    proposal = records.at(congress, "seconding", seconders=(1,))
    reps = congress["rep_users"]
    assert workflow.available(reps[0], proposal) == ["send_for_review"]
    assert workflow.available(reps[2], proposal) == ["second"]
    assert workflow.available(congress["committee"], proposal) == []
    submitted = records.at(congress, "submitted", by=3)
    assert workflow.available(congress["committee"], submitted) == ["accept", "convert", "merge"]
    replied = records.at(congress, "replied", by=4)
    assert workflow.available(reps[4], replied) == ["rate", "send_back"]
    assert workflow.available(congress["handler"], replied) == []
    assert workflow.may_record_progress(congress["handler"], replied)


def test_check_refuses_in_a_fixed_order(congress):
    proposal = records.at(congress, "submitted")
    with pytest.raises(Http404):  # cannot see it
        workflow.check(congress["member"], proposal, "accept")
    with pytest.raises(PermissionDenied):  # sees it, not a reviewer
        workflow.check(congress["cadre"], proposal, "accept")
    with pytest.raises(ValidationError, match="not possible while the proposal is"):
        workflow.check(congress["committee"], proposal, "refer")
    with pytest.raises(ValidationError, match="Unknown action"):
        workflow.check(congress["committee"], proposal, "explode")
    with pytest.raises(PermissionDenied, match="automatically"):
        workflow.check(congress["committee"], proposal, "time_out")


def test_who_sees_a_draft_and_a_suggestion(congress):
    draft = records.draft(congress)
    assert workflow.may_see(congress["rep_users"][0], draft)
    assert not workflow.may_see(congress["rep_users"][1], draft)
    assert workflow.may_see(congress["chair"], draft)  # congress.view_proposals on the union
    suggestion = services.proposal_suggest(actor=congress["member"], session=congress["session"], **CONTENT)
    assert workflow.may_see(congress["rep_users"][1], suggestion)  # to adopt it
    assert workflow.may_see(congress["member"], suggestion)
    assert not workflow.may_see(congress["handler"], suggestion)


# --- random sequences ----------------------------------------------------------------------------

ACTIONS = [
    "draft",
    "suggest",
    "adopt",
    "submit",
    "second",
    "send_for_review",
    "accept",
    "convert",
    "merge",
    "refer",
    "reply",
    "progress",
    "rate_satisfied",
    "rate_dissatisfied",
    "time_out",
]
REFUSALS = (ValidationError, PermissionDenied, Http404)


def _people(congress) -> list:
    others = [congress[key] for key in ("committee", "handler", "member", "chair")]
    return [*congress["rep_users"][:4], *others]


def _right_person(congress, action: str, target: Proposal | None, pick: int):
    """Who would normally take the step (so that sequences get far), before anyone else is tried."""
    reps = congress["rep_users"]
    if action in {"submit", "send_for_review", "rate_satisfied", "rate_dissatisfied"} and target is not None:
        proposer = Proposal.objects.filter(pk=target.pk).values_list("proposer__member_id", flat=True).first()
        return next((u for u in reps if u.member_id == proposer), reps[0])
    if action in {"accept", "convert", "merge", "refer"}:
        return congress["committee"]
    if action in {"reply", "progress"}:
        return congress["handler"]
    if action == "suggest":
        return congress["member"]
    return reps[pick % 4]


def _target(proposals: list[Proposal], pick: int) -> Proposal | None:
    """Mostly one of the two newest proposals (so that one gets far), sometimes any."""
    if not proposals:
        return None
    return proposals[-1 - pick % 2] if pick < 15 and len(proposals) > 1 else proposals[pick % len(proposals)]


ADVANCE = {
    Status.DRAFT: "submit",
    Status.SUGGESTED: "adopt",
    Status.SUBMITTED: "accept",
    Status.ACCEPTED: "refer",
    Status.REFERRED: "reply",
    Status.REHANDLING: "reply",
}


def _advance(congress, target: Proposal, pick: int) -> tuple[str, object]:
    """The natural next step of ``target`` and who takes it."""
    status = Proposal.objects.filter(pk=target.pk).values_list("status", flat=True).get()
    if status == Status.SECONDING:
        count = Seconding.objects.filter(proposal=target).count()
        if count >= congress["term"].min_seconders:
            return "send_for_review", _right_person(congress, "send_for_review", target, pick)
        proposer = Proposal.objects.filter(pk=target.pk).values_list("proposer__member_id", flat=True).get()
        others = [u for u in congress["rep_users"] if u.member_id != proposer]
        return "second", others[(count + pick) % len(others)]
    if status == Status.SUBMITTED and pick % 5 == 0:
        return ("convert" if pick % 2 else "merge"), congress["committee"]
    if status == Status.REPLIED:
        action = "rate_dissatisfied" if pick % 3 == 0 else "rate_satisfied"
        return action, _right_person(congress, action, target, pick)
    action = ADVANCE.get(status, "time_out")
    return action, _right_person(congress, action, target, pick)


def _play(congress, action: str, actor, proposals: list[Proposal], pick: int) -> None:
    session = congress["session"]
    target = _target(proposals, pick)
    if action == "draft":
        proposals.append(services.proposal_draft(actor=actor, session=session, **CONTENT))
    elif action == "suggest":
        proposals.append(services.proposal_suggest(actor=actor, session=session, **CONTENT))
    elif action == "time_out":
        handling.proposals_rating_timeout(today=congress["today"] + datetime.timedelta(days=60))
    elif target is None:
        return
    elif action in {"adopt", "submit", "second", "send_for_review"}:
        getattr(services, f"proposal_{action}")(actor=actor, proposal=target)
    elif action in {"accept", "convert"}:
        getattr(services, f"proposal_{action}")(actor=actor, proposal=target, reason="理由")
    elif action == "merge":
        into = proposals[(pick + 1) % len(proposals)]
        services.proposal_merge(actor=actor, proposal=target, into=into, reason="合并")
    elif action == "refer":
        services.proposal_refer(actor=actor, proposal=target, department=congress["department"])
    elif action == "reply":
        handling.proposal_reply(actor=actor, proposal=target, body="答复")
    elif action == "progress":
        handling.proposal_progress_record(actor=actor, proposal=target, note="进展", percent=50)
    elif action.startswith("rate_"):
        rating = action.removeprefix("rate_")
        handling.proposal_rate(actor=actor, proposal=target, rating=rating, comment="意见")


def _check_invariants(congress, finals: dict[int, str]) -> None:
    rows = list(Proposal.objects.annotate(n_seconders=Count("secondings")).order_by("pk"))
    numbers = sorted(p.number for p in rows if p.number is not None)
    assert numbers == list(range(1, len(numbers) + 1)), "numbers are 1..n without gaps or doubles"
    needed = congress["term"].min_seconders
    for p in rows:
        assert (p.number is not None) == (p.status in NUMBERED), f"number only on accepted: {p.status}"
        assert (p.department_id is not None) == (p.status in WITH_DEPARTMENT), p.status
        if p.status in AFTER_SECONDING:
            assert p.n_seconders >= needed
        if p.status in {Status.DRAFT, Status.SUGGESTED}:
            assert p.n_seconders == 0
        if p.status == Status.MERGED:
            assert p.merged_into_id is not None and p.merged_into_id != p.pk
        if p.pk in finals:
            assert p.status == finals[p.pk], "a closed, converted or merged proposal never changes"
        if p.status in workflow.FINAL:
            finals[p.pk] = p.status
        last = p.events.exclude(action="escalate").order_by("-created_at", "-id").first()
        assert last is not None and last.to_status == p.status
        replies = p.replies.count()
        assert (replies > 0) == (p.status in {Status.REPLIED, Status.REHANDLING, Status.CLOSED})
    for seconding in Seconding.objects.select_related("proposal__proposer"):
        assert seconding.representative_id != seconding.proposal.proposer_id, "nobody seconds their own"
    assert Rating.objects.count() == ProposalReply.objects.exclude(rating="").count()


def test_random_sequences_keep_the_invariants(congress):
    people = _people(congress)
    # who: 0–9 the person who would normally take the step, 10+ anyone (mostly refused).
    # "advance": the proposal's natural next step by the right person, two times in three.
    action = st.sampled_from(["advance"] * 2 * len(ACTIONS) + ACTIONS)
    step = st.tuples(action, st.integers(0, 9 + len(people)), st.integers(0, 20))

    @given(st.lists(step, min_size=15, max_size=50))
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def play(steps):
        with transaction.atomic():
            savepoint = transaction.savepoint()
            proposals: list[Proposal] = [records.draft(congress), records.draft(congress, by=3)]
            finals: dict[int, str] = {}
            for action, who, pick in steps:
                try:
                    with transaction.atomic():
                        target = _target(proposals, pick)
                        if action == "advance" and target is not None:
                            action, actor = _advance(congress, target, pick)
                        else:
                            actor = _right_person(congress, action, target, pick) if who < 10 else people[who - 10]
                        _play(congress, action, actor, proposals, pick)
                except REFUSALS:
                    pass
                _check_invariants(congress, finals)
            transaction.savepoint_rollback(savepoint)

    play()


def test_a_guided_sequence_reaches_the_end(congress):
    """The random test above mostly meets refusals; this one walks the whole way, including re-handling."""
    proposal = records.at(congress, "rehandling")
    handling.proposal_reply(actor=congress["handler"], proposal=proposal, body="第二次答复")
    handling.proposals_rating_timeout(today=congress["today"] + datetime.timedelta(days=16))
    proposal.refresh_from_db()
    assert (proposal.status, proposal.close_reason) == ("closed", "timeout")
    assert list(proposal.events.values_list("action", flat=True)) == [
        "draft",
        "submit",
        "send_for_review",
        "accept",
        "refer",
        "reply",
        "send_back",
        "reply",
        "time_out",
    ]
    _check_invariants(congress, {})
