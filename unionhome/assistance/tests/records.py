"""Records a test needs as its starting point, written straight to the database (the services that make
them in real use are tested on their own)."""

from decimal import Decimal

from django.utils import timezone

from unionhome.assistance.models import Assistance, BudgetLine, HardshipCause, HardshipFile, HouseholdMember
from unionhome.org.models import Member


def hardship_file(member: Member, *, state: str = "active", level: str = "relative", **fields) -> HardshipFile:
    """A file in ``state`` with one cause (low income) and a two-person household."""
    today = timezone.localdate()
    file = HardshipFile.objects.create(
        member=member,
        union=member.union,
        unit_path=member.unit_path,
        state=state,
        level=level,
        household_size=2,
        household_monthly_income=Decimal("2000.00"),
        income_per_head=Decimal("1000.00"),
        activated_on=today if state == "active" else None,
        next_review_due=today.replace(year=today.year + 1) if state == "active" else None,
        **fields,
    )
    HardshipCause.objects.create(file=file, cause=HardshipCause.Cause.LOW_INCOME)
    HouseholdMember.objects.create(
        file=file, relation="self", age=45, health="chronic", monthly_income=Decimal("2000.00"), employment="employed"
    )
    HouseholdMember.objects.create(
        file=file, relation="child", age=17, health="healthy", monthly_income=Decimal("0.00"), employment="student"
    )
    return file


def assistance(
    member: Member,
    *,
    requested_by,
    responsible=None,
    line: BudgetLine | None = None,
    amount: str | None = "1000.00",
    kind: str = "cash",
    status: str = "requested",
    **fields,
) -> Assistance:
    return Assistance.objects.create(
        member=member,
        unit_path=member.unit_path,
        kind=kind,
        amount=Decimal(amount) if amount is not None else None,
        budget_line=line if amount is not None else None,
        description="生活困难补助",
        status=status,
        requested_by=requested_by,
        responsible=responsible or requested_by,
        **fields,
    )
