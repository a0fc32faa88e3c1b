"""Every read of budget lines, payments and assistance that a user sees, already scoped to the viewer.

Budget lines and payments are read through ``assistance.view_money`` on the line's unit (the audit
committee holds it too); an assistance through ``assistance.view_money`` on the member's unit. Its
free-text description can carry health or family details, so lists and the API show it only to
viewers holding ``assistance.view_sensitive`` on the record (``assistance_row``).
Lists are keyset pages on (time, id), newest first: page 1,000 costs what page 1 costs.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionhome.access.permissions import ROLES
from unionhome.access.policy import OutOfScope, can, has_permission_anywhere, scope_q
from unionhome.access.scope import unit_scope_q
from unionhome.accounts.models import User
from unionhome.assistance.models import Assistance, BudgetLine, Payment
from unionhome.home.work_queue import WorkItem
from unionhome.keyset import decode_cursor, encode_cursor
from unionhome.org.models import Member, OrgUnit, ancestor_paths

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
# Budget lines are few (a handful per unit and year); a list never shows more than this many.
BUDGET_LIST_LIMIT = 200
# Items a work-queue provider lists; the list page has the rest.
QUEUE_ITEMS = 10
# The kinds of assistance that pay money out of a budget line; job and legal help carry none.
MONEY_KINDS = frozenset(
    {Assistance.Kind.CASH, Assistance.Kind.GOODS, Assistance.Kind.MEDICAL, Assistance.Kind.SCHOOLING}
)


def is_money_kind(kind: str) -> bool:
    return kind in MONEY_KINDS


# --- keyset pages --------------------------------------------------------------------------------


@dataclass
class KeysetPage:
    items: list[Any]
    next_cursor: str | None
    has_previous: bool


def decode_time_cursor(cursor: str | None) -> tuple[datetime.datetime, int] | None:
    """A cursor made by ``_page`` ([ISO time, id]), or None when absent or forged."""
    if not cursor:
        return None
    values = decode_cursor(cursor)
    if values is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(values[0])
        if moment.tzinfo is None:
            return None
        moment = moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        return None
    return moment, values[1]


def _page(rows: QuerySet, time_field: str, cursor: str | None, size: int) -> KeysetPage:
    """Newest first by (``time_field``, id); ``cursor`` continues after the last row of the previous page."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    rows = rows.order_by(f"-{time_field}", "-id")
    after = decode_time_cursor(cursor)
    if after:
        moment, pk = after
        rows = rows.filter(Q(**{f"{time_field}__lt": moment}) | Q(**{time_field: moment, "id__lt": pk}))
    items = list(rows[: size + 1])
    more = len(items) > size
    items = items[:size]
    next_cursor = None
    if more and items:
        last = items[-1]
        next_cursor = encode_cursor([getattr(last, time_field).isoformat(), last.pk])
    return KeysetPage(items, next_cursor, has_previous=bool(after))


# --- budget lines and payments -------------------------------------------------------------------


def budget_lines_for(viewer, *, year: int | None = None) -> QuerySet[BudgetLine]:
    """Budget lines the viewer may read (``assistance.view_money``), newest year first; slice to show."""
    lines = BudgetLine.objects.filter(scope_q(viewer, "assistance.view_money", "unit_path"))
    if year is not None:
        lines = lines.filter(year=year)
    return lines.select_related("unit").order_by("-year", "unit_path", "name", "id")


def budget_line_for(viewer, pk: int) -> BudgetLine:
    """One budget line the viewer may read; ``OutOfScope`` (404, audited) otherwise."""
    line = budget_lines_for(viewer).filter(pk=pk).first()
    if line is None:
        raise OutOfScope
    return line


