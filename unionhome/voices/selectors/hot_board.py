"""The hot-issues board (热点问题): what the union's workers raise, and what was done, for every member.

De-identified and aggregated by construction:

* **Topics** come from ``TopicCount`` (never from the appeals): category, topic word and the number of
  appeals of this month and the two before. A topic shows only with at least ``MIN_APPEALS`` (3) appeals
  in the board's unit; it is broken down by branch (never below), and only for a branch with at least 3
  appeals on it; fewer are counted in the total alone.
* **What was done**: the public answers (``AppealReply.is_public`` and ``is_answer``) of closed appeals,
  with the appeal's category and topic words and the month of the answer. Never the appeal's title or
  text, its submitter, its unit, or an exact date (the paging cursor is the reply's id, not its time).

A member sees the board of their own union; a cadre holding ``voices.view_signals`` may also choose the
units of their scope.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.utils import timezone

from unionhome.access.policy import OutOfScope, scope_roots
from unionhome.access.scope import paths_scope_q
from unionhome.org.models import Member, OrgUnit, ancestor_paths
from unionhome.voices.models import Appeal, AppealCategory, AppealReply, TopicCount

VIEW_SIGNALS = "voices.view_signals"
MIN_APPEALS = 3
MONTHS = 3
MAX_TOPICS = 30
DONE_PAGE = 10


@dataclass
class HotTopic:
    category: str
    word: str
    total: int
    branches: list[tuple[str, int]] = field(default_factory=list)

    @property
    def category_label(self) -> str:
        return str(AppealCategory(self.category).label)


@dataclass
class DoneItem:
    id: int
    category: str
    words: list[str]
    month: datetime.date
    answer: str

    @property
    def category_label(self) -> str:
        return str(AppealCategory(self.category).label)


@dataclass
class DonePage:
    items: list[DoneItem]
    next_cursor: int | None


def board_units(viewer) -> list[OrgUnit]:
    """The units whose board the viewer may read: their own union first, then their signal scope's roots
    (one query; none for an account with neither an active member record nor the permission)."""
    roots = scope_roots(viewer, VIEW_SIGNALS)
    own: list[str] = []
    if getattr(viewer, "is_authenticated", False) and viewer.member_id:
        row = Member.objects.filter(pk=viewer.member_id, status=Member.Status.ACTIVE).values("unit_path").first()
        if row:
            own = ancestor_paths(row["unit_path"])
    if not own and not roots:
        return []
    q = Q(path__in=roots)
    if own:
        q |= Q(path__in=own, kind__in=(OrgUnit.Kind.UNION, OrgUnit.Kind.FEDERATION))
    found = list(OrgUnit.objects.filter(q))
    union = max(
        (u for u in found if u.path in own and u.kind == OrgUnit.Kind.UNION), key=lambda u: u.depth, default=None
    )
    if union is None and own:  # a member outside any union: the top of their tree
        union = min((u for u in found if u.path in own), key=lambda u: u.depth, default=None)
    units = [union] if union is not None else []
    units += sorted((u for u in found if u.path in roots and u not in units), key=lambda u: u.path)
    return units


def board_unit(viewer, unit_id: int | None) -> tuple[OrgUnit | None, list[OrgUnit]]:
    """The board's unit (``unit_id`` must be one the viewer may choose: else 404) and the choices."""
    units = board_units(viewer)
    if unit_id is None:
        return (units[0] if units else None), units
    chosen = next((u for u in units if u.pk == unit_id), None)
    if chosen is None:
        raise OutOfScope()
    return chosen, units


def board_since(today: datetime.date) -> datetime.date:
    """The first day of the board's period: this month and the ``MONTHS - 1`` months before."""
    month = today.replace(day=1)
    for _ in range(MONTHS - 1):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month


def hot_topics(unit: OrgUnit, *, today: datetime.date | None = None) -> list[HotTopic]:
    """The unit's topics with at least 3 appeals, most raised first (two queries)."""
    since = board_since(today or timezone.localdate())
    counts = TopicCount.objects.filter(paths_scope_q([unit.path]), month__gte=since)
    top = list(
        counts.values("category", "word")
        .annotate(n=Sum("count"))
        .filter(n__gte=MIN_APPEALS)
        .order_by("-n", "category", "word")[:MAX_TOPICS]
    )
    topics = [HotTopic(r["category"], r["word"], r["n"]) for r in top]
    if not topics or unit.kind not in (OrgUnit.Kind.UNION, OrgUnit.Kind.FEDERATION):
        return topics
    by_key = {(t.category, t.word): t for t in topics}
    branches = (
        counts.filter(word__in={t.word for t in topics})
        .exclude(branch_id=unit.pk)
        .values("category", "word", "branch_id", "branch__name")
        .annotate(n=Sum("count"))
        .filter(n__gte=MIN_APPEALS)
        .order_by("-n", "branch__name")
    )
    for row in branches:
        topic = by_key.get((row["category"], row["word"]))
        if topic is not None:
            topic.branches.append((row["branch__name"], row["n"]))
    return topics


def done_page(unit: OrgUnit, *, after: int | None = None, size: int = DONE_PAGE) -> DonePage:
    """Public answers of the unit's closed appeals, newest first, a page at a time (keyset on the id)."""
    rows = AppealReply.objects.filter(
        paths_scope_q([unit.path], "appeal__unit_path"),
        is_public=True,
        is_answer=True,
        appeal__status=Appeal.Status.CLOSED,
    )
    if after:
        rows = rows.filter(pk__lt=after)
    found = list(
        rows.order_by("-id").values("id", "body", "created_at", "appeal__category", "appeal__keywords")[: size + 1]
    )
    items = [
        DoneItem(
            id=r["id"],
            category=r["appeal__category"],
            words=[w for w in (r["appeal__keywords"] or []) if isinstance(w, str)][:3],
            month=timezone.localtime(r["created_at"]).date().replace(day=1),
            answer=r["body"],
        )
        for r in found[:size]
    ]
    return DonePage(items, items[-1].id if len(found) > size and items else None)
