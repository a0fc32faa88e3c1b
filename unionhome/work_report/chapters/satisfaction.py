"""The satisfaction chapter: the year's satisfaction index of the unit with its n and 95 % interval and the change
from the year before in words (``index_reads.unit_index``), the index per service line lowest first, per quarter
(``index_reads.index_trend``), the units just below at the top and the bottom (``index_reads.units_below``),
and the surveys closed in the year with the published "you said, we did" actions (``satisfaction_surveys.py``).

Every figure comes from ``index_reads`` and obeys its rule (``index_figures.py``): a group with fewer than k answers
shows "fewer than k" and its n, never an index, an interval or a comparison. Eleven queries at most, whatever the
number of ratings, units or surveys.
"""

from django.utils.translation import gettext as _

from unionhome.org.models import OrgUnit
from unionhome.satisfaction.index_figures import Figure
from unionhome.satisfaction.index_reads import index_trend, unit_index, units_below
from unionhome.satisfaction.index_words import change_text, lowest_first, significance_text
from unionhome.satisfaction.periods import Period
from unionhome.work_report.chapters.base import Chapter, ReportYear, Table
from unionhome.work_report.chapters.satisfaction_surveys import feedback_table, survey_table
from unionhome.work_report.charts_svg import bar_chart, line_chart

TOP_AND_BOTTOM = 5
MAX_SUPPRESSED_NAMED = 20


def rounded(figure: Figure) -> float | None:
    return round(figure.index, 1) if figure.index is not None else None


def figure_cells(figure: Figure, k: int) -> list:
    """[index, interval low, interval high, n]: numbers when shown, "fewer than k" when suppressed."""
    estimate = figure.estimate
    if estimate is not None:
        low = round(estimate.ci_low, 1) if estimate.ci_low is not None else "—"
        high = round(estimate.ci_high, 1) if estimate.ci_high is not None else "—"
        return [rounded(figure), low, high, figure.n]
    if figure.suppressed:
        return [fewer_than(k), "—", "—", figure.n]
    return [_("No answers"), "—", "—", 0]


def fewer_than(k: int) -> str:
    return _("Fewer than %(k)s answers") % {"k": k}


def headline(figure: Figure, year: int, k: int) -> str:
    estimate = figure.estimate
    if estimate is None:
        if figure.suppressed:
            return _("Satisfaction index %(year)s: not shown, fewer than %(k)s answers.") % {"year": year, "k": k}
        return _("Satisfaction index %(year)s: no answers.") % {"year": year}
    if estimate.ci_low is None or estimate.ci_high is None:
        return _("Satisfaction index %(year)s: %(index).1f (n = %(n)s).") % {
            "year": year,
            "index": estimate.index,
            "n": figure.n,
        }
    return _("Satisfaction index %(year)s: %(index).1f (95 %% interval %(low).1f–%(high).1f, n = %(n)s).") % {
        "year": year,
        "index": estimate.index,
        "low": estimate.ci_low,
        "high": estimate.ci_high,
        "n": figure.n,
    }


def satisfaction_chapter(viewer, unit: OrgUnit, period: ReportYear) -> Chapter:
    year = Period("year", period.start)  # the same year, as a period of the index
    index = unit_index(viewer, unit_id=unit.pk, period=year)
    trend = index_trend(viewer, unit_id=unit.pk, kind="quarter", periods=4, today=period.end)
    below = units_below(viewer, unit_id=unit.pk, period=year)
    k = index.min_group
    columns = [_("Index"), _("Interval low"), _("Interval high"), _("Answers")]
    change = index.comparison
    overall = Table(
        _("Satisfaction index of the year"),
        [_("Period"), *columns, _("Change (points)"), _("Significance")],
        [
            [
                year.label(),
                *figure_cells(index.overall, k),
                round(change.difference, 1) if change and change.difference is not None else "—",
                significance_text(change) if change and change.difference is not None else "—",
            ],
            [
                index.previous_period.label() if index.previous_period else "—",
                *figure_cells(index.previous, k),
                "—",
                "—",
            ],
        ],
    )
    lines = lowest_first(index.lines)
    by_line = Table(
        _("Satisfaction index by service line, lowest first"),
        [_("Service line"), *columns],
        [[line.label, *figure_cells(line.current, k)] for line in lines],
    )
    by_quarter = Table(
        _("Satisfaction index by quarter"),
        [_("Quarter"), *columns, _("Change from the quarter before (points)")],
        [
            [
                p.period.label(),
                *figure_cells(p.figure, k),
                round(p.comparison.difference, 1) if p.comparison and p.comparison.difference is not None else "—",
            ]
            for p in trend.points
        ],
    )
    tables = [overall, by_line, by_quarter, *_unit_tables(below, k)]
    tables.append(survey_table(unit, period))
    feedback = feedback_table(unit, period)
    if feedback is not None:
        tables.append(feedback)
    shown_lines = [line for line in lines if line.current.index is not None]
    charts = [
        bar_chart(
            _("Satisfaction index by service line"),
            [line.label for line in shown_lines],
            [rounded(line.current) for line in shown_lines],
            maximum=100,
        ),
        line_chart(
            _("Satisfaction index by quarter"),
            [p.period.label() for p in trend.points],
            [rounded(p.figure) for p in trend.points],
        ),
    ]
    notes = [headline(index.overall, period.year, k), change_text(index)]
    return Chapter("satisfaction", _("Workers' satisfaction"), tables=tables, notes=notes, charts=charts)


def _unit_tables(below, k: int) -> list[Table]:
    """The units just below: the best and the lowest (all of them when few), and those with fewer than k answers."""
    shown = [u for u in below.units if u.figure.index is not None]
    held = [u for u in below.units if u.figure.suppressed]

    def name(u) -> str:
        return _("%(unit)s itself") % {"unit": u.unit.name} if u.is_self else u.unit.name

    columns = [_("Unit"), _("Index"), _("Interval low"), _("Interval high"), _("Answers")]
    if len(shown) <= 2 * TOP_AND_BOTTOM:
        tables = [Table(_("Units below, best first"), columns, [[name(u), *figure_cells(u.figure, k)] for u in shown])]
    else:
        top, bottom = shown[:TOP_AND_BOTTOM], shown[::-1][:TOP_AND_BOTTOM]
        tables = [
            Table(_("Units below: the best"), columns, [[name(u), *figure_cells(u.figure, k)] for u in top]),
            Table(_("Units below: the lowest"), columns, [[name(u), *figure_cells(u.figure, k)] for u in bottom]),
        ]
    rows = [[name(u), fewer_than(k)] for u in held[:MAX_SUPPRESSED_NAMED]]
    if len(held) > MAX_SUPPRESSED_NAMED:
        rows.append([_("%(n)s more units") % {"n": len(held) - MAX_SUPPRESSED_NAMED}, fewer_than(k)])
    tables.append(Table(_("Units below with too few answers to show"), [_("Unit"), _("Index")], rows))
    return tables
