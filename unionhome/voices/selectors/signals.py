"""The first-signal dashboard (cadres with ``voices.view_signals``): appeal volumes by category and by unit
over the last weeks, the alerts and the top topic words, all read from the count tables (``AppealVolume``,
``TopicVolume``, ``SignalAlert``), never from the appeals themselves, in a fixed number of small queries
whatever the size of the federation: the unit's own weekly rows, its children's weekly totals and its own
monthly words.

The unit looked at is one of the viewer's scope roots or a unit below one (``?unit=``): its volume is
broken down by the units just below it (a branch, whose appeals are counted as a whole, is not broken
down further).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Q, Sum
from django.utils import timezone

from unionhome.access.policy import OutOfScope, PermissionRefused, scope_roots
from unionhome.access.scope import paths_scope_q
from unionhome.org.models import OrgUnit, ancestor_paths
from unionhome.voices.first_signal import week_start
from unionhome.voices.models import AppealCategory, AppealVolume, SignalAlert, TopicVolume

VIEW_SIGNALS = "voices.view_signals"
PERIODS = (4, 8, 12, 26)
DEFAULT_WEEKS = 12
MAX_UNITS = 200
MAX_ALERTS = 50
TOP_WORDS = 20
WEEK = datetime.timedelta(days=7)
BROKEN_DOWN = (OrgUnit.Kind.FEDERATION, OrgUnit.Kind.UNION)


@dataclass
class UnitVolume:
    unit: OrgUnit
    total: int
    is_self: bool = False  # the appeals counted on the unit looked at itself (members attached to it)

    @property
    def drillable(self) -> bool:
        """Whether the dashboard can be opened on this unit (every unit listed but the one looked at)."""
        return not self.is_self


@dataclass
class CategoryVolume:
    code: str
    label: str
    weekly: list[int]

    @property
    def total(self) -> int:
        return sum(self.weekly)


@dataclass
class Dashboard:
    unit: OrgUnit
    roots: list[OrgUnit]
    trail: list[OrgUnit]  # from the viewer's scope root down to ``unit``'s parent
    weeks: list[datetime.date]
    period: int
    categories: list[CategoryVolume]
    units: list[UnitVolume]
    alerts: list[SignalAlert]
    words: list[tuple[str, int]]
    more_units: bool = False
    total: int = 0
    unseen: int = field(default=0)

    def line_chart(self) -> dict:
        shown = [c for c in self.categories if c.total]
        return {
            "type": "line",
            "labels": [w.strftime("%m-%d") for w in self.weeks],
            "series": [{"name": c.label, "values": c.weekly} for c in shown],
        }

    def unit_chart(self) -> dict:
        rows = [u for u in self.units if u.total][:20]
        return {
            "type": "bar",
            "labels": [u.unit.name for u in rows],
            "ids": [u.unit.pk if u.drillable else None for u in rows],
            "series": [{"name": "", "values": [u.total for u in rows]}],
        }


def may_view_signals(viewer) -> bool:
    return bool(scope_roots(viewer, VIEW_SIGNALS))


def _chosen_unit(viewer, unit_id: int | None) -> tuple[OrgUnit, list[OrgUnit], str]:
    roots = scope_roots(viewer, VIEW_SIGNALS)
    if not roots:
        raise PermissionRefused(VIEW_SIGNALS)
    q = Q(path__in=roots) | Q(pk=unit_id) if unit_id else Q(path__in=roots)
    units = list(OrgUnit.objects.filter(q).order_by("path"))
    root_units = [u for u in units if u.path in roots]
    chosen = next((u for u in units if u.pk == unit_id), None) if unit_id else root_units[0]
    if chosen is None:
        raise OutOfScope()
    top = next((r for r in roots if chosen.path.startswith(r)), None)
    if top is None or chosen.kind == OrgUnit.Kind.GROUP:
        raise OutOfScope()
    return chosen, root_units, top


def signal_alert_for(viewer, pk: int) -> SignalAlert:
    """One alert the viewer may see (403 without the permission anywhere, 404 outside the scope)."""
    roots = scope_roots(viewer, VIEW_SIGNALS)
    if not roots:
        raise PermissionRefused(VIEW_SIGNALS)
    alert = SignalAlert.objects.filter(paths_scope_q(roots), pk=pk).select_related("branch").first()
    if alert is None:
        raise OutOfScope()
    return alert


def signals_dashboard(
    viewer, *, unit_id: int | None = None, weeks: int = DEFAULT_WEEKS, today: datetime.date | None = None
) -> Dashboard:
    """The dashboard of ``unit_id`` (the viewer's first scope root when None) over ``weeks`` weeks up to
    and including ``today``'s week. Seven queries, whatever the number of units, appeals or alerts."""
    weeks = weeks if weeks in PERIODS else DEFAULT_WEEKS
    today = today or timezone.localdate()
    chosen, root_units, top = _chosen_unit(viewer, unit_id)
    first = week_start(today) - (weeks - 1) * WEEK
    week_list = [first + i * WEEK for i in range(weeks)]
    end = week_list[-1] + WEEK
    scope = paths_scope_q([chosen.path])
    broken_down = chosen.kind in BROKEN_DOWN

    # The trail above the chosen unit and the units just below it, in one query.
    trail_paths = [p for p in ancestor_paths(chosen.path)[:-1] if len(p) >= len(top)]
    near = Q(path__in=trail_paths)
    if broken_down:
        near |= paths_scope_q([chosen.path], "path") & Q(depth=chosen.depth + 1)
    nearby = list(OrgUnit.objects.filter(near).order_by("path")) if (trail_paths or broken_down) else []
    trail = [u for u in nearby if u.path in trail_paths]
    children = [u for u in nearby if u.path not in trail_paths]

    # Volumes by week and category, then by the unit just below: two queries of a few hundred rows each.
    volumes = AppealVolume.objects.filter(week__gte=first, week__lt=end)
    index = {w: i for i, w in enumerate(week_list)}
    by_category: dict[str, list[int]] = {code: [0] * weeks for code in AppealCategory.values}
    for week, category, n in volumes.filter(unit_path=chosen.path).values_list("week", "category", "count"):
        if week in index and category in by_category:
            by_category[category][index[week]] += n
    categories = [CategoryVolume(code, str(label), by_category[code]) for code, label in AppealCategory.choices]
    total = sum(c.total for c in categories)

    if broken_down:
        below = volumes.filter(parent_path=chosen.path, category="").values("unit_path").annotate(n=Sum("count"))
        by_unit = {row["unit_path"]: row["n"] for row in below.order_by()}
        # The busiest units below first, whatever their number (a federation has thousands of unions).
        units = [UnitVolume(u, by_unit.get(u.path, 0)) for u in children]
        own = total - sum(by_unit.values())  # appeals counted on the unit itself (members attached to it)
        if own > 0:
            units.append(UnitVolume(chosen, own, is_self=True))
        units.sort(key=lambda u: (-u.total, u.unit.path))
        units = units[:MAX_UNITS]
    else:
        units = [UnitVolume(chosen, total, is_self=True)]

    alerts = list(
        SignalAlert.objects.filter(scope, week_start__gte=first)
        .select_related("branch", "seen_by")
        .order_by(F("seen_at").asc(nulls_first=True), "-week_start", "unit_path", "category")[:MAX_ALERTS]
    )
    words = [
        (r["word"], r["n"])
        for r in TopicVolume.objects.filter(unit_path=chosen.path, month__gte=first.replace(day=1), month__lt=end)
        .values("word")
        .annotate(n=Sum("count"))
        .order_by("-n", "word")[:TOP_WORDS]
    ]
    return Dashboard(
        unit=chosen,
        roots=root_units,
        trail=trail,
        weeks=week_list,
        period=weeks,
        categories=categories,
        units=units,
        alerts=alerts,
        words=words,
        more_units=len(children) > MAX_UNITS,
        total=total,
        unseen=sum(1 for a in alerts if a.seen_at is None),
    )
