"""Served items to rate: the centre's assistance, visits and education aid (registered in
``unionhome/assistance/ratings.py``), built straight in the database."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from unionhome.assistance.models import AidApplication, AidCampaign, AidTier, Visit
from unionhome.assistance.tests import records
from unionhome.assistance.tests.conftest import centre  # noqa: F401  (the centre's people and budget)


@pytest.fixture
def served(centre):  # noqa: F811
    """``served.assistance(...)``, ``served.visit(...)``, ``served.aid(...)`` for a member."""
    today = centre["today"]

    class Served:
        @staticmethod
        def assistance(member=None, *, status="delivered", days_ago=3, responsible=None):
            return records.assistance(
                member or centre["member_record"],
                requested_by=centre["officer_s1"],
                responsible=responsible or centre["officer_s1"],
                line=centre["budget_line"],
                status=status,
                delivered_on=today - datetime.timedelta(days=days_ago) if status == "delivered" else None,
            )

        @staticmethod
        def visit(member=None, *, status="done", recorded_by=None):
            member = member or centre["member_record"]
            return Visit.objects.create(
                member=member,
                unit_path=member.unit_path,
                occasion="illness",
                status=status,
                due_by=today,
                visited_on=today - datetime.timedelta(days=1) if status == "done" else None,
                recorded_by=(recorded_by or centre["cadre"]) if status == "done" else None,
            )

        @staticmethod
        def aid(member=None, *, status="paid", child="小明"):
            member = member or centre["member_record"]
            campaign = AidCampaign.objects.filter(name="金秋助学").first() or AidCampaign.objects.create(
                unit=centre["union"]["union"],
                unit_path=centre["union"]["union"].path,
                name="金秋助学",
                year=today.year,
                opens_on=today - datetime.timedelta(days=30),
                closes_on=today - datetime.timedelta(days=10),
                budget_line=centre["budget_line"],
            )
            tier, _ = AidTier.objects.get_or_create(
                campaign=campaign, name="本科", defaults={"amount": Decimal("5000")}
            )
            return AidApplication.objects.create(
                campaign=campaign,
                member=member,
                unit_path=member.unit_path,
                child_name=child,
                child_id_number="110101200801011234",
                child_key=f"{member.pk}-{child}",
                school="中南大学",
                admitted_year=today.year,
                tier=tier,
                amount=tier.amount,
                status=status,
                decided_by=centre["chair"] if status in ("approved", "paid") else None,
                decided_at=timezone.now() if status in ("approved", "paid") else None,
            )

    return Served()
