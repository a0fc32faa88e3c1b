"""How long, and which, ratings the member who gave them may still change.

A named rating of a registered ratable item (the satisfaction app's own loop: assistance, visits,
education aid, and any line registered later) may be changed by its member for
``settings.SATISFACTION_EDIT_DAYS`` days after it was given. Ratings kept inside a feature's own record
(a proposal's 满意/基本满意/不满意, an inspection's score, an appeal answer's stars that decide a reopening)
change only through that feature, and an anonymous rating names nobody who could change it.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from unionhome.satisfaction.ratable import ratable_for_type


def edit_days() -> int:
    return int(getattr(settings, "SATISFACTION_EDIT_DAYS", 7))


def change_until(rated_at: datetime.datetime) -> datetime.datetime:
    """The last moment a rating given at ``rated_at`` may be changed."""
    return rated_at + datetime.timedelta(days=edit_days())


def changed_here(item_type: str) -> bool:
    """Whether ratings of ``item_type`` are changed through the satisfaction app (a registered ratable)."""
    return ratable_for_type(item_type) is not None


def open_for_change(rating, now: datetime.datetime | None = None) -> bool:
    """A named rating of a ratable item, still inside its window."""
    now = now or timezone.now()
    return rating.member_id is not None and changed_here(rating.item_type) and now <= change_until(rating.rated_at)
