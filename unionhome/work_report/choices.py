"""What the report page offers to choose: the units of the viewer's scope (``satisfaction.view_index``) and
their units one level down, and the years. One query."""

import datetime

from django.db.models import Q

from unionhome.access.policy import scope_roots
from unionhome.org.models import OrgUnit
from unionhome.satisfaction.index_reads import VIEW_INDEX

LIMIT = 300
YEARS_BACK = 10


def unit_choices(viewer, current: OrgUnit) -> list[OrgUnit]:
    roots = scope_roots(viewer, VIEW_INDEX)
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(path__prefix=root, depth__lte=len(root) // OrgUnit.steplen + 1)
    units = list(OrgUnit.objects.filter(q).order_by("path").only("id", "name", "path", "depth")[:LIMIT])
    if all(unit.pk != current.pk for unit in units):
        units = sorted([*units, current], key=lambda unit: unit.path)
    return units


def year_choices(selected: int, today: datetime.date) -> list[int]:
    years = list(range(today.year, today.year - YEARS_BACK, -1))
    return sorted({*years, selected}, reverse=True)
