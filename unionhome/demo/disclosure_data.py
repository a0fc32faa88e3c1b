"""Factory-affairs disclosure demo data for the reference union: notices in every category over the last
two months (one pinned, with a PDF for the wall board attached), two for 第一检验站, a draft the office is
still writing, read receipts for a realistic share of each audience (older notices read by more people,
the newest by fewer; ``demo-member`` has the newest still unread), and questions answered in public, with
one still waiting for 第一检验站's cadre (``demo-cadre``).

Written through the ORM like the other demo modules (no per-row permission checks or audit events);
what the services keep true holds: paths copied from the units, windows valid, receipts once per member
and only for members of the audience, reminders marked sent for notices the daily sweep would have
reminded of already.
"""

import datetime
import hashlib
import random
import secrets

from django.db import transaction
from django.utils import timezone

from unionhome.accounts.models import User
from unionhome.disclosure.models import Notice, NoticeAttachment, NoticeQuestion, NoticeRead
from unionhome.disclosure.services.attachments import storage_path
from unionhome.disclosure.services.reads import SWEEP_AFTER_DAYS, SWEEP_CATEGORIES
from unionhome.org.models import Member, OrgUnit
from unionhome.printing import render_pdf
from unionhome.uploads import PDF

C = Notice.Category
WAGE_PLAN = "关于《技术中心2027年度职工工资调整方案》的公示"
# (days ago, category, title, text, pinned, days shown or None)
UNION_NOTICES = [
    (
        2,
        C.WAGES_WELFARE,
        WAGE_PLAN,
        "《技术中心2027年度职工工资调整方案》已经第三届职工代表大会第二次会议审议通过，现予公示。\n"
        "一、2027年度职工工资总额在上年基础上增长6%，其中一线检验岗位增幅不低于7%。\n"
        "二、夜班津贴由每班40元提高至60元，自2027年1月1日起执行。\n"
        "三、取得高级工及以上职业资格的职工，每月增加技能津贴200元。\n"
        "公示期内如有疑问，请在本公告下提问，中心工会将统一公开答复。",
        True,
        15,
    ),
    (
        5,
        C.MAJOR_DECISIONS,
        "技术中心检验站整合优化方案（职代会审议通过稿）",
        "为适应质量检验业务整合后的管理需要，经职代会审议通过，自2027年起对各检验站的班组设置进行优化：\n"
        "一、城区四个检验站统一实行四班三倒；\n二、云溪区各站化验组集中到七站化验中心；\n"
        "三、人员调整遵循本人意愿优先、就近安置的原则，不降低职工收入。",
        False,
        None,
    ),
    (
        9,
        C.SAFETY,
        "关于开展冬季安全生产大检查的通知",
        "各分工会、各检验站：\n根据集团公司部署，11月15日至12月15日开展冬季安全生产大检查，"
        "重点检查防冻防凝、取样作业防滑、化验室危化品管理。请各站对照检查表自查，12月10日前报送整改情况。",
        False,
        None,
    ),
    (
        12,
        C.HOT_TOPICS,
        "关于职工食堂改善伙食意见的办理情况",
        "职工在职代会提案和意见征集中反映的食堂问题，已由后勤服务部办理：\n"
        "一、云溪区食堂增加夜班加餐供应时段（22:00—23:30）；\n二、每周公布菜谱和价格；\n三、设立意见箱，每月通报处理情况。",
        False,
        None,
    ),
    (
        16,
        C.WAGES_WELFARE,
        "2026年度职工健康体检安排",
        "今年职工健康体检自11月20日起分站进行，体检费用由单位承担。女职工增加专项检查项目，"
        "接触粉尘、噪声岗位的职工增加职业健康检查。具体时间由各分工会通知到人。",
        False,
        None,
    ),
    (
        20,
        C.PRODUCTION,
        "2026年第三季度质量检验工作情况通报",
        "第三季度中心共完成检验批次12,486批，检验及时率99.2%，数据准确率99.8%。"
        "煤炭检验站、第四检验站获评季度先进集体。第四季度重点做好新检验标准的切换工作。",
        False,
        None,
    ),
    (
        24,
        C.CADRE_INTEGRITY,
        "中心领导班子2026年度廉洁自律情况公开",
        "按照厂务公开规定，现将中心领导班子成员2026年度履职待遇、业务支出、廉洁自律情况予以公开，"
        "接受全体职工监督。如有意见，可在本公告下提问或向中心纪委反映。",
        False,
        None,
    ),
    (
        30,
        C.SAFETY,
        "9月份事故隐患排查整改情况公开",
        "9月份共排查一般隐患37项，已整改35项，2项（取样平台护栏更换、化验室通风改造）列入第四季度计划，"
        "整改期间已采取临时防护措施。",
        False,
        None,
    ),
    (
        35,
        C.WAGES_WELFARE,
        "2026年夏季高温津贴发放标准及发放时间",
        "2026年6月至9月，高温作业岗位职工每人每月发放高温津贴300元，其他岗位每人每月200元，随当月工资发放。",
        False,
        None,
    ),
    (
        42,
        C.CADRE_INTEGRITY,
        "2026年上半年业务招待费使用情况公开",
        "2026年上半年中心业务招待费支出4.2万元，同比下降18%，全部用于检验业务对接和外部审核接待，明细见财务公开栏。",
        False,
        None,
    ),
    (
        48,
        C.PRODUCTION,
        "关于煤炭检验站自动制样设备投运的通知",
        "煤炭检验站新购自动制样设备已完成调试，自10月8日起正式投运。操作人员须经培训考核合格后方可上岗。",
        False,
        None,
    ),
    (
        55,
        C.MAJOR_DECISIONS,
        "关于修订《技术中心职工休假管理办法》的决定",
        "经职代会联席会议审议，修订后的《职工休假管理办法》自10月1日起施行：倒班职工年休假可分段使用，"
        "探亲假往返路程时间不计入假期。",
        False,
        None,
    ),
]
STATION_NOTICES = [
    (
        3,
        C.PRODUCTION,
        "第一检验站2026年12月排班及值班安排",
        "12月起一站实行四班三倒，甲、乙、丙、丁四班轮换。元旦期间值班安排另行通知，请各班组长做好交接。",
    ),
    (
        18,
        C.WAGES_WELFARE,
        "第一检验站第三季度班组绩效考核结果公示",
        "一站甲班、丙班考核为优秀，乙班、丁班为良好。考核结果与季度绩效奖金挂钩，公示期5天，如有异议请向站分工会反映。",
    ),
]
DRAFT = (
    C.WAGES_WELFARE,
    "2027年职工疗休养计划",
    "（草稿）2027年计划安排职工疗休养三批次，优先安排一线倒班职工和劳动模范。",
)
# (notice title, question, answer or None)
QUESTIONS = [
    (WAGE_PLAN, "夜班津贴提高后，倒班人员的中班是否也有补贴？", "中班补贴按原标准每班20元执行，本次方案未作调整。"),
    (
        WAGE_PLAN,
        "技能津贴从取得证书的当月开始发，还是次月开始发？",
        "自取得证书的次月起发放，请及时将证书交站分工会备案。",
    ),
    (WAGE_PLAN, "劳务派遣人员是否同步执行本次工资调整？", None),
    (
        "2026年夏季高温津贴发放标准及发放时间",
        "化验室岗位算高温作业岗位吗？",
        "化验室有高温炉操作的岗位按高温作业岗位执行，其他按一般岗位执行。",
    ),
    (
        "关于职工食堂改善伙食意见的办理情况",
        "城区食堂能否也增加夜班加餐？",
        "城区食堂自12月起试行夜班加餐，试行一个月后征求职工意见。",
    ),
]


