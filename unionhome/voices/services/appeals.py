"""The worker's side of an appeal (职工诉求): sending it, named or anonymously, writing to the handler
while it is open, and withdrawing it. Rating and reopening are in ``feedback.py``.

Who acts: only a logged-in user with an active member record sends an appeal. On a named appeal the
submitter is the appeal's member (anyone else: ``OutOfScope``, 404); on an anonymous appeal the submitter
is whoever holds its follow-up code (``code=``), and nothing else is asked of them.

Anonymity (see ``voices/models/appeals.py``): an anonymous appeal stores no member, its unit is the
member's branch, its submission time is cut to the hour (the deadlines are counted from that hour), and
the submitter gets a follow-up code of which only a keyed digest is stored. The submitter is never an
``AppealEvent`` actor or an ``AppealReply`` author (named or not); their actions on an anonymous appeal
write no audit event and no log line, and the handlers' notifications carry nothing about them.
"""

import datetime
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.audit.recorder import record
from unionhome.congress.models import HandlingDepartment
from unionhome.notify.services import notification_send, robot_announce
from unionhome.org.models import Member
from unionhome.voices import follow_up_codes, keywords
from unionhome.voices.appeal_workflow import transition
from unionhome.voices.counting import appeal_counted
from unionhome.voices.deadlines import deadlines_for
from unionhome.voices.handlers import answerers_of
from unionhome.voices.models import Appeal, AppealCategory, AppealEvent, AppealKind, AppealReply
from unionhome.voices.routing import branch_of, route_for, supervisors_of
from unionhome.voices.services.attachments import attachments_check, attachments_store
from unionhome.voices.services.outgoing import new_appeal_message, submitter_action_message

TITLE_MAX_LENGTH = 80
BODY_MAX_LENGTH = 2000
MESSAGE_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 1000


class NotAMember(PermissionRefused):
    """A 403 that says why: appeals are sent by union members."""

    def __init__(self):
        self.permission = ""
        PermissionDenied.__init__(self, _("Only union members can send an appeal."))


# --- small pieces shared with feedback.py ------------------------------------------------------------


def clean_text(value: object, *, field: str, max_length: int, errors: dict, multiline: bool = True) -> str:
    """Trimmed text, 1 to ``max_length`` characters, with no control characters (line breaks and tabs are
    fine in multi-line text); adds a message for ``field`` to ``errors`` otherwise."""
    text = value.strip() if isinstance(value, str) else ""
    allowed = "\n\r\t" if multiline else ""
    if not text:
        errors[field] = _("This field is required.")
    elif len(text) > max_length:
        errors[field] = _("Use at most %(max_length)s characters.") % {"max_length": max_length}
    elif any(unicodedata.category(ch) in {"Cc", "Cs"} and ch not in allowed for ch in text):
        errors[field] = _("This text contains control characters or invalid characters.")
    return text


def active_member(actor: Any) -> Member | None:
    member_id = getattr(actor, "member_id", None) if getattr(actor, "is_authenticated", False) else None
    if member_id is None:
        return None
    return Member.objects.select_related("unit").filter(pk=member_id, status=Member.Status.ACTIVE).first()


