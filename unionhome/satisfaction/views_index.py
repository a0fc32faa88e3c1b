"""The cadres' satisfaction dashboard, /satisfaction/index/ (``satisfaction.view_index``): a unit's index in a
period with its interval and the change against the period before, its trend, the units just below (drill
down by ``?unit=``), its service lines lowest first and the newest comments of its lowest ratings.

Every figure comes from ``index_reads`` / ``index_comments`` (scoped there, small groups suppressed there), so
the page reads a fixed number of queries whatever the number of units or ratings. Charts get their data only
through ``json_script``; the same figures are in the tables beside them.
"""

import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.home.params import id_param
from unionhome.satisfaction.index_comments import low_comments
from unionhome.satisfaction.index_figures import Figure
from unionhome.satisfaction.index_math import Comparison
from unionhome.satisfaction.index_reads import UnitIndex, index_trend, unit_index, units_below, unknown_line_error
from unionhome.satisfaction.periods import Period
from unionhome.satisfaction.service_lines import service_line_spec, service_lines

TREND_LENGTH = {"month": 12, "quarter": 8}
CHOICES = (("month", 12), ("quarter", 8), ("year", 3))


def period_choices(today: datetime.date) -> list[Period]:
    """The periods offered: the last 12 months, 8 quarters and 3 years, newest first within each kind."""
    return [p for kind, n in CHOICES for p in reversed(Period.last(kind, n, today))]


def chosen_period(text: str | None, today: datetime.date) -> tuple[Period, str | None]:
    """The period asked for (default: this quarter), with an error message when ``text`` was not one."""
    default = Period.containing("quarter", today)
    if not text:
        return default, None
    try:
        return Period.parse(text), None
    except ValueError as exc:
        return default, str(exc)


def chosen_line(code: str | None) -> tuple[str | None, str | None]:
    if not code:
        return None, None
    if service_line_spec(code) is None:
        return None, unknown_line_error(code)
    return code, None


def _rounded(figure: Figure) -> float | None:
    return round(figure.index, 1) if figure.index is not None else None


def gauge_chart(figure: Figure, label: str) -> dict:
    return {"type": "gauge", "value": _rounded(figure), "label": label}


def trend_chart(trend) -> dict:
    return {
        "type": "line",
        "labels": [p.period.label() for p in trend.points],
        "series": [{"name": _("Satisfaction index"), "values": [_rounded(p.figure) for p in trend.points]}],
    }


def units_chart(below) -> dict:
    shown = [u for u in below.units if u.figure.index is not None]
    return {
        "type": "bar",
        "labels": [_("%(unit)s itself") % {"unit": u.unit.name} if u.is_self else u.unit.name for u in shown],
        "series": [{"name": _("Satisfaction index"), "values": [_rounded(u.figure) for u in shown]}],
        "ids": [None if u.is_self else u.unit.pk for u in shown],
    }


def change_text(index: UnitIndex) -> str:
    """The change against the period before, in words: by how much, and whether it is significant."""
    before, c = index.previous_period, index.comparison
    if before is None:
        return _("There is no period before this one to compare with.")
    if c is None or c.difference is None:
        if index.overall.index is None:
            return _("No comparison: this period's index is not shown.")
        if index.previous.suppressed:
            return _("No comparison: %(period)s has fewer than %(k)s answers.") % {
                "period": before.label(),
                "k": index.min_group,
            }
        return _("No comparison: %(period)s has no answers.") % {"period": before.label()}
    points = _("%(difference)s points against %(period)s.") % {
        "difference": f"{c.difference:+.1f}",
        "period": before.label(),
    }
    return f"{points} {significance_text(c)}"


def significance_text(c: Comparison) -> str:
    if c.significant and c.drop:
        return _("A significant drop (p < 0.05).")
    if c.significant:
        return _("A significant rise (p < 0.05).")
    return _("Not significant: the difference may be chance.")


def lowest_first(lines):
    """Service lines shown by index, lowest first; then the suppressed; then those without answers."""

    def key(line):
        figure = line.current
        if figure.index is not None:
            return (0, figure.index, line.label)
        return (1 if figure.suppressed else 2, 0.0, line.label)

    return sorted(lines, key=key)


@login_required
def dashboard(request):
    viewer = request.user
    raw_unit = request.GET.get("unit")
    unit_id = id_param(raw_unit)
    if raw_unit and unit_id is None:
        raise Http404(_("There is no such unit."))
    today = timezone.localdate()
    period, period_error = chosen_period(request.GET.get("period"), today)
    line, line_error = chosen_line(request.GET.get("line"))
    kind = "month" if period.kind == "month" else "quarter"
    trend_end = min(period.end - datetime.timedelta(days=1), today)

    index = unit_index(viewer, unit_id=unit_id, period=period, service_line=line)
    trend = index_trend(
        viewer, unit_id=index.unit.pk, kind=kind, periods=TREND_LENGTH[kind], service_line=line, today=trend_end
    )
    below = units_below(viewer, unit_id=index.unit.pk, period=period, service_line=line)
    comments = low_comments(viewer, unit_id=index.unit.pk, period=period, service_line=line)

    keep = {"period": str(period), **({"line": line} if line else {})}
    choices = period_choices(today)
    context = {
        "index": index,
        "trend": trend,
        "below": below,
        "comments": comments,
        "lines": lowest_first(index.lines),
        "change": change_text(index),
        "period": period,
        "line": line,
        "errors": [e for e in (period_error, line_error) if e],
        "choices": choices if period in choices else [period, *choices],
        "service_lines": service_lines(),
        "keep": urlencode(keep),
        "drill_url": reverse("satisfaction:index"),
        "gauge_chart": gauge_chart(index.overall, _("Satisfaction index")),
        "trend_chart": trend_chart(trend),
        "units_chart": units_chart(below),
    }
    return render(request, "satisfaction/index/dashboard.html", context)
