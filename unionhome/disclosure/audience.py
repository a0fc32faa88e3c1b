"""Who a notice is for, and which cadres may see it: the rules every page, API endpoint and task shares.

A notice is shown to a member when the notice's ``audience_path`` is a prefix of the member's unit path.
A member's unit has a handful of ancestors, so "notices for this member" is ``audience_path IN (the
paths of the member's unit and its ancestors)``: an equality match on the board's index on both
databases, however large the federation.

Cadres reach a notice through the publishing unit (``disclosure.publish`` on ``Notice.unit``: drafts
included) or through the audience: ``disclosure.view_receipts`` or ``disclosure.answer`` on a unit whose
subtree overlaps the audience (a union-wide notice is followed up by each branch in its own branch).
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from unionhome.access.policy import can, scope_roots
from unionhome.access.scope import paths_scope_q
from unionhome.disclosure.models import Notice
from unionhome.org.models import ancestor_paths

PUBLISH = "disclosure.publish"
ANSWER = "disclosure.answer"
RECEIPTS = "disclosure.view_receipts"
CADRE_PERMISSIONS = (PUBLISH, ANSWER, RECEIPTS)


def shown_q(now: datetime.datetime | None = None) -> Q:
    """Published notices inside their publish window at ``now``."""
    now = now or timezone.now()
    return Q(status=Notice.Status.PUBLISHED, publish_from__lte=now) & (
        Q(publish_until__isnull=True) | Q(publish_until__gt=now)
    )


def is_shown(notice: Notice, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        notice.status == Notice.Status.PUBLISHED
        and notice.publish_from <= now
        and (notice.publish_until is None or notice.publish_until > now)
    )


def active_member_of(viewer):
    """The viewer's own active member record, or None (accounts without one see no board)."""
    if not getattr(viewer, "is_authenticated", False) or viewer.member_id is None:
        return None
    member = viewer.member
    return member if member.status == member.Status.ACTIVE else None


def in_audience(member, notice: Notice) -> bool:
    return member is not None and member.unit_path.startswith(notice.audience_path)


def overlaps_q(roots: list[str], field: str = "audience_path") -> Q:
    """Rows whose ``field`` (a unit path) lies above, at or below one of ``roots``."""
    if not roots:
        return Q(pk__in=[])
    above = {path for root in roots for path in ancestor_paths(root)}
    return Q(**{f"{field}__in": sorted(above)}) | paths_scope_q(roots, field)


def follow_roots(viewer, permission: str, notice: Notice) -> list[str]:
    """The parts of ``notice``'s audience where ``viewer`` holds ``permission``: the audience itself when a
    grant covers it, else the viewer's granted units inside it (none when they do not overlap)."""
    roots = scope_roots(viewer, permission)
    if any(notice.audience_path.startswith(root) for root in roots):
        return [notice.audience_path]
    return [root for root in roots if root.startswith(notice.audience_path)]


def cadre_sees(viewer, notice: Notice) -> bool:
    """Whether a cadre may open ``notice`` (drafts only through the publishing unit)."""
    if can(viewer, PUBLISH, notice):
        return True
    if notice.status == Notice.Status.DRAFT:
        return False
    return any(follow_roots(viewer, permission, notice) for permission in (RECEIPTS, ANSWER))


def may_publish_somewhere(viewer) -> bool:
    return bool(scope_roots(viewer, PUBLISH))


def is_disclosure_cadre(viewer) -> bool:
    return any(scope_roots(viewer, permission) for permission in CADRE_PERMISSIONS)
