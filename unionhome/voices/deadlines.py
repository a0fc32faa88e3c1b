"""An appeal's deadlines: acknowledge and answer within the category's working days (``CategoryPolicy``,
defaults 1 and 7), counted on the working-day calendar (``workdays.calendar``)."""

import datetime
from dataclasses import dataclass

from unionhome.voices.models import CategoryPolicy
from unionhome.workdays.calendar import add_working_days


@dataclass(frozen=True)
class Deadlines:
    acknowledge_due: datetime.datetime
    answer_due: datetime.datetime


@dataclass(frozen=True)
class Policy:
    acknowledge_days: int
    answer_days: int
    reopen_days: int


def policy_for(category: str) -> Policy:
    row = CategoryPolicy.objects.filter(category=category).first()
    if row is None:
        return Policy(
            CategoryPolicy.DEFAULT_ACKNOWLEDGE_DAYS,
            CategoryPolicy.DEFAULT_ANSWER_DAYS,
            CategoryPolicy.DEFAULT_REOPEN_DAYS,
        )
    return Policy(row.acknowledge_days, row.answer_days, row.reopen_days)


def deadlines_for(category: str, moment: datetime.datetime) -> Deadlines:
    """The deadlines of an appeal of ``category`` submitted (or reopened) at ``moment``."""
    policy = policy_for(category)
    return Deadlines(add_working_days(moment, policy.acknowledge_days), add_working_days(moment, policy.answer_days))


def reopen_until(category: str, closed_at: datetime.datetime) -> datetime.datetime:
    """Until when a member may reopen an appeal closed at ``closed_at``."""
    return closed_at + datetime.timedelta(days=policy_for(category).reopen_days)
