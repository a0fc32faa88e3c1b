"""The union chapter: members at the end of the year, joined and left in it, and the units, for a unit's subtree.

Four queries whatever the number of members: the members (grouped by the unit just below the one reported on),
the departures of the year (grouped likewise and by what the member became), the units below by kind, and the
names of the units just below.

Definitions: *joined* — date joined in the year; *left* — a status change from active to retired, left or
transferred, effective in the year; *at year end* — joined by 31 December and either active now or departed
after 31 December (a member who left and came back counts as active).
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from unionhome.access.policy import can
from unionhome.org.models import Member, MemberStatusChange, OrgUnit
from unionhome.work_report.chapters.base import Chapter, ReportYear, Table
from unionhome.work_report.charts_svg import bar_chart

PERMISSION = "org.view_tree"
ACTIVE = Member.Status.ACTIVE
CHART_UNITS = 20


@dataclass
class UnitRow:
    label: str
    at_end: int = 0
    joined: int = 0
    left: int = 0


@dataclass
class MembershipFigures:
    at_end: int = 0
    joined: int = 0
    left: int = 0
    left_by_status: dict[str, int] = field(default_factory=dict)
    units_by_kind: dict[str, int] = field(default_factory=dict)
    by_unit: list[UnitRow] = field(default_factory=list)


def membership_figures(unit: OrgUnit, period: ReportYear) -> MembershipFigures:
    figures = MembershipFigures()
    child = Substr("unit_path", 1, (unit.depth + 1) * OrgUnit.steplen)
    departed_after = MemberStatusChange.objects.filter(
        member_id=OuterRef("pk"), old_status=ACTIVE, effective_on__gt=period.end
    ).exclude(new_status=ACTIVE)
    at_end = Q(joined_on__lte=period.end) & (Q(status=ACTIVE) | Exists(departed_after))
    rows: dict[str, UnitRow] = {}
    members = (
        Member.objects.filter(unit_path__prefix=unit.path)
        .values(child=child)
        .annotate(
            at_end=Count("id", filter=at_end),
            joined=Count("id", filter=Q(joined_on__gte=period.start, joined_on__lte=period.end)),
        )
        .order_by()
    )
    for row in members:
        unit_row = rows.setdefault(row["child"], UnitRow(""))
        unit_row.at_end, unit_row.joined = row["at_end"], row["joined"]
        figures.at_end += row["at_end"]
        figures.joined += row["joined"]
    departures = (
        MemberStatusChange.objects.filter(
            member__unit_path__prefix=unit.path,
            old_status=ACTIVE,
            effective_on__gte=period.start,
            effective_on__lte=period.end,
        )
        .exclude(new_status=ACTIVE)
        .values("new_status", child=Substr("member__unit_path", 1, (unit.depth + 1) * OrgUnit.steplen))
        .annotate(n=Count("member_id", distinct=True))
        .order_by()
    )
    for row in departures:
        figures.left += row["n"]
        figures.left_by_status[row["new_status"]] = figures.left_by_status.get(row["new_status"], 0) + row["n"]
        rows.setdefault(row["child"], UnitRow("")).left += row["n"]
    below = OrgUnit.objects.filter(path__prefix=unit.path, depth__gt=unit.depth).values("kind").annotate(n=Count("id"))
    figures.units_by_kind = {row["kind"]: row["n"] for row in below.order_by()}
    children = OrgUnit.objects.filter(path__prefix=unit.path, depth=unit.depth + 1).order_by("path")
    for child_unit in children.only("id", "name", "path"):
        row = rows.pop(child_unit.path, None) or UnitRow("")
        row.label = child_unit.name
        figures.by_unit.append(row)
    own = rows.pop(unit.path, None)
    if figures.by_unit and own is not None and (own.at_end or own.joined or own.left):
        own.label = _("Directly in %(unit)s") % {"unit": unit.name}
        figures.by_unit.insert(0, own)
    return figures


def membership_chapter(viewer, unit: OrgUnit, period: ReportYear) -> Chapter:
    title = _("The union and its members")
    if not can(viewer, PERMISSION, unit):
        return Chapter("membership", title, allowed=False)
    f = membership_figures(unit, period)
    figure, value = _("Figure"), _("Value")
    statuses = dict(Member.Status.choices)
    tables = [
        Table(
            _("Members"),
            [figure, value],
            [
                [_("Members at the end of the year"), f.at_end],
                [_("Joined in the year"), f.joined],
                [_("Left in the year"), f.left],
            ],
        ),
        Table(
            _("Departures by what the member became"),
            [_("Status"), _("Members")],
            [[str(statuses.get(code, code)), n] for code, n in sorted(f.left_by_status.items())],
        ),
        Table(
            _("Units below this one"),
            [_("Kind"), _("Units")],
            [[str(label), f.units_by_kind.get(code, 0)] for code, label in OrgUnit.Kind.choices],
        ),
    ]
    charts = []
    if f.by_unit:
        tables.append(
            Table(
                _("Members by unit"),
                [_("Unit"), _("Members at the end of the year"), _("Joined in the year"), _("Left in the year")],
                [[row.label, row.at_end, row.joined, row.left] for row in f.by_unit],
            )
        )
        largest = sorted(f.by_unit, key=lambda r: -r.at_end)[:CHART_UNITS]  # a federation has hundreds of unions
        charts.append(
            bar_chart(
                _("Members at the end of the year, by unit"), [r.label for r in largest], [r.at_end for r in largest]
            )
        )
    return Chapter("membership", title, tables=tables, charts=charts)
