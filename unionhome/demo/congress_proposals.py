"""Demo proposals (提案) of the reference union, in every state, for the session in progress and the
closed first session of the same term: seconders, the committee's decisions with their reasons, referrals
to the handling departments (made by the sessions demo), replies, progress and the proposers' ratings —
one rated dissatisfied, handled again and then rated basically satisfied — and one proposal by
``demo-rep`` open for seconding.

Written straight through the ORM (small data, dates in the past that the services would refuse); the
satisfaction ratings use the same mapping as ``proposal_handling.SCORES``."""

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from unionhome.accounts.models import User
from unionhome.congress.models import (
    CongressSession,
    HandlingDepartment,
    Proposal,
    ProposalEvent,
    ProposalProgress,
    ProposalReply,
    Representative,
    Seconding,
)
from unionhome.congress.ratings import PROPOSAL_REPLIES
from unionhome.congress.services.proposal_handling import ITEM_TYPE, SCORES
from unionhome.org.models import Member, OrgUnit
from unionhome.satisfaction.services import rating_record

S = Proposal.Status


@dataclass
class Plan:
    title: str
    category: str
    reasons: str
    measures: str
    status: str
    department: str = ""
    ratings: list[str] = field(default_factory=list)  # one per reply round
    replies: list[str] = field(default_factory=list)
    progress: list[tuple[int, str]] = field(default_factory=list)
    reason: str = ""  # the committee's reason (accept / convert / merge)
    close_reason: str = ""
    overdue: bool = False


PAST = [
    Plan(
        "关于提高夜班津贴标准的提案",
        "wages",
        "各检验站夜班津贴多年未调整，与倒班强度不匹配，影响一线化验员积极性。",
        "建议夜班津贴由每班30元提高到50元，并建立随物价调整的机制。",
        S.CLOSED,
        "人力资源部",
        ["satisfied"],
        ["经公司研究，夜班津贴自下月起调整为每班45元，并纳入年度薪酬方案动态调整。"],
        [(50, "已报公司薪酬委员会审议。"), (100, "新标准已随本月工资发放。")],
        "涉及一线职工切身利益，符合立案条件。",
        "rated",
    ),
    Plan(
        "关于煤炭检验站增设淋浴间的提案",
        "welfare",
        "煤炭检验站采制样粉尘大，现场没有淋浴条件，职工下班只能带着煤灰回家。",
        "在煤炭检验站值班楼一层改造淋浴间，配备热水器和更衣柜。",
        S.CLOSED,
        "后勤服务中心",
        ["dissatisfied", "basically"],
        [
            "已纳入明年后勤改造计划，视预算情况安排。",
            "经重新研究，利用值班楼闲置库房改造淋浴间，已于本月完工投用，热水器二期再增加两台。",
        ],
        [(30, "完成选址和预算。"), (100, "淋浴间投用。")],
        "改善作业环境，符合立案条件。",
        "rated",
    ),
    Plan(
        "关于更新原料检验站快速水分测定仪的提案",
        "production",
        "原料检验站水分测定仪使用十年，故障频繁，影响出数时效。",
        "购置两台新型快速水分测定仪，并安排操作培训。",
        S.CLOSED,
        "财务部",
        ["satisfied"],
        ["设备采购已列入本年度技改资金，两台仪器已到货验收。"],
        [(100, "已到货并完成培训。")],
        "有利于生产检验，予以立案。",
        "rated",
    ),
    Plan(
        "关于完善取样作业高处防护的提案",
        "safety",
        "码头和料场取样存在高处作业，部分平台护栏高度不够。",
        "对取样平台护栏统一加高，配备速差防坠器，开展专项安全培训。",
        S.CLOSED,
        "安全环保部",
        [""],
        ["已完成全部12处取样平台护栏加高，防坠器已配发到班组。"],
        [(60, "护栏加高过半。"), (100, "全部完成。")],
        "关系职工安全，立案办理。",
        "timeout",
    ),
    Plan(
        "关于青年职工技能培训的提案",
        "training",
        "新入职化验员多，实操带教不系统。",
        "建立导师带徒制度，每年组织一次岗位技能比武。",
        S.CONVERTED,
        reason="属于日常工作建议，转人力资源部参考办理，不作为提案立案。",
        close_reason="not_accepted",
    ),
    Plan(
        "关于调整夜班补贴的建议",
        "wages",
        "夜班补贴偏低。",
        "提高夜班补贴。",
        S.MERGED,
        reason="与“关于提高夜班津贴标准的提案”内容相同，合并办理。",
        close_reason="not_accepted",
    ),
    Plan(
        "关于改善云溪区站点通勤条件的提案",
        "welfare",
        "云溪区站点离城区远，倒班职工通勤不便。",
        "开通早晚班通勤车，或发放交通补贴。",
        S.REFERRED,
        "后勤服务中心",
        reason="涉及职工通勤，立案办理。",
        overdue=True,
    ),
]