def budget_years(viewer) -> list[int]:
    """The years the viewer has budget lines for, newest first."""
    return list(
        BudgetLine.objects.filter(scope_q(viewer, "assistance.view_money", "unit_path"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()[:50]
    )


def chargeable_lines(member: Member, *, year: int | None = None) -> QuerySet[BudgetLine]:
    """Budget lines that may pay for help to ``member``: held by the member's unit or a unit above it,
    within the member's own union (a station's line pays for that station's members, the union's line
    for every member of the union)."""
    union_path = OrgUnit.objects.filter(pk=member.union_id).values_list("path", flat=True).first() or ""
    paths = [p for p in ancestor_paths(member.unit_path) if p.startswith(union_path)] if union_path else []
    lines = BudgetLine.objects.filter(unit_path__in=paths)
    if year is not None:
        lines = lines.filter(year=year)
    return lines.select_related("unit").order_by("-year", "unit_path", "name", "id")


def may_charge(line: BudgetLine, member: Member) -> bool:
    return chargeable_lines(member).filter(pk=line.pk).exists()


def line_payments(line: BudgetLine, *, after: str | None = None, size: int = PAGE_SIZE) -> KeysetPage:
    """A budget line's payments and reversals, newest first (the caller has checked the line is visible)."""
    payments = Payment.objects.filter(budget_line=line).select_related("payee", "paid_by", "assistance")
    return _page(payments, "paid_at", after, size)


def payment_for(viewer, pk: int, permission: str = "assistance.view_money") -> Payment:
    payment = (
        Payment.objects.filter(scope_q(viewer, permission, "unit_path"), pk=pk)
        .select_related("assistance", "budget_line", "payee")
        .first()
    )
    if payment is None:
        raise OutOfScope
    return payment


# --- assistance ----------------------------------------------------------------------------------

_ROW_RELATED = ("member__unit", "budget_line", "requested_by", "decided_by", "responsible")


def assistances_for(viewer, permission: str = "assistance.view_money") -> QuerySet[Assistance]:
    """Assistance the viewer may read, rows ready for a list (related records joined: constant queries)."""
    return Assistance.objects.filter(unit_scope_q(viewer, permission)).select_related(*_ROW_RELATED)


def assistance_for(viewer, pk: int) -> Assistance:
    """One assistance the viewer may read; ``OutOfScope`` (404, audited) otherwise."""
    found = assistances_for(viewer).select_related("hardship_file").filter(pk=pk).first()
    if found is None:
        raise OutOfScope
    return found


def awaiting_approval(viewer) -> QuerySet[Assistance]:
    """Requests the viewer may approve: not the viewer's own (maker–checker)."""
    return (
        assistances_for(viewer, "assistance.approve")
        .filter(status=Assistance.Status.REQUESTED)
        .exclude(requested_by=viewer)
    )


def awaiting_payment(viewer) -> QuerySet[Assistance]:
    """Approved money assistance the viewer may pay out."""
    return assistances_for(viewer, "assistance.disburse").filter(
        status=Assistance.Status.APPROVED, amount__isnull=False
    )


def awaiting_delivery(viewer) -> QuerySet[Assistance]:
    """Approved help without money (job, legal) that the viewer may mark delivered."""
    return assistances_for(viewer, "assistance.request").filter(status=Assistance.Status.APPROVED, amount__isnull=True)


def assistance_page(rows: QuerySet[Assistance], cursor: str | None, size: int = PAGE_SIZE) -> KeysetPage:
    return _page(rows, "requested_at", cursor, size)


def assistance_payments(assistance: Assistance) -> list[Payment]:
    return list(assistance.payments.select_related("paid_by", "budget_line").order_by("paid_at", "id"))


def shows_sensitive(viewer, assistance: Assistance) -> bool:
    """Whether the viewer sees the description (it may hold health or family details) unmasked."""
    return can(viewer, "assistance.view_sensitive", assistance)


def assistance_row(viewer, assistance: Assistance) -> dict:
    """One assistance as the viewer may see it (no query)."""
    sensitive = shows_sensitive(viewer, assistance)
    return {
        "assistance": assistance,
        "description": assistance.description if sensitive else "",
        "sensitive": sensitive,
    }


# Statuses a member sees on their own page. A request still being decided shows as such; a rejected
# or cancelled request is an internal matter of the cadres and is not shown.
OWN_STATUSES = (
    Assistance.Status.REQUESTED,
    Assistance.Status.APPROVED,
    Assistance.Status.DELIVERED,
    Assistance.Status.REVERSED,
)


OWN_STATUS_LABELS = {
    Assistance.Status.REQUESTED: gettext_lazy("Being considered"),
    Assistance.Status.APPROVED: gettext_lazy("Approved, on its way"),
    Assistance.Status.DELIVERED: gettext_lazy("Delivered"),
    Assistance.Status.REVERSED: gettext_lazy("Payment withdrawn"),
}


def own_status_label(status: str) -> str:
    """A status in the words a member's own page uses."""
    return str(OWN_STATUS_LABELS.get(status, ""))


def own_assistance(member: Member | int | None) -> QuerySet[Assistance]:
    """The help given to a member (a ``Member`` or its id), for their own page (PIPL right of access),
    newest first. Call it only with the viewer's own member record (``user.member_id``)."""
    member_id = member.pk if isinstance(member, Member) else member
    if member_id is None:
        return Assistance.objects.none()
    return (
        Assistance.objects.filter(member_id=member_id, status__in=OWN_STATUSES)
        .select_related("budget_line")
        .order_by("-requested_at", "-id")
    )


def assistance_of_member(viewer, member: Member | int) -> QuerySet[Assistance]:
    """A member's assistance as the viewer may see it (``assistance.view_money`` scope), newest first."""
    member_id = member.pk if isinstance(member, Member) else member
    return assistances_for(viewer).filter(member_id=member_id).order_by("-requested_at", "-id")


def responsible_choices(member: Member) -> QuerySet[User]:
    """Cadres who may follow up help to ``member``: a role with ``assistance.follow_up`` on its unit or above."""
    roles = [code for code, role in ROLES.items() if "assistance.follow_up" in role.permissions]
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role__in=roles,
            role_assignments__unit__path__in=ancestor_paths(member.unit_path),
        )
        .distinct()
        .order_by("display_name", "username")
    )


