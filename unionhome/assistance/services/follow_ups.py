"""Follow-up and effectiveness review (跟踪问效): scheduling, recording, reminders and escalation.

Each delivered assistance gets follow-ups on the union's schedule (``follow_up_days``, e.g. 30 and 90
days after delivery). The responsible cadre, or any cadre holding ``assistance.follow_up`` on the
member's unit, records what was found, an effectiveness grade and the next steps. The daily sweep
(``assistance.tasks.assistance_daily``) reminds the responsible cadre of every follow-up due today or
overdue, once a day, and escalates a follow-up overdue by more than the union's ``escalate_after_days``
once to the chair of the member's branch union (or, where the branch has none, of the nearest unit
above it that has one). Follow-ups of an assistance that is no longer delivered (reversed) are never
due: they are neither listed, reminded, escalated nor recorded.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from unionhome.access.models import RoleAssignment
from unionhome.access.policy import require
from unionhome.assistance.models import Assistance, AssistanceSettings, FollowUp, default_follow_up_days
from unionhome.audit.recorder import record
from unionhome.notify.services import notification_send
from unionhome.org.models import OrgUnit

logger = logging.getLogger(__name__)

FINDINGS_MAX_LENGTH = 5000
NEXT_STEPS_MAX_LENGTH = 2000
DEFAULT_ESCALATE_AFTER_DAYS = AssistanceSettings._meta.get_field("escalate_after_days").default
# The roles a follow-up is escalated to, on the member's branch union or the nearest unit above it.
ESCALATION_ROLES = ("chair", "vice_chair")


def follow_ups_schedule(*, assistance: Assistance) -> list[FollowUp]:
    """Create the follow-ups of a just-delivered assistance, one per day count in the union's settings.

    Called inside the delivering service's transaction (no permission check of its own)."""
    rules = AssistanceSettings.objects.filter(union_id=assistance.member.union_id).first()
    days = sorted(set(rules.follow_up_days if rules else default_follow_up_days()))
    start = assistance.delivered_on or datetime.date.today()
    return FollowUp.objects.bulk_create(
        FollowUp(
            assistance=assistance,
            unit_path=assistance.unit_path,
            sequence=n,
            due_on=start + datetime.timedelta(days=d),
            responsible_id=assistance.responsible_id,
        )
        for n, d in enumerate(days, start=1)
    )


# --- Recording -----------------------------------------------------------------------------------


def _clean_text(value: str | None, *, field: str, max_length: int, required: bool) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise ValidationError({field: _("Write down what you found.")})
    if len(text) > max_length:
        raise ValidationError({field: _("Use at most %(max_length)s characters.") % {"max_length": max_length}})
    return text


@transaction.atomic
def follow_up_record(*, actor, follow_up: FollowUp, findings: str, grade: str, next_steps: str = "") -> FollowUp:
    """Record a follow-up: what was found, how effective the help was (``FollowUp.Grade``), what comes next.

    The responsible cadre may record it, and so may anyone holding ``assistance.follow_up`` on the
    member's unit. A follow-up is recorded once; one of a reversed assistance is not recorded at all.
    """
    if actor is None or actor.pk != follow_up.responsible_id:
        require(actor, "assistance.follow_up", follow_up)
    follow_up = FollowUp.objects.select_for_update(of=("self",)).select_related("assistance").get(pk=follow_up.pk)
    if follow_up.done_on is not None:
        raise ValidationError(
            _("This follow-up was already recorded on %(date)s.") % {"date": follow_up.done_on.isoformat()}
        )
    if follow_up.assistance.status != Assistance.Status.DELIVERED:
        raise ValidationError(_("This assistance is no longer delivered (it was reversed), so it is not followed up."))
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for field, value, max_length, required in [
        ("findings", findings, FINDINGS_MAX_LENGTH, True),
        ("next_steps", next_steps, NEXT_STEPS_MAX_LENGTH, False),
    ]:
        try:
            cleaned[field] = _clean_text(value, field=field, max_length=max_length, required=required)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if grade not in FollowUp.Grade.values:
        errors["grade"] = [_("Choose how effective the help was.")]
    if errors:
        raise ValidationError(errors)
    follow_up.findings = cleaned["findings"]
    follow_up.next_steps = cleaned["next_steps"]
    follow_up.grade = grade = str(grade)
    follow_up.done_on = timezone.localdate()
    follow_up.recorded_by = actor
    follow_up.save(update_fields=["findings", "next_steps", "grade", "done_on", "recorded_by"])
    # The findings may describe health or family matters: the trail keeps the facts, not the text.
    record(
        actor,
        "assistance.follow_up.recorded",
        follow_up,
        assistance=follow_up.assistance_id,
        sequence=follow_up.sequence,
        grade=grade,
        due_on=follow_up.due_on.isoformat(),
    )
    return follow_up


