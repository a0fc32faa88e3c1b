"""The dashboard's first signals: the open (not yet seen) alerts of the unit looked at and every unit below
it, newest first. The unit was checked to be in the viewer's scope (``index_reads.chosen_unit``). One query,
served by the ``satisfaction_alert_scope`` index (unit_path, raised_at)."""

from unionhome.access.scope import paths_scope_q
from unionhome.org.models import OrgUnit
from unionhome.satisfaction.models import SatisfactionAlert
from unionhome.satisfaction.service_lines import service_line_label

MAX_OPEN_ALERTS = 20


def open_alerts(unit: OrgUnit) -> list[SatisfactionAlert]:
    rows = SatisfactionAlert.objects.filter(paths_scope_q([unit.path]), seen_at__isnull=True).select_related("unit")
    return list(rows.order_by("-raised_at", "-id")[:MAX_OPEN_ALERTS])


def alert_rows(alerts: list[SatisfactionAlert]) -> list[tuple[SatisfactionAlert, str]]:
    """(alert, its service line's name, "" for the overall index) for the page."""
    return [(a, str(service_line_label(a.service_line)) if a.service_line else "") for a in alerts]
