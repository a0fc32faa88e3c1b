"""Hand-built records for the chapters' tests, each placed in a chosen year."""

import datetime
import zoneinfo

from tests import factories
from unionhome.org.models import Member
from unionhome.org.services import member_change_status
from unionhome.voices.models import Appeal
from unionhome.voices.tests.records import appeal_of

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def moment(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, 0, tzinfo=SHANGHAI)


def member_joined(unit, name: str, joined_on: datetime.date) -> Member:
    return factories.member(unit, name, joined_on=joined_on)


def member_departed(actor, member: Member, status: str, on: datetime.date) -> None:
    member_change_status(actor=actor, member=member, status=status, effective_on=on)


def appeal(member, *, kind: str, category: str, submitted: datetime.datetime, closed=None, due=None, status=None):
    """An appeal submitted at ``submitted``; closed (answered) at ``closed`` with its answer deadline ``due``."""
    status = status or (Appeal.Status.CLOSED if closed else Appeal.Status.ACKNOWLEDGED)
    found = appeal_of(member, kind=kind, category=category, submitted_at=submitted, status=status)
    changes = {"closed_at": closed} if closed else {}
    if due:
        changes["answer_due"] = due
    if changes:
        Appeal.objects.filter(pk=found.pk).update(**changes)
    return found


def closed_survey(unit, title: str, *, closed: datetime.datetime, invited: int, overall_scores, kind="likert"):
    """An anonymous survey of ``unit`` closed at ``closed``: ``invited`` members invited, one response per score
    of the overall question (each respondent's invitation marked answered)."""
    from unionhome.surveys.models import Answer, Invitation, Question, Response, Survey

    survey = Survey.objects.create(
        title=title,
        unit=unit,
        unit_path=unit.path,
        is_anonymous=True,
        opens_at=closed - datetime.timedelta(days=14),
        closes_at=closed,
        opened_at=closed - datetime.timedelta(days=14),
        closed_at=closed,
        status=Survey.Status.CLOSED,
    )
    question = Question.objects.create(survey=survey, position=1, kind=kind, text="总体满意度", is_overall=True)
    members = [factories.member(unit, f"{title}{i}") for i in range(invited)]
    for i, member in enumerate(members):
        answered = i < len(overall_scores)
        Invitation.objects.create(
            survey=survey, member=member, invited_at=survey.opens_at, responded_at=survey.opens_at if answered else None
        )
    for score in overall_scores:
        response = Response.objects.create(survey=survey, unit_path=unit.path, submitted_at=survey.opens_at)
        Answer.objects.create(response=response, question=question, item=0, value=score)
    return survey