# --- The daily sweep -----------------------------------------------------------------------------


def _open_follow_ups():
    """Follow-ups still to be recorded, of assistance that stands (delivered, not reversed)."""
    return FollowUp.objects.filter(done_on__isnull=True, assistance__status=Assistance.Status.DELIVERED)


def _follow_up_url(follow_up: FollowUp) -> str:
    return reverse("assistance:follow_up_record", args=[follow_up.pk])


def follow_ups_remind(*, today: datetime.date) -> int:
    """Remind the responsible cadre of each follow-up due by ``today`` and not yet recorded, once a day.

    Run by the daily task; returns how many reminders were sent. A reminder already sent today for
    the same follow-up (a second run, another worker) is not sent again (``dedupe_key``)."""
    sent = 0
    due = (
        _open_follow_ups()
        .filter(due_on__lte=today)
        .select_related("assistance__member", "responsible")
        .order_by("due_on", "id")
    )
    with translation.override(settings.LANGUAGE_CODE):
        for follow_up in due.iterator(chunk_size=500):
            if _remind_one(follow_up, today):
                sent += 1
    return sent


@transaction.atomic
def _remind_one(follow_up: FollowUp, today: datetime.date) -> bool:
    member = follow_up.assistance.member
    overdue_days = (today - follow_up.due_on).days
    if overdue_days > 0:
        title = ngettext(
            "Follow-up overdue by %(days)s day: %(member)s",
            "Follow-up overdue by %(days)s days: %(member)s",
            overdue_days,
        ) % {"days": overdue_days, "member": member.name}
    else:
        title = _("Follow-up due today: %(member)s") % {"member": member.name}
    body = _("%(kind)s delivered on %(delivered)s; follow-up %(sequence)s was due on %(due)s.") % {
        "kind": follow_up.assistance.get_kind_display(),
        "delivered": follow_up.assistance.delivered_on.isoformat() if follow_up.assistance.delivered_on else "—",
        "sequence": follow_up.sequence,
        "due": follow_up.due_on.isoformat(),
    }
    notification = notification_send(
        recipient=follow_up.responsible,
        kind="assistance.follow_up.due",
        title=title,
        body=body,
        url=_follow_up_url(follow_up),
        dedupe_key=f"assistance.follow_up:{follow_up.pk}:due:{today.isoformat()}",
    )
    if notification is None:
        return False
    FollowUp.objects.filter(pk=follow_up.pk).update(reminded_at=timezone.now())
    return True


def _escalation_days() -> tuple[dict[int, int], int]:
    """Each union's ``escalate_after_days`` (unions without settings use the default)."""
    days = dict(AssistanceSettings.objects.values_list("union_id", "escalate_after_days"))
    return days, DEFAULT_ESCALATE_AFTER_DAYS