CURRENT = [
    Plan(
        "关于化验室通风柜更新改造的提案",
        "safety",
        "第一检验站化验室通风柜老化，夏季异味重，影响职工健康。",
        "更换通风柜，增加排风量，每季度检测一次作业环境。",
        S.SECONDING,
    ),
    Plan(
        "关于设立职工心理健康服务室的提案",
        "welfare",
        "倒班职工工作压力大，缺少倾诉和疏导渠道。",
        "在城区中心设立心理健康服务室，每月安排专业咨询师坐班。",
        S.DRAFT,
    ),
    Plan(
        "关于食堂增加夜间供餐的建议",
        "welfare",
        "夜班职工凌晨吃不上热饭。",
        "食堂增设夜间供餐窗口。",
        S.SUGGESTED,
    ),
    Plan(
        "关于检验数据系统移动端查询的提案",
        "production",
        "外出取样时无法及时查询检验数据。",
        "开发检验数据系统手机端查询功能。",
        S.SUBMITTED,
    ),
    Plan(
        "关于女职工休息室建设的提案",
        "welfare",
        "部分站点没有女职工休息室和哺乳室。",
        "各站点按标准建设女职工休息室，配备必要设施。",
        S.ACCEPTED,
        reason="关爱女职工，符合立案条件。",
    ),
    Plan(
        "关于高温季节调整作业时间的提案",
        "safety",
        "夏季午间料场温度高，取样作业易中暑。",
        "高温季节午间停止露天取样，调整为早晚作业。",
        S.REFERRED,
        "安全环保部",
        reason="关系职工健康安全，立案办理。",
        progress=[(20, "已制定高温作业方案初稿。")],
    ),
    Plan(
        "关于完善职工体检项目的提案",
        "welfare",
        "现有体检项目未针对化验岗位的职业危害。",
        "增加针对化学品接触岗位的专项体检项目。",
        S.REPLIED,
        "人力资源部",
        [],
        ["已与体检机构协商，明年起增加肝功能和血常规专项检查。"],
        reason="涉及职业健康，立案办理。",
    ),
    Plan(
        "关于统一各站劳保用品发放标准的提案",
        "management",
        "各站劳保用品发放标准不一，职工有意见。",
        "制定统一的劳保用品发放标准并公开。",
        S.REHANDLING,
        "安全环保部",
        ["dissatisfied"],
        ["将在下一年度统一标准。"],
        reason="立案办理。",
    ),
]


def _moment(days_ago: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days_ago)


