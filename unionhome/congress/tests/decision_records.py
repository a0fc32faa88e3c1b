"""Records for the decision tests: decisions at each stage, opinion calls whose deadline has passed, a
motion with a closed vote (built straight through the ORM: the vote services are tested elsewhere), and a
published disclosure notice."""

import datetime

from django.utils import timezone

from unionhome.congress.models import Decision, DecisionTracking, Motion, OpinionCall, Vote, VoteOption
from unionhome.congress.services import decisions as decision_services
from unionhome.congress.services import opinion_calls as call_services
from unionhome.congress.services import tracking as tracking_services
from unionhome.disclosure.models import Notice

DRAFT = "一、适用范围：全体在岗职工。\n二、夜班津贴由每班30元调整为45元。\n三、自下月起执行。"


def new_decision(c, title: str = "关于调整夜班津贴标准的决定") -> Decision:
    return decision_services.decision_create(
        actor=c["office"], union=c["union"]["union"], title=title, summary="调整夜班津贴，提交职代会审议。"
    )


def open_call(c, decision: Decision, *, audience=None, hours: int = 48, allow_anonymous: bool = True) -> OpinionCall:
    return call_services.opinion_call_open(
        actor=c["office"],
        decision=decision,
        audience=audience or c["union"]["union"],
        title="夜班津贴调整方案（征求意见稿）",
        draft=DRAFT,
        closes_at=timezone.now() + datetime.timedelta(hours=hours),
        allow_anonymous=allow_anonymous,
    )


def pass_deadline(call: OpinionCall) -> OpinionCall:
    """Time passes: the call's deadline is a minute ago (the status stays "open" until the sweep)."""
    now = timezone.now()
    OpinionCall.objects.filter(pk=call.pk).update(
        opens_at=now - datetime.timedelta(days=3), closes_at=now - datetime.timedelta(minutes=1)
    )
    call.refresh_from_db()
    return call


def motion(c, title: str = "夜班津贴调整方案") -> Motion:
    session = c["session"]
    return Motion.objects.create(
        session=session, unit_path=session.unit_path, kind=Motion.Kind.WAGE_PLAN, title=title, position=1
    )


def closed_vote(c, on: Motion, *, outcome: str = Vote.Outcome.PASSED, counts=(6, 1, 1)) -> Vote:
    """A closed vote on ``on`` with ``outcome``, and its result as the vote services store it."""
    now = timezone.now()
    labels = ("赞成", "反对", "弃权")
    vote = Vote.objects.create(
        session=on.session,
        motion=on,
        unit_path=on.unit_path,
        title=f"表决：{on.title}",
        status=Vote.Status.CLOSED,
        opened_at=now - datetime.timedelta(minutes=20),
        closed_at=now - datetime.timedelta(minutes=5),
        seated_count=8,
        present_count=8,
        participation_count=sum(counts),
        outcome=outcome,
        result={
            "participation": sum(counts),
            "outcome": outcome,
            "options": [{"label": label, "count": n} for label, n in zip(labels, counts, strict=True)],
        },
    )
    for position, (label, meaning) in enumerate(zip(labels, ("for", "against", "abstain"), strict=True)):
        VoteOption.objects.create(vote=vote, label=label, meaning=meaning, position=position)
    return vote


def notice(c, *, status: str = Notice.Status.PUBLISHED, union=None) -> Notice:
    unit = union or c["union"]["union"]
    return Notice.objects.create(
        unit=unit,
        unit_path=unit.path,
        audience=unit,
        audience_path=unit.path,
        category=Notice.Category.WAGES_WELFARE,
        title="关于夜班津贴调整的公告",
        body="经职代会表决通过，夜班津贴自下月起调整为每班45元。",
        publish_from=timezone.now() - datetime.timedelta(days=1),
        status=status,
        published_at=timezone.now() if status == Notice.Status.PUBLISHED else None,
    )


def deliberating(c) -> Decision:
    decision = new_decision(c)
    return decision_services.decision_link_motion(actor=c["office"], decision=decision, motion=motion(c))


def decided(c) -> Decision:
    decision = deliberating(c)
    closed_vote(c, decision.motion)
    return decision_services.decision_mark_decided(actor=c["office"], decision=decision)


def implementing(c, *, milestones=(("制定实施细则", 10), ("首月按新标准发放", 40))) -> DecisionTracking:
    decision = decided(c)
    tracking = tracking_services.tracking_start(
        actor=c["office"],
        decision=decision,
        responsible="人力资源部",
        target_on=timezone.localdate() + datetime.timedelta(days=60),
    )
    for title, days in milestones:
        tracking_services.milestone_add(
            actor=c["office"],
            tracking=tracking,
            title=title,
            due_on=timezone.localdate() + datetime.timedelta(days=days),
        )
    return tracking
