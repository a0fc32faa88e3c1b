"""Education-aid rows a test starts from, written straight to the database (the services that make them are
tested on their own), and checksum-valid ID numbers for children."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from unionhome.assistance.models import AidApplication, AidCampaign, AidTier, BudgetLine
from unionhome.demo.identities import synthetic_id_number
from unionhome.encryption import keyed_digest
from unionhome.org.models import Member


def child_id(n: int, birth: datetime.date = datetime.date(2007, 3, 1)) -> str:
    """A valid resident ID number for a child, different for each ``n``."""
    return synthetic_id_number(random.Random(n), birth, "F" if n % 2 else "M", 100 + n)


def campaign(
    centre: dict,
    *,
    state: str = "open",
    opens_in: int = -5,
    closes_in: int = 10,
    line: BudgetLine | None = None,
    tiers: tuple[tuple[str, str], ...] = (("本科", "5000.00"), ("专科", "3000.00")),
    name: str = "金秋助学",
    **fields,
) -> AidCampaign:
    """A campaign of the union in ``state``, whose window is open from ``opens_in`` to ``closes_in`` days
    from today, paid from the centre's budget line."""
    today = timezone.localdate()
    union = centre["union"]["union"]
    fields.setdefault("require_admission_this_year", True)
    made = AidCampaign.objects.create(
        unit=union,
        unit_path=union.path,
        name=name,
        year=fields.pop("year", today.year),
        state=state,
        opens_on=today + datetime.timedelta(days=opens_in),
        closes_on=today + datetime.timedelta(days=closes_in),
        budget_line=line or centre["budget_line"],
        **fields,
    )
    for tier_name, amount in tiers:
        AidTier.objects.create(campaign=made, name=tier_name, amount=Decimal(amount))
    return made


def application(
    campaign: AidCampaign,
    member: Member,
    *,
    n: int = 1,
    status: str = "submitted",
    tier: AidTier | None = None,
    child_name: str = "张小明",
    **fields,
) -> AidApplication:
    """An application of ``member`` for child number ``n``."""
    tier = tier or campaign.tiers.order_by("-amount").first()
    number = child_id(n)
    return AidApplication.objects.create(
        campaign=campaign,
        member=member,
        unit_path=member.unit_path,
        child_name=child_name,
        child_id_number=number,
        child_key=keyed_digest(number),
        school="湖南大学",
        admitted_year=fields.pop("admitted_year", campaign.year),
        tier=tier,
        amount=tier.amount,
        status=status,
        **fields,
    )
