"""Demo decisions (决策前建议、决策中参与、决策后监督) of the reference union: one followed all the way (opinion
call with about twenty comments, some anonymous, and its adoption summary; the motion passed at the
closed first session; the disclosure notice when one exists; tracking with milestones, all done, and
representatives' inspections with their ratings) and one whose draft is out for comments now.

Written straight through the ORM (small data, dates in the past that the services would refuse)."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from unionhome.accounts.models import User
from unionhome.congress.models import (
    CongressSession,
    Decision,
    DecisionTracking,
    Motion,
    OpinionCall,
    OpinionComment,
    Representative,
    TrackingInspection,
    TrackingMilestone,
    Vote,
    VoteOption,
)
from unionhome.congress.ratings import DECISION_IMPLEMENTATION
from unionhome.disclosure.models import Notice
from unionhome.org.models import Member, OrgUnit
from unionhome.satisfaction.services import rating_record

CANTEEN_DRAFT = (
    "一、各检验站班组就餐补贴由每人每天15元提高至20元，夜班另加夜餐补贴10元。\n"
    "二、云溪区各站点无食堂的，按月发放就餐补贴，随工资发放。\n"
    "三、城区中心食堂增设夜间供餐窗口（22:00—次日2:00）。\n"
    "四、本方案经职工代表大会审议通过后执行，由后勤服务中心负责落实。"
)
CANTEEN_COMMENTS = [
    "夜班补贴10元偏低，凌晨在岗的同事建议提高到15元。",
    "云溪区站点离城区远，希望补贴按月发放时不要拖到次月。",
    "夜间窗口能否延长到凌晨4点，四点交接班的同事也能吃上热饭。",
    "建议食堂公布菜价和成本，接受职工监督。",
    "煤炭检验站现场没有微波炉，建议配备。",
    "就餐补贴是否计入社保基数，请在方案里写清楚。",
    "原料检验站倒班人员多，建议夜餐可以改成发放餐券。",
    "希望增加清真和少油少盐的菜品。",
    "外派到码头取样的同事也应享受补贴。",
    "建议每季度由职工代表对食堂进行一次满意度测评。",
    "补贴提高很好，支持方案。",
    "临时借调人员是否同样享受，建议明确。",
    "夜间窗口人手不够时，建议提供预订自取。",
    "建议把补贴标准与物价指数挂钩，每两年调整一次。",
    "城区食堂排队时间长，建议分站错峰就餐。",
    "请明确病假、休假期间是否发放就餐补贴。",
    "女职工哺乳期加班时能否提供营养餐。",
    "支持，希望尽快实施。",
    "建议在各站设置意见箱，收集对食堂的意见。",
    "方案第三条夜间窗口的位置离生产区远，建议设在检验楼一层。",
]
ADOPTION = [
    ("adopted", "已采纳：夜餐补贴提高至15元。"),
    ("adopted", "已采纳：明确当月随工资发放。"),
    ("partly", "部分采纳：夜间窗口延长至凌晨3点。"),
    ("adopted", "已采纳：每月公示菜价。"),
    ("adopted", "已采纳：各站配备微波炉。"),
    ("not_adopted", "补贴按国家规定不计入缴费基数，已在说明中解释。"),
    ("partly", "部分采纳：夜餐可选餐券或现场就餐。"),
    ("adopted", "已采纳：增设清真和健康窗口。"),
    ("adopted", "已采纳：外派取样人员同样享受。"),
    ("adopted", "已采纳：纳入职工代表巡视检查。"),
    ("adopted", ""),
    ("adopted", "已采纳：借调人员同样享受。"),
    ("partly", "部分采纳：先在城区食堂试行预订。"),
    ("not_adopted", "本次方案不涉及调整机制，建议下届会议以提案形式提出。"),
    ("partly", "部分采纳：安排两个时段错峰就餐。"),
    ("adopted", "已采纳：在方案中明确。"),
    ("not_adopted", "属于女职工特殊保护事项，转女职工委员会研究。"),
    ("adopted", ""),
    ("not_adopted", "各站已有线上意见征集渠道，不再另设。"),
    ("adopted", "已采纳：窗口设在检验楼一层。"),
]
ANONYMOUS = {2, 5, 8, 13, 16, 18}
CANTEEN_SUMMARY = (
    "本次意见征集共收到意见20条（其中匿名6条），采纳12条，部分采纳4条，未采纳4条。\n"
    "主要修改：夜餐补贴由10元提高至15元；补贴当月随工资发放；夜间供餐窗口延长至凌晨3点并设在检验楼一层；"
    "外派、借调人员同样享受；食堂每月公示菜价，纳入职工代表巡视检查。\n"
    "未采纳的意见均已逐条说明理由。"
)
MILESTONES = [
    ("制定就餐补贴实施细则并公示", 20, "细则已在厂务公开栏公示七天，无异议。"),
    ("各站配备微波炉和保温设备", 45, "九个站点全部配齐。"),
    ("城区食堂夜间窗口开放", 60, "夜间窗口已于开放日起试运行，日均就餐80人次。"),
    ("首月按新标准发放补贴", 75, "首月补贴已随工资发放到位。"),
]
FINDINGS = [
    (5, "夜间窗口按时开放，饭菜是热的，一线职工反映很好。"),
    (4, "补贴已足额发放；云溪区站点微波炉到位，但个别站点保温箱偏小。"),
    (4, "菜价已按月公示，建议增加夜间菜品种类。"),
]
HOUSING_DRAFT = (
    "一、职工住房公积金缴存比例由10%提高至12%，单位和个人同步调整。\n"
    "二、新入职职工自入职次月起缴存。\n"
    "三、本方案提交职工代表大会审议，审议通过后自次年1月起执行。"
)
HOUSING_COMMENTS = [
    ("支持提高缴存比例，能减轻买房压力。", False),
    ("个人部分提高后到手工资会减少，建议给职工选择的余地。", True),
    ("建议明确劳务派遣人员是否同样缴存。", False),
    ("希望说明提高比例后对年终奖有没有影响。", True),
    ("支持，建议尽快执行。", False),
]


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _office(union: OrgUnit) -> User | None:
    return (
        User.objects.filter(role_assignments__role="congress_office", role_assignments__unit=union)
        .order_by("pk")
        .first()
        or User.objects.filter(role_assignments__role="chair", role_assignments__unit=union).order_by("pk").first()
    )


def _commenters(union: OrgUnit, rng: random.Random, count: int) -> list[Member]:
    pool = list(
        Member.objects.filter(unit_path__startswith=union.path, status=Member.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", "unit_path")[:2000]
    )
    picked = rng.sample(pool, min(count, len(pool)))
    return [Member(pk=pk, unit_path=path) for pk, path in picked]


@transaction.atomic
def build(*, union: OrgUnit, session: CongressSession, rng: random.Random) -> None:
    """Two decisions of ``union``: the canteen subsidy, decided at the closed first session of ``session``'s
    term and implemented; and the housing fund, out for comments now."""
    office = _office(union)
    past = (
        CongressSession.objects.filter(congress_id=session.congress_id, status=CongressSession.Status.CLOSED)
        .order_by("-starts_at")
        .first()
        or session
    )
    _canteen(union, past, office, rng)
    _housing(union, office, rng)


def _canteen(union: OrgUnit, past: CongressSession, office: User | None, rng: random.Random) -> None:
    held = timezone.localtime(past.starts_at).date()
    decision = Decision.objects.create(
        unit=union,
        unit_path=union.path,
        title="关于调整职工就餐补贴标准的决定",
        summary="调整班组就餐补贴和夜餐补贴标准，增设夜间供餐窗口，提交职代会审议。",
        stage=Decision.Stage.DONE,
        created_by=office,
    )
    call = OpinionCall.objects.create(
        decision=decision,
        unit_path=union.path,
        audience=union,
        audience_path=union.path,
        title="职工就餐补贴调整方案（征求意见稿）",
        draft=CANTEEN_DRAFT,
        opens_at=_at(held - datetime.timedelta(days=35)),
        closes_at=_at(held - datetime.timedelta(days=21), 18),
        allow_anonymous=True,
        status=OpinionCall.Status.SUMMARISED,
        adoption_summary=CANTEEN_SUMMARY,
        summarised_at=_at(held - datetime.timedelta(days=14)),
        created_by=office,
    )
    authors = _commenters(union, rng, len(CANTEEN_COMMENTS))
    comments = []
    for i, body in enumerate(CANTEEN_COMMENTS):
        anonymous = i in ANONYMOUS or i >= len(authors)
        adoption, note = ADOPTION[i]
        comments.append(
            OpinionComment(
                call=call,
                author=None if anonymous else authors[i],
                unit_path="" if anonymous else authors[i].unit_path,
                body=body,
                submitted_on=held - datetime.timedelta(days=34 - i * 13 // len(CANTEEN_COMMENTS)),
                adoption=adoption,
                adoption_note=note,
            )
        )
    OpinionComment.objects.bulk_create(comments)

    motion = Motion.objects.create(
        session=past,
        unit_path=past.unit_path,
        kind=Motion.Kind.WELFARE_SCHEME,
        title="职工就餐补贴调整方案",
        summary=CANTEEN_DRAFT,
        position=20,
        created_by=office,
    )
    seated = Representative.objects.filter(congress_id=past.congress_id, status=Representative.Status.SEATED).count()
    present = max(1, seated - rng.randint(0, max(1, seated // 20)))
    against = rng.randint(0, max(1, present // 25))
    abstain = rng.randint(0, max(1, present // 30))
    counts = [("赞成", "for", present - against - abstain), ("反对", "against", against), ("弃权", "abstain", abstain)]
    vote = Vote.objects.create(
        session=past,
        motion=motion,
        unit_path=past.unit_path,
        title="表决：职工就餐补贴调整方案",
        secrecy=Vote.Secrecy.SECRET,
        status=Vote.Status.CLOSED,
        created_by=office,
        opened_at=past.starts_at + datetime.timedelta(hours=3),
        closed_at=past.starts_at + datetime.timedelta(hours=3, minutes=12),
        seated_count=seated,
        present_count=present,
        participation_count=present,
        outcome=Vote.Outcome.PASSED,
        result={
            "participation": present,
            "seated": seated,
            "present": present,
            "outcome": "passed",
            "options": [{"label": label, "meaning": meaning, "count": n} for label, meaning, n in counts],
        },
    )
    VoteOption.objects.bulk_create(
        VoteOption(vote=vote, label=label, meaning=meaning, position=i) for i, (label, meaning, _) in enumerate(counts)
    )
    decision.motion = motion
    decision.notice = (
        Notice.objects.filter(
            unit_path__startswith=union.path,
            status=Notice.Status.PUBLISHED,
            category__in=[Notice.Category.WAGES_WELFARE, Notice.Category.MAJOR_DECISIONS],
        )
        .order_by("-publish_from", "-id")
        .first()
    )
    decision.save(update_fields=["motion", "notice"])

    tracking = DecisionTracking.objects.create(
        decision=decision,
        unit_path=union.path,
        responsible="后勤服务中心",
        target_on=held + datetime.timedelta(days=90),
        status=DecisionTracking.Status.DONE,
    )
    TrackingMilestone.objects.bulk_create(
        TrackingMilestone(
            tracking=tracking,
            title=title,
            due_on=held + datetime.timedelta(days=days),
            done_on=held + datetime.timedelta(days=days - rng.randint(0, 5)),
            progress_note=note,
        )
        for title, days, note in MILESTONES
    )
    seats = list(
        Representative.objects.filter(congress_id=past.congress_id, status=Representative.Status.SEATED).order_by("pk")
    )
    for i, seat in enumerate(rng.sample(seats, min(len(FINDINGS), len(seats)))):
        score, findings = FINDINGS[i]
        inspection = TrackingInspection.objects.create(
            tracking=tracking,
            representative=seat,
            member_id=seat.member_id,
            unit_path=union.path,
            score=score,
            findings=findings,
            inspected_on=held + datetime.timedelta(days=50 + 15 * i),
        )
        rating_record(
            service_line=DECISION_IMPLEMENTATION,
            item_type=TrackingInspection._meta.label_lower,
            item_id=inspection.pk,
            member=seat.member,
            unit_path=seat.member.unit_path,
            cadre_id=None,
            score=score,
            comment=findings,
        )
    Decision.objects.filter(pk=decision.pk).update(created_at=_at(held - datetime.timedelta(days=40)))


def _housing(union: OrgUnit, office: User | None, rng: random.Random) -> None:
    today = timezone.localdate()
    decision = Decision.objects.create(
        unit=union,
        unit_path=union.path,
        title="关于调整住房公积金缴存比例的决定",
        summary="拟提高住房公积金缴存比例，先向全体会员征求意见，再提交职代会审议。",
        created_by=office,
    )
    call = OpinionCall.objects.create(
        decision=decision,
        unit_path=union.path,
        audience=union,
        audience_path=union.path,
        title="住房公积金缴存比例调整方案（征求意见稿）",
        draft=HOUSING_DRAFT,
        opens_at=_at(today - datetime.timedelta(days=3), 8),
        closes_at=_at(today + datetime.timedelta(days=10), 18),
        allow_anonymous=True,
        created_by=office,
    )
    authors = _commenters(union, rng, len(HOUSING_COMMENTS))
    OpinionComment.objects.bulk_create(
        OpinionComment(
            call=call,
            author=None if anonymous or i >= len(authors) else authors[i],
            unit_path="" if anonymous or i >= len(authors) else authors[i].unit_path,
            body=body,
            submitted_on=today - datetime.timedelta(days=min(3, len(HOUSING_COMMENTS) - i - 1)),
        )
        for i, (body, anonymous) in enumerate(HOUSING_COMMENTS)
    )
    Decision.objects.filter(pk=decision.pk).update(created_at=_at(today - datetime.timedelta(days=4)))
