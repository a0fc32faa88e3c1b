"""First-signal alerts: the daily job that raises them and a cadre marking one seen.

``signals_raise(today=…)`` (the daily sweep, ``voices/signal_tasks.py``) reads the weekly totals of every
branch and category from ``AppealCount`` in **one** aggregate query (whatever the number of branches),
applies the rule of ``voices/first_signal.py`` to this week and to last week (so that appeals of
Sunday evening are not missed by Monday's run), and stores each new ``SignalAlert`` once per branch,
category and week. The unique constraint decides between two jobs running at once: only the one whose
insert succeeds notifies, and notifications carry a dedupe key besides. A later run the same week
raises nothing again; it only brings the alert's count up to date.

Who is told (kind ``voices.signal.raised``): the branch's supervisors (``routing.supervisors_of``) and
the holders of ``voices.view_signals`` on the union above the branch.
"""

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionhome.access.models import RoleAssignment
from unionhome.access.permissions import ROLES
from unionhome.access.policy import require
from unionhome.audit.recorder import record
from unionhome.notify.services import notification_send
from unionhome.org.models import OrgUnit, ancestor_paths
from unionhome.voices.first_signal import Rule, Signal, current_rule, signals_in, week_start
from unionhome.voices.models import AppealCategory, AppealCount, SignalAlert
from unionhome.voices.routing import supervisors_of

logger = logging.getLogger(__name__)

VIEW_SIGNALS = "voices.view_signals"
NOTIFY_KIND = "voices.signal.raised"
WEEK = datetime.timedelta(days=7)


# --- reading the week's signals ------------------------------------------------------------------


def week_totals(week: datetime.date, rule: Rule) -> dict[tuple[int, str], tuple[int, int]]:
    """``{(branch_id, category): (count in the week, total of the baseline weeks before it)}`` for every
    branch and category with at least ``rule.min_count`` appeals in the week starting ``week`` (one query)."""
    first = week - rule.baseline_weeks * WEEK
    rows = (
        AppealCount.objects.filter(day__gte=first, day__lt=week + WEEK)
        .values("branch_id", "category")
        .annotate(now=Sum("count", filter=Q(day__gte=week)), before=Sum("count", filter=Q(day__lt=week)))
        .filter(now__gte=rule.min_count)
        .order_by()
    )
    return {(r["branch_id"], r["category"]): (r["now"] or 0, r["before"] or 0) for r in rows}


def signals_of_week(week: datetime.date, rule: Rule | None = None) -> list[Signal]:
    rule = rule or current_rule()
    return signals_in(week_totals(week, rule), rule)


# --- who is told ---------------------------------------------------------------------------------


def _signal_roles() -> list[str]:
    return [code for code, role in ROLES.items() if VIEW_SIGNALS in role.permissions]


def _union_of(branch: OrgUnit) -> OrgUnit | None:
    if branch.kind in (OrgUnit.Kind.UNION, OrgUnit.Kind.FEDERATION):
        return branch
    return (
        OrgUnit.objects.filter(path__in=ancestor_paths(branch.path), kind=OrgUnit.Kind.UNION).order_by("-depth").first()
    )


def _watchers_of(union: OrgUnit | None, cache: dict[int, list]) -> list:
    if union is None:
        return []
    if union.pk not in cache:
        grants = RoleAssignment.objects.filter(unit=union, role__in=_signal_roles(), user__is_active=True)
        users: dict[int, Any] = {}
        for grant in grants.select_related("user").order_by("user_id"):
            users.setdefault(grant.user_id, grant.user)
        cache[union.pk] = list(users.values())
    return cache[union.pk]


def recipients_of(branch: OrgUnit, cache: dict[int, list] | None = None) -> list:
    """The branch's supervisors and the union's ``voices.view_signals`` holders, each once, by id."""
    cache = {} if cache is None else cache
    _, supervisors = supervisors_of(branch)
    people = {user.pk: user for user in supervisors}
    for user in _watchers_of(_union_of(branch), cache):
        people.setdefault(user.pk, user)
    return [people[pk] for pk in sorted(people)]


