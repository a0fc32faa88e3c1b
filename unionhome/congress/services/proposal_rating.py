"""The proposer changes their rating of a reply (满意 / 基本满意 / 不满意) within the edit window.

Like every named rating (``satisfaction.edit_window``), the proposer may change it for
``SATISFACTION_EDIT_DAYS`` days after giving it, while the reply rated is still the latest one (once the
department has replied again after a re-handling, the new reply is the one to rate). The reply's rating and
comment, the satisfaction ``Rating`` (``rating_rescore``) and so the tallies follow; the audit trail notes
the change like the first rating.

What a change does to the proposal:

* satisfied ↔ basically satisfied: the proposal stays closed; the history notes "rating changed".
* satisfied / basically → dissatisfied (a comment saying what is unresolved is required): the same as a
  first dissatisfied rating. The proposal is sent back to the department (closed → rehandling) with a new
  reply deadline, and its handlers are told.
* dissatisfied → dissatisfied with another comment: the history notes the new comment for the department.
* dissatisfied → satisfied / basically: refused. The proposal was sent back at once, so re-handling has
  started: the proposer rates the department's next reply instead.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope
from unionhome.audit.recorder import record
from unionhome.congress import proposal_workflow as workflow
from unionhome.congress.models import Proposal, ProposalEvent, ProposalReply
from unionhome.congress.ratings import PROPOSAL_REPLIES
from unionhome.congress.services.proposal_handling import (
    ITEM_TYPE,
    MAX_COMMENT,
    SCORES,
    Grade,
    tell_rehandling,
)
from unionhome.congress.services.proposals import _lock, _printable
from unionhome.satisfaction.edit_window import change_until
from unionhome.satisfaction.models import Rating
from unionhome.satisfaction.services import COMMENT_MAX_LENGTH, rating_record, rating_rescore

Status = Proposal.Status
RATING_CHANGE = "rating_change"  # the ProposalEvent action of a change that keeps the proposal's state
# The states a rated latest reply leaves the proposal in.
RATED_STATES = (Status.CLOSED, Status.REHANDLING)


def rating_change_until(proposal: Proposal, replies: list[ProposalReply]) -> datetime.datetime | None:
    """Until when the proposer may change the rating of the latest reply (``replies`` in round order), or
    None when there is nothing to change (not rated, replied again since, closed without a rating)."""
    latest = replies[-1] if replies else None
    if latest is None or not latest.rating or latest.rated_at is None or proposal.status not in RATED_STATES:
        return None
    return change_until(latest.rated_at)


def _checked(rating: Any, comment: Any, kept: str) -> str:
    """The comment as stored (``None``: the one given before); ``ValidationError`` by field."""
    errors: dict[str, str] = {}
    if rating not in Grade.values:
        errors["rating"] = _("Choose satisfied, basically satisfied or dissatisfied.")
    text = kept if comment is None else comment.strip() if isinstance(comment, str) else ""
    if len(text) > MAX_COMMENT:
        errors["comment"] = _("Use at most %(limit)d characters.") % {"limit": MAX_COMMENT}
    elif not _printable(text):
        errors["comment"] = _("This text contains characters that cannot be stored.")
    elif rating == Grade.DISSATISFIED and not text:
        errors["comment"] = _("Say what is still unresolved, so that the department can handle it again.")
    if errors:
        raise ValidationError(errors)
    return text


def _rated_reply(proposal: Proposal) -> ProposalReply:
    """The latest reply, locked, if the proposer has rated it; ``ValidationError`` otherwise."""
    reply = ProposalReply.objects.select_for_update().filter(proposal=proposal).order_by("-round").first()
    if reply is not None and reply.rating and proposal.status in RATED_STATES:
        return reply
    if reply is not None and reply.round > 1 and proposal.status == Status.REPLIED:
        raise ValidationError(
            _("The department has replied again since your rating; rate the new reply instead."),
            code="replied_again",
        )
    raise ValidationError(_("You have not rated this reply yet."), code="not_rated")


def _rescored(proposal: Proposal, reply: ProposalReply, rating: str, text: str, now: datetime.datetime) -> None:
    """Move the satisfaction rating (and so the tallies) to the new score and comment."""
    member = proposal.proposer.member
    found = Rating.objects.select_for_update().filter(item_type=ITEM_TYPE, item_id=reply.pk, member=member).first()
    if found is not None:
        rating_rescore(found, score=SCORES[rating], comment=text[:COMMENT_MAX_LENGTH], changed_at=now)
        return
    rating_record(  # a reply rated before ratings fed the satisfaction index: it does from now on
        service_line=PROPOSAL_REPLIES,
        item_type=ITEM_TYPE,
        item_id=reply.pk,
        member=member,
        unit_path=member.unit_path,
        cadre_id=reply.replied_by_id,
        score=SCORES[rating],
        comment=text[:COMMENT_MAX_LENGTH],
        rated_at=reply.rated_at,
    )


@transaction.atomic
def proposal_rating_change(*, actor, proposal: Proposal, rating: Any, comment: Any = None) -> ProposalReply:
    """The proposer changes the rating (and comment; ``None`` keeps the one given) of the latest reply within
    the edit window; see the module's docstring for what each change does. Someone who may not see the
    proposal gets ``OutOfScope``, anyone else but the proposer ``ActionRefused``; a bad value, a closed window,
    nothing rated or a dissatisfied rating already sent back: ``ValidationError``, nothing changed. The same
    rating and comment again change nothing."""
    proposal = _lock(proposal)
    if not workflow.may_see(actor, proposal):
        raise OutOfScope()
    if not workflow.is_proposer(actor, proposal):
        raise workflow.ActionRefused(_("Only the proposer can do this."))
    reply = _rated_reply(proposal)
    text = _checked(rating, comment, reply.rating_comment)
    now = timezone.now()
    if now > change_until(reply.rated_at):
        moment = formats.date_format(timezone.localtime(change_until(reply.rated_at)), "Y-m-d H:i")
        raise ValidationError(
            _("You could change your rating until %(moment)s; that time has passed.") % {"moment": moment},
            code="edit_window_over",
        )
    was = reply.rating
    if (was, reply.rating_comment) == (rating, text):
        return reply
    if was == Grade.DISSATISFIED and rating != Grade.DISSATISFIED:
        raise ValidationError(
            _(
                "The proposal was sent back to the department on your dissatisfied rating and is being handled "
                "again; rate the department's new reply when it comes."
            ),
            code="sent_back",
        )
    reply.rating, reply.rating_comment = rating, text
    reply.save(update_fields=["rating", "rating_comment"])
    _rescored(proposal, reply, rating, text, now)
    send_back = rating == Grade.DISSATISFIED and was != Grade.DISSATISFIED
    if send_back:  # as a first dissatisfied rating: back to the department with a new deadline
        event = workflow.move(actor, proposal, workflow.TRANSITIONS["send_back"], note=text)
        proposal.reply_due_on = timezone.localdate() + datetime.timedelta(days=proposal.session.congress.reply_days)
        proposal.rating_due_on = None
        proposal.close_reason = ""
        proposal.closed_at = None
        proposal.save()
    else:
        event = ProposalEvent.objects.create(
            proposal=proposal,
            action=RATING_CHANGE,
            from_status=proposal.status,
            to_status=proposal.status,
            note=text[:2000],
            actor=actor,
        )
    record(actor, "congress.proposal.rating_changed", proposal, round=reply.round, rating=[was, rating])
    if send_back:
        tell_rehandling(proposal, event, text)
    return reply
