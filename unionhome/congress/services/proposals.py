"""Every write to proposals (提案) up to the review: drafting, suggesting, adopting, submitting, seconding
(附议), sending for review, and the committee's decision (accept / convert / merge) and referral.

Every change of status goes through ``proposal_workflow`` (``check`` then ``move``) on the locked
proposal row, writes one ``ProposalEvent`` (the history the proposer sees, with the reason), one audit
event, and tells the proposer in their inbox. Bad input raises ``ValidationError`` and writes nothing.
Replies, progress, ratings and the daily sweep are in ``proposal_handling.py``.
"""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionhome.access.policy import OutOfScope
from unionhome.audit.recorder import record
from unionhome.congress import proposal_workflow as workflow
from unionhome.congress.models import CongressSession, HandlingDepartment, Proposal, Seconding
from unionhome.congress.seats import seat_in
from unionhome.notify.services import notification_send

Status = Proposal.Status
MAX_TITLE = 200
MAX_TEXT = 4000
MAX_REASON = 2000
MERGE_TARGETS = (Status.SUBMITTED, Status.ACCEPTED)


# --- input ---------------------------------------------------------------------------------------


def _printable(text: str) -> bool:
    return all(ch.isprintable() or ch in "\n\r\t" for ch in text)


def _text(value: Any, field: str, *, limit: int, required: str, errors: dict) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        errors[field] = required
    elif len(text) > limit:
        errors[field] = _("Use at most %(limit)d characters.") % {"limit": limit}
    elif not _printable(text) or (field == "title" and "\n" in text):
        errors[field] = _("This text contains characters that cannot be stored.")
    return text


def clean_content(*, title: Any, category: Any, reasons: Any, measures: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    cleaned = {
        "title": _text(title, "title", limit=MAX_TITLE, required=_("Give the proposal a title."), errors=errors),
        "reasons": _text(reasons, "reasons", limit=MAX_TEXT, required=_("Explain the reasons (案由)."), errors=errors),
        "measures": _text(measures, "measures", limit=MAX_TEXT, required=_("Say what should be done."), errors=errors),
    }
    if category not in Proposal.Category.values:
        errors["category"] = _("Choose a category from the list.")
    cleaned["category"] = str(category or "")
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_reason(reason: Any, *, required: bool = True) -> str:
    errors: dict[str, str] = {}
    text = _text(
        reason, "reason", limit=MAX_REASON, required=_("Give the reason; the proposer sees it."), errors=errors
    )
    if errors and (required or text):
        raise ValidationError(errors)
    return text


# --- helpers -------------------------------------------------------------------------------------


def _lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("session__congress", "proposer__member", "department")
        .get(pk=proposal.pk)
    )


def proposal_url(proposal: Proposal) -> str:
    return reverse("congress:proposal_detail", args=[proposal.pk])


def proposer_user(proposal: Proposal):
    """The proposer's login (or the author's, for a suggestion not adopted yet), if they have one."""
    member = proposal.proposer.member if proposal.proposer_id else proposal.author
    user = getattr(member, "user", None)
    return user if user is not None and user.is_active else None


def notify_proposer(proposal: Proposal, *, kind: str, title: str, body: str = "", key: str) -> None:
    """Tell the proposer (and the author of an adopted suggestion) about a decision, once per ``key``."""
    recipients = [proposer_user(proposal)]
    author_user = getattr(proposal.author, "user", None)
    if author_user is not None and author_user.is_active and author_user not in recipients:
        recipients.append(author_user)
    for user in recipients:
        if user is not None:
            notification_send(
                recipient=user, kind=kind, title=title, body=body, url=proposal_url(proposal), dedupe_key=key
            )