def _read_share(days_ago: int, rng: random.Random) -> float:
    """Older notices have been read by more of their audience."""
    return min(0.9, 0.25 + days_ago * 0.02 + rng.uniform(-0.05, 0.08))


def _attach_wall_print(notice: Notice) -> None:
    data = render_pdf(
        "disclosure/print/notice.html",
        {"notice": notice, "paragraphs": [p for p in notice.body.splitlines() if p.strip()], "questions": []},
    )
    stored = secrets.token_hex(16) + ".pdf"
    path = storage_path(stored)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    NoticeAttachment.objects.create(
        notice=notice,
        original_name="2027年度职工工资调整方案.pdf",
        stored_name=stored,
        content_type=PDF,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


@transaction.atomic
def build(*, union: OrgUnit, session=None, rng: random.Random) -> None:
    """Write the disclosure demo for ``union`` (``session`` is not needed: notices stand on their own)."""
    now = timezone.now()
    office = User.objects.filter(username="demo-chair").first()
    cadre = User.objects.filter(username="demo-cadre").first()
    demo_member_id = User.objects.filter(username="demo-member").values_list("member_id", flat=True).first()
    station = OrgUnit.objects.filter(path__startswith=union.path, depth=union.depth + 1).order_by("path").first()
    members = list(
        Member.objects.filter(unit_path__startswith=union.path, status=Member.Status.ACTIVE)
        .order_by("id")
        .only("id", "unit_path")
    )

    def notice(days_ago, category, title, body, *, audience, pinned=False, shown_days=None) -> Notice:
        start = (now - datetime.timedelta(days=days_ago)).replace(hour=8, minute=30, second=0, microsecond=0)
        return Notice.objects.create(
            unit=union,
            unit_path=union.path,
            audience=audience,
            audience_path=audience.path,
            category=category,
            title=title,
            body=body,
            publish_from=start,
            publish_until=start + datetime.timedelta(days=shown_days) if shown_days else None,
            pinned=pinned,
            status=Notice.Status.PUBLISHED,
            created_by=office,
            published_at=start,
            reminded_at=start + datetime.timedelta(days=SWEEP_AFTER_DAYS)
            if category in SWEEP_CATEGORIES and days_ago > SWEEP_AFTER_DAYS
            else None,
        )

    made: list[tuple[Notice, int]] = []
    for days_ago, category, title, body, pinned, shown_days in UNION_NOTICES:
        made.append(
            (notice(days_ago, category, title, body, audience=union, pinned=pinned, shown_days=shown_days), days_ago)
        )
    if station is not None:
        for days_ago, category, title, body in STATION_NOTICES:
            made.append((notice(days_ago, category, title, body, audience=station), days_ago))
    category, title, body = DRAFT
    Notice.objects.create(
        unit=union,
        unit_path=union.path,
        audience=union,
        audience_path=union.path,
        category=category,
        title=title,
        body=body,
        publish_from=now + datetime.timedelta(days=7),
        created_by=office,
    )
    by_title = {n.title: n for n, _ in made}
    _attach_wall_print(by_title[WAGE_PLAN])

    reads: list[NoticeRead] = []
    for item, days_ago in made:
        share = _read_share(days_ago, rng)
        for member in members:
            if not member.unit_path.startswith(item.audience_path):
                continue
            if member.pk == demo_member_id and days_ago < 10:
                continue  # the demo member still has the newest notices to read
            if rng.random() < share:
                reads.append(NoticeRead(notice=item, member_id=member.pk, unit_path=member.unit_path))
    NoticeRead.objects.bulk_create(reads, batch_size=2000)

    askers = [m for m in members if station is not None and m.unit_path.startswith(station.path)] or members
    for title, question, answer in QUESTIONS:
        item = by_title.get(title)
        if item is None or not askers:
            continue
        asker = rng.choice(askers)
        asked_at = item.publish_from + datetime.timedelta(hours=rng.randint(3, 30))
        row = NoticeQuestion.objects.create(
            notice=item,
            asker_id=asker.pk,
            unit_path=asker.unit_path,
            body=question,
            answer=answer or "",
            answered_by=(office or cadre) if answer else None,
            answered_at=min(asked_at + datetime.timedelta(hours=rng.randint(4, 40)), now) if answer else None,
        )
        NoticeQuestion.objects.filter(pk=row.pk).update(asked_at=min(asked_at, now))
