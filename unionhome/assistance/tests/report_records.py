"""A small, fully known data set for the report tests, written straight to the database.

Everything is placed in ``year`` (last year, so that every due date in it has passed and "overdue" does
not depend on the day the tests run), with rows just outside the year on both sides that must not be
counted. ``EXPECTED`` in the tests spells out every figure; the comments here say which row makes which.
Money goes through ``ledger`` (so that budget lines stay balanced) and payment dates are then moved
into place.
"""

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from tests import factories
from unionhome.assistance import ledger
from unionhome.assistance.models import (
    AidApplication,
    AidCampaign,
    AidTier,
    Assistance,
    BudgetLine,
    FollowUp,
    HardshipCause,
    HardshipFile,
    Payment,
    Visit,
)
from unionhome.assistance.tests import records
from unionhome.encryption import keyed_digest

_child_numbers = itertools.count(1)


def at(day: datetime.date, hour: int = 12, minute: int = 0, second: int = 0) -> datetime.datetime:
    """A moment on ``day`` in the union's time zone."""
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute, second))


def file(member, *, state: str, level: str, activated_on=None, closed_on=None, causes=()) -> HardshipFile:
    created = records.hardship_file(member, state=state, level=level)
    HardshipFile.objects.filter(pk=created.pk).update(activated_on=activated_on, closed_on=closed_on)
    for cause in causes:
        HardshipCause.objects.create(file=created, cause=cause)
    return created


def pay(officer, item, amount: str, paid_at: datetime.datetime, line: BudgetLine) -> Payment:
    payment = ledger.pay(
        actor=officer, line_id=line.pk, amount=Decimal(amount), item=item, from_commitment=False
    ).payment
    Payment.objects.filter(pk=payment.pk).update(paid_at=paid_at)
    return payment


def reverse(officer, payment: Payment, paid_at: datetime.datetime) -> Payment:
    reversal = ledger.reverse(actor=officer, payment=payment, reason="录入错误")
    Payment.objects.filter(pk=reversal.pk).update(paid_at=paid_at)
    return reversal


def delivered(member, officer, *, kind: str, amount: str | None, line, on: datetime.date, **fields) -> Assistance:
    fields.setdefault("status", Assistance.Status.DELIVERED)
    return records.assistance(
        member,
        requested_by=officer,
        line=line,
        amount=amount,
        kind=kind,
        delivered_on=on if fields["status"] == Assistance.Status.DELIVERED else None,
        **fields,
    )


def follow_up(assistance: Assistance, sequence: int, due_on, done_on=None, grade: str = "") -> FollowUp:
    return FollowUp.objects.create(
        assistance=assistance,
        unit_path=assistance.unit_path,
        sequence=sequence,
        due_on=due_on,
        responsible=assistance.responsible,
        done_on=done_on,
        grade=grade,
    )


def aid_application(campaign: AidCampaign, tier: AidTier, member, *, status: str, amount: str) -> AidApplication:
    number = f"4301{next(_child_numbers):014d}"
    return AidApplication.objects.create(
        campaign=campaign,
        member=member,
        unit_path=member.unit_path,
        child_name="孩子",
        child_id_number=number,
        child_key=keyed_digest(number),
        school="湖南大学",
        admitted_year=campaign.year,
        tier=tier,
        amount=Decimal(amount),
        status=status,
    )


def visit(member, occasion: str, *, due_by=None, status: str = "due", visited_on=None, **fields) -> Visit:
    return Visit.objects.create(
        member=member,
        unit_path=member.unit_path,
        occasion=occasion,
        due_by=due_by,
        status=status,
        visited_on=visited_on,
        **fields,
    )


@dataclass
class ReportData:
    year: int
    officer: object
    union_line: BudgetLine
    company_line: BudgetLine
    rows: dict = field(default_factory=dict)


