"""Reads of surveys: a survey's response rate, and the surveys waiting for a member's answers."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from unionhome.org.models import Member
from unionhome.surveys.models import Invitation, Survey


@dataclass(frozen=True)
class ResponseRate:
    invited: int
    responded: int

    @property
    def rate(self) -> float | None:
        """responded / invited, from 0 to 1 (None before anyone was invited)."""
        return self.responded / self.invited if self.invited else None


def response_rate(survey: Survey) -> ResponseRate:
    """How many members were invited and how many answered (one query, from the invitations' index)."""
    counts = Invitation.objects.filter(survey_id=survey.pk).aggregate(
        invited=Count("pk"), responded=Count("pk", filter=Q(responded_at__isnull=False))
    )
    return ResponseRate(invited=counts["invited"], responded=counts["responded"])


def surveys_to_answer(member: Member, *, now: datetime.datetime | None = None) -> QuerySet[Survey]:
    """The open surveys ``member`` was invited to and has not answered, that can be answered now; the one
    closing first comes first (one query)."""
    now = now or timezone.now()
    waiting = Invitation.objects.filter(survey_id=OuterRef("pk"), member_id=member.pk, responded_at__isnull=True)
    return (
        Survey.objects.filter(status=Survey.Status.OPEN, opens_at__lte=now, closes_at__gt=now)
        .filter(Exists(waiting))
        .select_related("unit")
        .order_by("closes_at", "pk")
    )
