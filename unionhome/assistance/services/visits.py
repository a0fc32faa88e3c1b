"""Visits and condolences (走访慰问): the rules that make a visit due, life events, festival campaigns,
recording a visit (with condolence money through the ledger) and cancelling one.

A visit is ``due`` until it is recorded (``done``) or ``cancelled``. Three things make one due:

* a reported life event (``life_event_report``): a hospital stay, a bereavement, a birth… The union's
  ``VisitRule`` for the occasion says within how many days (defaults in ``DEFAULT_DUE_DAYS``);
* a festival campaign (``visit_campaign_create``): one visit per chosen member of a unit's subtree,
  generated in bulk;
* nothing at all: a visit that was not planned is created and recorded in one step
  (``visit_record_unplanned``).

Money given on a visit is paid straight from a budget line's available funds by ``ledger.pay`` with an
idempotency key, so that a double submit pays once and no line goes below zero. A cadre never records
or handles a visit to themselves: another cadre does (the visit's notes are about the member).

This module keeps the rules and life events and is the entry to the visit services (views, the API,
forms and tests import it); the rest is split by what it does: ``visit_checks`` (limits and input checks),
``visit_campaigns`` (festival campaigns) and ``visit_recording`` (recording and cancelling).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionhome.access.policy import require
from unionhome.assistance.models import Visit, VisitRule
from unionhome.assistance.selectors.visits import visiting_cadres
from unionhome.assistance.services.visit_campaigns import (
    campaign_members,
    visit_campaign_create,
    visit_campaign_generate,
)
from unionhome.assistance.services.visit_checks import (
    CAMPAIGN_OCCASIONS,
    CANCEL_REASON_LIMIT,
    DEFAULT_DUE_DAYS,
    FINDINGS_LIMIT,
    LIFE_EVENTS,
    MAX_DUE_DAYS,
    MAX_VISITORS,
    NEEDS_LIMIT,
    NOTE_LIMIT,
    REPORT_AHEAD_DAYS,
    REPORT_LATE_DAYS,
    checked_date,
    checked_text,
)
from unionhome.assistance.services.visit_recording import (
    AlreadyRecorded,
    VisitReport,
    visit_cancel,
    visit_record,
    visit_record_unplanned,
)
from unionhome.audit.recorder import record
from unionhome.notify.services import notification_send
from unionhome.org.models import Member, OrgUnit

# --- rules ---------------------------------------------------------------------------------------


def visit_rules_for(union: OrgUnit) -> dict[str, VisitRule]:
    """The union's rule for each life event, in ``LIFE_EVENTS`` order; defaults (unsaved, pk None) where none is set."""
    saved = {rule.occasion: rule for rule in VisitRule.objects.filter(union=union)}
    return {
        occasion: saved.get(occasion) or VisitRule(union=union, occasion=occasion, due_days=days, active=True)
        for occasion, days in DEFAULT_DUE_DAYS.items()
    }


def _check_union(union: OrgUnit) -> None:
    if union.kind != OrgUnit.Kind.UNION:
        raise ValidationError({"union": _("Visit rules are set per union.")})


@transaction.atomic
def visit_rule_update(*, actor, union: OrgUnit, occasion: str, due_days: int, active: bool) -> VisitRule:
    """Set within how many days a reported ``occasion`` makes a visit due in ``union`` (``assistance.configure``)."""
    require(actor, "assistance.configure", union)
    _check_union(union)
    if occasion not in LIFE_EVENTS:
        raise ValidationError({"occasion": _("Rules are set for life events only (illness, bereavement, birth…).")})
    if isinstance(due_days, bool) or not isinstance(due_days, int) or not 0 <= due_days <= MAX_DUE_DAYS:
        raise ValidationError({"due_days": _("Enter a number of days from 0 to %(limit)d.") % {"limit": MAX_DUE_DAYS}})
    active = bool(active)
    rule = VisitRule.objects.select_for_update().filter(union=union, occasion=occasion).first()
    old = (rule.due_days, rule.active) if rule else (DEFAULT_DUE_DAYS[occasion], True)
    if old == (due_days, active):
        return rule or visit_rules_for(union)[occasion]
    if rule is None:
        rule = VisitRule.objects.create(union=union, occasion=occasion, due_days=due_days, active=active)
    else:
        rule.due_days, rule.active = due_days, active
        rule.save(update_fields=["due_days", "active"])
    record(
        actor,
        "assistance.visit_rule.updated",
        union,
        occasion=occasion,
        due_days=[old[0], due_days],
        active=[old[1], active],
    )
    return rule


