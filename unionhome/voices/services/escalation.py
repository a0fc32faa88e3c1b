"""The hourly sweep of open appeals: reminders before and at each deadline, escalation of late appeals.

**Reminders.** Each open appeal has up to four reminder moments: one working day before its
acknowledge deadline and at it (while it waits for acknowledgement), one working day before its
answer deadline and at it (a "before" moment earlier than the appeal itself is skipped: the handler was
just told of the new appeal). At each run the latest moment already passed is reminded once, to the
people who answer the appeal (its handler, its department's handlers, or its branch's supervisors);
``last_reminded_at`` records it, and the notification's ``dedupe_key`` names the moment, so a second
run (or two workers at once) sends nothing more. After a pause of the worker only the latest moment is
reminded, not a pile of stale ones.

**Escalation.** An appeal is late when it is not acknowledged by ``acknowledge_due`` or not answered
by ``answer_due``. Its *working days overdue* count the working days from the missed deadline's day up
to today, that day included: 1 on the day it became late. The escalation level equals the working days
overdue, capped at the root of the org tree: level 1 is the branch's supervisors (``supervisors_of``
the branch: the branch chair and cadres), each further level one unit up (``escalation_target``).
Raising the level sets ``escalation_unit``/``escalation_level``/``escalated_at``, writes one
``AppealEvent`` (escalated) and one audit event per level, and tells the supervisors of the new unit.
The level never goes down and a run that finds nothing new changes nothing.

Reminders and escalation messages may leave the site (email, robots, the unit's group robot): they name
the appeal by its reference, branch, kind, category and deadline only (``services/outgoing.py``).
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from unionhome.audit.recorder import record
from unionhome.notify.services import notification_send, robot_announce
from unionhome.org.models import OrgUnit
from unionhome.voices import appeal_workflow as workflow
from unionhome.voices.handlers import answerers_of
from unionhome.voices.models import Appeal, AppealEvent
from unionhome.voices.routing import escalation_target, supervisors_of
from unionhome.voices.services.handling import handling_url
from unionhome.voices.services.outgoing import escalation_message, reminder_title
from unionhome.workdays.calendar import is_working_day, working_days_between

logger = logging.getLogger(__name__)

Status = Appeal.Status
WAITING = (Status.SUBMITTED, Status.REOPENED)  # not acknowledged yet
# Reminders look this far ahead for deadlines (more than the longest run of days off before a deadline).
REMIND_HORIZON = datetime.timedelta(days=21)
MAX_DAYS_BACK = 60


# --- the rules -----------------------------------------------------------------------------------


def working_day_before(moment: datetime.datetime) -> datetime.datetime:
    """The same time of day on the last working day before ``moment``'s day."""
    local = timezone.localtime(moment)
    day = local.date()
    for _i in range(MAX_DAYS_BACK):
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            return timezone.make_aware(datetime.datetime.combine(day, local.time()), local.tzinfo)
    raise ValueError("the calendar has no working day in the 60 days before")


def missed_deadline(appeal: Appeal, now: datetime.datetime) -> datetime.datetime | None:
    """The earliest deadline of the open appeal that has passed (None when it is on time)."""
    if appeal.status not in Appeal.OPEN_STATUSES:
        return None
    if appeal.status in WAITING and appeal.acknowledge_due <= now:
        return appeal.acknowledge_due
    if appeal.answer_due <= now:
        return appeal.answer_due
    return None


def working_days_overdue(due: datetime.datetime, now: datetime.datetime) -> int:
    """0 before ``due``; from it, the working days from ``due``'s day to today, today included."""
    if now < due:
        return 0
    return 1 + working_days_between(timezone.localdate(due), timezone.localdate(now))


def escalation_chain(appeal: Appeal) -> list[OrgUnit]:
    """The units an appeal escalates to, level 1 first: the unit answering for its branch, then each
    unit above it up to the root."""
    first, _people = supervisors_of(appeal.branch)
    chain = [first]
    while (above := escalation_target(chain[-1])) is not None:
        chain.append(above)
    return chain


def level_for(appeal: Appeal, now: datetime.datetime, chain: list[OrgUnit] | None = None) -> int:
    """The escalation level the appeal should have now (0 when it is on time)."""
    due = missed_deadline(appeal, now)
    if due is None:
        return 0
    days = working_days_overdue(due, now)
    return min(days, len(chain if chain is not None else escalation_chain(appeal)))


def reminder_due(appeal: Appeal, now: datetime.datetime) -> tuple[str, datetime.datetime, datetime.datetime] | None:
    """(stage, its moment, the deadline) of the latest reminder moment passed and not reminded yet."""
    if appeal.status not in Appeal.OPEN_STATUSES:
        return None
    deadlines = [("answer", appeal.answer_due)]
    if appeal.status in WAITING:
        deadlines.insert(0, ("acknowledge", appeal.acknowledge_due))
    moments = []
    for name, due in deadlines:
        before = working_day_before(due)
        if before > appeal.submitted_at:  # not for a deadline only a working day after the appeal came in
            moments.append((f"{name}-before", before, due))
        moments.append((f"{name}-due", due, due))
    passed = [m for m in moments if m[1] <= now]
    if not passed:
        return None
    stage = max(passed, key=lambda m: (m[1], m[0].endswith("-due")))
    if appeal.last_reminded_at is not None and appeal.last_reminded_at >= stage[1]:
        return None
    return stage


