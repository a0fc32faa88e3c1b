"""The assistance demo's help given: assistance records, payments and reversals, follow-ups and ratings."""

import datetime
import random
from decimal import Decimal
from typing import Any

from django.db import models

from unionhome.assistance.models import AidApplication, Assistance, FollowUp, Payment, Visit
from unionhome.assistance.ratings import HARDSHIP_ASSISTANCE
from unionhome.demo.assistance_centre import Centre, Line, Who
from unionhome.demo.assistance_clock import Clock, plus, yuan
from unionhome.demo.assistance_files import FileCase
from unionhome.demo.assistance_rows import Rows
from unionhome.satisfaction.services import rating_build

ASSISTANCE_LABEL = Assistance._meta.label_lower

# --- Assistance, payments, follow-ups, ratings ----------------------------------------------------

MONEY_KINDS = {"cash": (500, 5_000), "goods": (300, 2_000), "medical": (2_000, 20_000), "schooling": (1_000, 5_000)}
DESCRIPTIONS = {
    "cash": ("发放生活困难补助", "春节困难职工慰问金", "发放临时救助金", "发放季度生活补助"),
    "goods": ("送米、面、油等生活物资", "送冬衣、棉被", "购置轮椅等康复器具", "送助学用品"),
    "medical": ("大病医疗救助，补助医保报销后自付部分", "住院医疗费用补助", "门诊特殊病种药费补助"),
    "schooling": ("子女学费补助", "子女秋季开学生活费补助"),
    "job": ("为配偶推荐公司后勤保洁岗位", "联系社区就业服务站，推荐再就业培训", "推荐子女参加公司招聘"),
    "legal": ("协助申请工伤认定，提供法律咨询", "劳动争议法律援助，联系律师代理", "协助处理交通事故赔偿"),
}
REJECTIONS = (
    "本年度已享受同类帮扶，不重复发放",
    "材料不全，请补充医疗费用票据后重新申请",
    "医疗费用已由商业保险全额报销，不符合救助条件",
)
CANCELLATIONS = ("职工本人婉拒", "已通过社区救助解决", "职工已调离本单位")
REVERSAL_REASON = "收款银行账号有误，款项被退回，冲正后重新核实"
FINDINGS = (
    "补助已用于支付医疗费，家庭生活基本稳定",
    "物资已送达，职工表示感谢",
    "配偶已上岗，家庭收入增加",
    "病情稳定，仍需长期服药",
    "子女已按时入学，学费问题解决",
    "医疗支出仍较大，建议继续关注",
    "家中老人住院，负担加重",
)
NEXT_STEPS = ("继续跟踪", "年底复核时重点关注", "协助申请大病医保二次报销", "无需进一步帮扶", "推荐参加技能培训")
GRADES = ("resolved", "improved", "unchanged", "worse")
GRADE_WEIGHTS = (30, 45, 20, 5)
COMMENTS = ("帮扶很及时，感谢工会", "干部上门很暖心", "手续简单，办得快", "希望今后多关注", "", "", "")
SCORES = (5, 4, 3, 2, 1)
SCORE_WEIGHTS = (55, 30, 10, 3, 2)


def money_for(rng: random.Random, kind: str) -> Decimal | None:
    if kind not in MONEY_KINDS:
        return None
    low, high = MONEY_KINDS[kind]
    return yuan(rng.uniform(low, high))


def build_assistance(
    rows: Rows,
    rng: random.Random,
    clock: Clock,
    centre: Centre,
    *,
    who: Who,
    file: FileCase | None,
    kind: str,
    status: str,
    requested_on: datetime.date,
    requester: int,
    delivered_on: datetime.date | None = None,
    rated: bool | None = None,
    overdue_follow_up: bool = False,
) -> int:
    """One assistance in ``status``, with its budget movements, payment(s), follow-ups and perhaps a rating.

    The requester is responsible for it and pays it out; ``staff.approver_for`` the requester decides.
    """
    approver = centre.staff.approver_for(requester)
    amount = money_for(rng, kind)
    decided_on = min(clock.today, plus(requested_on, rng.randint(1, 3)))
    if status in ("delivered", "reversed"):
        delivered_on = delivered_on or min(clock.today, plus(decided_on, rng.randint(1, 7)))
        decided_on = min(decided_on, delivered_on)
        requested_on = min(requested_on, decided_on)
    else:
        delivered_on = None
    purpose = "subsidy" if (kind == "medical" or rng.random() < 0.3) else "relief"
    line = centre.line((requested_on if status == "requested" else decided_on).year, purpose) if amount else None
    requested_at = clock.at(requested_on, 10, rng.randrange(60))
    decided = status != "requested"
    note = ""
    if status == "rejected":
        note = rng.choice(REJECTIONS)
    elif status == "cancelled":
        note = rng.choice(CANCELLATIONS)
    item = rows.add(
        Assistance,
        member_id=who.id,
        hardship_file_id=file.id if file else None,
        unit_path=who.unit_path,
        kind=kind,
        amount=amount,
        budget_line_id=line.id if line else None,
        description=rng.choice(DESCRIPTIONS[kind]),
        status=status,
        requested_by_id=requester,
        requested_at=requested_at,
        decided_by_id=approver if decided else None,
        decided_at=clock.at(decided_on, 15, rng.randrange(60)) if decided else None,
        decision_note=note,
        responsible_id=requester,
        delivered_on=delivered_on,
        created_at=requested_at,
    )
    if line is not None and status == "approved":
        line.committed += amount
    if line is not None and delivered_on is not None:
        paid = pay(rows, clock, line, Assistance, item, who, amount, requester, delivered_on)
        if status == "reversed":
            reverse(
                rows,
                clock,
                line,
                Assistance,
                item,
                who,
                paid,
                amount,
                requester,
                min(clock.today, plus(delivered_on, rng.randint(2, 10))),
            )
    if status == "delivered":
        follow_ups(rows, rng, clock, centre, item, who, requester, delivered_on, overdue_follow_up)
        if rated if rated is not None else rng.random() < 0.4:
            rate(rows, rng, clock, HARDSHIP_ASSISTANCE, ASSISTANCE_LABEL, item, who, requester, delivered_on)
    return item


