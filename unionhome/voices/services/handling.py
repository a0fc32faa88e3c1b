"""The cadres' side of an appeal: acknowledge (受理), reply publicly or privately (答复), transfer with a
reason (转办), and close with the answer (办结).

Who may act: the person the appeal is routed to, a handler of its department, or a holder of
``voices.handle`` on its unit (``voices.handlers``); anyone else gets 404 (403 when they may see it but
not act). Every change of status goes through ``appeal_workflow`` on the locked appeal, writes one
``AppealEvent`` naming the handler, one audit event ``voices.appeal.<verb>`` on the appeal (the
handler's action; the submitter is never named, and an anonymous appeal has nobody to name), and tells
the submitter of a named appeal in their inbox when it is answered. An anonymous submitter reads replies
with their follow-up code: nothing is sent to them. What the submitter is sent may leave the site (email,
robot): it names the appeal by its date only, never its subject nor the reply, read on the appeal's page.
What the new handlers of a transferred appeal are sent names it by its reference (``services/outgoing.py``).

A transfer keeps the deadlines: the member was promised an answer by ``answer_due`` whoever gives it.
Bad input raises ``ValidationError`` and writes nothing.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionhome.audit.recorder import record
from unionhome.congress.models import HandlingDepartment
from unionhome.notify.services import notification_send
from unionhome.org.models import OrgUnit
from unionhome.satisfaction.requests import rating_request
from unionhome.voices import appeal_workflow as workflow
from unionhome.voices.deadlines import reopen_until
from unionhome.voices.handlers import answerers_of, require_handler
from unionhome.voices.models import Appeal, AppealEvent, AppealReply, RoutingRule
from unionhome.voices.services.outgoing import transfer_message

MAX_TEXT = 2000
Event = AppealEvent.Kind


# --- input and helpers ---------------------------------------------------------------------------


def _printable(text: str) -> bool:
    return all(ch.isprintable() or ch in "\n\r\t" for ch in text)


def clean_text(value: Any, field: str, *, required: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        message = required
    elif len(text) > MAX_TEXT:
        message = _("Use at most %(limit)d characters.") % {"limit": MAX_TEXT}
    elif not _printable(text):
        message = _("This text contains characters that cannot be stored.")
    else:
        return text
    raise ValidationError({field: message})


def _lock(appeal: Appeal) -> Appeal:
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("member", "branch", "handler", "department")
        .get(pk=appeal.pk)
    )


def _step(appeal: Appeal, action: str) -> str:
    """The workflow's check, with its message on the field-less form."""
    return workflow.transition(appeal, action)


def handling_url(appeal: Appeal) -> str:
    return reverse("voices:handle", args=[appeal.pk])


def submitter_url(appeal: Appeal) -> str:
    """The submitter's page of a named appeal (the appeals pages), else the voices front page."""
    try:
        return reverse("voices:appeal_detail", args=[appeal.pk])
    except NoReverseMatch:
        return reverse("voices:index")


def _event(appeal: Appeal, kind: str, actor, note: str = "", at=None) -> AppealEvent:
    return AppealEvent.objects.create(appeal=appeal, kind=kind, actor=actor, note=note, at=at or timezone.now())


def submitted_on(appeal: Appeal) -> str:
    """The day the appeal was sent: how messages that may leave the site name it (its subject may be sensitive)."""
    return timezone.localdate(appeal.submitted_at).isoformat()


def notify_submitter(appeal: Appeal, *, kind: str, title: str, body: str = "", key: str) -> None:
    """Tell the member of a named appeal (never an anonymous one: nobody is linked to it). The title and body
    go out by email and robot too: name the appeal by ``submitted_on`` only, never its subject nor a reply."""
    if appeal.is_anonymous or appeal.member_id is None:
        return
    user = getattr(appeal.member, "user", None)
    if user is None or not user.is_active:
        return
    notification_send(recipient=user, kind=kind, title=title, body=body, url=submitter_url(appeal), dedupe_key=key)


