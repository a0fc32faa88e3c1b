"""The dashboard's driver analysis: which survey it comes from, and its drivers for the unit looked at.

The survey is the latest closed one with an overall question that was run by the unit looked at or a unit
above it and whose audience reaches the unit (an audience unit at, above or below it). Its answers are read
for the unit's subtree only (``surveys.drivers_read.survey_drivers``), which says None with too few
respondents there. Three queries besides those of ``survey_drivers``.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from unionhome.access.scope import paths_scope_q
from unionhome.org.models import OrgUnit, ancestor_paths
from unionhome.satisfaction.drivers import DriverAnalysis
from unionhome.surveys.drivers_read import min_respondents, unit_drivers_shown
from unionhome.surveys.models import Question, Survey


@dataclass(frozen=True)
class UnitDrivers:
    survey: Survey | None  # None: no closed survey with an overall question reaches the unit
    analysis: DriverAnalysis | None  # None: too few respondents in the unit (``min_n``)
    min_n: int


def drivers_survey(unit: OrgUnit) -> Survey | None:
    """The latest closed survey with an overall question, run by ``unit`` or above it, reaching ``unit``."""
    above = ancestor_paths(unit.path)
    audience = Survey.audience_units.through.objects.filter(survey_id=OuterRef("pk")).filter(
        Q(orgunit__path__in=above) | paths_scope_q([unit.path], "orgunit__path")
    )
    overall = Question.objects.filter(survey_id=OuterRef("pk"), is_overall=True)
    return (
        Survey.objects.filter(unit_path__in=above, status=Survey.Status.CLOSED)
        .filter(Exists(overall), Exists(audience))
        .order_by("-closed_at", "-closes_at", "-pk")
        .first()
    )


def unit_drivers(unit: OrgUnit) -> UnitDrivers:
    """The driver analysis of the latest survey reaching ``unit`` (already checked to be in the viewer's
    scope), over the answers given in the unit's subtree."""
    survey = drivers_survey(unit)
    if survey is None:
        return UnitDrivers(None, None, 0)
    return UnitDrivers(survey, unit_drivers_shown(survey, unit), min_respondents(survey))
