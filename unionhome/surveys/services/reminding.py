"""The daily reminders of open surveys: who is reminded on which day (``reminder_days``), and the sweep the
daily job runs (``surveys_remind_due``).

The policy a chair would expect: nobody is reminded on the day a survey opens (the invitation is news
enough); then once halfway through (the local date at the middle of ``opens_at``–``closes_at``) and once on
its last day (the last date on which the daily job, at ``REMIND_AT`` local time, runs before the survey
closes — the day before when it closes in the early morning). A survey of two days or less gets one
reminder, on its last day. Only members who have not answered and have an active login are reminded
(``invitations.survey_remind``), at most once a calendar day; a cadre can also remind by hand on any day.
"""

import datetime

from django.utils import timezone

from unionhome.surveys.models import Survey
from unionhome.surveys.services.invitations import survey_remind

REMIND_AT = datetime.time(9, 0)


def reminder_days(
    opens_at: datetime.datetime, closes_at: datetime.datetime, *, at: datetime.time = REMIND_AT
) -> frozenset[datetime.date]:
    """The local dates on which the daily job reminds the non-responders of a survey open between
    ``opens_at`` and ``closes_at`` (see the module's description)."""
    first = timezone.localtime(opens_at).date()
    closing = timezone.localtime(closes_at)
    last = closing.date() if closing.time() > at else closing.date() - datetime.timedelta(days=1)
    middle = timezone.localtime(opens_at + (closes_at - opens_at) / 2).date()
    return frozenset(day for day in (middle, last) if first < day <= last)


def surveys_remind_due(*, today: datetime.date, now: datetime.datetime | None = None) -> int:
    """Remind the non-responders of every survey that can be answered now and has ``today`` among its
    reminder days; returns how many reminders were sent."""
    now = now or timezone.now()
    answerable = Survey.objects.filter(status=Survey.Status.OPEN, opens_at__lte=now, closes_at__gt=now)
    sent = 0
    for survey in answerable.order_by("closes_at", "pk"):
        if today in reminder_days(survey.opens_at, survey.closes_at):
            sent += survey_remind(survey=survey, now=now)
    return sent