def _acknowledged(appeal: Appeal, now) -> bool:
    """Set ``acknowledged_at`` when the appeal was waiting for it; True when it was."""
    if appeal.status in (Appeal.Status.SUBMITTED, Appeal.Status.REOPENED):
        appeal.acknowledged_at = now
        return True
    return False


# --- acknowledge and reply -----------------------------------------------------------------------


@transaction.atomic
def appeal_acknowledge(*, actor, appeal: Appeal) -> Appeal:
    """The handler confirms the appeal is being handled (受理); the acknowledge deadline is met."""
    appeal = _lock(appeal)
    require_handler(actor, appeal)
    now = timezone.now()
    _acknowledged(appeal, now)
    _step(appeal, "acknowledge")
    appeal.save(update_fields=["status", "acknowledged_at"])
    _event(appeal, Event.ACKNOWLEDGED, actor, at=now)
    record(actor, "voices.appeal.acknowledged", appeal, late=now > appeal.acknowledge_due)
    return appeal


@transaction.atomic
def appeal_reply(*, actor, appeal: Appeal, body: Any, public: bool) -> AppealReply:
    """A handler's reply; ``public`` replies may show, de-identified, on the hot-issues board. A first
    reply also acknowledges the appeal. The submitter of a named appeal is told."""
    appeal = _lock(appeal)
    require_handler(actor, appeal)
    text = clean_text(body, "body", required=_("Write the reply."))
    now = timezone.now()
    first = _acknowledged(appeal, now)
    _step(appeal, "reply")
    appeal.save(update_fields=["status", "acknowledged_at"])
    reply = AppealReply.objects.create(appeal=appeal, author=actor, body=text, is_public=bool(public), created_at=now)
    if first:
        _event(appeal, Event.ACKNOWLEDGED, actor, at=now)
    _event(appeal, Event.REPLIED, actor, at=now)
    record(actor, "voices.appeal.replied", appeal, public=bool(public), reply=reply.pk)
    with translation.override(settings.LANGUAGE_CODE):
        notify_submitter(
            appeal,
            kind="voices.appeal.replied",
            title=_("Your appeal of %(date)s has a reply") % {"date": submitted_on(appeal)},
            body=_("Sign in to UnionHome to read it."),
            key=f"voices.appeal:{appeal.pk}:reply:{reply.pk}",
        )
    return reply


# --- transfer ------------------------------------------------------------------------------------


def _same_tree(user, appeal: Appeal) -> bool:
    """Whether ``user`` belongs to the appeal's org tree: a member there, a role granted there, a handler
    of one of its departments or a person its routing rules name."""
    root = appeal.unit_path[: OrgUnit.steplen]
    if user.member_id is not None and user.member.unit_path.startswith(root):
        return True
    return (
        user.role_assignments.filter(unit__path__startswith=root).exists()
        or HandlingDepartment.objects.filter(handlers=user, unit_path__startswith=root, is_active=True).exists()
        or RoutingRule.objects.filter(handler=user, unit_path__startswith=root).exists()
    )


def _transfer_target(actor, appeal: Appeal, handler, department, to_supervisors: bool) -> tuple[Any, Any, str]:
    chosen = sum(1 for target in (handler is not None, department is not None, bool(to_supervisors)) if target)
    if chosen != 1:
        raise ValidationError(
            {"target": _("Choose one: a person, a handling department, or the branch's cadres.")}, code="target"
        )
    if handler is not None:
        User = get_user_model()
        if not isinstance(handler, User) or not handler.is_active or not _same_tree(handler, appeal):
            raise ValidationError({"handler": _("Choose an active person of this union.")}, code="handler")
        if handler.pk == actor.pk:
            raise ValidationError({"handler": _("You cannot transfer an appeal to yourself.")}, code="self")
        if appeal.handler_id == handler.pk:
            raise ValidationError({"handler": _("The appeal is already routed to this person.")}, code="same")
        return handler, None, handler.display_name or handler.username
    if department is not None:
        if not isinstance(department, HandlingDepartment) or not department.is_active:
            raise ValidationError({"department": _("Choose an active handling department.")}, code="department")
        serves = appeal.unit_path.startswith(department.unit_path) or department.unit_path.startswith(
            appeal.branch.path
        )
        if not serves:
            raise ValidationError(
                {"department": _("This department does not serve the appeal's unit.")}, code="department"
            )
        if appeal.department_id == department.pk:
            raise ValidationError({"department": _("The appeal is already routed to this department.")}, code="same")
        return None, department, department.name
    if appeal.handler_id is None and appeal.department_id is None:
        raise ValidationError({"target": _("The appeal is already with the branch's cadres.")}, code="same")
    return None, None, _("the branch's cadres")