def _decided(proposal: Proposal, event, kind: str, title: str, note: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        notify_proposer(
            proposal,
            kind=f"congress.proposal.{kind}",
            title=str(title) % {"title": proposal.title},
            body=note,
            key=f"congress.proposal:{proposal.pk}:{kind}:{event.pk}",
        )


def _require_member_of_union(actor: Any, session: CongressSession) -> Any:
    member = getattr(actor, "member", None) if getattr(actor, "member_id", None) else None
    if member is None or not member.unit_path.startswith(session.congress.unit_path):
        raise OutOfScope()
    return member


# --- drafting ------------------------------------------------------------------------------------


@transaction.atomic
def proposal_draft(*, actor, session: CongressSession, title, category, reasons, measures) -> Proposal:
    """A seated representative of the session's term writes a proposal (a draft until submitted)."""
    seat = seat_in(actor, session.congress_id)
    if seat is None:
        raise workflow.ActionRefused(_("Only seated representatives of this congress term can write proposals."))
    workflow.require_open(session, timezone.now())
    data = clean_content(title=title, category=category, reasons=reasons, measures=measures)
    proposal = Proposal.objects.create(
        session=session, unit_path=seat.unit_path, author_id=seat.member_id, proposer=seat, **data
    )
    proposal.events.create(action="draft", to_status=Status.DRAFT, actor=actor)
    record(actor, "congress.proposal.drafted", proposal, title=proposal.title)
    return proposal


@transaction.atomic
def proposal_update(*, actor, proposal: Proposal, title, category, reasons, measures) -> Proposal:
    """The proposer changes a draft."""
    proposal = _lock(proposal)
    if not workflow.may_see(actor, proposal):
        raise OutOfScope()
    if not workflow.is_proposer(actor, proposal):
        raise workflow.ActionRefused(_("Only the proposer can do this."))
    if proposal.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be changed."), code="wrong_state")
    data = clean_content(title=title, category=category, reasons=reasons, measures=measures)
    for name, value in data.items():
        setattr(proposal, name, value)
    proposal.save()
    record(actor, "congress.proposal.updated", proposal, title=proposal.title)
    return proposal


@transaction.atomic
def proposal_suggest(*, actor, session: CongressSession, title, category, reasons, measures) -> Proposal:
    """Any member of the union suggests a proposal; a seated representative may adopt it."""
    member = _require_member_of_union(actor, session)
    workflow.require_open(session, timezone.now())
    data = clean_content(title=title, category=category, reasons=reasons, measures=measures)
    proposal = Proposal.objects.create(
        session=session, unit_path=member.unit_path, author=member, status=Status.SUGGESTED, **data
    )
    proposal.events.create(action="suggest", to_status=Status.SUGGESTED, actor=actor)
    record(actor, "congress.proposal.suggested", proposal, title=proposal.title)
    return proposal


@transaction.atomic
def proposal_adopt(*, actor, proposal: Proposal, note: str = "") -> Proposal:
    """A seated representative adopts a member's suggestion: they become the proposer (a draft again)."""
    proposal = _lock(proposal)
    transition = workflow.check(actor, proposal, "adopt")
    seat = seat_in(actor, proposal.session.congress_id)
    note = clean_reason(note, required=False)
    event = workflow.move(actor, proposal, transition, note=note)
    proposal.proposer = seat
    proposal.unit_path = seat.unit_path
    proposal.save()
    record(actor, "congress.proposal.adopted", proposal)
    _decided(
        proposal, event, "adopted", gettext_lazy("Your suggestion “%(title)s” was adopted by a representative"), note
    )
    return proposal


@transaction.atomic
def proposal_submit(*, actor, proposal: Proposal) -> Proposal:
    """The proposer submits a draft: it opens for seconding by other representatives."""
    proposal = _lock(proposal)
    transition = workflow.check(actor, proposal, "submit")
    workflow.move(actor, proposal, transition)
    proposal.submitted_at = timezone.now()
    proposal.save()
    record(actor, "congress.proposal.submitted", proposal)
    return proposal


# --- seconding -----------------------------------------------------------------------------------


@transaction.atomic
def proposal_second(*, actor, proposal: Proposal) -> Seconding:
    """Another seated representative of the term seconds (附议) a proposal open for seconding, once."""
    proposal = _lock(proposal)
    workflow.check(actor, proposal, "second")
    seat = seat_in(actor, proposal.session.congress_id)
    if Seconding.objects.filter(proposal=proposal, representative=seat).exists():
        raise ValidationError(_("You have already seconded this proposal."), code="already_seconded")
    try:
        with transaction.atomic():
            seconding = Seconding.objects.create(proposal=proposal, representative=seat)
    except IntegrityError as exc:  # the same click sent twice at the same moment
        raise ValidationError(_("You have already seconded this proposal."), code="already_seconded") from exc
    record(actor, "congress.proposal.seconded", proposal, seconders=proposal.secondings.count())
    return seconding


@transaction.atomic
def proposal_send_for_review(*, actor, proposal: Proposal) -> Proposal:
    """The proposer sends a proposal with enough seconders to the proposal committee."""
    proposal = _lock(proposal)
    transition = workflow.check(actor, proposal, "send_for_review")
    workflow.move(actor, proposal, transition)
    proposal.save()
    record(actor, "congress.proposal.sent_for_review", proposal, seconders=proposal.secondings.count())
    return proposal


# --- review and referral -------------------------------------------------------------------------


@transaction.atomic
def proposal_accept(*, actor, proposal: Proposal, reason) -> Proposal:
    """The committee accepts (立案): the proposal gets the session's next number."""
    # Lock order: the session (numbers are counted per session), then the proposal.
    CongressSession.objects.select_for_update().filter(pk=proposal.session_id).first()
    proposal = _lock(proposal)
    transition = workflow.check(actor, proposal, "accept")
    reason = clean_reason(reason)
    number = (Proposal.objects.filter(session_id=proposal.session_id).aggregate(n=Max("number"))["n"] or 0) + 1
    event = workflow.move(actor, proposal, transition, note=reason)
    proposal.number = number
    proposal.accepted_at = timezone.now()
    proposal.save()
    record(actor, "congress.proposal.accepted", proposal, number=number)
    _decided(proposal, event, "accepted", gettext_lazy("Your proposal “%(title)s” was accepted"), reason)
    return proposal


@transaction.atomic
def proposal_convert(*, actor, proposal: Proposal, reason) -> Proposal:
    """The committee converts a proposal to a suggestion (final; the reason is shown to the proposer)."""
    proposal = _lock(proposal)
    transition = workflow.check(actor, proposal, "convert")
    reason = clean_reason(reason)
    event = workflow.move(actor, proposal, transition, note=reason)
    proposal.close_reason = Proposal.CloseReason.NOT_ACCEPTED
    proposal.closed_at = timezone.now()
    proposal.save()
    record(actor, "congress.proposal.converted", proposal)
    _decided(
        proposal, event, "converted", gettext_lazy("Your proposal “%(title)s” was converted to a suggestion"), reason
    )
    return proposal


@transaction.atomic
def proposal_merge(*, actor, proposal: Proposal, into: Proposal | None, reason) -> Proposal:
    """The committee merges a proposal into another of the same session (submitted or accepted)."""
    ids = [proposal.pk] + ([into.pk] if into is not None else [])
    # Lock order: lower id first, both rows at once.
    locked = {p.pk: p for p in Proposal.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")}
    proposal = _lock(proposal)
    transition = workflow.check(actor, proposal, "merge")
    if into is None:
        raise ValidationError({"into": _("Choose the proposal to merge into.")})
    reason = clean_reason(reason)
    target = locked.get(into.pk)
    if target is None or target.pk == proposal.pk or target.session_id != proposal.session_id:
        raise ValidationError({"into": _("Choose another proposal of the same session.")})
    if target.status not in MERGE_TARGETS:
        raise ValidationError({"into": _("A proposal can only be merged into one that is submitted or accepted.")})
    event = workflow.move(actor, proposal, transition, note=reason)
    proposal.merged_into = target
    proposal.close_reason = Proposal.CloseReason.NOT_ACCEPTED
    proposal.closed_at = timezone.now()
    proposal.save()
    record(actor, "congress.proposal.merged", proposal, into=target.pk)
    _decided(
        proposal, event, "merged", gettext_lazy("Your proposal “%(title)s” was merged into another proposal"), reason
    )
    return proposal


def proposal_review(*, actor, proposal: Proposal, decision: str, reason, into: Proposal | None = None) -> Proposal:
    """One entry for the committee's three decisions: ``accept``, ``convert`` or ``merge``."""
    if decision == "accept":
        return proposal_accept(actor=actor, proposal=proposal, reason=reason)
    if decision == "convert":
        return proposal_convert(actor=actor, proposal=proposal, reason=reason)
    if decision == "merge":
        return proposal_merge(actor=actor, proposal=proposal, into=into, reason=reason)
    raise ValidationError({"decision": _("Choose accept, convert or merge.")})


def default_reply_due_on(proposal: Proposal, today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()) + datetime.timedelta(days=proposal.session.congress.reply_days)


@transaction.atomic
def proposal_refer(
    *,
    actor,
    proposal: Proposal,
    department: HandlingDepartment | None,
    reply_due_on: datetime.date | None = None,
    note: str = "",
) -> Proposal:
    """Refer an accepted proposal to an active handling department of the union, with a reply deadline
    (today + the term's ``reply_days`` when not given). The department's handlers are told."""
    proposal = _lock(proposal)
    transition = workflow.check(actor, proposal, "refer")
    today = timezone.localdate()
    union_id = proposal.session.congress.unit_id
    errors: dict[str, str] = {}
    if department is None or department.unit_id != union_id or not department.is_active:
        errors["department"] = _("Choose an active handling department of this union.")
    due = reply_due_on or default_reply_due_on(proposal, today)
    if due <= today:
        errors["reply_due_on"] = _("The reply deadline must be after today.")
    elif due > today + datetime.timedelta(days=366):
        errors["reply_due_on"] = _("The reply deadline must be within a year.")
    note_text = ""
    try:
        note_text = clean_reason(note, required=False)
    except ValidationError:
        errors["note"] = _("Use at most %(limit)d characters.") % {"limit": MAX_REASON}
    if errors:
        raise ValidationError(errors)
    event = workflow.move(actor, proposal, transition, note=note_text)
    proposal.department = department
    proposal.reply_due_on = due
    proposal.save()
    record(actor, "congress.proposal.referred", proposal, department=department.pk, due=due.isoformat())
    with translation.override(settings.LANGUAGE_CODE):
        _decided(
            proposal,
            event,
            "referred",
            gettext_lazy("Your proposal “%(title)s” was referred to a department"),
            _("Department: %(department)s. Reply due by %(due)s.") % {"department": department.name, "due": due},
        )
        title = _("Proposal referred to %(department)s: %(title)s") % {
            "department": department.name,
            "title": proposal.title,
        }
        body = _("Please reply by %(due)s.") % {"due": due.isoformat()}
        for handler in department.handlers.filter(is_active=True):
            notification_send(
                recipient=handler,
                kind="congress.proposal.referred_to_you",
                title=title,
                body=body,
                url=proposal_url(proposal),
                dedupe_key=f"congress.proposal:{proposal.pk}:referred_to:{event.pk}",
            )
    return proposal
