"""The viewer's scope as a filter that both databases answer well, for large tables of any app.

``access.policy.scope_q`` writes a scope as ``unit_path LIKE 'prefix%'``. PostgreSQL answers that from a
``varchar_pattern_ops`` index; SQLite never does (its LIKE ignores case), so on SQLite a union officer's
queue in a federation reads every row of the list's order index to find the union's few. Here a scope
under a top unit is written with ``__prefix`` instead, an index range on SQLite too. A top unit itself
(depth 1: a federation, or a union on its own) holds every row below it, so no range narrows it: its
filter stays ``LIKE``, and SQLite reads the rows in the list's order and stops at the page's end.

The rows matched are the same either way (paths hold digits and capital letters only), and on PostgreSQL
both forms are the same ``LIKE 'prefix%'``.
"""

from django.db.models import Q

from unionhome.access.policy import scope_roots
from unionhome.org.models import OrgUnit


def paths_scope_q(roots: list[str], field: str = "unit_path") -> Q:
    """Rows whose ``field`` lies under one of ``roots`` (none when there are no roots)."""
    if not roots:
        return Q(pk__in=[])
    q = Q()
    for root in roots:
        lookup = "startswith" if len(root) <= OrgUnit.steplen else "prefix"
        q |= Q(**{f"{field}__{lookup}": root})
    return q


def unit_scope_q(viewer, permission: str, field: str = "unit_path") -> Q:
    """``scope_q(viewer, permission, field)``: rows in the subtrees where ``viewer`` holds ``permission``."""
    return paths_scope_q(scope_roots(viewer, permission), field)
