"""Workers' voices in the reference union: routing, deadlines and about forty appeals of the last ten weeks.

``build(union=..., members=..., users_by_username=..., rng=...)`` (the reference union, its members, the
demo users by username, a seeded ``random.Random``) writes:

* **Handling departments** of the union, reused by name when the congress demo made them: 后勤服务中心
  (canteen), 安全环保部 (safety), 人力资源部 (wages); a missing one is created with two handlers (plain
  accounts without a usable password, like the congress demo's).
* **Routing rules** on the union: canteen → 后勤服务中心, safety → 安全环保部, wages → 人力资源部; every other
  category goes to the branch's supervisors (the branch cadre).
* **Category deadlines**: safety acknowledged within 1 working day and answered within 3; wages answered
  within 10; canteen within 5; the others the defaults (1 and 7, reopen within 15 days).
* **Appeals** over the last ten weeks across the stations and categories, about a quarter anonymous,
  through the whole life: waiting, being handled, answered and closed (most rated), reopened, withdrawn,
  and one well overdue (red in the queues). ``demo-member`` has one answered appeal waiting for their
  rating (it is on their home page). Anonymous appeals keep no member, the branch as unit and the hour;
  one of them opens with ``DEMO_CODE`` (for trying "read with a code"). Each appeal is counted for the
  first-signal dashboard (``appeal_counted``).

Written through the ORM with past dates (the services date everything now); the same every run.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from unionhome.congress.models import HandlingDepartment
from unionhome.org.models import Member, OrgUnit
from unionhome.satisfaction.services import rating_record
from unionhome.voices import follow_up_codes
from unionhome.voices.counting import appeal_counted
from unionhome.voices.deadlines import deadlines_for, reopen_until
from unionhome.voices.models import Appeal, AppealEvent, AppealReply, CategoryPolicy, RoutingRule
from unionhome.voices.ratings import APPEALS as APPEALS_LINE
from unionhome.voices.routing import branch_of, route_for, supervisors_of
from unionhome.voices.services.appeals import topic_words

DEMO_CODE = "SQ26-DEMH-K7QM-HT9A"
ROUTES = {"canteen": "后勤服务中心", "safety": "安全环保部", "wages": "人力资源部"}
POLICIES = {"safety": (1, 3, 15), "wages": (1, 10, 15), "canteen": (1, 5, 15)}
HANDLERS_PER_NEW_DEPARTMENT = 2
# Appeals (by number, oldest first) sent from demo-member's station to its branch cadres.
FOR_DEMO_CADRE = (5, 38, 39)

# (category, kind, title, details, answer)
APPEALS = [
    (
        "canteen",
        "complaint",
        "夜班食堂饭菜是凉的",
        "夜班十二点打的饭菜都是凉的，微波炉也坏了两周。",
        "已为夜班增设保温餐车，微波炉已更换。",
    ),
    (
        "canteen",
        "suggestion",
        "希望食堂增加清淡菜品",
        "不少老师傅有高血压，希望每餐有一两个少油少盐的菜。",
        "自下周起每餐增加两个低盐低油菜品。",
    ),
    (
        "canteen",
        "complaint",
        "食堂打饭排队太久",
        "中午十一点半到十二点排队要二十分钟，午休时间不够。",
        "已增开一个窗口并错峰开餐。",
    ),
    (
        "canteen",
        "question",
        "食堂饭卡补贴标准是多少",
        "新入职员工的饭卡补贴每月多少，什么时候到账？",
        "每月300元，次月5日前到账。",
    ),
    (
        "safety",
        "complaint",
        "化验室通风橱风量不足",
        "二号化验室通风橱抽风明显变弱，做酸消解时有刺激气味。",
        "已检修风机并检测风量合格。",
    ),
    (
        "safety",
        "help",
        "防护手套型号不合适",
        "发的耐酸手套太大，戴着操作天平不方便，能否换小号？",
        "已按实际尺码补发小号手套。",
    ),
    (
        "safety",
        "suggestion",
        "取样平台需要加装护栏",
        "煤场取样平台边缘没有护栏，雨天湿滑很危险。",
        "护栏已安装并验收。",
    ),
    (
        "safety",
        "complaint",
        "应急洗眼器没有水",
        "三楼走廊的应急洗眼器拧开没有水，存在安全隐患。",
        "已疏通管路，纳入每周点检。",
    ),
    ("wages", "question", "夜班补贴何时发放", "三月的夜班补贴工资条上没有，什么时候补发？", "随四月工资一并补发。"),
    (
        "wages",
        "complaint",
        "合并后岗位工资没有对齐",
        "原各检验站合并后，同岗位工资标准不一致，希望统一。",
        "岗位工资并轨方案已提交职代会审议。",
    ),
    (
        "wages",
        "question",
        "高温津贴发放标准",
        "今年高温津贴按什么标准发，外包人员有没有？",
        "按每人每月300元发放，劳务派遣人员同等享受。",
    ),
    (
        "wages",
        "complaint",
        "加班费计算有误",
        "五一假期加班三天，工资条上只按平时加班计算。",
        "经核对已按三倍工资补发差额。",
    ),
    ("welfare", "suggestion", "希望增加体检项目", "女职工希望体检增加乳腺和甲状腺彩超。", "今年体检已增加女职工专项。"),
    (
        "welfare",
        "question",
        "职工疗休养怎么报名",
        "今年的疗休养名额怎么分配，在哪里报名？",
        "各分工会按人数分配，报名截至月底。",
    ),
    ("welfare", "complaint", "劳保鞋质量太差", "新发的劳保鞋两个月就开胶了。", "已要求供应商更换并调整采购标准。"),
    (
        "commuting",
        "suggestion",
        "云溪区班车增加一个站点",
        "住在云溪新村的同事较多，希望班车在新村口停靠。",
        "班车线路已调整，增设新村站。",
    ),
    (
        "commuting",
        "complaint",
        "早班车经常晚点",
        "早上七点的班车最近一周有三天晚到十分钟以上。",
        "已与车队沟通，调整发车时间。",
    ),
    (
        "commuting",
        "question",
        "倒班人员有没有夜间班车",
        "夜班十二点下班没有公交，能否安排班车？",
        "已开通零点十五分的夜班班车。",
    ),
    ("dormitory", "complaint", "宿舍热水器坏了", "单身宿舍三楼热水器坏了一周，洗澡很不方便。", "热水器已更换。"),
    ("dormitory", "help", "申请调换宿舍", "和室友作息不同（我倒班），影响休息，希望调换。", "已安排到倒班人员宿舍楼。"),
    (
        "training",
        "suggestion",
        "希望组织大型仪器培训",
        "色谱、光谱等大型仪器只有少数人会用，希望组织培训。",
        "已列入本年度素质工程培训计划。",
    ),
    (
        "training",
        "question",
        "技能鉴定报名条件",
        "化学检验员高级工鉴定需要什么条件？",
        "需取得中级工证书满四年，详见通知。",
    ),
    (
        "rights",
        "help",
        "劳动合同续签问题",
        "劳动合同下月到期，还没有人通知续签，心里没底。",
        "人事部门已确认续签，本周内签订。",
    ),
    (
        "rights",
        "complaint",
        "年休假被要求放弃",
        "班组要求我们放弃今年剩余年休假，这合规吗？",
        "年休假不得强制放弃，已督促班组安排轮休。",
    ),
    (
        "other",
        "suggestion",
        "建议设立职工书屋",
        "云溪区站点没有阅览场所，建议设立职工书屋。",
        "职工书屋已在云溪区站点开放。",
    ),
    ("other", "question", "工会会员卡丢了怎么办", "会员卡丢失，如何补办？", "到所在分工会登记即可补办。"),
]


def _department(union: OrgUnit, name: str, members: list[Member], rng: random.Random) -> HandlingDepartment:
    department = HandlingDepartment.objects.filter(unit=union, name=name).first()
    if department is not None:
        return department
    User = get_user_model()
    department = HandlingDepartment.objects.create(unit=union, unit_path=union.path, name=name)
    with_account = set(User.objects.filter(member__isnull=False).values_list("member_id", flat=True))
    candidates = sorted(
        (m for m in members if m.status == Member.Status.ACTIVE and m.pk not in with_account),
        key=lambda m: m.pk,
    )
    for member in rng.sample(candidates, min(HANDLERS_PER_NEW_DEPARTMENT, len(candidates))):
        user = User(username=f"handler-{member.employee_no}", display_name=f"{name} {member.name}", member=member)
        user.set_unusable_password()
        user.is_demo = True
        user.save()
        department.handlers.add(user)
    return department


def _configure(union: OrgUnit, members: list[Member], rng: random.Random) -> int:
    rules = 0
    for category, name in ROUTES.items():
        department = _department(union, name, members, rng)
        _, made = RoutingRule.objects.get_or_create(
            unit=union,
            category=category,
            is_active=True,
            defaults={"unit_path": union.path, "department": department},
        )
        rules += made
    for category, (acknowledge, answer, reopen) in POLICIES.items():
        CategoryPolicy.objects.update_or_create(
            category=category,
            defaults={"acknowledge_days": acknowledge, "answer_days": answer, "reopen_days": reopen},
        )
    return rules


def appeal_answerer(appeal: Appeal):
    if appeal.handler_id is not None:
        return appeal.handler
    if appeal.department_id is not None:
        return appeal.department.handlers.order_by("pk").first()
    users = supervisors_of(appeal.branch)[1]
    return users[0] if users else None


def appeal_write(member: Member, plan: tuple, *, anonymous: bool, at: datetime.datetime, code: str) -> Appeal:
    category, kind, title, body, _answer = plan
    branch = branch_of(member.unit)
    unit = branch if anonymous else member.unit
    submitted_at = at.replace(minute=0, second=0, microsecond=0) if anonymous else at
    route = route_for(branch, category)
    due = deadlines_for(category, submitted_at)
    appeal = Appeal.objects.create(
        kind=kind,
        category=category,
        title=title,
        body=body,
        is_anonymous=anonymous,
        member=None if anonymous else member,
        unit=unit,
        unit_path=unit.path,
        branch=branch,
        code_digest=follow_up_codes.code_digest(code) if anonymous else None,
        handler_id=route.handler_id,
        department_id=route.department_id,
        submitted_at=submitted_at,
        acknowledge_due=due.acknowledge_due,
        answer_due=due.answer_due,
        keywords=topic_words(f"{title}\n{body}"),
    )
    AppealEvent.objects.create(appeal=appeal, kind=AppealEvent.Kind.SUBMITTED, at=submitted_at)
    AppealEvent.objects.create(appeal=appeal, kind=AppealEvent.Kind.ROUTED, at=submitted_at)
    appeal_counted(appeal)
    return appeal


def _acknowledge(appeal: Appeal, who, at: datetime.datetime) -> None:
    appeal.status = Appeal.Status.ACKNOWLEDGED
    appeal.acknowledged_at = at
    AppealEvent.objects.create(appeal=appeal, kind=AppealEvent.Kind.ACKNOWLEDGED, actor=who, at=at)
    appeal.save(update_fields=["status", "acknowledged_at"])


def appeal_close(appeal: Appeal, who, text: str, at: datetime.datetime) -> AppealReply:
    if appeal.acknowledged_at is None:
        _acknowledge(appeal, who, at - datetime.timedelta(hours=20))
    reply = AppealReply.objects.create(
        appeal=appeal, author=who, body=text, is_public=True, is_answer=True, created_at=at
    )
    appeal.status = Appeal.Status.CLOSED
    appeal.closed_at = at
    appeal.reopen_until = reopen_until(appeal.category, at)
    appeal.save(update_fields=["status", "closed_at", "reopen_until"])
    AppealEvent.objects.create(appeal=appeal, kind=AppealEvent.Kind.CLOSED, actor=who, at=at)
    return reply


def appeal_rate(appeal: Appeal, reply: AppealReply, score: int, at: datetime.datetime, comment: str = "") -> None:
    moment = at.replace(minute=0, second=0, microsecond=0) if appeal.is_anonymous else at
    rating_record(
        service_line=APPEALS_LINE,
        item_type="voices.appealreply",
        item_id=reply.pk,
        member=appeal.member,
        unit_path=appeal.unit_path,
        cadre_id=reply.author_id,
        score=score,
        comment=comment,
        rated_at=moment,
    )
    appeal.rating_score = score
    appeal.save(update_fields=["rating_score"])
    AppealEvent.objects.create(appeal=appeal, kind=AppealEvent.Kind.RATED, note=str(score), at=moment)


def build(*, union: OrgUnit, members: list[Member], users_by_username: dict, rng: random.Random) -> dict[str, int]:
    """Write the reference union's voices; returns what was made ({"appeals": …, "anonymous": …, …})."""
    if Appeal.objects.filter(unit_path__startswith=union.path).exists():
        return {"appeals": 0}
    rules = _configure(union, members, rng)
    now = timezone.now()
    active = sorted(
        (m for m in members if m.status == Member.Status.ACTIVE and m.unit_path.startswith(union.path)),
        key=lambda m: m.pk,
    )
    demo_member = getattr(users_by_username.get("demo-member"), "member", None)
    made = {"appeals": 0, "anonymous": 0, "closed": 0, "rated": 0, "reopened": 0, "rules": rules}
    plans = [APPEALS[i % len(APPEALS)] for i in range(40)]
    rng.shuffle(plans)
    # The overdue appeal and the two newest come from demo-member's station in categories its branch
    # cadres answer themselves, so that demo-cadre's queue has work in it (one of them red).
    station_members = active
    if demo_member is not None:
        station = branch_of(demo_member.unit).path
        station_members = [m for m in active if m.unit_path.startswith(station) and m.pk != demo_member.pk] or active
    for_the_branch = [plan for plan in APPEALS if plan[0] not in ROUTES]
    for number in FOR_DEMO_CADRE:
        plans[number] = for_the_branch[number % len(for_the_branch)]
    for number, plan in enumerate(plans):
        days_ago = 69 - number * 1.8 - rng.random()  # spread over ten weeks, oldest first; the last today
        at = now - datetime.timedelta(days=max(days_ago, 0.05))
        at = at.replace(hour=rng.choice([8, 9, 10, 11, 14, 15, 16, 20, 23]), minute=rng.randrange(60))
        at = min(at, now - datetime.timedelta(minutes=30))
        anonymous = number % 4 == 1
        member = demo_member if number == 12 and demo_member is not None else rng.choice(active)
        if number in FOR_DEMO_CADRE:
            member = rng.choice(station_members)
        if number == 12:
            anonymous = False
        code = DEMO_CODE if number == 9 else follow_up_codes.code_make()
        appeal = appeal_write(member, plan, anonymous=anonymous, at=at, code=code)
        made["appeals"] += 1
        made["anonymous"] += anonymous
        who = appeal_answerer(appeal)
        age = (now - appeal.submitted_at).days
        if number == 12:  # demo-member's: answered three days ago, waiting for their rating
            appeal_close(appeal, who, plan[4], now - datetime.timedelta(days=3))
            made["closed"] += 1
            continue
        if number == 5:  # the overdue one: acknowledged weeks ago, never answered
            _acknowledge(appeal, who, appeal.submitted_at + datetime.timedelta(hours=6))
            continue
        if number in (3, 21):
            appeal.status = Appeal.Status.WITHDRAWN
            appeal.closed_at = appeal.submitted_at + datetime.timedelta(days=1)
            appeal.save(update_fields=["status", "closed_at"])
            AppealEvent.objects.create(appeal=appeal, kind="withdrawn", note="问题已自行解决", at=appeal.closed_at)
            continue
        if age < 4:
            if age >= 1:
                _acknowledge(appeal, who, appeal.submitted_at + datetime.timedelta(hours=5))
            continue
        closed_at = appeal.submitted_at + datetime.timedelta(days=rng.randint(1, 5), hours=rng.randint(1, 6))
        reply = appeal_close(appeal, who, plan[4], min(closed_at, now - datetime.timedelta(hours=2)))
        made["closed"] += 1
        if number % 5 == 0 and age < 25:  # reopened: rated low, sent back, being handled again
            appeal_rate(
                appeal, reply, rng.choice([1, 2]), appeal.closed_at + datetime.timedelta(hours=8), "问题没有彻底解决"
            )
            reopened_at = appeal.closed_at + datetime.timedelta(days=1)
            due = deadlines_for(appeal.category, reopened_at)
            appeal.status = Appeal.Status.REOPENED
            appeal.reopen_count = 1
            appeal.acknowledge_due, appeal.answer_due = due.acknowledge_due, due.answer_due
            appeal.closed_at = appeal.reopen_until = appeal.acknowledged_at = appeal.rating_score = None
            appeal.save()
            AppealEvent.objects.create(
                appeal=appeal, kind="reopened", note="问题没有彻底解决，请再核实。", at=reopened_at
            )
            made["reopened"] += 1
            made["rated"] += 1
        elif rng.random() < 0.8:
            score = rng.choices([5, 4, 3, 2], weights=[5, 4, 2, 1])[0]
            appeal_rate(appeal, reply, score, appeal.closed_at + datetime.timedelta(hours=rng.randint(2, 40)))
            made["rated"] += 1
    return made
