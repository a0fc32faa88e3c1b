"""Who is told of a satisfaction alert, and what (kind ``satisfaction.alert.raised``).

The responsible chair: the holders of the ``chair`` role on the alert's unit, or else on the nearest unit
above it that has one. The texts are rendered in the site language and give figures only: the index before
and after with the numbers of ratings and the test's verdict, or the length of a run of low ratings — never
a member, a comment or the time of an anonymous rating.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from unionhome.access.models import RoleAssignment
from unionhome.notify.services import notification_send
from unionhome.org.models import OrgUnit, ancestor_paths
from unionhome.satisfaction.models import SatisfactionAlert
from unionhome.satisfaction.periods import Period
from unionhome.satisfaction.service_lines import service_line_label

NOTIFY_KIND = "satisfaction.alert.raised"
CHAIR = "chair"


def alert_url(alert: SatisfactionAlert) -> str:
    return f"{reverse('satisfaction:index')}?unit={alert.unit_id}"


def dedupe_key(alert: SatisfactionAlert) -> str:
    if alert.kind == SatisfactionAlert.Kind.INDEX_DROP:
        return f"satisfaction.alert:drop:{alert.unit_id}:{alert.service_line}:{alert.month.isoformat()}"
    return f"satisfaction.alert:run:{alert.last_rating_id}"


class Notices:
    """Tells the chairs of a job's alerts; the chairs above all the units and the cadres named are read
    once, at the first alert (two queries, whatever the number of alerts)."""

    def __init__(self, units: list[OrgUnit], cadre_ids: set[int]) -> None:
        self._paths = {p for unit in units for p in ancestor_paths(unit.path)}
        self._cadre_ids = cadre_ids
        self._chairs: dict[str, list[Any]] | None = None
        self._cadres: dict[int, Any] = {}

    def chairs_of(self, unit_path: str) -> list:
        """The active chairs of the unit at ``unit_path`` or of the nearest unit above it that has any."""
        if self._chairs is None:
            self._load()
        for path in reversed(ancestor_paths(unit_path)):
            if self._chairs.get(path):
                return self._chairs[path]
        return []

    def _load(self) -> None:
        self._chairs = {}
        grants = RoleAssignment.objects.filter(role=CHAIR, unit__path__in=self._paths, user__is_active=True)
        for grant in grants.select_related("user", "unit").order_by("user_id"):
            self._chairs.setdefault(grant.unit.path, []).append(grant.user)
        if self._cadre_ids:
            self._cadres = get_user_model().objects.in_bulk(self._cadre_ids)

    def send(self, alert: SatisfactionAlert) -> int:
        """Notify the alert's chairs; how many notifications were new."""
        people = self.chairs_of(alert.unit_path)
        if not people:
            return 0
        with translation.override(settings.LANGUAGE_CODE):
            title, body = self._texts(alert)
        sent = 0
        for user in people:
            if notification_send(
                recipient=user,
                kind=NOTIFY_KIND,
                title=title,
                body=body,
                url=alert_url(alert),
                dedupe_key=dedupe_key(alert),
            ):
                sent += 1
        return sent

    def _texts(self, alert: SatisfactionAlert) -> tuple[str, str]:
        unit = alert.unit.name
        if alert.kind == SatisfactionAlert.Kind.INDEX_DROP:
            month = Period("month", alert.month)
            figures = {
                "unit": unit,
                "month": month.label(),
                "previous_month": month.previous().label(),
                "before": f"{alert.previous_index:.1f}",
                "after": f"{alert.current_index:.1f}",
                "difference": f"{alert.difference:.1f}",
                "n_before": alert.previous_n,
                "n_after": alert.current_n,
                "p": f"{alert.p_value:.3f}",
            }
            title = _("Satisfaction fell in %(unit)s in %(month)s") % figures
            body = (
                _(
                    "The satisfaction index of %(unit)s went from %(before)s in %(previous_month)s (%(n_before)s "
                    "ratings) to %(after)s in %(month)s (%(n_after)s ratings): %(difference)s points, significant "
                    "at 95 %% (p = %(p)s). Look at the satisfaction index to see which services fell."
                )
                % figures
            )
            return title, body
        if alert.cadre_id is not None:
            cadre = self._cadres.get(alert.cadre_id)
            who = str(cadre) if cadre is not None else _("a former cadre")
        else:
            who = _("%(line)s in %(unit)s") % {"line": service_line_label(alert.service_line), "unit": unit}
        figures = {"count": alert.run_length, "who": who, "unit": unit}
        title = _("%(count)s low ratings in a row: %(who)s") % figures
        body = (
            _(
                "The last %(count)s ratings of %(who)s were all 1 or 2 stars. Look at the satisfaction index of "
                "%(unit)s and at how these services went."
            )
            % figures
        )
        return title, body
