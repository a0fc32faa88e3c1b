"""After the referral: the department's reply and implementation progress, the proposer's rating (which
also feeds the satisfaction ratings), re-handling when the proposer is dissatisfied, and the daily sweep
(reminders before the reply deadline, escalation of overdue replies, closing unrated replies).

Ratings become ``satisfaction.Rating`` rows of the ``proposal_replies`` service line with these scores:
satisfied (满意) 5, basically satisfied (基本满意) 3, dissatisfied (不满意) 1.
"""

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionhome.access.models import RoleAssignment
from unionhome.access.permissions import ROLES
from unionhome.access.policy import OutOfScope
from unionhome.audit.recorder import record
from unionhome.congress import proposal_workflow as workflow
from unionhome.congress.models import Proposal, ProposalEvent, ProposalProgress, ProposalReply
from unionhome.congress.ratings import PROPOSAL_REPLIES
from unionhome.congress.services.proposals import MAX_TEXT, _decided, _lock, _printable, _text, proposal_url
from unionhome.notify.services import notification_send
from unionhome.org.models import OrgUnit
from unionhome.satisfaction.requests import rating_request
from unionhome.satisfaction.services import COMMENT_MAX_LENGTH, rating_record

logger = logging.getLogger(__name__)

Status = Proposal.Status
Grade = ProposalReply.Rating
SCORES = {Grade.SATISFIED: 5, Grade.BASICALLY: 3, Grade.DISSATISFIED: 1}
ITEM_TYPE = "congress.proposalreply"
REMIND_DAYS_BEFORE = 3
OPEN_FOR_REPLY = (Status.REFERRED, Status.REHANDLING)
MAX_COMMENT = 2000


def _handlers(proposal: Proposal) -> list:
    return list(proposal.department.handlers.filter(is_active=True).order_by("pk")) if proposal.department_id else []


# --- reply and progress --------------------------------------------------------------------------


@transaction.atomic
def proposal_reply(*, actor, proposal: Proposal, body) -> ProposalReply:
    """A handler of the department the proposal is referred to replies (round 1, 2… after re-handling).

    ``on_time`` compares today with ``reply_due_on``; the proposer then has the term's ``rating_days`` to
    rate the reply."""
    proposal = _lock(proposal)
    transition = workflow.check(actor, proposal, "reply")
    errors: dict[str, str] = {}
    text = _text(body, "body", limit=MAX_TEXT, required=_("Write the reply."), errors=errors)
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    reply = ProposalReply.objects.create(
        proposal=proposal,
        member_id=proposal.proposer.member_id,
        unit_path=proposal.unit_path,
        department=proposal.department,
        round=proposal.replies.count() + 1,
        body=text,
        replied_by=actor,
        on_time=proposal.reply_due_on is None or today <= proposal.reply_due_on,
    )
    event = workflow.move(actor, proposal, transition)
    proposal.rating_due_on = today + datetime.timedelta(days=proposal.session.congress.rating_days)
    proposal.save()
    record(actor, "congress.proposal.replied", proposal, round=reply.round, on_time=reply.on_time)
    transaction.on_commit(
        lambda: rating_request(proposal, member=reply.member, url=proposal_url(proposal)), robust=True
    )
    _decided(
        proposal,
        event,
        "replied",
        gettext_lazy("The department replied to your proposal “%(title)s”: please rate the reply"),
        "",
    )
    return reply


@transaction.atomic
def proposal_progress_record(*, actor, proposal: Proposal, note, percent: Any) -> ProposalProgress:
    """A handler records how far the implementation has come (any time after the referral)."""
    proposal = _lock(proposal)
    if not workflow.may_see(actor, proposal):
        raise OutOfScope()
    if not workflow.is_handler(actor, proposal):
        raise workflow.ActionRefused(
            _("This proposal is not referred to your department; only its handlers can reply.")
        )
    if proposal.status not in workflow.PROGRESS_STATES:
        raise ValidationError(_("Progress is recorded once the proposal is referred."), code="wrong_state")
    errors: dict[str, str] = {}
    text = _text(note, "note", limit=MAX_TEXT, required=_("Describe the progress."), errors=errors)
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        errors["percent"] = _("Enter a whole number from 0 to 100.")
    if errors:
        raise ValidationError(errors)
    progress = ProposalProgress.objects.create(proposal=proposal, note=text, percent=percent, recorded_by=actor)
    record(actor, "congress.proposal.progress", proposal, percent=percent)
    return progress


