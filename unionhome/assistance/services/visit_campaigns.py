"""Festival visit campaigns (送温暖, 送清凉): creating one and generating its visits in bulk."""

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import require
from unionhome.assistance.models import BudgetLine, HardshipFile, Visit, VisitCampaign
from unionhome.assistance.services.visit_checks import (
    CAMPAIGN_AHEAD_DAYS,
    CAMPAIGN_BATCH,
    CAMPAIGN_OCCASIONS,
    VISITABLE_STATUSES,
    checked_date,
    checked_text,
)
from unionhome.audit.recorder import record
from unionhome.org.models import Member, MemberTag, OrgUnit


def check_budget_line_for(line: BudgetLine | None, unit_path: str, field: str = "budget_line") -> None:
    """A budget line may pay for visits to members at or below the unit that holds it."""
    if line is not None and not unit_path.startswith(line.unit_path):
        raise ValidationError({field: _("This budget line cannot pay for visits in this part of the union.")})


@transaction.atomic
def visit_campaign_create(
    *,
    actor,
    unit: OrgUnit,
    name: str,
    occasion: str,
    due_by: datetime.date,
    include_hardship_files: bool,
    include_retirees: bool,
    tags: Iterable[MemberTag] = (),
    budget_line: BudgetLine | None = None,
) -> VisitCampaign:
    """A festival campaign (送温暖, 送清凉, a festival): one due visit for every member of ``unit``'s subtree
    with an active hardship file (if chosen), retired (if chosen) or carrying any of ``tags``.

    Visits are generated in bulk (a few queries, whatever the subtree's size) and the campaign is audited
    once with the number of visits. ``visit_campaign_generate`` adds members who qualify later.
    """
    require(actor, "assistance.manage_visits", unit)
    name = checked_text(name, "name", 100, required_message=_("Give the campaign a name, such as 2026 春节送温暖."))
    if occasion not in CAMPAIGN_OCCASIONS:
        raise ValidationError({"occasion": _("Choose winter warmth, summer cool or a festival.")})
    due_by = checked_date(due_by, "due_by")
    today = timezone.localdate()
    if due_by < today:
        raise ValidationError({"due_by": _("The date visits are due by cannot be in the past.")})
    if due_by > today + datetime.timedelta(days=CAMPAIGN_AHEAD_DAYS):
        raise ValidationError({"due_by": _("The date is too far in the future.")})
    tags = list(tags)
    if not (include_hardship_files or include_retirees or tags):
        raise ValidationError(
            _("Choose whom to visit: members with an active hardship file, retired members, or members with a tag.")
        )
    check_budget_line_for(budget_line, unit.path)
    campaign = VisitCampaign.objects.create(
        unit=unit,
        unit_path=unit.path,
        name=name,
        occasion=occasion,
        due_by=due_by,
        include_hardship_files=bool(include_hardship_files),
        include_retirees=bool(include_retirees),
        budget_line=budget_line,
        created_by=actor,
    )
    if tags:
        campaign.tags.set(tags)
    count = _generate_campaign_visits(campaign, actor=actor, tag_ids=[t.pk for t in tags])
    record(
        actor,
        "assistance.visit_campaign.created",
        campaign,
        name=name,
        occasion=occasion,
        due_by=due_by,
        include_hardship_files=campaign.include_hardship_files,
        include_retirees=campaign.include_retirees,
        tags=sorted(t.code for t in tags),
        budget_line=budget_line.pk if budget_line else None,
        visits=count,
    )
    return campaign


@transaction.atomic
def visit_campaign_generate(*, actor, campaign: VisitCampaign) -> int:
    """Add visits for members who qualify for the campaign now but have none in it yet; returns how many.

    Running it again adds none: a campaign visits each member once (cancelled visits included)."""
    require(actor, "assistance.manage_visits", campaign)
    campaign = VisitCampaign.objects.select_for_update().get(pk=campaign.pk)
    before = Visit.objects.filter(campaign=campaign).count()
    after = _generate_campaign_visits(campaign, actor=actor, tag_ids=list(campaign.tags.values_list("pk", flat=True)))
    added = after - before
    if added:
        record(actor, "assistance.visit_campaign.generated", campaign, visits=added)
    return added


def campaign_members(campaign: VisitCampaign, tag_ids: Sequence[int]):
    """The members the campaign visits: ``(id, unit_path)`` rows, one per member."""
    criteria = Q()
    if campaign.include_hardship_files:
        criteria |= Q(pk__in=HardshipFile.objects.filter(state=HardshipFile.State.ACTIVE).values("member_id"))
    if campaign.include_retirees:
        criteria |= Q(status=Member.Status.RETIRED)
    if tag_ids:
        criteria |= Q(pk__in=Member.tags.through.objects.filter(membertag_id__in=tag_ids).values("member_id"))
    if not criteria:
        return Member.objects.none().values_list("pk", "unit_path")
    return (
        Member.objects.filter(unit_path__prefix=campaign.unit_path, status__in=VISITABLE_STATUSES)
        .filter(criteria)
        .order_by()
        .values_list("pk", "unit_path")
    )


def _generate_campaign_visits(campaign: VisitCampaign, *, actor, tag_ids: Sequence[int]) -> int:
    """Insert the campaign's missing visits a batch at a time; returns how many visits the campaign has."""
    batch: list[Visit] = []
    for member_id, unit_path in campaign_members(campaign, tag_ids).iterator(chunk_size=CAMPAIGN_BATCH):
        batch.append(
            Visit(
                member_id=member_id,
                unit_path=unit_path,
                occasion=campaign.occasion,
                campaign=campaign,
                reason=campaign.name,
                status=Visit.Status.DUE,
                due_by=campaign.due_by,
                created_by=actor,
            )
        )
        if len(batch) >= CAMPAIGN_BATCH:
            Visit.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Visit.objects.bulk_create(batch, ignore_conflicts=True)
    return Visit.objects.filter(campaign=campaign).count()
