"""Before the decision (决策前建议): opinion calls (意见征集) on a draft, workers' comments, and the office's
adoption summary.

An opinion call publishes a draft to an audience (a unit of the decision's union and its subtree)
from ``opens_at`` until ``closes_at``. Members in the audience comment while it is open, by name or,
where the call allows it, anonymously; at most ``NAMED_COMMENTS_PER_MEMBER`` named comments per member
and call. After the deadline the office marks every comment adopted, partly adopted or not adopted
(with a note), then writes the adoption summary, which the audience reads with the comments.

Anonymity: an anonymous comment stores no member, no unit and only the date (``submitted_on``), and
**nothing** about it is written to the audit trail, the logs or the notifications: not even that a
member commented. So anonymous comments cannot be counted per member: the per-member limit holds for
named comments only.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from unionhome.access.policy import can, require
from unionhome.accounts.models import User
from unionhome.audit.recorder import record
from unionhome.congress.models import Decision, OpinionCall, OpinionComment
from unionhome.congress.services.decisions import PERMISSION, TITLE_MAX_LENGTH, clean_text
from unionhome.notify.services import notification_send
from unionhome.org.models import Member, OrgUnit

DRAFT_MAX_LENGTH = 20000
COMMENT_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 1000
ADOPTION_SUMMARY_MAX_LENGTH = 10000
NAMED_COMMENTS_PER_MEMBER = 5
# Outcomes the office can give a comment; "partly" and "not adopted" need a note saying why.
MARKS = (OpinionComment.Adoption.ADOPTED, OpinionComment.Adoption.PARTLY, OpinionComment.Adoption.NOT_ADOPTED)
NOTE_NEEDED = (OpinionComment.Adoption.PARTLY, OpinionComment.Adoption.NOT_ADOPTED)


def accepting_comments(call: OpinionCall, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return call.status == OpinionCall.Status.OPEN and call.opens_at <= now < call.closes_at


def comments_over(call: OpinionCall, now: datetime.datetime | None = None) -> bool:
    """Whether the time for comments is over (closed early, or the deadline has passed)."""
    now = now or timezone.now()
    return call.status != OpinionCall.Status.OPEN or now >= call.closes_at


def in_audience(member: Member | None, call: OpinionCall) -> bool:
    return (
        member is not None and member.status == Member.Status.ACTIVE and member.unit_path.startswith(call.audience_path)
    )


def _lock(call: OpinionCall) -> OpinionCall:
    return OpinionCall.objects.select_for_update().select_related("audience").get(pk=call.pk)


@transaction.atomic
def opinion_call_open(
    *,
    actor,
    decision: Decision,
    audience: OrgUnit,
    title: str,
    draft: str,
    closes_at: datetime.datetime,
    opens_at: datetime.datetime | None = None,
    allow_anonymous: bool = True,
) -> OpinionCall:
    """Publish a draft for comments to ``audience`` (a unit of the decision's union) until ``closes_at``."""
    require(actor, PERMISSION, decision)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.stage != Decision.Stage.CONSULTING:
        raise ValidationError(_("Opinions are collected only before the decision goes to the congress."))
    now = timezone.now()
    opens_at = opens_at or now
    errors: dict[str, str] = {}
    if not audience.path.startswith(decision.unit_path) or not can(actor, PERMISSION, audience):
        errors["audience"] = _("Choose a unit of this union.")
    title = clean_text(title, field="title", max_length=TITLE_MAX_LENGTH, required=True, errors=errors)
    draft = clean_text(draft, field="draft", max_length=DRAFT_MAX_LENGTH, required=True, errors=errors)
    if closes_at is None:
        errors["closes_at"] = _("This field is required.")
    elif closes_at <= now:
        errors["closes_at"] = _("The deadline must be in the future.")
    elif closes_at <= opens_at:
        errors["closes_at"] = _("The deadline must come after the opening.")
    if errors:
        raise ValidationError(errors)
    call = OpinionCall.objects.create(
        decision=decision,
        unit_path=decision.unit_path,
        audience=audience,
        audience_path=audience.path,
        title=title,
        draft=draft,
        opens_at=opens_at,
        closes_at=closes_at,
        allow_anonymous=bool(allow_anonymous),
        created_by=actor,
    )
    decision.save(update_fields=["updated_at"])
    record(
        actor,
        "congress.opinion_call.opened",
        call,
        decision=decision.pk,
        audience=audience.pk,
        closes_at=closes_at.isoformat(),
        allow_anonymous=call.allow_anonymous,
    )
    return call


@transaction.atomic
def opinion_call_close(*, actor, call: OpinionCall) -> OpinionCall:
    """Close an opinion call before its deadline (no more comments)."""
    require(actor, PERMISSION, call)
    call = _lock(call)
    if call.status != OpinionCall.Status.OPEN:
        raise ValidationError(_("This opinion call is already closed."))
    call.status = OpinionCall.Status.CLOSED
    call.save(update_fields=["status"])
    record(actor, "congress.opinion_call.closed", call, early=timezone.now() < call.closes_at)
    return call


def opinion_calls_close_due(*, now: datetime.datetime) -> int:
    """Close every open call whose deadline has passed (the daily sweep). Returns how many."""
    closed = 0
    for pk in OpinionCall.objects.filter(status=OpinionCall.Status.OPEN, closes_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            call = OpinionCall.objects.select_for_update().get(pk=pk)
            if call.status == OpinionCall.Status.OPEN and call.closes_at <= now:
                call.status = OpinionCall.Status.CLOSED
                call.save(update_fields=["status"])
                record(None, "congress.opinion_call.closed", call, early=False)
                closed += 1
    return closed


@transaction.atomic
def opinion_comment_submit(*, actor, call: OpinionCall, body: str, anonymous: bool = False) -> OpinionComment:
    """A member of the call's audience comments on the draft while the call is open.

    Named: the comment names its author, counts towards the limit of ``NAMED_COMMENTS_PER_MEMBER``
    and is recorded in the audit trail. Anonymous (where the call allows it): the comment keeps no
    member, no unit and only the date, and nothing about it is audited or logged."""
    member = Member.objects.filter(pk=getattr(actor, "member_id", None)).first()
    call = _lock(call)
    if not in_audience(member, call):
        raise ValidationError(_("This opinion call is for the members of %(unit)s.") % {"unit": call.audience.name})
    now = timezone.now()
    if call.status == OpinionCall.Status.OPEN and now < call.opens_at:
        raise ValidationError(
            _("Comments open on %(date)s.") % {"date": timezone.localtime(call.opens_at).strftime("%Y-%m-%d %H:%M")}
        )
    if comments_over(call, now):
        raise ValidationError(
            _("Comments closed on %(date)s: the deadline has passed.")
            % {"date": timezone.localtime(min(call.closes_at, now)).strftime("%Y-%m-%d %H:%M")}
        )
    errors: dict[str, str] = {}
    body = clean_text(body, field="body", max_length=COMMENT_MAX_LENGTH, required=True, errors=errors)
    if anonymous and not call.allow_anonymous:
        errors["anonymous"] = _("This opinion call takes named comments only.")
    if errors:
        raise ValidationError(errors)
    if anonymous:
        # No member, no unit, no time of day; no audit event, no log line, no notification.
        return OpinionComment.objects.create(
            call=call, author=None, unit_path="", body=body, submitted_on=timezone.localdate()
        )
    if OpinionComment.objects.filter(call=call, author=member).count() >= NAMED_COMMENTS_PER_MEMBER:
        raise ValidationError(
            _("You have already sent %(count)s comments on this draft, the most one member can send.")
            % {"count": NAMED_COMMENTS_PER_MEMBER}
        )
    comment = OpinionComment.objects.create(
        call=call, author=member, unit_path=member.unit_path, body=body, submitted_on=timezone.localdate()
    )
    record(actor, "congress.opinion_comment.submitted", call, comment=comment.pk)
    return comment


@transaction.atomic
def opinion_comment_mark(*, actor, comment: OpinionComment, adoption: str, note: str = "") -> OpinionComment:
    """After the deadline, the office marks a comment adopted, partly adopted or not adopted (with a note)."""
    require(actor, PERMISSION, comment.call)
    call = _lock(comment.call)
    if not comments_over(call):
        raise ValidationError(_("Comments can be considered once the opinion call has closed."))
    if call.status == OpinionCall.Status.SUMMARISED:
        raise ValidationError(_("The adoption summary has been published; the comments can no longer be changed."))
    comment = OpinionComment.objects.select_for_update().get(pk=comment.pk, call=call)
    errors: dict[str, str] = {}
    if adoption not in MARKS:
        errors["adoption"] = _("Choose whether the comment is adopted, partly adopted or not adopted.")
    note = clean_text(note, field="note", max_length=NOTE_MAX_LENGTH, required=False, errors=errors)
    if adoption in NOTE_NEEDED and not note and "note" not in errors:
        errors["note"] = _("Say why the comment is not (fully) adopted.")
    if errors:
        raise ValidationError(errors)
    old = comment.adoption
    comment.adoption = adoption
    comment.adoption_note = note
    comment.save(update_fields=["adoption", "adoption_note"])
    record(actor, "congress.opinion_comment.marked", call, comment=comment.pk, adoption=[old, adoption])
    return comment


@transaction.atomic
def opinion_call_summarise(*, actor, call: OpinionCall, summary: str) -> OpinionCall:
    """Publish the adoption summary once the call has closed and every comment has been considered.

    The summary and the comments (anonymous ones as "anonymous") become public to the audience; each
    member who commented by name is told."""
    require(actor, PERMISSION, call)
    call = _lock(call)
    if call.status == OpinionCall.Status.SUMMARISED:
        raise ValidationError(_("The adoption summary of this opinion call has already been published."))
    if not comments_over(call):
        raise ValidationError(_("Write the adoption summary once the opinion call has closed."))
    pending = call.comments.filter(adoption=OpinionComment.Adoption.PENDING).count()
    if pending:
        raise ValidationError(
            ngettext(
                "%(count)s comment has not been considered yet. Mark each comment first.",
                "%(count)s comments have not been considered yet. Mark each comment first.",
                pending,
            )
            % {"count": pending}
        )
    errors: dict[str, str] = {}
    summary = clean_text(summary, field="summary", max_length=ADOPTION_SUMMARY_MAX_LENGTH, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    old = call.status
    call.status = OpinionCall.Status.SUMMARISED
    call.adoption_summary = summary
    call.summarised_at = timezone.now()
    call.save(update_fields=["status", "adoption_summary", "summarised_at"])
    counts = {mark: call.comments.filter(adoption=mark).count() for mark in MARKS}
    record(actor, "congress.opinion_call.summarised", call, status=[old, call.status], **counts)
    _tell_commenters(call)
    return call


def _tell_commenters(call: OpinionCall) -> None:
    authors = call.comments.filter(author__isnull=False).values("author_id").distinct()
    url = reverse("congress:opinion_call", args=[call.pk])
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Adoption summary published: %(title)s") % {"title": call.title}
        body = _("The office has considered your comments on the draft. See what was adopted.")
        for user in User.objects.filter(member_id__in=authors, is_active=True).order_by("pk"):
            notification_send(
                recipient=user,
                kind="congress.opinion_call.summarised",
                title=title,
                body=body,
                url=url,
                dedupe_key=f"congress.opinion_call:{call.pk}:summarised",
            )
