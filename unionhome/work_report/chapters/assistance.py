"""Help for workers in hardship: the Hardship Assistance Centre's own report (``assistance/selectors/reports.py``,
nine queries whatever the data), shown through its own tables (``assistance/report_tables.py``): the key figures,
assistance by kind with the money paid, follow-ups and their effectiveness, and visits. Counts and sums only.
Needs ``assistance.view_reports`` on the unit besides the report's gate."""

from django.utils.translation import gettext as _

from unionhome.access.policy import can
from unionhome.assistance.report_tables import report_sections
from unionhome.assistance.selectors.reports import report_for
from unionhome.org.models import OrgUnit
from unionhome.work_report.chapters.base import Chapter, ReportYear
from unionhome.work_report.charts_svg import bar_chart

PERMISSION = "assistance.view_reports"
SECTIONS = ("summary", "assistance", "follow_ups", "visits")


def assistance_chapter(viewer, unit: OrgUnit, period: ReportYear) -> Chapter:
    title = _("Help for workers in hardship")
    if not can(viewer, PERMISSION, unit):
        return Chapter("assistance", title, allowed=False)
    report = report_for(viewer, unit, period.year, today=period.today)
    sections = {section.key: section for section in report_sections(report)}
    tables = [table for key in SECTIONS for table in sections[key].tables]
    kinds = report.assistance.by_kind
    labels = [r.label for r in kinds]
    charts = [
        bar_chart(_("Assistance money paid by kind (yuan)"), labels, [float(r.amount) for r in kinds]),
        bar_chart(_("Assistance delivered by kind"), labels, [r.count for r in kinds]),
    ]
    return Chapter("assistance", title, tables=tables, charts=charts)