_ITEM_COLUMN = {Assistance: "assistance_id", AidApplication: "aid_application_id", Visit: "visit_id"}


def pay(
    rows: Rows,
    clock: Clock,
    line: Line,
    model: type[models.Model],
    item: int,
    who: Who,
    amount: Decimal,
    paid_by: int,
    day: datetime.date,
) -> int:
    """A payment out of ``line`` (what ``ledger.pay`` would record): the line's ``spent`` grows by it."""
    line.spent += amount
    return rows.add(
        Payment,
        budget_line_id=line.id,
        unit_path=who.unit_path,
        kind=Payment.Kind.PAYMENT,
        amount=amount,
        payee_id=who.id,
        paid_by_id=paid_by,
        paid_at=clock.at(day, 14),
        **{_ITEM_COLUMN[model]: item},
    )


def reverse(
    rows: Rows,
    clock: Clock,
    line: Line,
    model: type[models.Model],
    item: int,
    who: Who,
    payment: int,
    amount: Decimal,
    actor: int,
    day: datetime.date,
) -> int:
    """The reversal of a payment (what ``ledger.reverse`` would record): the money is available again."""
    line.spent -= amount
    return rows.add(
        Payment,
        budget_line_id=line.id,
        unit_path=who.unit_path,
        kind=Payment.Kind.REVERSAL,
        amount=-amount,
        payee_id=who.id,
        reverses_id=payment,
        note=REVERSAL_REASON,
        paid_by_id=actor,
        paid_at=clock.at(day, 16),
        **{_ITEM_COLUMN[model]: item},
    )


def follow_ups(
    rows: Rows,
    rng: random.Random,
    clock: Clock,
    centre: Centre,
    item: int,
    who: Who,
    responsible: int,
    delivered_on: datetime.date,
    force_overdue: bool = False,
) -> None:
    """The follow-ups on the union's schedule: done when past (mostly), now and then overdue, or ahead."""
    escalate_after = centre.settings.escalate_after_days
    behind = False
    for sequence, days in enumerate(centre.settings.follow_up_days, start=1):
        due = plus(delivered_on, days)
        late = (clock.today - due).days
        values: dict[str, Any] = {}
        if late > 0:
            on_time = 0.98 if late > 60 else (0.9 if late > 14 else 0.6)
            if not behind and not force_overdue and rng.random() < on_time:
                values = {
                    "done_on": max(plus(delivered_on, 1), min(clock.today, plus(due, rng.randint(-7, 3)))),
                    "grade": rng.choices(GRADES, GRADE_WEIGHTS)[0],
                    "findings": rng.choice(FINDINGS),
                    "next_steps": rng.choice(NEXT_STEPS),
                    "recorded_by_id": responsible,
                }
            else:
                behind = True
                values = {"reminded_at": clock.at(plus(due, 1), 8)}
                if late > escalate_after:
                    values["escalated_at"] = clock.at(plus(due, escalate_after + 1), 8)
        force_overdue = False
        rows.add(
            FollowUp,
            assistance_id=item,
            unit_path=who.unit_path,
            sequence=sequence,
            due_on=due,
            responsible_id=responsible,
            **values,
        )


def rate(
    rows: Rows,
    rng: random.Random,
    clock: Clock,
    service_line: str,
    item_type: str,
    item: int,
    who: Who,
    cadre: int | None,
    served_on: datetime.date,
) -> None:
    rows.add_rating(
        rating_build(
            service_line=service_line,
            item_type=item_type,
            item_id=item,
            member_id=who.id,
            unit_path=who.unit_path,
            cadre_id=cadre,
            score=rng.choices(SCORES, SCORE_WEIGHTS)[0],
            comment=rng.choice(COMMENTS),
            rated_at=clock.at(min(clock.today, plus(served_on, rng.randint(1, 15))), 20),
        )
    )