# --- the sweep -----------------------------------------------------------------------------------


def _lock(pk: int) -> Appeal | None:
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("branch", "handler", "department", "escalation_unit")
        .filter(pk=pk)
        .first()
    )


@transaction.atomic
def _remind_one(pk: int, now: datetime.datetime) -> int:
    appeal = _lock(pk)
    if appeal is None:
        return 0
    found = reminder_due(appeal, now)
    if found is None:
        return 0
    stage, moment, due = found
    sent = 0
    title = reminder_title(stage, appeal, due)
    for user in answerers_of(appeal):
        if notification_send(
            recipient=user,
            kind="voices.appeal.due",
            title=title,
            url=handling_url(appeal),
            dedupe_key=f"voices.appeal:{appeal.pk}:remind:{stage}:{due.isoformat()}",
        ):
            sent += 1
    appeal.last_reminded_at = now
    appeal.save(update_fields=["last_reminded_at"])
    return sent


@transaction.atomic
def _escalate_one(pk: int, now: datetime.datetime) -> bool:
    appeal = _lock(pk)
    if appeal is None:
        return False
    chain = escalation_chain(appeal)
    level = level_for(appeal, now, chain)
    if level <= appeal.escalation_level or not workflow.can_transition(appeal, "escalate", now=now):
        return False
    workflow.transition(appeal, "escalate", now=now)
    due = missed_deadline(appeal, now)
    days = working_days_overdue(due, now)
    for step in range(appeal.escalation_level + 1, level + 1):
        unit = chain[step - 1]
        AppealEvent.objects.create(appeal=appeal, kind=AppealEvent.Kind.ESCALATED, note=unit.name, at=now)
        record(None, "voices.appeal.escalated", appeal, level=step, unit=unit.pk, days_overdue=days)
    target = chain[level - 1]
    appeal.escalation_unit, appeal.escalation_level, appeal.escalated_at = target, level, now
    appeal.save(update_fields=["escalation_unit", "escalation_level", "escalated_at"])
    answering, supervisors = supervisors_of(target)
    if not supervisors:
        logger.warning("Appeal %s escalated to unit %s, where nobody holds voices.supervise", appeal.pk, target.pk)
    # What is sent may leave the site (email, robots, the unit's group robot): never the appeal's subject.
    title, body = escalation_message(appeal, unit_name=answering.name, due=due, days=days)
    for user in supervisors:
        notification_send(
            recipient=user,
            kind="voices.appeal.escalated",
            title=title,
            body=body,
            url=handling_url(appeal),
            dedupe_key=f"voices.appeal:{appeal.pk}:escalated:{appeal.reopen_count}:{level}",
        )
    robot_announce(
        unit=target,
        kind="voices.appeal.escalated",
        title=title,
        text=body,
        url=handling_url(appeal),
        dedupe_key=f"voices.appeal:{appeal.pk}:escalated:{appeal.reopen_count}:{level}",
    )
    return True


def _open():
    return Appeal.objects.filter(status__in=Appeal.OPEN_STATUSES)


def appeals_remind(*, now: datetime.datetime | None = None) -> int:
    """Send the reminders due now; returns how many notifications were sent."""
    now = now or timezone.now()
    horizon = now + REMIND_HORIZON
    ids = (
        _open()
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=F("answer_due")))
        .filter(Q(status__in=WAITING, acknowledge_due__lte=horizon) | Q(answer_due__lte=horizon))
        .order_by("answer_due", "pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for pk in list(ids):
            sent += _remind_one(pk, now)
    return sent


def appeals_escalate(*, now: datetime.datetime | None = None) -> int:
    """Escalate every late appeal whose level should rise; returns how many were escalated. An appeal
    already escalated today is only looked at again tomorrow (its level counts whole working days)."""
    now = now or timezone.now()
    start_of_today = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(now), datetime.time(0, 0)), timezone.get_current_timezone()
    )
    ids = (
        _open()
        .filter(Q(status__in=WAITING, acknowledge_due__lte=now) | Q(answer_due__lte=now))
        .filter(Q(escalation_level=0) | Q(escalated_at__isnull=True) | Q(escalated_at__lt=start_of_today))
        .order_by("answer_due", "pk")
        .values_list("pk", flat=True)
    )
    escalated = 0
    with translation.override(settings.LANGUAGE_CODE):
        for pk in list(ids):
            if _escalate_one(pk, now):
                escalated += 1
    return escalated


def appeals_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The hourly sweep: escalate, then remind. Idempotent."""
    now = now or timezone.now()
    return {"escalated": appeals_escalate(now=now), "reminded": appeals_remind(now=now)}
