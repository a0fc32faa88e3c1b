"""Reminders of due visits, sent by the daily sweep (never by a page view).

The nearest cadres who visit (the branch's, else the union's: ``visiting_cadres``) hear of a visit a day
before its ``due_by`` and once more on the first day it is overdue. Each reminder goes once per visit
(``dedupe_key``), however often the sweep runs; a visit done or cancelled in between is not reminded.
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from unionhome.assistance.models import Visit
from unionhome.assistance.selectors.visits import visiting_cadres
from unionhome.notify.services import notification_send

DAY = datetime.timedelta(days=1)


def _remind(visit: Visit, *, overdue: bool) -> int:
    names = {"date": visit.due_by.isoformat(), "name": visit.member.name, "occasion": visit.get_occasion_display()}
    if overdue:
        title = _("Visit overdue since %(date)s: %(name)s (%(occasion)s)") % names
    else:
        title = _("Visit due tomorrow, %(date)s: %(name)s (%(occasion)s)") % names
    url = reverse("assistance:visit_detail", args=[visit.pk])
    sent = 0
    for user in visiting_cadres(visit.unit_path, nearest_only=True):
        if user.member_id == visit.member_id:
            continue
        notification = notification_send(
            recipient=user,
            kind="assistance.visit_due",
            title=title,
            url=url,
            dedupe_key=f"visit-{'overdue' if overdue else 'tomorrow'}:{visit.pk}",
        )
        sent += notification is not None
    return sent


def visits_remind(*, today: datetime.date) -> int:
    """Remind of the visits due tomorrow and of those that fell overdue yesterday; returns how many
    notifications were sent."""
    due = (
        Visit.objects.filter(status=Visit.Status.DUE, due_by__in=[today + DAY, today - DAY])
        .select_related("member")
        .order_by("due_by", "id")
    )
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for visit in due.iterator(chunk_size=500):
            sent += _remind(visit, overdue=visit.due_by < today)
    return sent
