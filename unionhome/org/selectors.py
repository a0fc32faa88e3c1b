"""Every read of the org tree and the roster that a user sees, already scoped to the viewer."""

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from unionhome.access.policy import scope_q, scope_roots
from unionhome.org.models import Member, OrgUnit

PAGE_SIZE = 50


@dataclass
class TreeNode:
    unit: OrgUnit
    subtree_count: int = 0
    children: list["TreeNode"] = field(default_factory=list)


def units_for(viewer, permission: str = "org.view_tree") -> QuerySet[OrgUnit]:
    """Units in the subtrees where the viewer holds ``permission``."""
    return OrgUnit.objects.filter(scope_q(viewer, permission, "path")).order_by("path")


def unit_tree_for(viewer, permission: str = "org.view_tree") -> list[TreeNode]:
    """The viewer's part of the tree with active-member totals per subtree: one query, no recursion in SQL."""
    nodes: list[TreeNode] = []
    by_path: dict[str, TreeNode] = {}
    roots: list[TreeNode] = []
    for unit in units_for(viewer, permission).only(
        "id", "path", "depth", "name", "code", "kind", "district", "direct_member_count"
    ):
        node = TreeNode(unit, unit.direct_member_count)
        nodes.append(node)
        by_path[unit.path] = node
        parent = by_path.get(unit.path[: -OrgUnit.steplen])
        (parent.children if parent else roots).append(node)
    for node in reversed(nodes):  # children come after parents in path order
        parent = by_path.get(node.unit.path[: -OrgUnit.steplen])
        if parent is not None:
            parent.subtree_count += node.subtree_count
    return roots


def scope_total(viewer, permission: str = "org.view_members") -> int:
    """Active members in the viewer's scope, from the per-unit counters (no scan of the roster)."""
    q = Q()
    roots = scope_roots(viewer, permission)
    if not roots:
        return 0
    for path in roots:
        q |= Q(path__startswith=path)
    return sum(OrgUnit.objects.filter(q).values_list("direct_member_count", flat=True))


def members_for(viewer, permission: str = "org.view_members") -> QuerySet[Member]:
    """Members the viewer may see, ready for a list page (unit joined, constant query count)."""
    return Member.objects.filter(scope_q(viewer, permission, "unit_path")).select_related("unit")


def member_search(members: QuerySet[Member], query: str) -> QuerySet[Member]:
    """Find by name prefix, pinyin initials ("zs" → 张三), full pinyin prefix or employee number prefix."""
    query = query.strip()[:50]
    if not query:
        return members
    if query.isascii():
        lowered = query.lower().replace(" ", "")
        terms = Q(employee_no__prefix=query)
        if lowered.isalpha():
            terms |= Q(name_initials__prefix=lowered) | Q(name_pinyin__prefix=lowered)
        if query.isdigit() and len(query) == 11:
            terms |= Q(mobile=query)
        return members.filter(terms)
    return members.filter(name__prefix=query)


@dataclass
class KeysetPage:
    items: list[Any]
    next_cursor: str | None
    has_previous: bool


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, ensure_ascii=False).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    if (
        not isinstance(values, list)
        or len(values) != 2
        or not isinstance(values[0], str)
        or not isinstance(values[1], int)
    ):
        return None
    return values


def member_page(members: QuerySet[Member], cursor: str | None, size: int = PAGE_SIZE) -> KeysetPage:
    """One page in pinyin order, by keyset (``name_pinyin``, ``id``): cost does not grow with depth."""
    members = members.order_by("name_pinyin", "id")
    after = decode_cursor(cursor) if cursor else None
    if after:
        pinyin, pk = after
        members = members.filter(Q(name_pinyin__gt=pinyin) | Q(name_pinyin=pinyin, id__gt=pk))
    rows = list(members[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor([rows[-1].name_pinyin, rows[-1].pk]) if more and rows else None
    return KeysetPage(rows, next_cursor, has_previous=bool(after))