def signal_url(alert: SignalAlert) -> str:
    return f"{reverse('voices:signals')}?unit={alert.branch_id}#alert-{alert.pk}"


def _notify(alert: SignalAlert, branch: OrgUnit, cache: dict[int, list]) -> int:
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        category = str(AppealCategory(alert.category).label)
        title = _("First signal: %(category)s appeals in %(branch)s rose to %(count)s this week") % {
            "category": category,
            "branch": branch.name,
            "count": alert.count,
        }
        body = _(
            "Week of %(week)s: %(count)s appeals about %(category)s, against a usual %(baseline)s a week "
            "over the previous weeks. Look at the first-signal dashboard to see what they are about."
        ) % {
            "week": alert.week_start.isoformat(),
            "count": alert.count,
            "category": category,
            "baseline": alert.baseline,
        }
        for user in recipients_of(branch, cache):
            if notification_send(
                recipient=user,
                kind=NOTIFY_KIND,
                title=title,
                body=body,
                url=signal_url(alert),
                dedupe_key=f"voices.signal:{alert.branch_id}:{alert.category}:{alert.week_start.isoformat()}",
            ):
                sent += 1
    return sent


# --- the job -------------------------------------------------------------------------------------


def _raise(signal: Signal, week: datetime.date, branch: OrgUnit, cache: dict[int, list]) -> SignalAlert | None:
    """Store the alert and tell people, in one transaction; None when another run stored it first."""
    try:
        with transaction.atomic():
            alert = SignalAlert.objects.create(
                branch=branch,
                unit_path=branch.path,
                category=signal.category,
                week_start=week,
                count=signal.count,
                baseline=signal.baseline,
            )
            record(
                None,
                "voices.signal.raised",
                alert,
                category=signal.category,
                week=week.isoformat(),
                count=signal.count,
                baseline=signal.baseline,
            )
            _notify(alert, branch, cache)
    except IntegrityError:  # raised by a run at the same moment
        return None
    return alert


def signals_raise(*, today: datetime.date) -> dict[str, int]:
    """Raise the first-signal alerts of this week and last week (``today``'s week and the one before).

    Idempotent: an alert exists once per branch, category and week; a rerun only updates the count of
    an alert already raised. Returns how many alerts were raised and updated."""
    rule = current_rule()
    this_week = week_start(today)
    found = [(week, s) for week in (this_week - WEEK, this_week) for s in signals_of_week(week, rule)]
    if not found:
        return {"raised": 0, "updated": 0}
    existing = {
        (a.branch_id, a.category, a.week_start): a
        for a in SignalAlert.objects.filter(week_start__in=[this_week - WEEK, this_week]).only(
            "id", "branch_id", "category", "week_start", "count"
        )
    }
    branches = OrgUnit.objects.in_bulk({s.branch_id for _, s in found})
    cache: dict[int, list] = {}
    raised = updated = 0
    for week, signal in found:
        alert = existing.get((signal.branch_id, signal.category, week))
        if alert is not None:
            if signal.count > alert.count:
                updated += SignalAlert.objects.filter(pk=alert.pk, count__lt=signal.count).update(count=signal.count)
            continue
        branch = branches.get(signal.branch_id)
        if branch is None:  # removed since it was counted
            continue
        if _raise(signal, week, branch, cache) is not None:
            raised += 1
    if raised:
        logger.info("Raised %s first-signal alerts for the week of %s", raised, this_week)
    return {"raised": raised, "updated": updated}


# --- a cadre marks an alert seen -----------------------------------------------------------------


@transaction.atomic
def signal_mark_seen(*, actor, alert: SignalAlert) -> SignalAlert:
    """Mark ``alert`` seen by ``actor`` (once: marking it again keeps the first who saw it)."""
    require(actor, VIEW_SIGNALS, alert)
    alert = SignalAlert.objects.select_for_update().select_related("branch").get(pk=alert.pk)
    if alert.seen_at is None:
        alert.seen_by = actor
        alert.seen_at = timezone.now()
        alert.save(update_fields=["seen_by", "seen_at"])
        record(actor, "voices.signal.seen", alert, seen_at=alert.seen_at.isoformat())
    return alert