class _Writer:
    def __init__(self, union: OrgUnit, rng: random.Random):
        self.union = union
        self.rng = rng
        self.departments = {
            d.name: d for d in HandlingDepartment.objects.filter(unit=union).prefetch_related("handlers")
        }
        self.office = User.objects.filter(
            role_assignments__role="congress_office", role_assignments__unit=union
        ).first()

    def handler(self, department: HandlingDepartment | None):
        handlers = list(department.handlers.all()) if department is not None else []
        return handlers[0] if handlers else self.office

    def event(self, proposal, action, before, after, at, actor=None, note=""):
        e = ProposalEvent.objects.create(
            proposal=proposal, action=action, from_status=before, to_status=after, note=note, actor=actor
        )
        ProposalEvent.objects.filter(pk=e.pk).update(created_at=at)

    def write(
        self,
        plan: Plan,
        session: CongressSession,
        proposer: Representative,
        seconders,
        start: float,
        number: int | None,
        author: Member | None = None,
        merged_into: Proposal | None = None,
    ) -> Proposal:
        term = session.congress
        department = None
        if plan.department:
            department = self.departments.get(plan.department) or next(iter(self.departments.values()), None)
        suggested = plan.status == S.SUGGESTED
        p = Proposal.objects.create(
            session=session,
            unit_path=author.unit_path if suggested and author else proposer.unit_path,
            author=author or proposer.member,
            proposer=None if suggested else proposer,
            title=plan.title,
            category=plan.category,
            reasons=plan.reasons,
            measures=plan.measures,
            status=plan.status,
            number=number,
            merged_into=merged_into,
            close_reason=plan.close_reason,
        )
        at = start
        user = getattr(proposer.member, "user", None)
        self.event(p, "suggest" if suggested else "draft", "", S.SUGGESTED if suggested else S.DRAFT, _moment(at), user)
        stamps = {"created_at": _moment(at)}
        if plan.status in (S.DRAFT, S.SUGGESTED):
            Proposal.objects.filter(pk=p.pk).update(**stamps)
            return p
        at -= 0.5
        self.event(p, "submit", S.DRAFT, S.SECONDING, _moment(at), user)
        stamps["submitted_at"] = _moment(at)
        count = 1 if plan.status == S.SECONDING else len(seconders)
        for i, rep in enumerate(seconders[:count]):
            s = Seconding.objects.create(proposal=p, representative=rep)
            Seconding.objects.filter(pk=s.pk).update(created_at=_moment(at - 0.2 * (i + 1)))
        if plan.status == S.SECONDING:
            Proposal.objects.filter(pk=p.pk).update(**stamps)
            return p
        at -= 1
        self.event(p, "send_for_review", S.SECONDING, S.SUBMITTED, _moment(at), user)
        if plan.status in (S.CONVERTED, S.MERGED):
            action = "convert" if plan.status == S.CONVERTED else "merge"
            self.event(p, action, S.SUBMITTED, plan.status, _moment(at - 2), self.office, plan.reason)
            stamps["closed_at"] = _moment(at - 2)
        if plan.status == S.SUBMITTED:
            Proposal.objects.filter(pk=p.pk).update(**stamps)
            return p
        if number is not None:
            at -= 2
            self.event(p, "accept", S.SUBMITTED, S.ACCEPTED, _moment(at), self.office, plan.reason)
            stamps["accepted_at"] = _moment(at)
        if department is not None:
            at -= 1
            self.event(p, "refer", S.ACCEPTED, S.REFERRED, _moment(at), self.office)
            due = timezone.localdate() - datetime.timedelta(days=int(at)) + datetime.timedelta(days=term.reply_days)
            if plan.overdue:
                due = timezone.localdate() - datetime.timedelta(days=12)
            stamps.update(department=department, reply_due_on=due)
            self._handling(p, plan, department, at, stamps, term)
        Proposal.objects.filter(pk=p.pk).update(**stamps)
        return p

    def _handling(self, p, plan, department, at, stamps, term) -> None:
        handler = self.handler(department)
        for n, (percent, note) in enumerate(plan.progress):
            g = ProposalProgress.objects.create(proposal=p, note=note, percent=percent, recorded_by=handler)
            ProposalProgress.objects.filter(pk=g.pk).update(recorded_at=_moment(at - 3 - 4 * n))
        status = S.REFERRED
        for round_, body in enumerate(plan.replies, start=1):
            at -= 6
            reply = ProposalReply.objects.create(
                proposal=p,
                member_id=p.proposer.member_id,
                unit_path=p.proposer.member.unit_path,
                department=department,
                round=round_,
                body=body,
                replied_by=handler,
                on_time=self.rng.random() < 0.85,
            )
            ProposalReply.objects.filter(pk=reply.pk).update(replied_at=_moment(at))
            self.event(p, "reply", status, S.REPLIED, _moment(at), handler)
            status = S.REPLIED
            stamps["rating_due_on"] = (
                timezone.localdate() - datetime.timedelta(days=int(at)) + datetime.timedelta(days=term.rating_days)
            )
            rating = plan.ratings[round_ - 1] if round_ <= len(plan.ratings) else ""
            if not rating:
                if plan.close_reason == "timeout":
                    self.event(p, "time_out", S.REPLIED, S.CLOSED, _moment(at - term.rating_days))
                    stamps["closed_at"] = _moment(at - term.rating_days)
                continue
            at -= 2
            comment = "答复没有解决实际问题，希望重新研究。" if rating == "dissatisfied" else ""
            ProposalReply.objects.filter(pk=reply.pk).update(
                rating=rating, rating_comment=comment, rated_at=_moment(at)
            )
            rating_record(
                service_line=PROPOSAL_REPLIES,
                item_type=ITEM_TYPE,
                item_id=reply.pk,
                member=p.proposer.member,
                unit_path=p.proposer.member.unit_path,
                cadre_id=handler.pk if handler else None,
                score=SCORES[rating],
                comment=comment,
                rated_at=_moment(at),
            )
            user = getattr(p.proposer.member, "user", None)
            if rating == "dissatisfied":
                self.event(p, "send_back", S.REPLIED, S.REHANDLING, _moment(at), user, comment)
                status = S.REHANDLING
                stamps["reply_due_on"] = (
                    timezone.localdate() - datetime.timedelta(days=int(at)) + datetime.timedelta(days=term.reply_days)
                )
                stamps["rating_due_on"] = None
            else:
                self.event(p, "rate", S.REPLIED, S.CLOSED, _moment(at), user)
                stamps["closed_at"] = _moment(at)


