"""A member answers a survey: ``response_submit``.

Only an invited member, only while the survey is open (status open, and now from ``opens_at`` to before
``closes_at``), only once: the member's ``Invitation`` is locked and marked answered in the same
transaction as the response is written, so two submissions at the same moment (a double tap, the page and
the API) give one response and one "already answered". The answers follow ``answer_rules.py`` (required
questions, ranges, conditions; answers to hidden questions are ignored).

Anonymity. On an anonymous survey the ``Response`` has no member, its unit is the member's branch (never
their group: small enough to name someone) and it carries no time of its own: both its ``submitted_at``
and the invitation's ``responded_at`` are the survey's opening time, so that neither the hour of answering
nor the reminders sent before it can point to the respondent; no
audit event, notification or log line is written about the submission. On a named survey the response
names the member and their own unit, and the submission is audited.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import PermissionRefused
from unionhome.audit.recorder import record
from unionhome.org.models import Member
from unionhome.surveys.answer_rules import check_answers
from unionhome.surveys.models import Answer, Invitation, Question, Response, Survey
from unionhome.surveys.workflow import is_answerable
from unionhome.voices.routing import branch_of


class NotInvited(PermissionRefused):
    """A 403 that says why: a survey is answered by the members it was sent to."""

    def __init__(self):
        self.permission = ""
        PermissionDenied.__init__(self, _("This survey was not sent to you."))


def member_of(actor: Any) -> Member | None:
    """The actor's active member record, with its unit, or None."""
    member_id = getattr(actor, "member_id", None) if getattr(actor, "is_authenticated", False) else None
    if member_id is None or not actor.is_active:
        return None
    return Member.objects.select_related("unit").filter(pk=member_id, status=Member.Status.ACTIVE).first()


def _refuse_closed(survey: Survey, now) -> None:
    if survey.status == Survey.Status.OPEN and survey.opens_at is not None and now < survey.opens_at:
        message = _("This survey opens on %(date)s.") % {
            "date": timezone.localtime(survey.opens_at).strftime("%Y-%m-%d %H:%M")
        }
        raise ValidationError(message, code="not_open")
    raise ValidationError(_("This survey is closed: answers are no longer accepted."), code="closed")


@transaction.atomic
def response_submit(*, actor: Any, survey: Survey, answers: dict) -> Response:
    """Record the actor's answers to ``survey``; returns the response.

    ``NotInvited`` (403) for anyone the survey was not sent to; a ``ValidationError`` when it is not open
    (code ``not_open`` or ``closed``), when the member has already answered (``already_answered``), or
    with a message per question (``q<id>``) for a required question left out or a value out of range."""
    member = member_of(actor)
    if member is None:
        raise NotInvited()
    invitation = Invitation.objects.select_for_update().filter(survey_id=survey.pk, member=member).first()
    if invitation is None:
        raise NotInvited()
    survey = Survey.objects.get(pk=survey.pk)
    now = timezone.now()
    if not is_answerable(survey, now):
        _refuse_closed(survey, now)
    if invitation.responded_at is not None:
        raise ValidationError(_("You have already answered this survey."), code="already_answered")
    questions = list(Question.objects.filter(survey=survey).order_by("position"))
    rows, errors = check_answers(questions, answers)
    if errors:
        raise ValidationError(errors)
    if survey.is_anonymous:
        response = Response.objects.create(
            survey=survey,
            member=None,
            unit_path=branch_of(member.unit).path,
            submitted_at=survey.opens_at,
        )
        invitation.responded_at = survey.opens_at
    else:
        response = Response.objects.create(survey=survey, member=member, unit_path=member.unit_path, submitted_at=now)
        invitation.responded_at = now
    Answer.objects.bulk_create(
        Answer(response=response, question_id=row.question_id, item=row.item, value=row.value, text=row.text)
        for row in rows
    )
    invitation.save(update_fields=["responded_at"])
    if not survey.is_anonymous:
        record(actor, "surveys.response.submitted", response, survey=survey.pk, answers=len(rows))
    return response
