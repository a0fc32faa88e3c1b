"""Inviting a survey's audience and reminding those who have not answered.

``survey_invite`` writes one ``Invitation`` per member of the audience (``audience.py``), in batches of
``batch_size`` members, each batch its own short transaction, and may be run again at any time (also two
runs at once): it adds only members not invited yet (someone who joined the audience since), never
removes anyone. Each batch locks the survey's row (``FOR NO KEY UPDATE``: answering is not held up), so two
runs take turns batch by batch and ``Survey.invited_count`` counts each invitation once; the run that
finds nobody left sets ``invitations_done_at``. ``survey_open`` runs it in its own transaction for a small
audience and queues ``surveys_invite`` (``tasks.py``) for a large one (``invite_in_background``).

``survey_remind`` reminds, through the inbox (``notify``), the invited members with a login who have not
answered, each at most once a calendar day. It uses only the fact that someone has not answered, which
the invitation says on an anonymous survey too (it never says which response is whose).
"""

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionhome.access.policy import require
from unionhome.accounts.models import User
from unionhome.audit.recorder import record
from unionhome.notify.services import notification_send
from unionhome.surveys.audience import audience_members
from unionhome.surveys.models import Invitation, Survey
from unionhome.surveys.workflow import BUILD_PERMISSION, is_answerable

INVITE_BATCH = 2000
REMIND_BATCH = 500
# Up to this many members, opening invites them all in its own transaction (the builder's page shows the
# invitations at once); a larger audience is invited by the task worker (``SURVEYS_INVITE_SYNC_MAX``).
INVITE_SYNC_MAX = 5000


def invite_sync_max() -> int:
    return int(getattr(settings, "SURVEYS_INVITE_SYNC_MAX", INVITE_SYNC_MAX))


def invite_in_background(survey: Survey) -> None:
    """Queue the invitation of ``survey``'s audience (the task row is written in the caller's transaction,
    so it exists exactly when the opening is committed)."""
    from unionhome.surveys.tasks import surveys_invite

    surveys_invite.enqueue(survey.pk)


def _invite_batch(survey_pk: int, waiting: QuerySet, batch_size: int, now: datetime.datetime) -> list[int] | None:
    """Invite the next ``batch_size`` members of ``waiting`` (the audience not invited yet, by id): the
    members added, or None when the survey is not open any more or nobody is left (then the run is
    recorded as done)."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update(no_key=True).filter(pk=survey_pk).first()
        if survey is None or survey.status != Survey.Status.OPEN:
            return None
        batch = list(waiting[:batch_size])
        if not batch:
            Survey.objects.filter(pk=survey_pk).update(invitations_done_at=timezone.now())
            return None
        Invitation.objects.bulk_create(
            [Invitation(survey_id=survey_pk, member_id=pk, invited_at=now) for pk in batch], ignore_conflicts=True
        )
        Survey.objects.filter(pk=survey_pk).update(invited_count=F("invited_count") + len(batch))
        return batch


def survey_invite(*, survey: Survey, batch_size: int | None = None) -> int:
    """Invite every member of an open survey's audience not invited yet (``batch_size`` members a batch,
    by default ``SURVEYS_INVITE_BATCH``, 2,000; each batch its own transaction); returns how many were
    added."""
    batch_size = batch_size or int(getattr(settings, "SURVEYS_INVITE_BATCH", INVITE_BATCH))
    invited = Invitation.objects.filter(survey_id=survey.pk, member_id=OuterRef("pk"))
    waiting = audience_members(survey).filter(~Exists(invited)).order_by("pk").values_list("pk", flat=True)
    now = timezone.now()
    added = 0
    after = 0
    while (batch := _invite_batch(survey.pk, waiting.filter(pk__gt=after), batch_size, now)) is not None:
        added += len(batch)
        after = batch[-1]
    return added


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


def survey_remind(*, survey: Survey, now: datetime.datetime | None = None, actor: Any = None) -> int:
    """Remind the invited members who have not answered an open survey, at most once a calendar day each
    (local time), while it can be answered. Returns how many reminders were sent. Run by a daily job or
    by a cadre (``actor``: must be a builder of the survey; the reminding is audited with its count);
    members without a login are skipped. Each batch is its own transaction."""
    now = now or timezone.now()
    if actor is not None:
        require(actor, BUILD_PERMISSION, survey)
    sent = _remind(Survey.objects.get(pk=survey.pk), now)
    if actor is not None:
        record(actor, "surveys.survey.reminded", survey, reminded=sent)
    return sent


def _remind(survey: Survey, now: datetime.datetime) -> int:
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


def surveys_invite_unfinished(*, today: datetime.date | None = None) -> int:
    """Finish inviting the audience of every open survey whose invitations were not all written (a task
    lost or stopped halfway); returns how many members were added. Run by the daily job."""
    unfinished = Survey.objects.filter(status=Survey.Status.OPEN, invitations_done_at__isnull=True)
    return sum(survey_invite(survey=survey) for survey in unfinished.order_by("pk"))
