"""The assistance demo's education aid: campaigns, their tiers and applications."""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from unionhome.assistance.models import AidApplication, AidCampaign, AidTier
from unionhome.assistance.ratings import EDUCATION_AID
from unionhome.demo.assistance_centre import Centre, Line, Staff, Who
from unionhome.demo.assistance_clock import CENT, Clock, plus, random_day, yuan
from unionhome.demo.assistance_files import FileCase
from unionhome.demo.assistance_help import pay, rate
from unionhome.demo.assistance_rows import Rows
from unionhome.demo.chinese_names import given_name
from unionhome.demo.identities import synthetic_id_number
from unionhome.encryption import keyed_digest

AID_LABEL = AidApplication._meta.label_lower

# --- Education aid --------------------------------------------------------------------------------

TIERS = (("研究生", 6000), ("本科", 5000), ("专科（高职）", 3000))
TIER_WEIGHTS = (10, 60, 30)
SCHOOLS = {
    "研究生": ("中南大学", "湖南大学", "华中科技大学"),
    "本科": ("湘潭大学", "长沙理工大学", "湖南理工学院", "武汉大学", "湖南师范大学", "中国石油大学（华东）"),
    "专科（高职）": ("岳阳职业技术学院", "湖南石油化工职业技术学院", "长沙民政职业技术学院"),
}
AID_REJECTIONS = ("家庭人均月收入高于本次助学标准", "录取通知书非本年度，不符合条件")
AID_WITHDRAWN = "已获得其他助学金资助，本人撤回申请"


@dataclass
class AidRound:
    id: int
    year: int
    opens_on: datetime.date
    closes_on: datetime.date
    publicity_ends_on: datetime.date | None
    line: Line
    tiers: dict[str, tuple[int, Decimal]]
    keys: set[str] = field(default_factory=set)  # children who applied (keyed digests of their ID numbers)


def build_aid_campaign(rows: Rows, clock: Clock, centre: Centre, *, year: int, state: str) -> AidRound:
    if year < clock.year:
        opens, closes = datetime.date(year, 7, 1), datetime.date(year, 8, 31)
        publicity: tuple[datetime.date | None, datetime.date | None] = (
            datetime.date(year, 9, 8),
            datetime.date(year, 9, 13),
        )
    else:
        opens, closes, publicity = clock.day(-20), clock.day(25), (None, None)
    line = centre.line(year, "aid")
    campaign = rows.add(
        AidCampaign,
        unit_id=centre.union_id,
        unit_path=centre.union_path,
        name=f"{year}年金秋助学",
        year=year,
        state=state,
        opens_on=opens,
        closes_on=closes,
        budget_line_id=line.id,
        require_admission_this_year=True,
        require_active_file=False,
        income_per_head_below=centre.settings.relative_hardship_below,
        publicity_days=5,
        publicity_starts_on=publicity[0],
        publicity_ends_on=publicity[1],
        created_by_id=centre.created_by,
        created_at=clock.at(plus(opens, -7)),
    )
    tiers = {}
    for name, amount in TIERS:
        money = Decimal(amount).quantize(CENT)
        tiers[name] = (rows.add(AidTier, campaign_id=campaign, name=name, amount=money), money)
    return AidRound(campaign, year, opens, closes, publicity[1], line, tiers)


def build_aid_application(
    rows: Rows,
    rng: random.Random,
    clock: Clock,
    staff: Staff,
    campaign: AidRound,
    who: Who,
    *,
    status: str,
    file: FileCase | None,
    rated: bool = False,
) -> int | None:
    """One child's application; ``None`` when that child already applied in this campaign."""
    tier = rng.choices(tuple(campaign.tiers), TIER_WEIGHTS)[0]
    tier_id, amount = campaign.tiers[tier]
    child_gender = rng.choice("MF")
    born = plus(datetime.date(campaign.year - (22 if tier == "研究生" else 18), 1, 1), rng.randrange(365))
    child_id = synthetic_id_number(rng, born, child_gender)
    key = keyed_digest(child_id)
    if key in campaign.keys:
        return None
    campaign.keys.add(key)
    surname = who.name[:2] if who.name[:2] in ("欧阳", "司马") else who.name[:1]
    submitted = min(clock.today, random_day(rng, campaign.opens_on, campaign.closes_on))
    officer = staff.officer_for(who)
    decided = status in ("approved", "rejected", "paid")
    decided_on = min(clock.today, max(submitted, plus(campaign.closes_on, 3)))
    app = rows.add(
        AidApplication,
        campaign_id=campaign.id,
        member_id=who.id,
        unit_path=who.unit_path,
        child_name=surname + given_name(rng, child_gender, born.year),
        child_id_number=child_id,
        child_key=key,
        school=rng.choice(SCHOOLS[tier]),
        admitted_year=campaign.year,
        tier_id=tier_id,
        amount=amount,
        income_per_head=file.income_per_head if file else yuan(rng.uniform(700, 1550), 10),
        hardship_file_id=file.id if file else None,
        status=status,
        submitted_by_id=staff.member_users.get(who.id, officer),
        submitted_at=clock.at(submitted, 11, rng.randrange(60)),
        reviewed_by_id=officer if status in ("reviewed", "approved", "rejected", "paid") else None,
        decided_by_id=staff.chair if decided else None,
        decided_at=clock.at(decided_on, 15) if decided else None,
        decision_note={"rejected": rng.choice(AID_REJECTIONS), "withdrawn": AID_WITHDRAWN}.get(status, ""),
    )
    if status == "approved":
        campaign.line.committed += amount
    if status == "paid":
        paid_on = min(clock.today, plus(campaign.publicity_ends_on or clock.today, 3))
        pay(rows, clock, campaign.line, AidApplication, app, who, amount, officer, paid_on)
        if rated:
            rate(rows, rng, clock, EDUCATION_AID, AID_LABEL, app, who, staff.chair, paid_on)
    return app