def build(centre) -> ReportData:
    """The data set of the report tests (see EXPECTED in test_reports_figures.py)."""
    union = centre["union"]
    year = centre["today"].year - 1
    officer, checker = centre["officer_union"], centre["chair"]

    def day(month: int, d: int, y: int = year) -> datetime.date:
        return datetime.date(y, month, d)

    union_line = centre["budget_line"]
    company_line = BudgetLine.objects.create(
        unit=union["union"],
        unit_path=union["union"].path,
        name="企业福利费",
        fund_source=BudgetLine.FundSource.COMPANY,
        year=year,
        amount=Decimal("50000.00"),
    )
    m1, m2, m3 = centre["member_record"], centre["other_s1"], centre["s2_member"]  # g11, g12 (S01); g21 (S02)
    a = factories.member(union["g11"], "赵六")
    b = factories.member(union["g12"], "钱七")
    c = factories.member(union["g12"], "孙八")
    d = factories.member(union["g12"], "周九")
    e = factories.member(union["g21"], "吴十")
    z = factories.member(union["union"], "郑一")  # placed on the union itself

    # --- hardship files (records.hardship_file gives each the cause low_income) ---
    rows = {}
    rows["F1"] = file(m1, state="active", level="deep", activated_on=day(3, 1, year - 1), causes=["illness"])
    rows["F2"] = file(a, state="exited", level="relative", activated_on=day(2, 10), closed_on=day(8, 20))
    rows["F3"] = file(  # closed before the year: not counted
        b, state="exited", level="relative", activated_on=day(5, 1, year - 2), closed_on=day(12, 1, year - 1)
    )
    rows["F4"] = file(c, state="active", level="sudden", activated_on=day(11, 11), causes=["disaster"])
    rows["F5"] = file(d, state="submitted", level="")  # never active: not counted
    rows["F6"] = file(  # exited after the year: active at its end
        m3, state="exited", level="deep", activated_on=day(6, 1, year - 1), closed_on=day(2, 1, year + 1)
    )
    rows["F7"] = file(e, state="active", level="relative", activated_on=day(1, 5, year + 1))  # after the year
    rows["F8"] = file(z, state="active", level="deep", activated_on=day(5, 5))

    # --- assistance and its money ---
    a1 = delivered(m1, officer, kind="cash", amount="1000.00", line=union_line, on=day(3, 1), decided_by=checker)
    pay(officer, a1, "1000.00", at(day(3, 1)), union_line)
    a2 = delivered(m2, officer, kind="medical", amount="2500.50", line=union_line, on=day(4, 1), decided_by=checker)
    wrong = pay(officer, a2, "2500.50", at(day(4, 1)), union_line)
    reverse(officer, wrong, at(day(4, 2)))
    pay(officer, a2, "2000.00", at(day(4, 3)), union_line)  # net 2000.00
    a3 = delivered(m3, officer, kind="goods", amount="300.00", line=company_line, on=day(12, 31), decided_by=checker)
    pay(officer, a3, "300.00", at(day(12, 31), 23, 59, 59), company_line)  # the year's last second
    a4 = delivered(m3, officer, kind="job", amount=None, line=None, on=day(6, 1), decided_by=checker)
    a5 = delivered(m1, officer, kind="cash", amount="500.00", line=union_line, on=day(12, 31, year - 1))
    pay(officer, a5, "500.00", at(day(12, 31, year - 1), 23, 59, 59), union_line)  # the year before
    a6 = delivered(m2, officer, kind="legal", amount=None, line=None, on=None, status=Assistance.Status.REQUESTED)
    a7 = delivered(m1, officer, kind="cash", amount="700.00", line=union_line, on=day(1, 1, year + 1))
    pay(officer, a7, "700.00", at(day(1, 1, year + 1), 0, 0, 0), union_line)  # the first second after
    rows.update(A1=a1, A2=a2, A3=a3, A4=a4, A5=a5, A6=a6, A7=a7)

    # --- follow-ups ---
    rows["FU1"] = follow_up(a1, 1, day(4, 1), done_on=day(3, 30), grade="improved")  # on time
    rows["FU2"] = follow_up(a1, 2, day(6, 1), done_on=day(6, 10), grade="resolved")  # late
    rows["FU3"] = follow_up(a2, 1, day(5, 1))  # overdue
    rows["FU4"] = follow_up(a3, 1, day(12, 30), done_on=day(12, 30), grade="unchanged")  # on time (S02)
    rows["FU5"] = follow_up(a4, 1, day(1, 30, year + 1))  # due after the year
    rows["FU6"] = follow_up(a5, 1, day(12, 31, year - 1), done_on=day(12, 31, year - 1), grade="worse")  # before

    # --- education aid ---
    campaign = AidCampaign.objects.create(
        unit=union["union"],
        unit_path=union["union"].path,
        name=f"{year}年金秋助学",
        year=year,
        state=AidCampaign.State.PAYING,
        opens_on=day(7, 1),
        closes_on=day(8, 31),
        budget_line=union_line,
    )
    tier = AidTier.objects.create(campaign=campaign, name="本科", amount=Decimal("5000.00"))
    ap1 = aid_application(campaign, tier, m1, status="paid", amount="5000.00")
    pay(officer, ap1, "5000.00", at(day(9, 10)), union_line)
    rows["AP1"] = ap1
    rows["AP2"] = aid_application(campaign, tier, m2, status="approved", amount="3000.00")
    rows["AP3"] = aid_application(campaign, tier, m3, status="rejected", amount="3000.00")
    rows["AP4"] = aid_application(campaign, tier, m3, status="withdrawn", amount="3000.00")  # not counted
    earlier = AidCampaign.objects.create(
        unit=union["union"],
        unit_path=union["union"].path,
        name=f"{year - 1}年金秋助学",
        year=year - 1,
        state=AidCampaign.State.CLOSED,
        opens_on=day(7, 1, year - 1),
        closes_on=day(8, 31, year - 1),
        budget_line=union_line,
    )
    earlier_tier = AidTier.objects.create(campaign=earlier, name="本科", amount=Decimal("4000.00"))
    ap5 = aid_application(earlier, earlier_tier, m1, status="paid", amount="4000.00")
    pay(officer, ap5, "4000.00", at(day(9, 10, year - 1)), union_line)  # the year before: not counted
    rows["AP5"] = ap5

    # --- visits ---
    v1 = visit(m1, "illness", due_by=day(3, 10), status="done", visited_on=day(3, 8), amount=Decimal("200.00"))
    pay(officer, v1, "200.00", at(day(3, 8)), union_line)
    rows["V1"] = v1  # due, done on time, made in the year
    rows["V2"] = visit(m2, "bereavement", due_by=day(7, 1), status="done", visited_on=day(7, 5))  # done late
    rows["V3"] = visit(m3, "winter", due_by=day(1, 20))  # overdue
    rows["V4"] = visit(m3, "illness", due_by=day(9, 1), status="cancelled")  # not counted
    rows["V5"] = visit(m2, "festival", status="done", visited_on=day(10, 1))  # made in the year, never due
    rows["V6"] = visit(m1, "illness", due_by=day(12, 20), status="done", visited_on=day(1, 3, year + 1))  # done after
    rows["V7"] = visit(m3, "retirement", due_by=day(12, 15, year - 1), status="done", visited_on=day(1, 5))
    return ReportData(year=year, officer=officer, union_line=union_line, company_line=company_line, rows=rows)


def grow(centre, data: ReportData, n: int) -> None:
    """``n`` more of everything, in a new branch with two groups and in the existing ones: the report's query
    count must not change."""
    union = centre["union"]
    branch = factories.unit(union["union"], f"第{n}检验站分工会", "branch")
    groups = [factories.unit(branch, f"{n}站{i}班", "group") for i in range(2)]
    year = data.year
    for i in range(n):
        unit = (groups[0], groups[1], union["g11"], union["g21"])[i % 4]
        member = factories.member(unit, "冯二")
        file(member, state="active", level="deep", activated_on=datetime.date(year, 3, 1), causes=["illness"])
        help_ = delivered(
            member,
            data.officer,
            kind="cash",
            amount="100.00",
            line=data.union_line,
            on=datetime.date(year, 3, 1),
            decided_by=centre["chair"],
        )
        pay(data.officer, help_, "100.00", at(datetime.date(year, 3, 1)), data.union_line)
        follow_up(help_, 1, datetime.date(year, 4, 1), done_on=datetime.date(year, 4, 1), grade="resolved")
        visit(
            member, "childbirth", due_by=datetime.date(year, 5, 1), status="done", visited_on=datetime.date(year, 5, 1)
        )
