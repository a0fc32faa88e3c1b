"""The submitter's verdict on an answer: rating it (1-5 stars, feeds the satisfaction index) and
reopening an appeal whose answer did not help.

Rating: a closed appeal's answer (its latest ``AppealReply`` with ``is_answer``) is rated once. The
rating is a satisfaction ``Rating`` (service line ``appeals``, item ``voices.appealreply``), with the
appeal's unit path, the answer's author as the cadre, and the member of a named appeal (none for an
anonymous one: its time is cut to the hour as well). ``Appeal.rating_score`` keeps the score for lists.

Changing the rating: the submitter may change the stars and comment of the answer's rating within
``SATISFACTION_EDIT_DAYS`` days of giving it (``satisfaction.edit_window``), while the appeal stays closed with
that answer (not reopened, not withdrawn). The rating's score, the tallies and ``Appeal.rating_score`` follow;
the history notes "rating changed" (on the hour for an anonymous appeal, which keeps no audit trail). A
rating changed to 1 or 2 stars lets the submitter reopen the appeal; one changed to 3 or more closes that door.

Reopening: until ``Appeal.reopen_until`` (set at closing, ``deadlines.reopen_until``), when the submitter
is not satisfied: the answer is rated 1 or 2 stars, or not rated yet (so that a member need not give a
score before saying "this did not help"). A rating of 3 stars or more is taken as accepting the answer.
A reason is required. The appeal goes back to whoever answered it (escalation starts again) with new
deadlines counted from the reopening, and they are told.
"""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from unionhome.audit.recorder import record
from unionhome.satisfaction.edit_window import change_until
from unionhome.satisfaction.models import Rating
from unionhome.satisfaction.services import COMMENT_MAX_LENGTH, rating_record, rating_rescore
from unionhome.voices.appeal_workflow import transition
from unionhome.voices.deadlines import deadlines_for
from unionhome.voices.models import Appeal, AppealEvent, AppealReply
from unionhome.voices.ratings import APPEALS
from unionhome.voices.services.appeals import (
    REASON_MAX_LENGTH,
    clean_text,
    hour_of,
    locked_for_submitter,
    submitter_moment,
    tell_handlers,
)
from unionhome.voices.services.outgoing import submitter_action_message

SCORES = range(1, 6)
# At or below this score the submitter is unsatisfied and may reopen.
UNSATISFIED_AT_MOST = 2
ITEM_TYPE = "voices.appealreply"


def answer_of(appeal: Appeal) -> AppealReply | None:
    """The answer the appeal was closed with (the latest one, after a reopening)."""
    return appeal.replies.filter(is_answer=True).order_by("-created_at", "-id").first()


def rating_of(answer: AppealReply | None) -> Rating | None:
    if answer is None:
        return None
    return Rating.objects.filter(item_type=ITEM_TYPE, item_id=answer.pk).first()


def may_reopen(appeal: Appeal, rating: Rating | None, now: datetime.datetime | None = None) -> bool:
    """Closed, inside the reopening window, and not rated as satisfactory."""
    now = now or timezone.now()
    return (
        appeal.status == Appeal.Status.CLOSED
        and appeal.reopen_until is not None
        and now <= appeal.reopen_until
        and (rating is None or rating.score <= UNSATISFIED_AT_MOST)
    )


def rating_changeable(
    appeal: Appeal, answer: AppealReply | None, rating: Rating | None, now: datetime.datetime | None = None
) -> bool:
    """Whether the submitter may still change ``rating``: the appeal is closed with ``answer``, the rating is
    of that answer, and its edit window is open."""
    now = now or timezone.now()
    return (
        appeal.status == Appeal.Status.CLOSED
        and answer is not None
        and rating is not None
        and rating.item_type == ITEM_TYPE
        and rating.item_id == answer.pk
        and now <= change_until(rating.rated_at)
    )


def _checked_feedback(score: Any, comment: Any) -> str:
    """The comment as stored; ``ValidationError`` by field for a score not 1-5 or a bad comment."""
    errors: dict[str, str] = {}
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        errors["score"] = _("Choose a score from 1 to 5 stars.")
    text = comment.strip() if isinstance(comment, str) else ""
    if text:
        text = clean_text(text, field="comment", max_length=COMMENT_MAX_LENGTH, errors=errors)
    if errors:
        raise ValidationError(errors)
    return text


