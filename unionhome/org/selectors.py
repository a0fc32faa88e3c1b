"""Every read of the org tree and the roster that a user sees, already scoped to the viewer."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from unionhome.access.policy import OutOfScope, scope_roots
from unionhome.keyset import KeysetPage, decode_cursor, encode_cursor
from unionhome.org.models import Member, OrgUnit
from unionhome.org.names import unambiguous_pinyin_prefix

PAGE_SIZE = 50


# The tree page shows whole levels, top down, until about this many units; deeper levels are one
# click away (a unit's own subtree), so the page stays small for a federation of thousands of units.
TREE_PAGE_UNITS = 200
# Below this many units in a viewer's scope, the roster is filtered by unit id (an index lookup on
# both databases); above it by path prefix.
SCOPE_BY_UNIT_IDS = 500
# No level of the tree page lists more units than this.
MAX_LEVEL_UNITS = 2000


@dataclass
class TreeNode:
    unit: OrgUnit
    subtree_count: int = 0
    children: list["TreeNode"] = field(default_factory=list)
    # Set on the top units when their children did not all fit: the offset of the next batch.
    children_more_from: int | None = None

    @property
    def more_below(self) -> bool:
        """The unit has children that this page does not show."""
        return self.unit.numchild > 0 and not self.children


def _paths_q(paths: list[str], field_name: str = "path", lookup: str = "prefix") -> Q:
    """Rows under any of ``paths``. ``prefix`` is an index range on both databases; ``startswith`` (a
    LIKE, which SQLite scans) suits a scope that covers most of a big table, read in another index's order.
    No paths, no rows (a viewer without the permission anywhere sees nothing)."""
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{field_name}__{lookup}": path})
    return q


def units_for(viewer, permission: str = "org.view_tree") -> QuerySet[OrgUnit]:
    """Units in the subtrees where the viewer holds ``permission``."""
    return OrgUnit.objects.filter(_paths_q(scope_roots(viewer, permission))).order_by("path")


def unit_tree_for(
    viewer,
    permission: str = "org.view_tree",
    *,
    top: OrgUnit | None = None,
    max_units: int | None = None,
    offset: int = 0,
) -> list[TreeNode]:
    """The viewer's part of the tree (or the subtree under ``top``), whole levels from the top while they fit
    in ``max_units``, each node with its active-member total. One query per level shown; counts come from
    the units' own counters, so nothing is summed over the roster or over hidden units."""
    roots_q = _paths_q([top.path] if top is not None else scope_roots(viewer, permission))
    fields = (
        "id",
        "path",
        "depth",
        "numchild",
        "name",
        "code",
        "kind",
        "district",
        "direct_member_count",
        "subtree_member_count",
    )
    scoped = units_for(viewer, permission).filter(roots_q).only(*fields)
    top_depth = scoped.order_by("depth").values_list("depth", flat=True).first()
    if top_depth is None:
        return []
    by_path: dict[str, TreeNode] = {}
    roots: list[TreeNode] = []
    level, shown = top_depth, 0
    while True:
        level_units = scoped.filter(depth=level).order_by("path")
        if max_units is None:
            units = list(level_units)
        elif level == top_depth:  # the top units are always shown
            units = list(level_units[:MAX_LEVEL_UNITS])
        elif level == top_depth + 1:  # then their children, a batch of max_units at a time
            units = list(level_units[offset : offset + max_units + 1])
            if len(units) > max_units:
                units = units[:max_units]
                for root in roots:
                    root.children_more_from = offset + max_units
        elif shown >= max_units:
            break
        else:
            units = list(level_units[: max_units - shown + 1])
            if len(units) > max_units - shown:
                break
        if not units:
            break
        for unit in units:
            node = TreeNode(unit, unit.subtree_member_count)
            by_path[unit.path] = node
            parent = by_path.get(unit.path[: -OrgUnit.steplen])
            (parent.children if parent else roots).append(node)
        shown += len(units)
        if not any(unit.numchild for unit in units):
            break
        level += 1
    return roots


def scope_total(viewer, permission: str = "org.view_members") -> int:
    """Active members in the viewer's scope: the subtree counters of its top units (no scan)."""
    roots = scope_roots(viewer, permission)
    if not roots:
        return 0
    return sum(OrgUnit.objects.filter(path__in=roots).values_list("subtree_member_count", flat=True))


def members_for(viewer, permission: str = "org.view_members") -> QuerySet[Member]:
    """Members the viewer may see, ready for a list page (units prefetched: constant query count).

    A small scope is matched by unit id, which both databases answer from the foreign-key index;
    a large one by unit path prefix (SQLite cannot use an index for LIKE, but then most rows match).
    """
    roots = scope_roots(viewer, permission)
    if not roots:
        return Member.objects.none()
    unit_ids = list(OrgUnit.objects.filter(_paths_q(roots)).values_list("id", flat=True)[: SCOPE_BY_UNIT_IDS + 1])
    if len(unit_ids) <= SCOPE_BY_UNIT_IDS:
        members = Member.objects.filter(unit_id__in=unit_ids)
    else:
        members = Member.objects.filter(_paths_q(roots, "unit_path", "startswith"))
    return members.prefetch_related("unit")  # units loaded for the page's rows only, after the LIMIT


def member_for(viewer, pk: int) -> Member:
    """One member the viewer may see (or the viewer's own record); ``OutOfScope`` (404, audited) otherwise."""
    member = members_for(viewer).filter(pk=pk).first()
    if member is None and viewer.member_id == pk:
        member = Member.objects.select_related("unit").filter(pk=pk).first()
    if member is None:
        raise OutOfScope
    return member


def pinyin_range_q(key: str) -> Q:
    """``name_pinyin`` starting with ``key`` (lower-case a-z) as a plain range, which any B-tree index on
    ``name_pinyin`` answers whatever the database's collation (a LIKE needs a C collation or pattern ops)."""
    stem = key.rstrip("z")
    if not stem:
        return Q(name_pinyin__gte=key)
    return Q(name_pinyin__gte=key, name_pinyin__lt=stem[:-1] + chr(ord(stem[-1]) + 1))


def member_search(members: QuerySet[Member], query: str) -> QuerySet[Member]:
    """Find by name prefix, pinyin initials ("zs" → 张三), full pinyin prefix or employee number prefix."""
    query = "".join(ch for ch in query if ch.isprintable()).strip()[:50]  # no NUL or control characters
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
    terms = Q(name__prefix=query)
    key = unambiguous_pinyin_prefix(query)
    if key:  # the same rows, found through the pinyin order the directory index already has
        terms &= pinyin_range_q(key)
    return members.filter(terms)


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
