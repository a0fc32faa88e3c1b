"""Reads for the member who answers: their surveys (waiting, coming, answered, closed), one survey they were
invited to with its questions, and the home-page prompt.

A member sees only surveys they were invited to; any other id is "not found" (a survey's existence is not
revealed). The lists say *that* the member answered (the invitation), never what: no response is read here.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.home.member_prompts import Prompt
from unionhome.org.models import Member
from unionhome.surveys import selectors
from unionhome.surveys.models import Invitation, Question, Survey
from unionhome.surveys.services.answering import member_of
from unionhome.surveys.services.invitations import survey_url
from unionhome.surveys.workflow import is_answerable

RECENT = 20
HOME_PROMPTS = 5
URGENT_WITHIN = datetime.timedelta(days=2)


def _question_count() -> Subquery:
    counted = Question.objects.filter(survey_id=OuterRef("pk")).order_by().values("survey_id").annotate(n=Count("pk"))
    return Subquery(counted.values("n")[:1], output_field=IntegerField())


def with_question_count(surveys: QuerySet[Survey]) -> QuerySet[Survey]:
    """``surveys`` with ``question_count`` (a subquery on the (survey, position) index: no extra query)."""
    return surveys.annotate(question_count=_question_count())


def waiting(member: Member, *, now: datetime.datetime | None = None) -> QuerySet[Survey]:
    """``selectors.surveys_to_answer`` with the number of questions: closing soonest first."""
    return with_question_count(selectors.surveys_to_answer(member, now=now))


@dataclass(frozen=True)
class Invited:
    """A survey the member was invited to, and whether they answered it (nothing about how)."""

    survey: Survey
    answered: bool
    answered_at: datetime.datetime | None  # named surveys only: an anonymous one keeps no time of answering


def _invited(member: Member, condition: Q, order: tuple[str, ...], limit: int) -> list[Invited]:
    invitations = (
        Invitation.objects.filter(member_id=member.pk)
        .filter(condition)
        .select_related("survey", "survey__unit")
        .order_by(*order)[:limit]
    )
    return [
        Invited(
            survey=inv.survey,
            answered=inv.responded_at is not None,
            answered_at=None if inv.survey.is_anonymous else inv.responded_at,
        )
        for inv in invitations
    ]


@dataclass(frozen=True)
class MySurveys:
    waiting: list[Survey]
    coming: list[Invited]
    answered: list[Invited]
    closed: list[Invited]


def my_surveys(member: Member, *, now: datetime.datetime | None = None, limit: int = RECENT) -> MySurveys:
    """The member's surveys: to answer now (closing soonest first), opening later, answered recently (newest
    first) and closed without an answer (closed most recently first). Four queries, whatever the numbers."""
    now = now or timezone.now()
    open_now = Q(survey__status=Survey.Status.OPEN, survey__closes_at__gt=now)
    ended = Q(survey__status=Survey.Status.CLOSED) | Q(survey__closes_at__lte=now)
    return MySurveys(
        waiting=list(waiting(member, now=now)[:limit]),
        coming=_invited(
            member, open_now & Q(survey__opens_at__gt=now, responded_at__isnull=True), ("survey__opens_at",), limit
        ),
        answered=_invited(member, Q(responded_at__isnull=False), ("-survey__opens_at", "-survey_id"), limit),
        closed=_invited(member, ended & Q(responded_at__isnull=True), ("-survey__closes_at", "-survey_id"), limit),
    )


@dataclass(frozen=True)
class ForAnswer:
    """One survey as its invited member sees it, and where they stand."""

    survey: Survey
    member: Member
    answered: bool
    state: str  # "open", "answered", "not_open" or "closed"


def survey_for_answer(user, survey_id: int, *, now: datetime.datetime | None = None) -> ForAnswer:
    """The survey ``user``'s member was invited to, or ``Http404`` (not invited, no member, no such survey:
    all alike, so that ids do not reveal surveys)."""
    member = member_of(user)
    if member is None:
        raise Http404(_("Not found, or not in your part of the union."))
    invitation = (
        Invitation.objects.filter(survey_id=survey_id, member_id=member.pk)
        .select_related("survey", "survey__unit")
        .first()
    )
    if invitation is None or invitation.survey.status == Survey.Status.DRAFT:
        raise Http404(_("Not found, or not in your part of the union."))
    survey = invitation.survey
    now = now or timezone.now()
    answered = invitation.responded_at is not None
    if answered:
        state = "answered"
    elif is_answerable(survey, now):
        state = "open"
    elif survey.status == Survey.Status.OPEN and survey.opens_at is not None and now < survey.opens_at:
        state = "not_open"
    else:
        state = "closed"
    return ForAnswer(survey=survey, member=member, answered=answered, state=state)


def questions_of(survey: Survey) -> list[Question]:
    """The questionnaire in its order (one query)."""
    return list(Question.objects.filter(survey_id=survey.pk).order_by("position"))


def survey_prompts(user) -> list[Prompt]:
    """Home-page prompts: "a survey waits for your answer" (register with ``register_prompts``)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "member_id", None) is None:
        return []
    member = member_of(user)
    if member is None:
        return []
    now = timezone.now()
    return [
        Prompt(
            title=_("A survey waits for your answer: %(title)s") % {"title": survey.title},
            url=survey_url(survey),
            note=_("closes %(date)s") % {"date": timezone.localtime(survey.closes_at).strftime("%Y-%m-%d %H:%M")},
            urgent=survey.closes_at - now <= URGENT_WITHIN,
        )
        for survey in selectors.surveys_to_answer(member, now=now)[:HOME_PROMPTS]
    ]
