"""After the decision: tracking, milestones, the delayed status and the daily sweep, representatives'
inspections with their satisfaction ratings, and marking the decision implemented."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from unionhome.access.policy import PermissionRefused
from unionhome.audit.models import AuditEvent
from unionhome.congress.models import (
    Congress,
    Decision,
    DecisionTracking,
    Delegation,
    Representative,
    TrackingInspection,
    TrackingMilestone,
)
from unionhome.congress.ratings import DECISION_IMPLEMENTATION
from unionhome.congress.selectors.decisions import decision_timeline
from unionhome.congress.services import tracking as services
from unionhome.congress.tests import decision_records as records
from unionhome.notify.models import Notification
from unionhome.satisfaction.models import Rating


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def test_tracking_starts_once_decided(congress):
    early = records.deliberating(congress)
    with pytest.raises(ValidationError, match="cannot be done while the decision is at the stage"):
        services.tracking_start(actor=congress["office"], decision=early, responsible="人力资源部", target_on=days(30))
    decision = records.decided(congress)
    for responsible, target, field in [(" ", days(30), "responsible"), ("人力资源部", days(-1), "target_on")]:
        with pytest.raises(ValidationError) as exc:
            services.tracking_start(
                actor=congress["office"], decision=decision, responsible=responsible, target_on=target
            )
        assert field in exc.value.message_dict
    with pytest.raises(PermissionRefused):
        services.tracking_start(actor=congress["member"], decision=decision, responsible="x", target_on=days(30))
    assert not DecisionTracking.objects.exists()
    decision.refresh_from_db()
    assert decision.stage == Decision.Stage.DECIDED
    tracking = services.tracking_start(
        actor=congress["office"], decision=decision, responsible="人力资源部", target_on=days(30)
    )
    decision.refresh_from_db()
    assert (decision.stage, tracking.status) == (Decision.Stage.IMPLEMENTING, DecisionTracking.Status.ON_TRACK)


def test_milestones_add_progress_done(congress):
    tracking = records.implementing(congress, milestones=())
    with pytest.raises(ValidationError) as exc:
        services.milestone_add(actor=congress["office"], tracking=tracking, title=" ", due_on=days(5))
    assert "title" in exc.value.message_dict
    with pytest.raises(PermissionRefused):
        services.milestone_add(actor=congress["cadre"], tracking=tracking, title="x", due_on=days(5))
    milestone = services.milestone_add(actor=congress["office"], tracking=tracking, title="制定细则", due_on=days(5))
    with pytest.raises(ValidationError) as exc:
        services.milestone_update(actor=congress["office"], milestone=milestone, progress_note=" ")
    assert "progress_note" in exc.value.message_dict
    services.milestone_update(actor=congress["office"], milestone=milestone, progress_note="细则初稿已完成")
    milestone = services.milestone_update(actor=congress["office"], milestone=milestone, done=True)
    assert (milestone.progress_note, milestone.done_on) == ("细则初稿已完成", timezone.localdate())
    with pytest.raises(ValidationError, match="already done"):
        services.milestone_update(actor=congress["office"], milestone=milestone, progress_note="again")


def test_past_due_milestone_delays_the_tracking_and_the_sweep_tells_the_office_once(congress):
    tracking = records.implementing(congress, milestones=(("制定细则", 3),))
    milestone = TrackingMilestone.objects.get(tracking=tracking)
    assert services.tracking_sweep(timezone.localdate()) == {"calls_closed": 0, "delayed": 0, "back_on_track": 0}
    later = days(5)
    assert decision_timeline(tracking.decision, later).tracking_status == DecisionTracking.Status.DELAYED
    assert services.tracking_sweep(later)["delayed"] == 1
    tracking.refresh_from_db()
    assert tracking.status == DecisionTracking.Status.DELAYED
    assert services.tracking_sweep(later)["delayed"] == 0  # no change, nothing sent again
    notification = Notification.objects.get(kind="congress.tracking.delayed")
    assert notification.recipient == congress["office"] and notification.url.endswith(f"/{tracking.decision_id}/")
    services.milestone_update(actor=congress["office"], milestone=milestone, done=True)
    tracking.refresh_from_db()
    assert tracking.status == DecisionTracking.Status.ON_TRACK


def test_milestone_added_in_the_past_delays_at_once(congress):
    tracking = records.implementing(congress, milestones=())
    services.milestone_add(actor=congress["office"], tracking=tracking, title="补录", due_on=days(-2))
    tracking.refresh_from_db()
    assert tracking.status == DecisionTracking.Status.DELAYED


def test_a_representative_inspects_and_rates(congress):
    tracking = records.implementing(congress)
    rep = congress["reps"][2]
    inspection = services.tracking_inspect(
        actor=congress["rep_users"][2], tracking=tracking, score=4, findings="细则已公布，首月发放待查。"
    )
    assert (inspection.representative, inspection.member, inspection.score) == (rep, rep.member, 4)
    rating = Rating.objects.get()
    assert (rating.service_line, rating.item_type, rating.item_id, rating.member, rating.cadre, rating.score) == (
        DECISION_IMPLEMENTATION,
        "congress.trackinginspection",
        inspection.pk,
        rep.member,
        None,
        4,
    )
    event = AuditEvent.objects.get(action="congress.tracking.inspected")
    assert "score" not in event.changes
    with pytest.raises(ValidationError, match="already inspected this implementation today"):
        services.tracking_inspect(actor=congress["rep_users"][2], tracking=tracking, score=5, findings="again")
    services.tracking_inspect(actor=congress["rep_users"][5], tracking=tracking, score=2, findings="进度偏慢")
    assert decision_timeline(tracking.decision).average_score == 3.0


@pytest.mark.parametrize(
    ("score", "findings", "field"),
    [(0, "ok", "score"), (6, "ok", "score"), (True, "ok", "score"), (3, " ", "findings")],
)
def test_inspection_input(congress, score, findings, field):
    tracking = records.implementing(congress)
    with pytest.raises(ValidationError) as exc:
        services.tracking_inspect(actor=congress["rep_users"][0], tracking=tracking, score=score, findings=findings)
    assert field in exc.value.message_dict
    assert not TrackingInspection.objects.exists() and not Rating.objects.exists()


def test_only_seated_representatives_of_the_current_term_inspect(congress):
    tracking = records.implementing(congress)
    withdrawn = congress["reps"][1]
    Representative.objects.filter(pk=withdrawn.pk).update(status=Representative.Status.WITHDRAWN)
    old_term = Congress.objects.create(
        unit=congress["union"]["union"],
        unit_path=congress["union"]["union"].path,
        number=2,
        name="第二届",
        starts_on=days(-2000),
        ends_on=days(-401),
    )
    delegation = Delegation.objects.create(
        congress=old_term, unit=congress["union"]["s1"], unit_path=congress["union"]["s1"].path, quota=4
    )
    Representative.objects.create(
        congress=old_term,
        delegation=delegation,
        member=congress["member_record"],
        unit_path=delegation.unit_path,
        category="front_line",
        elected_on=old_term.starts_on,
    )
    for user in (congress["member"], congress["office"], congress["chair"], congress["rep_users"][1]):
        with pytest.raises(PermissionDenied, match="Only the seated representatives"):
            services.tracking_inspect(actor=user, tracking=tracking, score=5, findings="x")
    assert not TrackingInspection.objects.exists()


def test_representative_of_another_union_may_not_inspect(congress):
    tracking = records.implementing(congress)
    other = factories.unit(None, "炼油厂工会", "union", code="RF")
    DecisionTracking.objects.filter(pk=tracking.pk).update(unit_path=other.path)
    tracking.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.tracking_inspect(actor=congress["rep_users"][0], tracking=tracking, score=5, findings="x")


def test_decision_is_implemented_once_every_milestone_is_done(congress):
    bare = records.implementing(congress, milestones=())
    with pytest.raises(ValidationError, match="Add the implementation's milestones first"):
        services.decision_complete(actor=congress["office"], decision=bare.decision)
    tracking = records.implementing(congress)
    first, second = TrackingMilestone.objects.filter(tracking=tracking).order_by("due_on")
    services.milestone_update(actor=congress["office"], milestone=first, done=True)
    with pytest.raises(ValidationError, match="1 milestone is not done yet"):
        services.decision_complete(actor=congress["office"], decision=tracking.decision)
    with pytest.raises(PermissionRefused):
        services.decision_complete(actor=congress["member"], decision=tracking.decision)
    services.milestone_update(actor=congress["office"], milestone=second, done=True)
    decision = services.decision_complete(actor=congress["office"], decision=tracking.decision)
    tracking.refresh_from_db()
    assert (decision.stage, tracking.status) == (Decision.Stage.DONE, DecisionTracking.Status.DONE)
    with pytest.raises(ValidationError, match="only while the decision is being implemented"):
        services.milestone_add(actor=congress["office"], tracking=tracking, title="x", due_on=days(1))
    # Representatives may still inspect an implemented decision.
    services.tracking_inspect(actor=congress["rep_users"][0], tracking=tracking, score=5, findings="已全部落实")