# --- work-queue providers ------------------------------------------------------------------------


def _queue_rows(rows: QuerySet[Assistance]) -> QuerySet[Assistance]:
    """A queue's rows with only the member joined (its title names the member): fewer joins to plan."""
    return rows.select_related(None).select_related("member")


def _queue_title(template: str, assistance: Assistance) -> str:
    amount = number_format(assistance.amount, 2, force_grouping=True) if assistance.amount is not None else ""
    return template % {
        "kind": assistance.get_kind_display(),
        "member": assistance.member.name,
        "amount": amount,
    }


def approvals_queue(user) -> list[WorkItem]:
    """Work-queue provider: assistance requests awaiting this user's approval (oldest first)."""
    if not has_permission_anywhere(user, "assistance.approve"):
        return []
    rows = _queue_rows(awaiting_approval(user)).order_by("requested_at", "id")[:QUEUE_ITEMS]
    return [
        WorkItem(
            title=_queue_title(
                _("Approve %(kind)s of %(amount)s yuan for %(member)s")
                if a.amount is not None
                else _("Approve %(kind)s for %(member)s"),
                a,
            ),
            url=reverse("assistance:assistance_detail", args=[a.pk]),
            due=timezone.localtime(a.requested_at).date().isoformat(),
            kind="assistance.approve",
        )
        for a in rows
    ]


def payments_queue(user) -> list[WorkItem]:
    """Work-queue provider: approved assistance waiting to be paid out (or, without money, delivered)."""
    items: list[WorkItem] = []
    if has_permission_anywhere(user, "assistance.disburse"):
        for a in _queue_rows(awaiting_payment(user)).order_by("decided_at", "id")[:QUEUE_ITEMS]:
            items.append(
                WorkItem(
                    title=_queue_title(_("Pay %(kind)s of %(amount)s yuan to %(member)s"), a),
                    url=reverse("assistance:assistance_detail", args=[a.pk]),
                    due=timezone.localtime(a.decided_at).date().isoformat() if a.decided_at else "",
                    kind="assistance.disburse",
                )
            )
    if has_permission_anywhere(user, "assistance.request"):
        for a in _queue_rows(awaiting_delivery(user)).order_by("decided_at", "id")[:QUEUE_ITEMS]:
            items.append(
                WorkItem(
                    title=_queue_title(_("Deliver %(kind)s to %(member)s"), a),
                    url=reverse("assistance:assistance_detail", args=[a.pk]),
                    due=timezone.localtime(a.decided_at).date().isoformat() if a.decided_at else "",
                    kind="assistance.deliver",
                )
            )
    return items
