"""Background work of surveys, run by the task worker (django-tasks) and scheduled by
``unionhome.server.scheduler`` (registered below; the scheduler finds it by autodiscovery).

* ``surveys_invite``: invites a large audience after opening, in batches (queued by ``survey_open``).
* ``surveys_shuffle``: rewrites a large anonymous survey's responses in a random order after closing
  (queued by ``survey_close``).
* ``surveys_closing``, every ``CLOSING_EVERY``: closes the surveys whose closing time has come, as the
  system, and shuffles every closed anonymous survey not shuffled yet.
* ``surveys_daily``, at ``REMIND_AT`` local time: reminds the non-responders of open surveys on their
  reminder days (``services/reminding.py``) and finishes inviting any audience left half-invited.

Every step can run twice: invitations are added once, a reminder is sent once a day, a survey is closed
and shuffled once.
"""

import datetime

from django_tasks import task

from unionhome.server.scheduler import PeriodicJob, run_sweeps, schedule
from unionhome.surveys.services.reminding import REMIND_AT

DAILY_SWEEPS: list[str] = [
    "unionhome.surveys.services.invitations.surveys_invite_unfinished",
    "unionhome.surveys.services.reminding.surveys_remind_due",
]

CLOSING_EVERY = datetime.timedelta(minutes=5)


@task()
def surveys_invite(survey_id: int) -> int:
    """Invite the audience of an open survey (the members not invited yet); returns how many were added."""
    from unionhome.surveys.models import Survey
    from unionhome.surveys.services.invitations import survey_invite

    survey = Survey.objects.filter(pk=survey_id).first()
    return survey_invite(survey=survey) if survey is not None else 0


@task()
def surveys_shuffle(survey_id: int) -> int:
    """Rewrite a closed anonymous survey's responses in a random order; returns how many."""
    from unionhome.surveys.services.closing import responses_shuffle

    return responses_shuffle(survey_id)


@task()
def surveys_closing() -> dict[str, int]:
    """Close the surveys whose time has come, then shuffle the closed anonymous ones not shuffled yet."""
    from unionhome.surveys.services.closing import surveys_close_due, surveys_shuffle_pending

    return {"closed": surveys_close_due(), "shuffled": surveys_shuffle_pending()}


@task()
def surveys_daily(today: str | None = None) -> dict[str, object]:
    """Run every daily survey sweep for ``today`` (ISO date; the local date when not given)."""
    return run_sweeps(DAILY_SWEEPS, today)


schedule(PeriodicJob("surveys.closing", surveys_closing, every=CLOSING_EVERY))
schedule(PeriodicJob("surveys.daily", surveys_daily, every=datetime.timedelta(days=1), at=REMIND_AT))