def follow_ups_escalate(*, today: datetime.date) -> int:
    """Escalate, once, each follow-up overdue by more than its union's ``escalate_after_days``.

    The chairs and vice chairs of the member's branch union are told (or, where it has none, those
    of the nearest unit above it that has one: the union's chair). Returns how many were escalated."""
    by_union, default = _escalation_days()
    candidates = _open_follow_ups().filter(escalated_at__isnull=True)
    batches = []
    for days in sorted(set(by_union.values()) | {default}):
        unions = [union for union, d in by_union.items() if d == days]
        overdue = candidates.filter(due_on__lt=today - datetime.timedelta(days=days))
        if days == default:
            others = [union for union, d in by_union.items() if d != days]
            batches.append(overdue.exclude(assistance__member__union_id__in=others))
        else:
            batches.append(overdue.filter(assistance__member__union_id__in=unions))
    chairs_cache: dict[str, list] = {}
    escalated = 0
    with translation.override(settings.LANGUAGE_CODE):
        for batch in batches:
            rows = batch.select_related("assistance__member__unit", "responsible").order_by("due_on", "id")
            for follow_up in rows.iterator(chunk_size=500):
                if _escalate_one(follow_up, today, chairs_cache):
                    escalated += 1
    return escalated


def escalation_recipients(unit_path: str, cache: dict[str, list] | None = None) -> list:
    """Users holding chair or vice chair on the unit at ``unit_path``, or on the nearest unit above it
    that has any (a branch union without a chair escalates to the union's chair). Active users only."""
    if cache is not None and unit_path in cache:
        return cache[unit_path]
    paths = [unit_path[:end] for end in range(OrgUnit.steplen, len(unit_path) + 1, OrgUnit.steplen)]
    holders: dict[str, list] = {}
    for grant in (
        RoleAssignment.objects.filter(role__in=ESCALATION_ROLES, unit__path__in=paths, user__is_active=True)
        .select_related("user", "unit")
        .order_by("user_id")
    ):
        users = holders.setdefault(grant.unit.path, [])
        if grant.user not in users:
            users.append(grant.user)
    found: list = next((holders[path] for path in reversed(paths) if path in holders), [])
    if cache is not None:
        cache[unit_path] = found
    return found


@transaction.atomic
def _escalate_one(follow_up: FollowUp, today: datetime.date, chairs_cache: dict[str, list]) -> bool:
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("assistance__member__unit", "responsible")
        .get(pk=follow_up.pk)
    )
    if follow_up.escalated_at is not None or follow_up.done_on is not None:
        return False  # another worker got here first
    member = follow_up.assistance.member
    recipients = escalation_recipients(member.unit_path, chairs_cache)
    if not recipients:
        logger.warning("Follow-up %s is overdue but no chair is set up above unit %s", follow_up.pk, member.unit_path)
        return False
    overdue_days = (today - follow_up.due_on).days
    title = ngettext(
        "Overdue follow-up escalated: %(member)s, %(days)s day late",
        "Overdue follow-up escalated: %(member)s, %(days)s days late",
        overdue_days,
    ) % {
        "member": member.name,
        "days": overdue_days,
    }
    body = _(
        "The follow-up of %(kind)s for %(member)s (%(unit)s) was due on %(due)s and is still not recorded. "
        "Responsible cadre: %(cadre)s."
    ) % {
        "kind": follow_up.assistance.get_kind_display(),
        "member": member.name,
        "unit": member.unit.name,
        "due": follow_up.due_on.isoformat(),
        "cadre": follow_up.responsible,
    }
    for chair in recipients:
        notification_send(
            recipient=chair,
            kind="assistance.follow_up.escalated",
            title=title,
            body=body,
            url=_follow_up_url(follow_up),
            dedupe_key=f"assistance.follow_up:{follow_up.pk}:escalated",
        )
    follow_up.escalated_at = timezone.now()
    follow_up.save(update_fields=["escalated_at"])
    record(
        None,
        "assistance.follow_up.escalated",
        follow_up,
        due_on=follow_up.due_on.isoformat(),
        overdue_days=overdue_days,
        to=[chair.pk for chair in recipients],
    )
    return True
