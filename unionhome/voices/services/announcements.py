"""Telling the handlers what the submitter of an anonymous appeal did, an hour late and on the hour.

A notification is a row with the exact minute it was written. Sent at once, the notification of an
anonymous appeal would carry the minute its submitter acted, and that minute can be matched with other
traces of the same person (a session renewed, a page read). So the submitter's actions on an anonymous
appeal (sending it, writing, withdrawing, reopening) are not announced by the request: the hourly sweep
announces the actions of every hour that has fully passed (their events are stored on the hour), all
at the same moment, to the handlers and (a new appeal) to the branch's group robots. Named appeals are
announced at once by the services.
"""

import datetime

from django.conf import settings
from django.utils import timezone, translation

from unionhome.notify.services import notification_send, robot_announce
from unionhome.voices.handlers import answerers_of
from unionhome.voices.models import Appeal, AppealEvent
from unionhome.voices.services.appeals import handler_url
from unionhome.voices.services.outgoing import new_appeal_message, submitter_action_message

# Actions of the submitter that the handlers hear about.
ANNOUNCED = (
    AppealEvent.Kind.SUBMITTED,
    AppealEvent.Kind.FOLLOWED_UP,
    AppealEvent.Kind.WITHDRAWN,
    AppealEvent.Kind.REOPENED,
)
# How far back a sweep looks: a day, so that a sweep that did not run for a while catches up.
LOOK_BACK = datetime.timedelta(hours=26)


def _message(event: AppealEvent) -> tuple[str, str]:
    """What the handlers are told: neutral (it may leave the site), the message or reason is read on the page."""
    if event.kind == AppealEvent.Kind.SUBMITTED:
        return new_appeal_message(event.appeal)
    return submitter_action_message(event.appeal, event.kind)


def anonymous_actions_announce(*, now: datetime.datetime | None = None) -> int:
    """Announce the submitters' actions on anonymous appeals of every hour that has fully passed (once:
    each notification carries the event in its ``dedupe_key``). Returns how many were sent."""
    now = now or timezone.now()
    complete = now.replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=1)
    events = (
        AppealEvent.objects.filter(
            kind__in=ANNOUNCED, at__gte=now - LOOK_BACK, at__lte=complete, appeal__is_anonymous=True
        )
        .select_related("appeal", "appeal__branch")
        .order_by("at", "id")
    )
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for event in events:
            appeal: Appeal = event.appeal
            title, body = _message(event)
            for user in answerers_of(appeal):
                kind = (
                    "voices.appeal.routed"
                    if event.kind == AppealEvent.Kind.SUBMITTED
                    else f"voices.appeal.{event.kind}"
                )
                notification = notification_send(
                    recipient=user,
                    kind=kind,
                    title=title,
                    body=body,
                    url=handler_url(appeal),
                    dedupe_key=f"voices.appeal:{appeal.pk}:event:{event.pk}",
                )
                sent += notification is not None
            if event.kind == AppealEvent.Kind.SUBMITTED:
                robot_announce(
                    unit=appeal.branch,
                    kind="voices.appeal.routed",
                    title=title,
                    text=body,
                    url=handler_url(appeal),
                    dedupe_key=f"voices.appeal:{appeal.pk}:event:{event.pk}",
                )
    return sent
