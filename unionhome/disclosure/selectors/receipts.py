"""Read receipts for cadres: readers against the audience, per unit one level below the unit looked at.

The audience of a unit is its ``subtree_member_count`` (active members, kept by the org services); the
readers of each child unit come from one grouped query on ``NoticeRead.unit_path`` (its prefix of the
child's length), so a page costs the same queries whether the unit has 3 children or 300. A cadre sees
the part of the audience where they hold ``disclosure.view_receipts``: the whole audience, or only their
branch of a union-wide notice; they may drill down to any unit inside it.
"""

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr

from unionhome.access.policy import OutOfScope, PermissionRefused, has_permission_anywhere
from unionhome.access.scope import paths_scope_q
from unionhome.disclosure.audience import RECEIPTS, follow_roots
from unionhome.disclosure.models import Notice, NoticeRead
from unionhome.org.models import OrgUnit

MAX_CHILD_UNITS = 200


@dataclass(frozen=True)
class UnitReceipt:
    unit: OrgUnit
    audience: int
    readers: int
    direct: bool = False  # members placed in the unit itself, not in a unit below it
    has_children: bool = False

    @property
    def unread(self) -> int:
        return max(self.audience - self.readers, 0)

    @property
    def percent(self) -> int:
        return round(100 * self.readers / self.audience) if self.audience else 0


@dataclass(frozen=True)
class Receipts:
    notice: Notice
    unit: OrgUnit  # the unit whose children are listed
    roots: list[OrgUnit]  # the parts of the audience the viewer may look at
    rows: list[UnitReceipt]
    audience: int
    readers: int
    truncated: bool

    @property
    def unread(self) -> int:
        return max(self.audience - self.readers, 0)

    @property
    def percent(self) -> int:
        return round(100 * self.readers / self.audience) if self.audience else 0


def receipt_roots(viewer, notice: Notice) -> list[str]:
    """The viewer's parts of the notice's audience; 403 without the permission, 404 when none overlap."""
    if not has_permission_anywhere(viewer, RECEIPTS):
        raise PermissionRefused(RECEIPTS)
    roots = follow_roots(viewer, RECEIPTS, notice) if notice.status != Notice.Status.DRAFT else []
    if not roots:
        raise OutOfScope()
    return roots


def _readers_by_prefix(notice: Notice, path: str) -> dict[str, int]:
    """Readers under ``path``, counted by the first ``len(path) + steplen`` characters of their unit path."""
    length = len(path) + OrgUnit.steplen
    rows = (
        NoticeRead.objects.filter(paths_scope_q([path]), notice_id=notice.pk)
        .annotate(prefix=Substr("unit_path", 1, length))
        .values("prefix")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["prefix"]: row["n"] for row in rows}


def notice_receipts(viewer, notice: Notice, *, unit_path: str = "") -> Receipts:
    """Receipts of ``notice`` for the unit at ``unit_path`` (default: the viewer's first part of the
    audience), one row per child unit, plus a row for members placed in the unit itself."""
    roots = receipt_roots(viewer, notice)
    wanted = unit_path if unit_path.isascii() and unit_path.isalnum() else ""  # paths are digits and capitals
    path = wanted if wanted and any(wanted.startswith(root) for root in roots) else roots[0]
    units = {u.path: u for u in OrgUnit.objects.filter(path__in=[path, *roots])}
    unit = units.get(path)
    if unit is None:
        raise OutOfScope()
    children: QuerySet[OrgUnit] = OrgUnit.objects.filter(depth=unit.depth + 1, path__startswith=path).order_by("path")
    child_list = list(children[: MAX_CHILD_UNITS + 1])
    truncated = len(child_list) > MAX_CHILD_UNITS
    child_list = child_list[:MAX_CHILD_UNITS]
    readers = _readers_by_prefix(notice, path)
    rows = []
    direct_readers = readers.get(path, 0)
    if unit.direct_member_count or direct_readers:
        rows.append(UnitReceipt(unit, unit.direct_member_count, direct_readers, direct=True))
    for child in child_list:
        rows.append(
            UnitReceipt(child, child.subtree_member_count, readers.get(child.path, 0), has_children=child.numchild > 0)
        )
    return Receipts(
        notice=notice,
        unit=unit,
        roots=[units[root] for root in roots if root in units],
        rows=rows,
        audience=unit.subtree_member_count,
        readers=sum(readers.values()),
        truncated=truncated,
    )
