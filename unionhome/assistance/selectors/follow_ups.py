"""Reads of follow-ups (跟踪问效): a cadre's own and those in their scope, overdue first.

A viewer sees the follow-ups they are responsible for, and every follow-up on a member in a unit
where they hold ``assistance.follow_up`` (assistance officers and chairs). Nobody else learns that a
follow-up, or the assistance behind it, exists: one outside this is ``OutOfScope`` (404).
"""

import datetime

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, has_permission_anywhere
from unionhome.access.scope import unit_scope_q
from unionhome.assistance.models import Assistance, FollowUp
from unionhome.home.work_queue import WorkItem
from unionhome.keyset import KeysetPage, decode_cursor, encode_cursor

PERMISSION = "assistance.follow_up"
PAGE_SIZE = 50
WORK_QUEUE_ITEMS = 20
# "Upcoming" shows what falls due in the next weeks, so a cadre can plan the visits.
UPCOMING_DAYS = 30


class Filter:
    DUE = "due"  # due by today, overdue first
    OVERDUE = "overdue"  # due before today
    UPCOMING = "upcoming"  # due in the next UPCOMING_DAYS days
    DONE = "done"  # recorded, newest first

    ALL = (DUE, OVERDUE, UPCOMING, DONE)


def filter_choices() -> list[tuple[str, str]]:
    return [
        (Filter.DUE, _("Due now")),
        (Filter.OVERDUE, _("Overdue")),
        (Filter.UPCOMING, _("Upcoming")),
        (Filter.DONE, _("Recorded")),
    ]


def _visible_q(viewer) -> Q:
    return Q(responsible_id=viewer.pk) | unit_scope_q(viewer, PERMISSION)


def follow_ups_for(viewer) -> QuerySet[FollowUp]:
    """Every follow-up the viewer may see (theirs, and those in their ``assistance.follow_up`` scope)."""
    return FollowUp.objects.filter(_visible_q(viewer)).select_related("assistance__member__unit", "responsible")


def may_follow_up(viewer) -> bool:
    """Whether the follow-up pages are for this viewer: they hold the permission, or answer for one."""
    return has_permission_anywhere(viewer, PERMISSION) or FollowUp.objects.filter(responsible_id=viewer.pk).exists()


def _open(follow_ups: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    return follow_ups.filter(done_on__isnull=True, assistance__status=Assistance.Status.DELIVERED)


def follow_ups_due(viewer, *, today: datetime.date) -> QuerySet[FollowUp]:
    """Follow-ups due by ``today`` and not yet recorded that the viewer answers for or oversees, overdue first."""
    return _open(follow_ups_for(viewer)).filter(due_on__lte=today).order_by("due_on", "id")


def follow_ups_filtered(viewer, *, state: str, today: datetime.date) -> QuerySet[FollowUp]:
    """The list page's and the API's filters (``Filter``), each in its natural order."""
    if state == Filter.OVERDUE:
        return _open(follow_ups_for(viewer)).filter(due_on__lt=today).order_by("due_on", "id")
    if state == Filter.UPCOMING:
        return (
            _open(follow_ups_for(viewer))
            .filter(due_on__gt=today, due_on__lte=today + datetime.timedelta(days=UPCOMING_DAYS))
            .order_by("due_on", "id")
        )
    if state == Filter.DONE:
        return follow_ups_for(viewer).filter(done_on__isnull=False).order_by("-done_on", "-id")
    return follow_ups_due(viewer, today=today)


def follow_up_page(
    follow_ups: QuerySet[FollowUp], cursor: str | None, *, state: str, size: int = PAGE_SIZE
) -> KeysetPage:
    """One page by keyset: (``due_on``, ``id``) ascending, or (``done_on``, ``id``) descending for ``done``."""
    after = _decode(cursor)
    descending = state == Filter.DONE
    field = "done_on" if descending else "due_on"
    if after is not None:
        on, pk = after
        if descending:
            follow_ups = follow_ups.filter(Q(**{f"{field}__lt": on}) | Q(**{field: on, "id__lt": pk}))
        else:
            follow_ups = follow_ups.filter(Q(**{f"{field}__gt": on}) | Q(**{field: on, "id__gt": pk}))
    rows = list(follow_ups[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor([getattr(rows[-1], field).isoformat(), rows[-1].pk]) if more and rows else None
    return KeysetPage(rows, next_cursor, has_previous=after is not None)


def _decode(cursor: str | None) -> tuple[datetime.date, int] | None:
    values = decode_cursor(cursor) if cursor else None
    if values is None:
        return None
    try:
        return datetime.date.fromisoformat(values[0]), values[1]
    except ValueError:
        return None


def follow_up_for(viewer, pk: int) -> FollowUp:
    """One follow-up the viewer may see; ``OutOfScope`` (404, audited) otherwise."""
    follow_up = follow_ups_for(viewer).filter(pk=pk).first()
    if follow_up is None:
        raise OutOfScope
    return follow_up


def follow_ups_of_assistance(follow_up: FollowUp) -> QuerySet[FollowUp]:
    """The other follow-ups of the same assistance, in order (the record page shows the earlier ones)."""
    return (
        FollowUp.objects.filter(assistance_id=follow_up.assistance_id)
        .exclude(pk=follow_up.pk)
        .select_related("recorded_by")
        .order_by("sequence")
    )


def follow_up_work_items(user) -> list[WorkItem]:
    """The work-queue provider: the user's own follow-ups due today or overdue, the oldest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate()
    mine = (
        _open(FollowUp.objects.filter(responsible_id=user.pk, due_on__lte=today))
        .select_related("assistance__member")
        .order_by("due_on", "id")[:WORK_QUEUE_ITEMS]
    )
    items = []
    for follow_up in mine:
        assistance = follow_up.assistance
        if follow_up.due_on < today:
            due = _("overdue since %(date)s") % {"date": follow_up.due_on.isoformat()}
        else:
            due = _("due today")
        items.append(
            WorkItem(
                title=_("Follow up %(member)s (%(kind)s)")
                % {"member": assistance.member.name, "kind": assistance.get_kind_display()},
                url=reverse("assistance:follow_up_record", args=[follow_up.pk]),
                due=due,
                kind="assistance.follow_up",
            )
        )
    return items