# --- the proposer's rating -----------------------------------------------------------------------


@transaction.atomic
def proposal_rate(*, actor, proposal: Proposal, rating: Any, comment: Any = "") -> ProposalReply:
    """The proposer rates the latest reply: satisfied or basically satisfied closes the proposal;
    dissatisfied (with a comment saying what is unresolved) sends it back to the department, with a new
    deadline. Each rating is also a satisfaction rating of the service line ``proposal_replies``."""
    proposal = _lock(proposal)
    dissatisfied = rating == Grade.DISSATISFIED
    transition = workflow.check(actor, proposal, "send_back" if dissatisfied else "rate")
    errors: dict[str, str] = {}
    if rating not in Grade.values:
        errors["rating"] = _("Choose satisfied, basically satisfied or dissatisfied.")
    text = comment.strip() if isinstance(comment, str) else ""
    if len(text) > MAX_COMMENT:
        errors["comment"] = _("Use at most %(limit)d characters.") % {"limit": MAX_COMMENT}
    elif not _printable(text):
        errors["comment"] = _("This text contains characters that cannot be stored.")
    elif dissatisfied and not text:
        errors["comment"] = _("Say what is still unresolved, so that the department can handle it again.")
    if errors:
        raise ValidationError(errors)
    reply = ProposalReply.objects.select_for_update().filter(proposal=proposal).order_by("-round").first()
    if reply is None or reply.rating:
        raise ValidationError(_("There is no reply waiting for your rating."), code="nothing_to_rate")
    now = timezone.now()
    reply.rating, reply.rating_comment, reply.rated_at = rating, text, now
    reply.save(update_fields=["rating", "rating_comment", "rated_at"])
    rating_record(
        service_line=PROPOSAL_REPLIES,
        item_type=ITEM_TYPE,
        item_id=reply.pk,
        member=proposal.proposer.member,
        unit_path=proposal.proposer.member.unit_path,  # where the worker is, like every rating
        cadre_id=reply.replied_by_id,
        score=SCORES[rating],
        comment=text[:COMMENT_MAX_LENGTH],  # the whole comment stays on the reply
    )
    event = workflow.move(actor, proposal, transition, note=text)
    if dissatisfied:
        today = timezone.localdate()
        proposal.reply_due_on = today + datetime.timedelta(days=proposal.session.congress.reply_days)
        proposal.rating_due_on = None
    else:
        proposal.close_reason = Proposal.CloseReason.RATED
        proposal.closed_at = now
    proposal.save()
    record(actor, "congress.proposal.rated", proposal, round=reply.round, rating=rating)
    if dissatisfied:
        tell_rehandling(proposal, event, text)
    return reply


