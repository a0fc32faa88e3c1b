"""First signals of falling satisfaction: the daily job that raises them, and a cadre marking one seen.

``satisfaction_alerts_raise(today=…)`` (a daily sweep, ``satisfaction/tasks.py``) looks for two things:

- **index drops**: the overall index of every union and branch in the last full month against the month
  before, by Welch's test (``index_math.compare``: significant only with p < 0.05 and n ≥ 10 on both sides,
  so that noise raises nothing). One aggregate query reads the tallies of the two months of every such unit.
- **runs of low ratings**: the last ``SATISFACTION_LOW_RUN`` (3) ratings of one cadre, or, for ratings with
  no cadre, of one service line in one branch, all 1 or 2 stars. One query reads the last 30 days' ratings.
  A run is raised once: while it goes on (a fourth low rating…) nothing more is raised; a better rating ends
  it, and a new run raises again. An alert keeps the newest rating of the run when it was raised.

Each alert is stored once (unique constraints); the insert decides between two jobs running at once, and
only the one whose insert succeeds notifies (``alert_notices.py``), with a dedupe key besides.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import timezone

from unionhome.access.policy import require
from unionhome.audit.recorder import record
from unionhome.org.models import OrgUnit, ancestor_paths
from unionhome.satisfaction.alert_notices import Notices
from unionhome.satisfaction.index_figures import comparison_of, figures_by_line
from unionhome.satisfaction.index_math import Moments, min_group
from unionhome.satisfaction.models import Rating, RatingTally, SatisfactionAlert
from unionhome.satisfaction.periods import Period
from unionhome.satisfaction.service_lines import service_lines

logger = logging.getLogger(__name__)

VIEW_INDEX = "satisfaction.view_index"
DROP_KINDS = (OrgUnit.Kind.UNION, OrgUnit.Kind.BRANCH)
RUN_WINDOW = datetime.timedelta(days=30)
LOW_SCORE = 2


def low_run_length() -> int:
    """How many low ratings in a row make a run: settings ``SATISFACTION_LOW_RUN``, 3."""
    return max(1, int(getattr(settings, "SATISFACTION_LOW_RUN", 3)))


# --- index drops ---------------------------------------------------------------------------------


def index_drops(month: Period) -> list[SatisfactionAlert]:
    """Unsaved alerts for the unions and branches whose overall index fell significantly in ``month``
    against the month before. One query (the tallies of both months of every union and branch)."""
    before = month.previous()
    if before is None:
        return []
    weights = {s.code: s.weight for s in service_lines()}
    rows = RatingTally.objects.filter(
        unit_path__in=Subquery(OrgUnit.objects.filter(kind__in=DROP_KINDS).values("path")),
        service_line__in=list(weights),
        month__in=[month.start, before.start],
    ).order_by()
    now: dict[str, dict[str, Moments]] = defaultdict(lambda: defaultdict(Moments))
    then: dict[str, dict[str, Moments]] = defaultdict(lambda: defaultdict(Moments))
    for path, day, line, n, total, total_sq in rows.values_list(
        "unit_path", "month", "service_line", "n", "total", "total_sq"
    ):
        (now if day == month.start else then)[path][line] += Moments(n, total, total_sq)
    k = min_group()
    found = []
    for path in sorted(now.keys() & then.keys()):
        current, _lines = figures_by_line(now[path], weights, k)
        previous, _lines = figures_by_line(then[path], weights, k)
        comparison = comparison_of(current, previous)
        if comparison is None or not comparison.drop:
            continue
        found.append(
            SatisfactionAlert(
                kind=SatisfactionAlert.Kind.INDEX_DROP,
                unit_path=path,
                service_line="",
                month=month.start,
                current_index=current.index,
                previous_index=previous.index,
                difference=comparison.difference,
                p_value=comparison.p_value,
                current_n=current.n,
                previous_n=previous.n,
            )
        )
    return found


# --- runs of low ratings -------------------------------------------------------------------------


@dataclass
class _Run:
    ids: list[int] = field(default_factory=list)  # the low ratings since the group's last better one, oldest first
    last_at: datetime.datetime | None = None
    unit_path: str = ""

    def add(self, pk: int, score: int, rated_at: datetime.datetime, unit_path: str) -> None:
        if score <= LOW_SCORE:
            self.ids.append(pk)
        else:
            self.ids.clear()
        self.last_at, self.unit_path = rated_at, unit_path


def low_runs(today: datetime.date, length: int | None = None) -> list[tuple[SatisfactionAlert, list[int]]]:
    """Unsaved alerts, each with the ids of its run's ratings (oldest first), for the cadres and the
    (service line, branch) pairs whose last ``length`` ratings of the 30 days up to ``today`` are all 1 or
    2 stars. Two queries: the ratings (ordered by cadre and time) and the branches above the unit paths of
    those with no cadre."""
    length = length or low_run_length()
    end = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time()))
    ratings = (
        Rating.objects.filter(rated_at__gte=end - RUN_WINDOW, rated_at__lt=end)
        .order_by("cadre_id", "rated_at", "id")
        .values_list("id", "cadre_id", "service_line", "unit_path", "score", "rated_at")
    )
    by_cadre: dict[int, _Run] = defaultdict(_Run)
    loose = []  # ratings with no cadre, in time order
    for pk, cadre_id, line, path, score, rated_at in ratings.iterator(chunk_size=2000):
        if cadre_id is None:
            loose.append((pk, line, path, score, rated_at))
        else:
            by_cadre[cadre_id].add(pk, score, rated_at, path)
    # Ratings with no cadre: one group per service line and branch (the unit itself when no branch is above).
    branches = _branch_paths({path for _pk, _line, path, _score, _at in loose})
    by_line: dict[tuple[str, str], _Run] = defaultdict(_Run)
    for pk, line, path, score, rated_at in loose:
        branch = branches[path]
        by_line[(line, branch)].add(pk, score, rated_at, branch)
    groups = [(cadre_id, "", run) for cadre_id, run in by_cadre.items()]
    groups += [(None, line, run) for (line, _branch), run in by_line.items()]
    found = []
    for cadre_id, line, run in groups:
        if len(run.ids) >= length:
            alert = SatisfactionAlert(
                kind=SatisfactionAlert.Kind.LOW_RUN,
                unit_path=run.unit_path,
                service_line=line,
                cadre_id=cadre_id,
                last_rating_id=run.ids[-1],
                last_rated_at=run.last_at,
                run_length=len(run.ids),
            )
            found.append((alert, list(run.ids)))
    return found


def _branch_paths(paths: set[str]) -> dict[str, str]:
    """``{path: the path of the branch at or above it, or the path itself}`` (one query)."""
    if not paths:
        return {}
    above = {p for path in paths for p in ancestor_paths(path)}
    branch_paths = set(OrgUnit.objects.filter(path__in=above, kind=OrgUnit.Kind.BRANCH).values_list("path", flat=True))
    return {path: next((p for p in reversed(ancestor_paths(path)) if p in branch_paths), path) for path in paths}


# --- the job -------------------------------------------------------------------------------------


def satisfaction_alerts_raise(*, today: datetime.date | None = None) -> dict[str, int]:
    """Raise the index drops of the last full month before ``today`` and the runs of low ratings of the
    30 days up to ``today`` not raised yet; notify each unit's chair. Idempotent: returns how many of each
    kind this run raised (0 and 0 on a rerun). A fixed number of queries when nothing new is raised."""
    today = today or timezone.localdate()
    month = Period.containing("month", today).previous()
    drops = index_drops(month) if month is not None else []
    runs = low_runs(today)
    if drops:
        raised_drops = set(
            SatisfactionAlert.objects.filter(kind=SatisfactionAlert.Kind.INDEX_DROP, month=month.start).values_list(
                "unit_path", "service_line"
            )
        )
        drops = [a for a in drops if (a.unit_path, a.service_line) not in raised_drops]
    if runs:
        in_runs = [pk for _alert, ids in runs for pk in ids]
        alerted = set(
            SatisfactionAlert.objects.filter(
                kind=SatisfactionAlert.Kind.LOW_RUN, last_rating_id__in=in_runs
            ).values_list("last_rating_id", flat=True)
        )
        # A run already raised (at any of its ratings) is not raised again while it goes on.
        runs = [(a, ids) for a, ids in runs if alerted.isdisjoint(ids)]
    new = drops + [a for a, _ids in runs]
    counts = {"index_drop": 0, "low_run": 0}
    if not new:
        return counts
    units = {u.path: u for u in OrgUnit.objects.filter(path__in={a.unit_path for a in new})}
    notices = Notices(list(units.values()), {a.cadre_id for a in new if a.cadre_id is not None})
    for alert in new:
        unit = units.get(alert.unit_path)
        if unit is not None and _raise(alert, unit, notices):
            counts[alert.kind] += 1
    if any(counts.values()):
        logger.info("Raised satisfaction alerts for %s: %s", today, counts)
    return counts


def _raise(alert: SatisfactionAlert, unit: OrgUnit, notices: Notices) -> bool:
    """Store the alert and tell the chair, in one transaction; False when another run stored it first."""
    try:
        with transaction.atomic():
            alert.unit = unit
            alert.save()
            record(None, "satisfaction.alert.raised", alert, kind=alert.kind, **_figures(alert))
            notices.send(alert)
    except IntegrityError:  # raised by a run at the same moment
        return False
    return True


def _figures(alert: SatisfactionAlert) -> dict:
    if alert.kind == SatisfactionAlert.Kind.INDEX_DROP:
        return {
            "month": alert.month.isoformat(),
            "before": round(alert.previous_index, 1),
            "after": round(alert.current_index, 1),
            "p_value": round(alert.p_value, 4),
        }
    return {"run_length": alert.run_length, "service_line": alert.service_line}


# --- a cadre marks an alert seen -----------------------------------------------------------------


@transaction.atomic
def alert_mark_seen(*, actor, alert: SatisfactionAlert) -> SatisfactionAlert:
    """Mark ``alert`` seen by ``actor`` (once: marking it again keeps the first who saw it)."""
    require(actor, VIEW_INDEX, alert)
    alert = SatisfactionAlert.objects.select_for_update().select_related("unit").get(pk=alert.pk)
    if alert.seen_at is None:
        alert.seen_by = actor
        alert.seen_at = timezone.now()
        alert.save(update_fields=["seen_by", "seen_at"])
        record(actor, "satisfaction.alert.seen", alert, seen_at=alert.seen_at.isoformat())
    return alert
