"""Steps the education-aid service tests share (their ``aid`` fixture is in ``conftest.py``): submitting an
application through the service, approving one (reviewed by a branch officer, approved by the union's), moving
a campaign to publicity and to paying, and reading refusals and a budget line's committed and spent money.
``submit`` calls the service through its module, so a test may monkeypatch ``services._child_taken`` there."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from unionhome.assistance.models import AidApplication, AidCampaign, BudgetLine
from unionhome.assistance.services import aid as services
from unionhome.assistance.tests import aid_records


def submit(aid, actor=None, n: int = 1, **overrides):
    campaign = overrides.pop("campaign", aid["campaign"])
    values = {
        "child_name": "张小明",
        "child_id_number": aid_records.child_id(n),
        "school": "湖南大学",
        "admitted_year": campaign.year,
        "tier": campaign.tiers.order_by("-amount").first(),
        "consent": True,
    }
    values.update(overrides)
    return services.aid_application_submit(actor=actor or aid["member"], campaign=campaign, **values)


def refused(call, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        call(*args, **kwargs)
    return exc.value


def messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def approved(aid, n: int = 1, **fields) -> AidApplication:
    application = aid_records.application(aid["campaign"], aid["member_record"], n=n, status="reviewed", **fields)
    application.reviewed_by = aid["officer_s1"]
    application.save()
    return services.aid_application_approve(actor=aid["officer_union"], application=application)


def line_state(line: BudgetLine) -> tuple[Decimal, Decimal]:
    line.refresh_from_db()
    return line.committed, line.spent


def to_publicity(aid) -> AidApplication:
    application = approved(aid)
    services.aid_campaign_close(actor=aid["officer_union"], campaign=aid["campaign"])
    services.aid_campaign_publish(actor=aid["officer_union"], campaign=aid["campaign"])
    aid["campaign"].refresh_from_db()
    return application


def end_publicity(campaign: AidCampaign) -> None:
    AidCampaign.objects.filter(pk=campaign.pk).update(
        publicity_starts_on=campaign.publicity_starts_on - datetime.timedelta(days=10),
        publicity_ends_on=campaign.publicity_ends_on - datetime.timedelta(days=10),
    )
    campaign.refresh_from_db()


def to_paying(aid, n: int = 1) -> list[AidApplication]:
    applications = [approved(aid, n=i) for i in range(1, n + 1)]
    services.aid_campaign_close(actor=aid["officer_union"], campaign=aid["campaign"])
    services.aid_campaign_publish(actor=aid["officer_union"], campaign=aid["campaign"])
    aid["campaign"].refresh_from_db()
    end_publicity(aid["campaign"])
    services.aid_campaign_start_paying(actor=aid["officer_union"], campaign=aid["campaign"])
    aid["campaign"].refresh_from_db()
    return applications
