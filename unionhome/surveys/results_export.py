"""A survey's results as an Excel workbook: the summary, the breakdown by branch and the raw answers.

* "Summary": the survey, its response rate, and per question the figures of the results page
  (``results.survey_results``), a question with fewer than k respondents showing only "fewer than k answers";
* "By unit": the breakdown of ``results_breakdown`` under the survey's unit, suppressed the same way;
* "Raw answers": one row per response (``results_raw``: named with the member only where the viewer may see them;
  anonymous without member, time or id, in random order, units at branch level with k or more responses).

While the survey has fewer than k responses the workbook holds the counts and nothing else. Each export is an
audit event (``surveys.results.exported``) with the rows written and how many named a member.
"""

import datetime
import tempfile
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from unionhome.audit.recorder import record
from unionhome.surveys.models import Survey
from unionhome.surveys.results import SurveyResults, survey_results
from unionhome.surveys.results_breakdown import Breakdown, survey_breakdown
from unionhome.surveys.results_raw import raw_sheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class ResultsExport:
    file: IO[bytes]  # at position 0; an anonymous temporary file, gone once closed
    filename: str
    rows: int


def fewer_than(k: int) -> str:
    return _("fewer than %(k)s answers") % {"k": k}


def _cell(sheet, value: Any, *, bold: bool = False) -> Any:
    """A value for the sheet; text starting with "=" stays text instead of becoming a formula."""
    if not bold and not (isinstance(value, str) and value.startswith("=")):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _append(sheet, values, *, bold: bool = False) -> None:
    sheet.append([_cell(sheet, v, bold=bold) for v in values])


def _round(value: float | None, digits: int = 1) -> float | None:
    return round(value, digits) if value is not None else None


def _summary(sheet, results: SurveyResults) -> None:
    survey, rate, k = results.survey, results.rate, results.min_group
    _append(sheet, [survey.title], bold=True)
    _append(sheet, [_("Responses"), results.responses])
    _append(sheet, [_("Invited"), rate.invited])
    _append(sheet, [_("Response rate (%)"), _round(rate.rate * 100 if rate.rate is not None else None)])
    _append(sheet, [_("Smallest group shown"), k])
    if not results.shown:
        _append(sheet, [_("Fewer than %(k)s responses: no result is shown yet.") % {"k": k}])
        return
    _append(sheet, [])
    _append(
        sheet,
        [
            _("No."),
            _("Survey question"),
            _("Number of answers"),
            _("Option or score"),
            _("Count"),
            _("Share (%)"),
            _("Mean"),
            _("Index"),
            _("95 %% interval") % {},
        ],
        bold=True,
    )
    for r in results.questions:
        head = [r.question.position, r.question.text, r.n]
        if r.suppressed:
            _append(sheet, [*head, fewer_than(k)])
            continue
        for share in r.options:
            _append(sheet, [*head, share.label, share.count, _round(share.share * 100)])
        scores = [("", r.score)] if r.score else [(f"{i.label}: ", i.score) for i in r.items]
        for prefix, score in scores:
            for share in score.distribution:
                _append(sheet, [*head, f"{prefix}{share.label}", share.count, _round(share.share * 100)])
            e = score.estimate
            interval = f"{e.ci_low:.1f}–{e.ci_high:.1f}" if e.ci_low is not None else ""
            mean = _round(score.mean, 2)
            _append(sheet, [*head, f"{prefix}{_('all scores')}", score.n, None, mean, _round(e.index), interval])
        if r.nps:
            _append(sheet, [*head, _("NPS"), None, None, None, _round(r.nps.nps)])
        if r.question.kind == "text":
            _append(sheet, [*head, _("texts: see the sheet of answers"), r.n])


def _breakdown(sheet, breakdown: Breakdown) -> None:
    k = breakdown.min_group
    if not breakdown.shown:
        _append(sheet, [_("Fewer than %(k)s responses: no result is shown yet.") % {"k": k}])
        return
    _append(sheet, [_("Unit"), _("Responses"), *(m.label for m in breakdown.measures)], bold=True)
    _append(sheet, ["", "", *(_measure_kind(m.kind) for m in breakdown.measures)])

    def value(cell) -> Any:
        if cell.suppressed:
            return fewer_than(k)
        return _round(cell.value) if cell.value is not None else None

    for row in [breakdown.total, *breakdown.rows]:
        name = _("%(unit)s itself") % {"unit": row.unit.name} if row.is_self else row.unit.name
        if row is breakdown.total:
            name = _("All of %(unit)s") % {"unit": row.unit.name}
        responses = fewer_than(k) if row.responses.suppressed else row.responses.n
        _append(sheet, [name, responses, *(value(row.cells[m.key]) for m in breakdown.measures)])


def _measure_kind(kind: str) -> str:
    return {"index": _("index 0–100"), "nps": _("NPS"), "share": _("share (%)")}[kind]


def results_export(*, actor, survey: Survey) -> ResultsExport:
    """Write the workbook of ``survey`` (the caller checked the viewer may read its results) and audit it."""
    results = survey_results(survey)
    breakdown = survey_breakdown(survey, total_responses=results.responses)
    workbook = Workbook(write_only=True)
    _summary(workbook.create_sheet(title=_("Summary")[:31]), results)
    _breakdown(workbook.create_sheet(title=_("By unit")[:31]), breakdown)
    rows = named = 0
    if results.shown:
        raw = raw_sheet(actor, survey, {r.question.pk: r.n for r in results.questions})
        sheet = workbook.create_sheet(title=_("Raw answers")[:31])
        _append(sheet, raw.header, bold=True)
        for row in raw.rows:
            _append(sheet, row)
        rows, named = len(raw.rows), raw.named_rows
    output = tempfile.TemporaryFile()
    try:
        workbook.save(output)
        output.seek(0)
        with transaction.atomic():
            record(actor, "surveys.results.exported", survey, format="xlsx", rows=rows, named=named)
    except BaseException:
        output.close()
        raise
    return ResultsExport(output, f"survey-{survey.pk}-results-{datetime.date.today():%Y%m%d}.xlsx", rows)
