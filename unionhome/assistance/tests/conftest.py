"""Fixtures for the centre: officers at branch and union level, a budget line, the centre's settings, and an
open education-aid campaign."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests import factories
from unionhome.assistance.models import AssistanceSettings, BudgetLine
from unionhome.assistance.tests import aid_records


@pytest.fixture
def centre(union, people):
    """People of the centre on top of ``people``: assistance officers of station 1, station 2 and the union,
    and a union budget line of 100,000 yuan for this year."""
    today = timezone.localdate()
    AssistanceSettings.objects.create(union=union["union"])
    line = BudgetLine.objects.create(
        unit=union["union"],
        unit_path=union["union"].path,
        name="困难职工帮扶资金",
        fund_source=BudgetLine.FundSource.UNION_FUNDS,
        year=today.year,
        amount=Decimal("100000.00"),
    )
    return {
        **people,
        "union": union,
        "today": today,
        "officer_s1": factories.user("officer_s1", roles=(("assistance_officer", union["s1"]),)),
        "officer_s2": factories.user("officer_s2", roles=(("assistance_officer", union["s2"]),)),
        "officer_union": factories.user("officer_union", roles=(("assistance_officer", union["union"]),)),
        "budget_line": line,
    }


@pytest.fixture
def aid(centre):
    """For the education-aid service tests: the centre plus an open union campaign (5,000 / 3,000 yuan tiers)
    and a login for a second parent."""
    centre["campaign"] = aid_records.campaign(centre)
    centre["parent2"] = factories.user("parent2", member=centre["other_s1"])
    return centre


def days_from(today: datetime.date, n: int) -> datetime.date:
    return today + datetime.timedelta(days=n)
