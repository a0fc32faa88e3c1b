"""The cadres' satisfaction dashboard, /satisfaction/index/ (``satisfaction.view_index``): a unit's index in a
period with its interval and the change against the period before (a gauge), its trend, the units just below
(drill down by ``?unit=``) and their heat map over the last months or quarters, the drivers of overall
satisfaction from the latest survey reaching the unit, the open first-signal alerts (marked seen by a POST to
the same address), its service lines lowest first and the newest comments of its lowest ratings.

Every figure comes from ``index_reads`` / ``index_comments`` (scoped there, small groups suppressed there), so
the page reads a fixed number of queries whatever the number of units or ratings. Charts get their data only
through ``json_script``; the same figures are in the tables beside them.
"""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.home.params import id_param
from unionhome.satisfaction.alert_reads import alert_for
from unionhome.satisfaction.alerts import alert_mark_seen
from unionhome.satisfaction.index_alerts import alert_rows, open_alerts
from unionhome.satisfaction.index_charts import drivers_by_quadrant, drivers_chart, heatmap_chart
from unionhome.satisfaction.index_comments import low_comments
from unionhome.satisfaction.index_drivers import unit_drivers
from unionhome.satisfaction.index_figures import Figure
from unionhome.satisfaction.index_heatmap import MAX_ROWS as HEATMAP_MAX_ROWS
from unionhome.satisfaction.index_heatmap import units_heatmap
from unionhome.satisfaction.index_reads import index_trend, unit_index, units_below, unknown_line_error
from unionhome.satisfaction.index_words import change_text, lowest_first
from unionhome.satisfaction.periods import Period
from unionhome.satisfaction.service_lines import service_line_spec, service_lines

TREND_LENGTH = {"month": 12, "quarter": 8}
HEATMAP_COLUMNS = 6
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


UNITS_EACH_END = 15  # with more units below than twice this, the page lists the best and the lowest ones


def units_chart(rows: list) -> dict:
    shown = [u for u in rows if u.figure.index is not None]
    return {
        "type": "bar",
        "labels": [_("%(unit)s itself") % {"unit": u.unit.name} if u.is_self else u.unit.name for u in shown],
        "series": [{"name": _("Satisfaction index"), "values": [_rounded(u.figure) for u in shown]}],
        "ids": [None if u.is_self else u.unit.pk for u in shown],
    }


def mark_seen(request):
    """POST ``alert``: mark that alert seen (403 without the permission, 404 outside the scope), then back to
    the dashboard as it was."""
    alert_id = id_param(request.POST.get("alert"))
    if alert_id is None:
        raise Http404(_("There is no such alert."))
    alert = alert_mark_seen(actor=request.user, alert=alert_for(request.user, alert_id))
    messages.success(request, _("The alert on %(unit)s was marked seen.") % {"unit": alert.unit.name})
    query = request.GET.urlencode()
    return redirect(f"{reverse('satisfaction:index')}{'?' + query if query else ''}#alerts")


@login_required
def dashboard(request):
    if request.method == "POST":
        return mark_seen(request)
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
    below = units_below(viewer, unit_id=index.unit.pk, period=period, service_line=line, each_end=UNITS_EACH_END)
    comments = low_comments(viewer, unit_id=index.unit.pk, period=period, service_line=line)
    heatmap = units_heatmap(
        viewer, unit_id=index.unit.pk, kind=kind, columns=HEATMAP_COLUMNS, service_line=line, today=trend_end
    )
    drivers = unit_drivers(index.unit)

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
        "units_rows": below.units,
        "units_left": below.total - len(below.units),
        "units_each_end": UNITS_EACH_END,
        "units_chart": units_chart(below.units),
        "heatmap": heatmap,
        "heatmap_max_rows": HEATMAP_MAX_ROWS,
        "heatmap_chart": heatmap_chart(heatmap),
        "heatmap_height": 90 + 36 * len(heatmap.rows),
        "drivers": drivers,
        "drivers_table": drivers_by_quadrant(drivers.analysis) if drivers.analysis else [],
        "drivers_chart": drivers_chart(drivers.analysis) if drivers.analysis and drivers.analysis.drivers else None,
        "alerts": alert_rows(open_alerts(index.unit)),
    }
    return render(request, "satisfaction/index/dashboard.html", context)