def tell_rehandling(proposal: Proposal, event: ProposalEvent, comment: str) -> None:
    """Tell the department's handlers that the dissatisfied proposer sent the proposal back (``event``)."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Proposal sent back for re-handling: %(title)s") % {"title": proposal.title}
        body = _("The proposer is dissatisfied with the reply: %(comment)s. Please reply again by %(due)s.") % {
            "comment": comment,
            "due": proposal.reply_due_on.isoformat(),
        }
        for handler in _handlers(proposal):
            notification_send(
                recipient=handler,
                kind="congress.proposal.rehandling",
                title=title,
                body=body,
                url=proposal_url(proposal),
                dedupe_key=f"congress.proposal:{proposal.pk}:rehandling:{event.pk}",
            )


# --- the daily sweep -----------------------------------------------------------------------------


def _open_for_reply():
    return Proposal.objects.filter(status__in=OPEN_FOR_REPLY, reply_due_on__isnull=False).select_related(
        "department", "session__congress__unit"
    )


def proposals_remind(*, today: datetime.date) -> int:
    """Remind the handlers of each proposal whose reply is due within three days, once per deadline."""
    sent = 0
    soon = today + datetime.timedelta(days=REMIND_DAYS_BEFORE)
    rows = _open_for_reply().filter(reply_due_on__gte=today, reply_due_on__lte=soon).order_by("reply_due_on", "pk")
    with translation.override(settings.LANGUAGE_CODE):
        for proposal in rows.iterator(chunk_size=500):
            title = _("Reply due on %(due)s: %(title)s") % {
                "due": proposal.reply_due_on.isoformat(),
                "title": proposal.title,
            }
            for handler in _handlers(proposal):
                if notification_send(
                    recipient=handler,
                    kind="congress.proposal.reply_due",
                    title=title,
                    url=proposal_url(proposal),
                    dedupe_key=f"congress.proposal:{proposal.pk}:remind:{proposal.reply_due_on.isoformat()}",
                ):
                    sent += 1
    return sent


def congress_office(union: OrgUnit) -> list:
    """Active users holding ``congress.manage`` on the union or a unit above it."""
    roles = [code for code, role in ROLES.items() if "congress.manage" in role.permissions]
    paths = [union.path[:end] for end in range(OrgUnit.steplen, len(union.path) + 1, OrgUnit.steplen)]
    grants = RoleAssignment.objects.filter(role__in=roles, unit__path__in=paths, user__is_active=True)
    users: dict[int, Any] = {}
    for grant in grants.select_related("user").order_by("user_id"):
        users.setdefault(grant.user_id, grant.user)
    return list(users.values())


def proposals_escalate(*, today: datetime.date) -> int:
    """Tell the congress office about each proposal whose reply is overdue, once per deadline, and note
    it in the proposal's history. Returns how many proposals were escalated."""
    escalated = 0
    office: dict[int, list] = {}
    rows = _open_for_reply().filter(reply_due_on__lt=today).order_by("reply_due_on", "pk")
    with translation.override(settings.LANGUAGE_CODE):
        for proposal in rows.iterator(chunk_size=500):
            due = proposal.reply_due_on.isoformat()
            if ProposalEvent.objects.filter(proposal=proposal, action="escalate", note=due).exists():
                continue
            union = proposal.session.congress.unit
            if union.pk not in office:
                office[union.pk] = congress_office(union)
            if not office[union.pk]:
                logger.warning("Proposal %s is overdue but nobody holds congress.manage on %s", proposal.pk, union)
                continue
            days = (today - proposal.reply_due_on).days
            title = _("Overdue reply escalated (%(days)s days late): %(title)s") % {
                "days": days,
                "title": proposal.title,
            }
            body = _("%(department)s was to reply by %(due)s.") % {"department": proposal.department, "due": due}
            with transaction.atomic():
                for user in office[union.pk]:
                    notification_send(
                        recipient=user,
                        kind="congress.proposal.escalated",
                        title=title,
                        body=body,
                        url=proposal_url(proposal),
                        dedupe_key=f"congress.proposal:{proposal.pk}:escalated:{due}",
                    )
                ProposalEvent.objects.create(
                    proposal=proposal,
                    action="escalate",
                    from_status=proposal.status,
                    to_status=proposal.status,
                    note=due,
                )
                record(None, "congress.proposal.escalated", proposal, due=due, days=days)
            escalated += 1
    return escalated


def proposals_rating_timeout(*, today: datetime.date) -> int:
    """Close each replied proposal whose rating period ended without a rating (close reason ``timeout``)."""
    closed = 0
    ids = list(
        Proposal.objects.filter(status=Status.REPLIED, rating_due_on__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            proposal = _lock(Proposal(pk=pk))
            if proposal.status != Status.REPLIED or proposal.rating_due_on is None or proposal.rating_due_on >= today:
                continue  # rated meanwhile, or another worker got here first
            transition = workflow.check(None, proposal, "time_out", system=True)
            workflow.move(None, proposal, transition)
            proposal.close_reason = Proposal.CloseReason.TIMEOUT
            proposal.closed_at = timezone.now()
            proposal.save()
            record(None, "congress.proposal.timed_out", proposal)
            closed += 1
    return closed