@transaction.atomic
def visit_rules_save(*, actor, union: OrgUnit, rules: dict[str, tuple[int, bool]]) -> dict[str, VisitRule]:
    """Save several rules at once (``occasion → (due_days, active)``): all or nothing."""
    require(actor, "assistance.configure", union)
    errors: dict[str, list[str]] = {}
    for occasion, (due_days, active) in rules.items():
        try:
            with transaction.atomic():
                visit_rule_update(actor=actor, union=union, occasion=occasion, due_days=due_days, active=active)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(f"{occasion}_{field}", []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return visit_rules_for(union)


# --- life events ---------------------------------------------------------------------------------


def _require_visits_or_self(actor, member: Member) -> bool:
    """Whether the actor acts on their own record; else they must manage visits on the member."""
    if actor.member_id is not None and actor.member_id == member.pk:
        return True
    require(actor, "assistance.manage_visits", member)
    return False


@transaction.atomic
def life_event_report(*, actor, member: Member, occasion: str, occurred_on: datetime.date, note: str = "") -> Visit:
    """Report a life event (a hospital stay is ``Occasion.ILLNESS``): a visit falls due within the union's rule.

    A cadre with ``assistance.manage_visits`` on the member reports it, or the member about themselves.
    If an open visit for the same member and occasion already falls within the rule's window (the same
    event reported twice, by the member and by a cadre), that visit is returned and nothing is written.
    The returned visit's ``already_reported`` attribute tells which case it was.
    """
    by_self = _require_visits_or_self(actor, member)
    if occasion not in LIFE_EVENTS:
        raise ValidationError({"occasion": _("Choose a life event: illness, bereavement, birth, marriage…")})
    occurred_on = checked_date(occurred_on, "occurred_on")
    today = timezone.localdate()
    if occurred_on > today + datetime.timedelta(days=REPORT_AHEAD_DAYS):
        raise ValidationError(
            {"occurred_on": _("Report an event at most %(days)d days ahead.") % {"days": REPORT_AHEAD_DAYS}}
        )
    if occurred_on < today - datetime.timedelta(days=REPORT_LATE_DAYS):
        raise ValidationError({"occurred_on": _("This date is more than a year ago.")})
    note = checked_text(note, "note", NOTE_LIMIT)
    member = Member.objects.select_for_update().get(pk=member.pk)  # two reports at once: one visit
    rule = visit_rules_for(member.union)[occasion]
    if not rule.active:
        raise ValidationError({"occasion": _("Your union has switched off visits for this occasion.")})
    window = datetime.timedelta(days=rule.due_days)
    existing = (
        Visit.objects.filter(
            member=member,
            occasion=occasion,
            campaign__isnull=True,
            status=Visit.Status.DUE,
            due_by__gte=occurred_on,
            due_by__lte=occurred_on + 2 * window,
        )
        .order_by("due_by", "id")
        .first()
    )
    if existing is not None:
        existing.already_reported = True
        return existing
    visit = Visit.objects.create(
        member=member,
        unit_path=member.unit_path,
        occasion=occasion,
        reason=note,
        status=Visit.Status.DUE,
        due_by=occurred_on + window,
        created_by=actor,
    )
    visit.already_reported = False
    record(
        actor,
        "assistance.visit.due",
        visit,
        source="life_event",
        by_member=by_self,
        occasion=occasion,
        occurred_on=occurred_on,
        due_by=visit.due_by,
    )
    _notify_visitors(visit, exclude=actor)
    return visit


def _notify_visitors(visit: Visit, *, exclude) -> None:
    """Tell the nearest cadres who visit (the branch's, else the union's) that a visit is due."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Visit due by %(date)s: %(name)s (%(occasion)s)") % {
            "date": visit.due_by.isoformat(),
            "name": visit.member.name,
            "occasion": visit.get_occasion_display(),
        }
    url = reverse("assistance:visit_detail", args=[visit.pk])
    for user in visiting_cadres(visit.unit_path, nearest_only=True):
        if (exclude is not None and user.pk == exclude.pk) or user.member_id == visit.member_id:
            continue
        notification_send(
            recipient=user, kind="assistance.visit_due", title=title, url=url, dedupe_key=f"visit-due:{visit.pk}"
        )


__all__ = [
    "AlreadyRecorded",
    "CAMPAIGN_OCCASIONS",
    "CANCEL_REASON_LIMIT",
    "DEFAULT_DUE_DAYS",
    "FINDINGS_LIMIT",
    "LIFE_EVENTS",
    "MAX_DUE_DAYS",
    "MAX_VISITORS",
    "NEEDS_LIMIT",
    "NOTE_LIMIT",
    "VisitReport",
    "campaign_members",
    "visit_campaign_create",
    "visit_campaign_generate",
    "visit_cancel",
    "visit_record",
    "visit_record_unplanned",
]
