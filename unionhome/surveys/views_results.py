"""The results of a survey for cadres with ``satisfaction.manage_surveys`` or ``satisfaction.view_index`` on its
unit: ``/surveys/manage/<id>/results/`` (charts, texts, the breakdown by unit with a unit picker, the drivers),
its live response rate as JSON (polled every 30 s by ``static/js/survey-results.js`` while the survey is open)
and the Excel export ``/surveys/manage/<id>/results.xlsx``.

Every figure comes from ``results`` / ``results_breakdown`` (suppressed there); charts get their data only
through ``json_script`` and the same figures are in the page's text and tables.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from unionhome.access.policy import OutOfScope
from unionhome.home.params import id_param
from unionhome.satisfaction.index_charts import drivers_by_quadrant, drivers_chart
from unionhome.surveys.drivers_read import survey_drivers, unit_drivers_shown
from unionhome.surveys.results import results_survey, survey_results
from unionhome.surveys.results_breakdown import survey_breakdown
from unionhome.surveys.results_charts import question_chart
from unionhome.surveys.results_export import XLSX_CONTENT_TYPE, results_export
from unionhome.surveys.selectors import response_rate


def rate_json(rate) -> dict:
    return {
        "invited": rate.invited,
        "responded": rate.responded,
        "rate": round(rate.rate, 4) if rate.rate is not None else None,
        "percent": f"{rate.rate * 100:.1f}" if rate.rate is not None else "—",
    }


def unit_drivers(survey, breakdown):
    """The drivers of the chosen unit below the survey's, only when its own figures are all shown."""
    if breakdown.total is None or breakdown.unit.pk == survey.unit_id:
        return None
    return unit_drivers_shown(survey, breakdown.unit, breakdown=breakdown)


@login_required
@require_GET
def results_page(request, pk: int):
    survey = results_survey(request.user, pk)
    errors = []
    raw_unit = request.GET.get("unit")
    unit_id = id_param(raw_unit)
    if raw_unit and unit_id is None:
        errors.append(_("There is no such unit in this survey's audience."))
    results = survey_results(survey)
    try:
        breakdown = survey_breakdown(survey, unit_id=unit_id, total_responses=results.responses)
    except OutOfScope as exc:
        errors.append(str(exc))
        breakdown = survey_breakdown(survey, total_responses=results.responses)
    drivers = survey_drivers(survey) if results.shown else None
    chosen_drivers = unit_drivers(survey, breakdown) if results.shown else None
    context = {
        "survey": survey,
        "results": results,
        "rate": results.rate,
        "rate_percent": rate_json(results.rate)["percent"],
        "questions": [(r, question_chart(r), f"results-q{r.question.pk}") for r in results.questions],
        "breakdown": breakdown,
        "errors": errors,
        "drivers": drivers,
        "drivers_chart": drivers_chart(drivers) if drivers else None,
        "drivers_table": drivers_by_quadrant(drivers) if drivers else [],
        "unit_drivers": chosen_drivers,
        "unit_drivers_chart": drivers_chart(chosen_drivers) if chosen_drivers else None,
        "unit_drivers_table": drivers_by_quadrant(chosen_drivers) if chosen_drivers else [],
    }
    return render(request, "surveys/results/page.html", context)


@login_required
@require_GET
def results_rate(request, pk: int):
    """The live response rate (two queries after the permission check)."""
    survey = results_survey(request.user, pk)
    return JsonResponse(rate_json(response_rate(survey)))


@login_required
@require_GET
def results_xlsx(request, pk: int):
    survey = results_survey(request.user, pk)
    export = results_export(actor=request.user, survey=survey)
    return FileResponse(export.file, as_attachment=True, filename=export.filename, content_type=XLSX_CONTENT_TYPE)