@transaction.atomic
def appeal_rate(*, actor: Any, appeal: Appeal, score: int, comment: str = "", code: str | None = None) -> Rating:
    """The submitter rates the answer of a closed appeal, once per answer: ``score`` 1-5 and an optional
    comment of at most 500 characters."""
    appeal = locked_for_submitter(actor, appeal, code)
    transition(appeal, "rate")
    answer = answer_of(appeal)
    if answer is None:
        raise ValidationError(_("This appeal was closed without an answer to rate."))
    if rating_of(answer) is not None:
        raise ValidationError(_("You have already rated this answer. Each answer is rated once."))
    text = _checked_feedback(score, comment)
    now = timezone.now()
    rating = rating_record(
        service_line=APPEALS,
        item_type=ITEM_TYPE,
        item_id=answer.pk,
        member=appeal.member,
        unit_path=appeal.unit_path,
        cadre_id=answer.author_id,
        score=score,
        comment=text,
        # The rating of an anonymous appeal's answer says no more than the hour of its time either.
        rated_at=hour_of(now) if appeal.is_anonymous else now,
    )
    at = submitter_moment(appeal, now)
    appeal.rating_score = score
    appeal.save(update_fields=["rating_score"])
    AppealEvent.objects.create(appeal=appeal, kind=AppealEvent.Kind.RATED, note=str(score), at=at)
    if not appeal.is_anonymous:
        record(actor, "voices.appeal.rated", appeal, answer=answer.pk)
    return rating


@transaction.atomic
def appeal_rating_change(
    *, actor: Any, appeal: Appeal, score: int, comment: str | None = "", code: str | None = None
) -> Rating:
    """The submitter changes the rating of the answer: ``score`` 1-5 and a comment of at most 500 characters
    (``None`` keeps the one given, "" removes it), within the edit window of the rating and while the appeal
    is closed with that answer. Only the submitter (the member, or whoever holds the code); anyone else gets
    ``OutOfScope``. The same score and comment again change nothing."""
    appeal = locked_for_submitter(actor, appeal, code)
    if appeal.status != Appeal.Status.CLOSED:
        raise ValidationError(
            _("A rating can be changed only while the appeal stays closed with the answer you rated."),
            code="wrong_state",
        )
    answer = answer_of(appeal)
    rating = (
        Rating.objects.select_for_update().filter(item_type=ITEM_TYPE, item_id=answer.pk).first() if answer else None
    )
    if rating is None:
        raise ValidationError(_("You have not rated this answer yet."), code="not_rated")
    now = timezone.now()
    if not rating_changeable(appeal, answer, rating, now):
        moment = formats.date_format(timezone.localtime(change_until(rating.rated_at)), "Y-m-d H:i")
        raise ValidationError(
            _("You could change your rating until %(moment)s; that time has passed.") % {"moment": moment},
            code="edit_window_over",
        )
    text = _checked_feedback(score, rating.comment if comment is None else comment)
    if (rating.score, rating.comment) == (score, text):
        return rating
    # The change of an anonymous appeal's rating says no more than the hour of its time either.
    rating_rescore(rating, score=score, comment=text, changed_at=hour_of(now) if appeal.is_anonymous else now)
    appeal.rating_score = score
    appeal.save(update_fields=["rating_score"])
    at = submitter_moment(appeal, now)
    AppealEvent.objects.create(appeal=appeal, kind=AppealEvent.Kind.RATING_CHANGED, note=str(score), at=at)
    if not appeal.is_anonymous:
        record(actor, "voices.appeal.rating_changed", appeal, answer=answer.pk)
    return rating


@transaction.atomic
def appeal_reopen(*, actor: Any, appeal: Appeal, reason: str, code: str | None = None) -> Appeal:
    """The unsatisfied submitter reopens a closed appeal within its window, saying why."""
    appeal = locked_for_submitter(actor, appeal, code)
    now = timezone.now()
    rating = rating_of(answer_of(appeal))
    old = appeal.status
    transition(appeal, "reopen", now=now)  # closed, and inside the window
    if rating is not None and rating.score > UNSATISFIED_AT_MOST:
        message = _("You rated the answer %(score)s stars, so the appeal stays closed.") % {"score": rating.score}
        raise ValidationError(f"{message} {_('Send a new appeal if something is still wrong.')}", code="satisfied")
    errors: dict[str, str] = {}
    reason = clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH, errors=errors)
    if errors:
        raise ValidationError(errors)
    at = submitter_moment(appeal, now)
    due = deadlines_for(appeal.category, hour_of(now) if appeal.is_anonymous else now)
    appeal.acknowledge_due = due.acknowledge_due
    appeal.answer_due = due.answer_due
    appeal.acknowledged_at = None
    appeal.closed_at = None
    appeal.reopen_until = None
    appeal.reopen_count += 1
    appeal.rating_score = None
    appeal.escalation_unit = None
    appeal.escalation_level = 0
    appeal.escalated_at = None
    appeal.last_reminded_at = None
    appeal.save()
    AppealEvent.objects.create(appeal=appeal, kind=AppealEvent.Kind.REOPENED, note=reason, at=at)
    if not appeal.is_anonymous:
        record(actor, "voices.appeal.reopened", appeal, status=[old, appeal.status], reopen_count=appeal.reopen_count)
    with translation.override(settings.LANGUAGE_CODE):
        title, text = submitter_action_message(appeal, "reopened")  # the reason is read on the handling page
        tell_handlers(
            appeal,
            kind="voices.appeal.reopened",
            title=title,
            body=text,
            dedupe=f"voices.appeal:{appeal.pk}:reopened:{appeal.reopen_count}",
        )
    return appeal