@transaction.atomic
def build(*, union: OrgUnit, session: CongressSession, rng: random.Random) -> None:
    """About fifteen proposals for ``session`` (in progress) and the closed session of its term."""
    term = session.congress
    reps = list(
        Representative.objects.filter(congress=term, status=Representative.Status.SEATED)
        .select_related("member")
        .order_by("id")
    )
    if len(reps) < 4:
        return
    writer = _Writer(union, rng)
    demo_rep = User.objects.filter(username="demo-rep").first()
    demo_seat = next((r for r in reps if demo_rep is not None and r.member_id == demo_rep.member_id), None)
    others = [r for r in reps if r is not demo_seat]
    rng.shuffle(others)
    past = (
        term.sessions.filter(status=CongressSession.Status.CLOSED).exclude(pk=session.pk).order_by("-starts_at").first()
    )
    member = (
        Member.objects.filter(union=union, status=Member.Status.ACTIVE, representative_seats__isnull=True)
        .order_by("id")
        .first()
    )
    pick = iter(others * 3)

    def seconders(proposer):
        return [r for r in rng.sample(others, min(4, len(others))) if r.pk != proposer.pk][: term.min_seconders + 1]

    if past is not None:
        days = (timezone.now() - past.starts_at).days + 20
        number, first = 0, None
        for plan in PAST:
            proposer = next(pick)
            accepted = plan.status not in (S.CONVERTED, S.MERGED)
            number += 1 if accepted else 0
            p = writer.write(
                plan,
                past,
                proposer,
                seconders(proposer),
                days,
                number if accepted else None,
                merged_into=first if plan.status == S.MERGED else None,
            )
            first = first or p
    number = 0
    for plan in CURRENT:
        proposer = demo_seat if plan.status == S.SECONDING and demo_seat is not None else next(pick)
        accepted = plan.status in (S.ACCEPTED, S.REFERRED, S.REPLIED, S.REHANDLING, S.CLOSED)
        number += 1 if accepted else 0
        author = member if plan.status == S.SUGGESTED else None
        writer.write(plan, session, proposer, seconders(proposer), 16, number if accepted else None, author=author)
