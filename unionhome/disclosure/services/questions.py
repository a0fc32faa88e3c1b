"""Questions on notices: a worker of the audience asks, a cadre answers, and the answer is public.

Answered questions are shown on the notice with the asker's unit, never their name (workers must not
fear asking). The asker sees their own questions still waiting. A cadre answers with
``disclosure.answer`` on the notice's publishing unit or on the asker's unit; the asker is told.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, PermissionRefused, can, has_permission_anywhere, scope_roots
from unionhome.audit.recorder import record
from unionhome.disclosure.audience import ANSWER, active_member_of, in_audience, is_shown
from unionhome.disclosure.models import Notice, NoticeQuestion
from unionhome.notify.services import notification_send

QUESTION_MAX_LENGTH = 1000
ANSWER_MAX_LENGTH = 2000
# A worker may have this many questions waiting on one notice (enough to ask; not enough to flood).
MAX_WAITING_PER_NOTICE = 5


def _text(value: str, *, field: str, empty: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: empty})
    if len(value) > limit:
        raise ValidationError({field: _("Use at most %(max)s characters.") % {"max": limit}})
    if "\x00" in value:
        raise ValidationError({field: _("This text contains invalid characters.")})
    return value


@transaction.atomic
def question_ask(*, actor, notice: Notice, body: str) -> NoticeQuestion:
    """Ask a question on ``notice``. Only a member of its audience while it is shown (else 404)."""
    member = active_member_of(actor)
    if not (in_audience(member, notice) and is_shown(notice)):
        raise OutOfScope()
    body = _text(body, field="body", empty=_("Write your question."), limit=QUESTION_MAX_LENGTH)
    waiting = NoticeQuestion.objects.filter(notice=notice, asker=member, answered_at__isnull=True).count()
    if waiting >= MAX_WAITING_PER_NOTICE:
        raise ValidationError(
            {"body": _("You have %(n)s questions waiting for an answer on this notice.") % {"n": waiting}}
        )
    question = NoticeQuestion.objects.create(notice=notice, asker=member, unit_path=member.unit_path, body=body)
    record(actor, "disclosure.question.asked", notice, question=question.pk)
    return question


def may_answer(actor, question: NoticeQuestion) -> bool:
    """``disclosure.answer`` on the notice's publishing unit or on the asker's unit."""
    return can(actor, ANSWER, question.notice) or any(
        question.unit_path.startswith(root) for root in scope_roots(actor, ANSWER)
    )


@transaction.atomic
def question_answer(*, actor, question: NoticeQuestion, answer: str) -> NoticeQuestion:
    """Answer a question; it becomes public on the notice and the asker is told.

    403 without ``disclosure.answer`` anywhere; 404 for a question outside the actor's scope."""
    if not has_permission_anywhere(actor, ANSWER):
        raise PermissionRefused(ANSWER)
    question = NoticeQuestion.objects.select_for_update().select_related("notice").get(pk=question.pk)
    if not may_answer(actor, question):
        raise OutOfScope()
    answer = _text(answer, field="answer", empty=_("Write the answer."), limit=ANSWER_MAX_LENGTH)
    if question.answered_at is not None:
        raise ValidationError(_("This question has already been answered."))
    if question.notice.status == Notice.Status.DRAFT:
        raise ValidationError(_("Questions on a draft cannot be answered."))
    question.answer = answer
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    record(actor, "disclosure.question.answered", question.notice, question=question.pk)
    asker_user = getattr(question.asker, "user", None) if question.asker_id else None
    if asker_user is not None and asker_user.is_active:
        with translation.override(settings.LANGUAGE_CODE):
            notification_send(
                recipient=asker_user,
                kind="disclosure.question.answered",
                title=_("Your question was answered: %(title)s") % {"title": question.notice.title},
                body=answer[:500],
                url=reverse("disclosure:notice", args=[question.notice_id]) + "#questions",
                dedupe_key=f"disclosure.question:{question.pk}:answered",
            )
    return question
