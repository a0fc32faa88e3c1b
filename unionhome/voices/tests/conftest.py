"""Fixtures of workers' voices: ``people`` plus routing (a canteen department for the whole union and a
safety officer for station 1) and ``appeal_of`` to put appeals in place without the submitting service."""

import pytest

from tests import factories
from unionhome.congress.models import HandlingDepartment
from unionhome.voices.models import RoutingRule
from unionhome.voices.tests.records import appeal_of  # noqa: F401  (re-exported as a helper)


@pytest.fixture
def voices(union, people):
    """``people`` and ``union`` plus: ``canteen`` (a handling department of the union answering canteen
    appeals from everywhere, handled by ``canteen_handler``), ``safety_officer`` (a person answering
    safety appeals from station 1), and ``s1_chair`` (a second branch cadre of station 1). Appeals of
    other categories go to the branch's supervisors (``cadre`` for station 1, ``cadre2`` for station 2)."""
    canteen_handler = factories.user("canteen1", display_name="后勤管理部 陈办")
    canteen = HandlingDepartment.objects.create(unit=union["union"], unit_path=union["union"].path, name="后勤管理部")
    canteen.handlers.add(canteen_handler)
    safety_officer = factories.user("safety1", display_name="安全环保部 周办")
    RoutingRule.objects.create(
        unit=union["union"], unit_path=union["union"].path, category="canteen", department=canteen
    )
    RoutingRule.objects.create(unit=union["s1"], unit_path=union["s1"].path, category="safety", handler=safety_officer)
    return {
        **people,
        "union": union,
        "canteen": canteen,
        "canteen_handler": canteen_handler,
        "safety_officer": safety_officer,
    }
