"""Writing notices (厂务公开): create a draft, edit it, publish it, withdraw it with a reason.

A notice is published by a unit where the publisher holds ``disclosure.publish`` (the office of the union,
or of a branch) to an audience in that unit's subtree. The life of a notice is the transition table
``TRANSITIONS``: draft → published → withdrawn. Drafts may be edited (and their attachments changed); a
published notice is fixed, so what workers read is what was published, and it is taken down only by a
withdrawal whose reason stays on record. Every write is an audit event.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import PermissionRefused, require, scope_roots
from unionhome.audit.recorder import record
from unionhome.disclosure.audience import PUBLISH
from unionhome.disclosure.models import Notice
from unionhome.org.models import OrgUnit

TITLE_MAX_LENGTH = Notice._meta.get_field("title").max_length
BODY_MAX_LENGTH = 20000
REASON_MAX_LENGTH = Notice._meta.get_field("withdrawn_reason").max_length

# action → (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "publish": ((Notice.Status.DRAFT,), Notice.Status.PUBLISHED),
    "withdraw": ((Notice.Status.PUBLISHED,), Notice.Status.WITHDRAWN),
}


def _guard_transition(notice: Notice, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if notice.status not in sources:
        messages = {
            "publish": _("Only a draft can be published."),
            "withdraw": _("Only a published notice can be withdrawn."),
        }
        raise ValidationError(messages[action])
    return target


def publisher_unit_for(actor, audience: OrgUnit | None) -> OrgUnit | None:
    """The top-most unit where ``actor`` holds ``disclosure.publish`` and that holds ``audience``."""
    if audience is None:
        return None
    for root in scope_roots(actor, PUBLISH):
        if audience.path.startswith(root):
            return OrgUnit.objects.get(path=root)
    return None


def _clean(
    *,
    unit: OrgUnit | None,
    audience: OrgUnit | None,
    category: str,
    title: str,
    body: str,
    publish_from: datetime.datetime | None,
    publish_until: datetime.datetime | None,
) -> dict:
    """The notice's fields, checked; every problem at once, per field."""
    errors: dict[str, str] = {}
    title = (title or "").strip()
    body = (body or "").strip()
    if audience is None:
        errors["audience"] = _("Choose who the notice is for.")
    elif unit is None or not audience.path.startswith(unit.path):
        errors["audience"] = _("Choose an audience within the part of the union you publish for.")
    if category not in Notice.Category.values:
        errors["category"] = _("Choose a category.")
    if not title:
        errors["title"] = _("Give the notice a title.")
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = _("Use at most %(max)s characters.") % {"max": TITLE_MAX_LENGTH}
    if not body:
        errors["body"] = _("Write the text of the notice.")
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = _("Use at most %(max)s characters.") % {"max": BODY_MAX_LENGTH}
    publish_from = publish_from or timezone.now()
    if publish_until is not None and publish_until <= publish_from:
        errors["publish_until"] = _("The end of the publish window must be after its start.")
    if errors:
        raise ValidationError(errors)
    return {
        "audience": audience,
        "audience_path": audience.path,
        "category": category,
        "title": title,
        "body": body,
        "publish_from": publish_from,
        "publish_until": publish_until,
    }


@transaction.atomic
def notice_create(
    *,
    actor,
    audience: OrgUnit | None,
    category: str,
    title: str,
    body: str,
    publish_from: datetime.datetime | None = None,
    publish_until: datetime.datetime | None = None,
    pinned: bool = False,
    unit: OrgUnit | None = None,
) -> Notice:
    """A draft notice of ``unit`` (by default the actor's publishing unit that holds ``audience``)."""
    if unit is not None:
        require(actor, PUBLISH, unit)
    elif not scope_roots(actor, PUBLISH):
        raise PermissionRefused(PUBLISH)
    unit = unit or publisher_unit_for(actor, audience)
    fields = _clean(
        unit=unit,
        audience=audience,
        category=category,
        title=title,
        body=body,
        publish_from=publish_from,
        publish_until=publish_until,
    )
    notice = Notice.objects.create(
        unit=unit, unit_path=unit.path, pinned=bool(pinned), created_by=actor, status=Notice.Status.DRAFT, **fields
    )
    record(actor, "disclosure.notice.created", notice, category=notice.category, audience=notice.audience_path)
    return notice


def _text(value) -> str | bool | None:
    if value is None or isinstance(value, bool):
        return value
    return value.isoformat() if isinstance(value, datetime.datetime) else str(value)


def _locked(notice: Notice) -> Notice:
    return Notice.objects.select_for_update().select_related("unit", "audience").get(pk=notice.pk)


@transaction.atomic
def notice_update(
    *,
    actor,
    notice: Notice,
    audience: OrgUnit | None,
    category: str,
    title: str,
    body: str,
    publish_from: datetime.datetime | None,
    publish_until: datetime.datetime | None = None,
    pinned: bool = False,
) -> Notice:
    """Change a draft. The audience stays within the publishing unit."""
    require(actor, PUBLISH, notice)
    notice = _locked(notice)
    if notice.status != Notice.Status.DRAFT:
        raise ValidationError(_("A published notice cannot be changed. Withdraw it and publish a new one."))
    fields = _clean(
        unit=notice.unit,
        audience=audience,
        category=category,
        title=title,
        body=body,
        publish_from=publish_from,
        publish_until=publish_until,
    )
    changes: dict[str, object] = {}
    for name, value in {**fields, "pinned": bool(pinned)}.items():
        old = getattr(notice, name)
        if old == value:
            continue
        setattr(notice, name, value)
        if name != "audience":  # its path is recorded as audience_path
            changes[name] = "changed" if name == "body" else [_text(old), _text(value)]
    notice.save()
    record(actor, "disclosure.notice.updated", notice, **changes)
    return notice


@transaction.atomic
def notice_publish(*, actor, notice: Notice, now: datetime.datetime | None = None) -> Notice:
    """Publish a draft: it shows on its audience's board from ``publish_from`` until ``publish_until``."""
    require(actor, PUBLISH, notice)
    notice = _locked(notice)
    target = _guard_transition(notice, "publish")
    now = now or timezone.now()
    if notice.publish_until is not None and notice.publish_until <= now:
        raise ValidationError({"publish_until": _("The publish window has already ended. Change its end first.")})
    if not notice.audience.path.startswith(notice.unit_path):
        raise ValidationError({"audience": _("Choose an audience within the part of the union you publish for.")})
    notice.status = target
    notice.published_at = now
    notice.save(update_fields=["status", "published_at"])
    record(
        actor,
        "disclosure.notice.published",
        notice,
        status=[Notice.Status.DRAFT, target],
        publish_from=notice.publish_from.isoformat(),
        publish_until=notice.publish_until.isoformat() if notice.publish_until else None,
    )
    return notice


@transaction.atomic
def notice_withdraw(*, actor, notice: Notice, reason: str) -> Notice:
    """Take a published notice down, with the reason (kept on the notice and in the audit trail)."""
    require(actor, PUBLISH, notice)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the notice is withdrawn.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("Use at most %(max)s characters.") % {"max": REASON_MAX_LENGTH}})
    notice = _locked(notice)
    target = _guard_transition(notice, "withdraw")
    notice.status = target
    notice.withdrawn_at = timezone.now()
    notice.withdrawn_by = actor
    notice.withdrawn_reason = reason
    notice.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    record(actor, "disclosure.notice.withdrawn", notice, status=[Notice.Status.PUBLISHED, target], reason=reason)
    return notice