def hour_of(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def submitter_moment(appeal: Appeal, now: datetime.datetime) -> datetime.datetime:
    """When the submitter acted, as stored: the exact time on a named appeal; on an anonymous one the
    hour, but never before the appeal's latest event (so that its history stays in order)."""
    if not appeal.is_anonymous:
        return now
    latest = appeal.events.order_by("-at").values_list("at", flat=True).first()
    return max(hour_of(now), latest) if latest is not None else hour_of(now)


def locked_for_submitter(actor: Any, appeal: Appeal, code: str | None) -> Appeal:
    """The appeal, locked, once the caller is known as its submitter: its member (named) or the holder of
    its code (anonymous). Anyone else: ``OutOfScope`` (404, so that ids reveal nothing)."""
    locked = Appeal.objects.select_for_update().filter(pk=appeal.pk).first()
    if locked is None:
        raise OutOfScope()
    if locked.is_anonymous:
        digest = follow_up_codes.code_digest(code) if code else None
        if digest is None or digest != locked.code_digest:
            raise OutOfScope()
    else:
        member_id = getattr(actor, "member_id", None) if getattr(actor, "is_authenticated", False) else None
        if member_id is None or member_id != locked.member_id:
            raise OutOfScope()
    return locked


def routed_key(appeal: Appeal) -> str:
    return f"voices.appeal:{appeal.pk}:routed"


def handler_url(appeal: Appeal) -> str:
    """The handler's page of the appeal (the handling pages)."""
    try:
        return reverse("voices:handle", args=[appeal.pk])
    except NoReverseMatch:
        return f"/voices/handle/{appeal.pk}/"


def tell_handlers(appeal: Appeal, *, kind: str, title: str, body: str, dedupe: str) -> None:
    """Notify whoever answers the appeal once this transaction commits. Titles and bodies may leave the
    site: they name the appeal by its reference, branch, kind, category and deadline (``outgoing.py``), never
    its submitter, title or text. The submitter's actions on an anonymous
    appeal are announced by the hourly sweep instead (``services/announcements.py``)."""
    if appeal.is_anonymous:
        return
    recipients = answerers_of(appeal)
    url = handler_url(appeal)

    def send() -> None:
        for user in recipients:
            notification_send(recipient=user, kind=kind, title=title, body=body, url=url, dedupe_key=dedupe)

    transaction.on_commit(send)


def topic_words(text: str) -> list[str]:
    """The appeal's topic words (``voices/keywords.py``), at most 20."""
    return list(keywords.topic_words(text))[:20]


# --- submit --------------------------------------------------------------------------------------


def _check_submission(kind: object, category: object, title: object, body: object) -> tuple[str, str]:
    errors: dict[str, str] = {}
    if kind not in AppealKind.values:
        errors["kind"] = _("Choose what kind of appeal this is.")
    if category not in AppealCategory.values:
        errors["category"] = _("Choose a category.")
    title = clean_text(title, field="title", max_length=TITLE_MAX_LENGTH, errors=errors, multiline=False)
    body = clean_text(body, field="body", max_length=BODY_MAX_LENGTH, errors=errors)
    if errors:
        raise ValidationError(errors)
    return title, body


@transaction.atomic
def appeal_submit(
    *,
    actor: Any,
    kind: str,
    category: str,
    title: str,
    body: str,
    anonymous: bool,
    attachments: Iterable[Any] = (),
) -> tuple[Appeal, str | None]:
    """Send an appeal. Returns it and, for an anonymous appeal, its follow-up code (shown once, kept
    nowhere); None for a named one.

    A member only (``NotAMember``, 403). Title 1-80 characters, details 1-2,000, kind and category from
    the choices, at most 5 JPEG/PNG/PDF attachments (images cleaned of metadata). Routed by the routing
    rules (a person or a department), else to the branch's supervisors, who are notified on commit.
    Nothing is written (no row, no file) when anything is wrong."""
    member = active_member(actor)
    if member is None:
        raise NotAMember()
    title, body = _check_submission(kind, category, title, body)
    anonymous = bool(anonymous)
    prepared = attachments_check(attachments, anonymous=anonymous)
    now = timezone.now()
    branch = branch_of(member.unit)
    unit = branch if anonymous else member.unit
    submitted_at = hour_of(now) if anonymous else now
    code = follow_up_codes.code_make() if anonymous else None
    route = route_for(branch, category)
    due = deadlines_for(category, submitted_at)
    appeal = Appeal(
        kind=kind,
        category=category,
        title=title,
        body=body,
        is_anonymous=anonymous,
        member=None if anonymous else member,
        unit=unit,
        unit_path=unit.path,
        branch=branch,
        code_digest=follow_up_codes.code_digest(code) if code else None,
        handler_id=route.handler_id,
        department_id=route.department_id,
        submitted_at=submitted_at,
        acknowledge_due=due.acknowledge_due,
        answer_due=due.answer_due,
        keywords=topic_words(f"{title}\n{body}"),
    )
    transition(appeal, "submit", now=now)
    written: list[Path] = []
    try:
        appeal.save()
        files = attachments_store(appeal, prepared, written)
        AppealEvent.objects.create(appeal=appeal, kind=AppealEvent.Kind.SUBMITTED, at=submitted_at)
        AppealEvent.objects.create(
            appeal=appeal, kind=AppealEvent.Kind.ROUTED, note=_route_note(appeal), at=submitted_at
        )
        appeal_counted(appeal)
        if not anonymous:
            record(
                actor,
                "voices.appeal.submitted",
                appeal,
                kind=kind,
                category=category,
                attachments=len(files),
                handler=appeal.handler_id,
                department=appeal.department_id,
            )
        with translation.override(settings.LANGUAGE_CODE):
            title, body = new_appeal_message(appeal)
            tell_handlers(appeal, kind="voices.appeal.routed", title=title, body=body, dedupe=routed_key(appeal))
            if not appeal.is_anonymous:  # an anonymous one is announced by the hourly sweep
                robot_announce(
                    unit=appeal.branch,
                    kind="voices.appeal.routed",
                    title=title,
                    text=body,
                    url=handler_url(appeal),
                    dedupe_key=routed_key(appeal),
                )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return appeal, code


def _route_note(appeal: Appeal) -> str:
    """Where the appeal went, as its history shows it (names of departments and units, never the submitter)."""
    if appeal.department_id is not None:
        return HandlingDepartment.objects.filter(pk=appeal.department_id).values_list("name", flat=True).first() or ""
    if appeal.handler_id is not None:
        user = get_user_model().objects.filter(pk=appeal.handler_id).first()
        return (getattr(user, "display_name", "") or str(user)) if user is not None else ""
    answering, _users = supervisors_of(appeal.branch)
    return answering.name


# --- while it is open --------------------------------------------------------------------------------


@transaction.atomic
def appeal_follow_up(*, actor: Any, appeal: Appeal, body: str, code: str | None = None) -> AppealReply:
    """The submitter writes to the handler while the appeal is open (1-2,000 characters); the handler is
    told. The message is private (only the submitter and the handlers see it) and names nobody."""
    appeal = locked_for_submitter(actor, appeal, code)
    transition(appeal, "follow_up")
    errors: dict[str, str] = {}
    body = clean_text(body, field="body", max_length=MESSAGE_MAX_LENGTH, errors=errors)
    if errors:
        raise ValidationError(errors)
    at = submitter_moment(appeal, timezone.now())
    reply = AppealReply.objects.create(appeal=appeal, from_submitter=True, body=body, created_at=at)
    AppealEvent.objects.create(appeal=appeal, kind=AppealEvent.Kind.FOLLOWED_UP, at=at)
    if not appeal.is_anonymous:
        record(actor, "voices.appeal.followed_up", appeal, reply=reply.pk)
    with translation.override(settings.LANGUAGE_CODE):
        title, text = submitter_action_message(appeal, "followed_up")
        tell_handlers(
            appeal,
            kind="voices.appeal.followed_up",
            title=title,
            body=text,
            dedupe=f"voices.appeal:{appeal.pk}:message:{reply.pk}",
        )
    return reply


@transaction.atomic
def appeal_withdraw(*, actor: Any, appeal: Appeal, reason: str = "", code: str | None = None) -> Appeal:
    """The submitter withdraws an open appeal (with an optional reason); the handler is told. Final."""
    appeal = locked_for_submitter(actor, appeal, code)
    old = appeal.status
    transition(appeal, "withdraw")
    errors: dict[str, str] = {}
    reason = reason.strip() if isinstance(reason, str) else ""
    if reason:
        reason = clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH, errors=errors)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    appeal.closed_at = submitter_moment(appeal, now)
    appeal.save(update_fields=["status", "closed_at"])
    AppealEvent.objects.create(appeal=appeal, kind=AppealEvent.Kind.WITHDRAWN, note=reason, at=appeal.closed_at)
    if not appeal.is_anonymous:
        record(actor, "voices.appeal.withdrawn", appeal, status=[old, appeal.status])
    with translation.override(settings.LANGUAGE_CODE):
        title, text = submitter_action_message(appeal, "withdrawn")
        tell_handlers(
            appeal,
            kind="voices.appeal.withdrawn",
            title=title,
            body=text,
            dedupe=f"voices.appeal:{appeal.pk}:withdrawn",
        )
    return appeal