@transaction.atomic
def appeal_transfer(
    *, actor, appeal: Appeal, reason: Any, handler=None, department=None, to_supervisors: bool = False
) -> Appeal:
    """Route the appeal to another person, another handling department, or back to its branch's
    supervisors (``to_supervisors``), with a reason the submitter sees in the history. The deadlines are
    kept. The new handler(s) are told."""
    appeal = _lock(appeal)
    require_handler(actor, appeal)
    text = clean_text(reason, "reason", required=_("Give the reason for the transfer; the member sees it."))
    _step(appeal, "transfer")
    new_handler, new_department, label = _transfer_target(actor, appeal, handler, department, to_supervisors)
    appeal.handler, appeal.department = new_handler, new_department
    appeal.save(update_fields=["handler", "department"])
    now = timezone.now()
    event = _event(appeal, Event.TRANSFERRED, actor, note=f"{label}: {text}", at=now)
    record(
        actor,
        "voices.appeal.transferred",
        appeal,
        handler=new_handler.pk if new_handler else None,
        department=new_department.pk if new_department else None,
        reason=text,
    )
    with translation.override(settings.LANGUAGE_CODE):
        # May leave the site (email, robot): the reference, not the subject nor the reason (read on the page).
        title, body = transfer_message(appeal)
        for user in answerers_of(appeal):
            if user.pk == actor.pk:
                continue
            notification_send(
                recipient=user,
                kind="voices.appeal.transferred",
                title=title,
                body=body,
                url=handling_url(appeal),
                dedupe_key=f"voices.appeal:{appeal.pk}:transfer:{event.pk}",
            )
    return appeal


# --- close ---------------------------------------------------------------------------------------


@transaction.atomic
def appeal_close(*, actor, appeal: Appeal, answer: Any, public: bool) -> AppealReply:
    """Answer and close the appeal (办结): the answer is a reply with ``is_answer``; the member may rate
    it, and reopen the appeal until ``reopen_until`` (the category's reopen days)."""
    appeal = _lock(appeal)
    require_handler(actor, appeal)
    text = clean_text(answer, "answer", required=_("Write the answer."))
    now = timezone.now()
    if appeal.acknowledged_at is None:
        appeal.acknowledged_at = now
    _step(appeal, "close")
    appeal.closed_at = now
    appeal.reopen_until = reopen_until(appeal.category, now)
    appeal.save(update_fields=["status", "acknowledged_at", "closed_at", "reopen_until"])
    reply = AppealReply.objects.create(
        appeal=appeal, author=actor, body=text, is_public=bool(public), is_answer=True, created_at=now
    )
    _event(appeal, Event.CLOSED, actor, at=now)
    record(actor, "voices.appeal.closed", appeal, public=bool(public), late=now > appeal.answer_due)
    transaction.on_commit(
        lambda: rating_request(
            appeal,
            url=submitter_url(appeal),
            # The subject may be sensitive and the request may go out by email or robot: name only the date.
            title=lambda: _("your appeal of %(date)s") % {"date": submitted_on(appeal)},
        ),
        robust=True,
    )
    with translation.override(settings.LANGUAGE_CODE):
        notify_submitter(
            appeal,
            kind="voices.appeal.closed",
            title=_("Your appeal of %(date)s was answered: please rate the answer") % {"date": submitted_on(appeal)},
            body=_("Sign in to UnionHome to read the answer and rate it."),
            key=f"voices.appeal:{appeal.pk}:closed:{reply.pk}",
        )
    return reply
