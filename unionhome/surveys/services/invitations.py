"""Inviting a survey's audience and reminding those who have not answered.

``survey_invite`` writes one ``Invitation`` per member of the audience (``audience.py``), in batches,
and may be run again at any time: it adds only members not invited yet (someone who joined the audience
since), never removes anyone. ``survey_open`` runs it.

``survey_remind`` reminds, through the inbox (``notify``), the invited members with a login who have not
answered, each at most once a calendar day. It uses only the fact that someone has not answered, which
the invitation says on an anonymous survey too (it never says which response is whose).
"""

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionhome.accounts.models import User
from unionhome.notify.services import notification_send
from unionhome.surveys.audience import audience_members
from unionhome.surveys.models import Invitation, Survey
from unionhome.surveys.workflow import is_answerable

INVITE_BATCH = 2000
REMIND_BATCH = 500


@transaction.atomic
def survey_invite(*, survey: Survey, batch_size: int = INVITE_BATCH) -> int:
    """Invite every member of an open survey's audience not invited yet (``batch_size`` members a query);
    returns how many were added."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.OPEN:
        return 0
    members = audience_members(survey).order_by("pk").values_list("pk", flat=True)
    now = timezone.now()
    added = 0
    after = 0
    while True:
        batch = list(members.filter(pk__gt=after)[:batch_size])
        if not batch:
            return added
        after = batch[-1]
        invited = set(Invitation.objects.filter(survey=survey, member_id__in=batch).values_list("member_id", flat=True))
        fresh = [Invitation(survey=survey, member_id=pk, invited_at=now) for pk in batch if pk not in invited]
        Invitation.objects.bulk_create(fresh, ignore_conflicts=True)
        added += len(fresh)


def survey_url(survey: Survey) -> str:
    """Where a member answers the survey (the pages come later: a fixed path until then)."""
    try:
        return reverse("surveys:answer", args=[survey.pk])
    except NoReverseMatch:
        return f"/surveys/{survey.pk}/"


def _reminder_text(survey: Survey) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Please answer the survey: %(title)s") % {"title": survey.title}
        body = _("It closes on %(date)s.") % {"date": timezone.localtime(survey.closes_at).strftime("%Y-%m-%d %H:%M")}
        if survey.is_anonymous:
            body += " " + _("Your answers are anonymous.")
    return title, body


def survey_remind(*, survey: Survey, now: datetime.datetime | None = None) -> int:
    """Remind the invited members who have not answered an open survey, at most once a calendar day each
    (local time), while it can be answered. Returns how many reminders were sent. Run by a daily job or
    by a cadre; members without a login are skipped. Each batch is its own transaction."""
    now = now or timezone.now()
    survey = Survey.objects.get(pk=survey.pk)
    if not is_answerable(survey, now):
        return 0
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    due = (
        Invitation.objects.filter(survey=survey, responded_at__isnull=True, member__user__is_active=True)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=start_of_day))
        .order_by("pk")
    )
    title, body = _reminder_text(survey)
    url = survey_url(survey)
    day = start_of_day.date().isoformat()
    sent = 0
    after = 0
    while True:
        with transaction.atomic():
            batch = list(
                due.filter(pk__gt=after).select_for_update(of=("self",))[:REMIND_BATCH].values_list("pk", "member_id")
            )
            if not batch:
                return sent
            after = batch[-1][0]
            users = {u.member_id: u for u in User.objects.filter(member_id__in=[m for _pk, m in batch], is_active=True)}
            for _pk, member_id in batch:
                user: Any = users.get(member_id)
                if user is not None and notification_send(
                    recipient=user,
                    kind="surveys.survey.reminder",
                    title=title,
                    body=body,
                    url=url,
                    dedupe_key=f"surveys.survey:{survey.pk}:remind:{day}",
                ):
                    sent += 1
            Invitation.objects.filter(pk__in=[pk for pk, _m in batch]).update(reminded_at=now)
