"""Reads of notices: a worker's board, one notice, and the cadres' list of notices they look after.

The board is ``audience_path IN (the member's unit and its ancestors)``, published and inside the
publish window, pinned first, then newest: the ``notice_audience`` index answers it on both databases.
Pages are keysets on (pinned, publish_from, id), so page 100 costs what page 1 costs; which notices of a
page the member has read is one more query, whatever the page size.
"""

import datetime

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import pgettext

from unionhome.access.policy import OutOfScope, scope_roots
from unionhome.access.scope import paths_scope_q
from unionhome.disclosure.audience import (
    ANSWER,
    PUBLISH,
    RECEIPTS,
    active_member_of,
    cadre_sees,
    in_audience,
    is_shown,
    overlaps_q,
    shown_q,
)
from unionhome.disclosure.models import Notice, NoticeRead
from unionhome.keyset import KeysetPage, decode_cursor, decode_time_cursor, encode_cursor, time_keyset_page
from unionhome.org.models import ancestor_paths

PAGE_SIZE = 20
MANAGE_PAGE_SIZE = 50
HOME_NOTICES = 5


def board_for(viewer, *, category: str = "", now: datetime.datetime | None = None) -> QuerySet[Notice]:
    """Notices shown now to the viewer's member, pinned first, newest next (none without a member)."""
    member = active_member_of(viewer)
    if member is None:
        return Notice.objects.none()
    notices = Notice.objects.filter(shown_q(now), audience_path__in=ancestor_paths(member.unit_path))
    if category in Notice.Category.values:
        notices = notices.filter(category=category)
    return notices.select_related("unit").order_by("-pinned", "-publish_from", "-id")


def _board_key(notice: Notice) -> str:
    return f"{int(notice.pinned)}|{notice.publish_from.isoformat()}"


def _decode_board(cursor: str | None) -> tuple[bool, datetime.datetime, int] | None:
    values = decode_cursor(cursor) if cursor else None
    if values is None:
        return None
    pinned, _, moment = values[0].partition("|")
    try:
        when = datetime.datetime.fromisoformat(moment)
    except ValueError:
        return None
    if pinned not in ("0", "1") or when.tzinfo is None:
        return None
    return pinned == "1", when, values[1]


def valid_board_cursor(cursor: str) -> bool:
    return _decode_board(cursor) is not None


def board_page(notices: QuerySet[Notice], cursor: str | None, *, size: int = PAGE_SIZE) -> KeysetPage:
    """One page of the board by keyset on (pinned, publish_from, id), all descending."""
    after = _decode_board(cursor)
    if after is not None:
        pinned, when, pk = after
        later = Q(publish_from__lt=when) | Q(publish_from=when, id__lt=pk)
        rest = Q(pinned=pinned) & later
        if pinned:  # after the pinned notices come all the others
            rest |= Q(pinned=False)
        notices = notices.filter(rest)
    rows = list(notices[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor([_board_key(rows[-1]), rows[-1].pk]) if more and rows else None
    return KeysetPage(rows, next_cursor, has_previous=after is not None)


def read_notice_ids(viewer, notice_ids: list[int]) -> set[int]:
    """Which of ``notice_ids`` the viewer's member has read (one query)."""
    if not notice_ids or viewer.member_id is None:
        return set()
    return set(
        NoticeRead.objects.filter(member_id=viewer.member_id, notice_id__in=notice_ids).values_list(
            "notice_id", flat=True
        )
    )


def notice_for(viewer, pk: int) -> Notice:
    """A notice the viewer may open: shown to them as a member of its audience, or as a cadre who looks
    after it (``audience.cadre_sees``). Anything else is ``OutOfScope`` (404)."""
    notice = Notice.objects.select_related("unit", "audience").filter(pk=pk).first()
    if notice is None:
        raise OutOfScope()
    if is_shown(notice) and in_audience(active_member_of(viewer), notice):
        return notice
    if cadre_sees(viewer, notice):
        return notice
    raise OutOfScope()


def is_reader(viewer, notice: Notice) -> bool:
    """Whether the viewer opens ``notice`` as a member of its audience (a read is recorded)."""
    return is_shown(notice) and in_audience(active_member_of(viewer), notice)


def managed_notices(viewer, *, status: str = "") -> QuerySet[Notice]:
    """Notices a cadre looks after: every notice of a unit where they publish, and the published (or
    withdrawn) notices whose audience overlaps where they follow receipts or answer questions."""
    published = paths_scope_q(scope_roots(viewer, PUBLISH), "unit_path")
    follow = sorted(set(scope_roots(viewer, RECEIPTS)) | set(scope_roots(viewer, ANSWER)))
    followed = overlaps_q(follow) & ~Q(status=Notice.Status.DRAFT)
    notices = Notice.objects.filter(published | followed)
    if status in Notice.Status.values:
        notices = notices.filter(status=status)
    return notices.select_related("unit", "audience").order_by("-created_at", "-id")


def manage_page(notices: QuerySet[Notice], cursor: str | None, *, size: int = MANAGE_PAGE_SIZE) -> KeysetPage:
    """One page of the cadres' list by keyset on (created_at, id), newest first."""
    return time_keyset_page(notices, cursor, field="created_at", size=size)


def valid_manage_cursor(cursor: str) -> bool:
    return decode_time_cursor(cursor) is not None


def notice_prompts(viewer) -> list:
    """Home-page prompts: the newest notices on the viewer's board, unread ones marked (two queries)."""
    from unionhome.home.member_prompts import Prompt

    notices = list(board_for(viewer)[:HOME_NOTICES])
    read = read_notice_ids(viewer, [n.pk for n in notices])
    return [
        Prompt(
            n.title,
            reverse("disclosure:notice", args=[n.pk]),
            pgettext("notice", "unread") if n.pk not in read else n.publish_from.date().isoformat(),
            urgent=n.pk not in read,
        )
        for n in notices
    ]
