"""The assistance demo's visits: festival campaigns and visits due, done or cancelled."""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from unionhome.assistance.models import Occasion, Visit, VisitCampaign
from unionhome.assistance.ratings import VISITS
from unionhome.demo.assistance_centre import RULE_DAYS, Centre, Staff, Who
from unionhome.demo.assistance_clock import Clock, plus, yuan
from unionhome.demo.assistance_help import pay, rate
from unionhome.demo.assistance_rows import Rows

VISIT_LABEL = Visit._meta.label_lower

# --- Visits ---------------------------------------------------------------------------------------

GIFTS = {
    Occasion.ILLNESS: ("水果、牛奶", "营养品一盒", "鲜花、水果"),
    Occasion.BEREAVEMENT: ("花圈、挽联",),
    Occasion.CHILDBIRTH: ("婴儿用品礼包",),
    Occasion.MARRIAGE: ("新婚贺礼",),
    Occasion.RETIREMENT: ("纪念品、荣誉证书",),
    Occasion.DISASTER: ("大米、食用油、被褥", "生活物资一批"),
    Occasion.WINTER: ("大米一袋、食用油一桶、棉被一床", "大米、食用油"),
    Occasion.SUMMER: ("绿豆、白糖、防暑药品", "防暑降温用品"),
    Occasion.FESTIVAL: ("月饼、水果", "年货礼包"),
}
REASONS = {
    Occasion.ILLNESS: (
        "住院治疗（岳阳市一人民医院）",
        "住院手术（岳阳市中心医院）",
        "住院治疗（长岭医院）",
        "术后康复（湘雅医院）",
    ),
    Occasion.BEREAVEMENT: ("父亲病故", "母亲病故", "配偶病故"),
    Occasion.CHILDBIRTH: ("喜得千金", "喜得贵子"),
    Occasion.MARRIAGE: ("新婚",),
    Occasion.RETIREMENT: ("光荣退休",),
    Occasion.DISASTER: ("家中房屋被洪水淹没", "住房失火"),
    Occasion.FESTIVAL: ("春节慰问", "中秋慰问"),
}
VISIT_MONEY = {  # occasion -> (share of done visits with money, yuan)
    Occasion.ILLNESS: (0.7, 800),
    Occasion.BEREAVEMENT: (0.9, 1_000),
    Occasion.CHILDBIRTH: (0.6, 500),
    Occasion.MARRIAGE: (0.6, 500),
    Occasion.RETIREMENT: (0.5, 800),
    Occasion.DISASTER: (0.9, 2_000),
    Occasion.WINTER: (0.2, 300),
    Occasion.SUMMER: (0.0, 0),
    Occasion.FESTIVAL: (0.1, 200),
}
VISIT_FINDINGS = (
    "精神状态良好，家属照顾周到",
    "家中老人卧床，需要护理帮助",
    "医药费负担较重，建议启动医疗救助",
    "家庭生活困难，建议建立困难职工档案",
    "恢复良好，准备近期返岗",
)
VISIT_NEEDS = ("", "", "", "申请医疗救助", "希望帮助配偶就业", "子女上学有困难")
CANCELLED_VISIT = "职工已出院返岗，本人婉谢"


@dataclass
class Round:
    """A festival campaign (送温暖 / 送清凉)."""

    id: int
    occasion: str
    due_by: datetime.date
    created_on: datetime.date
    created_by: int | None


def build_campaign(
    rows: Rows,
    clock: Clock,
    centre: Centre,
    *,
    occasion: str,
    due_by: datetime.date,
    include_files: bool,
    include_retirees: bool,
    tags: Sequence[int] = (),
) -> Round:
    title = "送温暖走访慰问" if occasion == Occasion.WINTER else "送清凉慰问"
    created_on = min(clock.today, plus(due_by, -30))
    campaign = rows.add(
        VisitCampaign,
        unit_id=centre.union_id,
        unit_path=centre.union_path,
        name=f"{due_by.year}年{title}",
        occasion=occasion,
        due_by=due_by,
        include_hardship_files=include_files,
        include_retirees=include_retirees,
        budget_line_id=centre.line(due_by.year, "visits").id,
        created_by_id=centre.created_by,
        created_at=clock.at(created_on),
    )
    for tag in tags:
        rows.add(VisitCampaign.tags.through, visitcampaign_id=campaign, membertag_id=tag)
    return Round(campaign, occasion, due_by, created_on, centre.created_by)


def build_visit(
    rows: Rows,
    rng: random.Random,
    clock: Clock,
    centre: Centre,
    staff: Staff,
    who: Who,
    *,
    occasion: str,
    due_by: datetime.date,
    status: str,
    campaign: Round | None = None,
    money: Decimal | None | bool = None,
    visitors: bool = True,
    rated: bool | None = None,
    findings: bool | None = None,
) -> int:
    """A visit due by ``due_by``; done ones have a date, gifts and perhaps money (paid out at once).

    ``money``: an amount, ``False`` for none, ``True`` for the occasion's usual sum, ``None`` for the
    occasion's usual sum now and then.
    """
    visitor = staff.visitor_for(who)
    created = campaign.created_on if campaign else min(clock.today, plus(due_by, -RULE_DAYS.get(occasion, 30)))
    values: dict[str, Any] = {}
    reason = rng.choice(REASONS[occasion]) if occasion in REASONS else ""
    amount = None
    if status == "done":
        visited = min(clock.today, max(created, plus(due_by, -rng.randint(0, max(1, (due_by - created).days // 2)))))
        if findings if findings is not None else rng.random() < 0.2:
            values["findings"], values["needs"] = rng.choice(VISIT_FINDINGS), rng.choice(VISIT_NEEDS)
        share, usual = VISIT_MONEY[occasion]
        if isinstance(money, Decimal):
            amount = money
        elif usual and (money is True or (money is None and rng.random() < share)):
            amount = yuan(usual)
        values.update(
            visited_on=visited,
            gifts=rng.choice(GIFTS[occasion]),
            recorded_by_id=visitor,
            visitor_names=rng.choice(("", "", "工会小组长")),
        )
        if amount:
            values.update(amount=amount, budget_line_id=centre.line(visited.year, "visits").id)
    elif status == "cancelled":
        reason = f"{reason}（{CANCELLED_VISIT}）" if reason else CANCELLED_VISIT
    visit = rows.add(
        Visit,
        member_id=who.id,
        unit_path=who.unit_path,
        occasion=occasion,
        campaign_id=campaign.id if campaign else None,
        reason=reason,
        status=status,
        due_by=due_by,
        created_by_id=campaign.created_by if campaign else staff.officer_for(who),
        created_at=clock.at(created, 9),
        **values,
    )
    if status == "done":
        if amount:
            # As services/visits.py does: the cadre who records the visit pays the money out.
            pay(rows, clock, centre.line(visited.year, "visits"), Visit, visit, who, amount, visitor, visited)
        if visitors:
            rows.add(Visit.visitors.through, visit_id=visit, user_id=visitor)
        if rated if rated is not None else rng.random() < 0.15:
            rate(rows, rng, clock, VISITS, VISIT_LABEL, visit, who, visitor, visited)
    return visit
