"""Keeping ``RatingTally``, its quarter and year ``RatingRollup`` and ``CadreTally`` exact as ratings are
written, changed or removed.

``ratings_tallied(removed, added)`` turns ratings into signed moments (a removed rating counts −1, −score,
−score²), nets them by key (unit and every unit above it, service line, month, and the quarter and year of that
month; cadre, line, month) and adds them with ``unionhome.tallies`` in the writing transaction.
``rollups_rebuilt`` writes the rollups again from the monthly tallies (the migration adding them, the
federation-scale demo data). Exact integers throughout: a tally always
equals what the ratings it counts add up to (``tests/test_rating_tallies.py`` checks it after random
sequences of writes), whatever the order or concurrency of the writes.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import Sum
from django.db.models.functions import TruncQuarter, TruncYear
from django.utils import timezone

from unionhome.org.models import paths_with_parents
from unionhome.satisfaction.models import CadreTally, Rating, RatingRollup, RatingTally
from unionhome.tallies import tallies_added

SUMMED = ("n", "total", "total_sq")
ROLLUP_KEY = ("unit_path", "service_line", "kind", "start")
CHUNK = 500  # rows per statement


def month_of(rating: Rating):
    return timezone.localtime(rating.rated_at).date().replace(day=1)


def quarter_of(month):
    return month.replace(month=(month.month - 1) // 3 * 3 + 1)


def ratings_tallied(removed: Iterable[Rating] = (), added: Iterable[Rating] = ()) -> None:
    units: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    parents: dict[str, str] = {}
    cadres: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for sign, ratings in ((-1, removed), (1, added)):
        for rating in ratings:
            month, score = month_of(rating), rating.score
            moments = (sign, sign * score, sign * score * score)
            for path, parent in paths_with_parents(rating.unit_path):
                parents[path] = parent
                _add(units[path, rating.service_line, month], moments)
            if rating.cadre_id is not None:
                _add(cadres[rating.cadre_id, rating.service_line, month], moments)
    unit_rows = [
        {
            "unit_path": p,
            "parent_path": parents[p],
            "service_line": line,
            "month": m,
            **dict(zip(SUMMED, v, strict=True)),
        }
        for (p, line, m), v in units.items()
        if any(v)
    ]
    cadre_rows = [
        {"cadre_id": c, "service_line": line, "month": m, **dict(zip(SUMMED, v, strict=True))}
        for (c, line, m), v in cadres.items()
        if any(v)
    ]
    rollups: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in unit_rows:
        month = row["month"]
        for kind, start in (("quarter", quarter_of(month)), ("year", month.replace(month=1))):
            _add(rollups[row["unit_path"], row["parent_path"], row["service_line"], kind, start],
                 tuple(row[name] for name in SUMMED))  # fmt: skip
    rollup_rows = [
        {
            "unit_path": p,
            "parent_path": parent,
            "service_line": line,
            "kind": kind,
            "start": start,
            **dict(zip(SUMMED, v, strict=True)),
        }  # fmt: skip
        for (p, parent, line, kind, start), v in rollups.items()
        if any(v)
    ]
    for start in range(0, len(unit_rows), CHUNK):
        tallies_added(RatingTally, ("unit_path", "service_line", "month"), unit_rows[start : start + CHUNK], SUMMED)
    for start in range(0, len(rollup_rows), CHUNK):
        tallies_added(RatingRollup, ROLLUP_KEY, rollup_rows[start : start + CHUNK], SUMMED)
    for start in range(0, len(cadre_rows), CHUNK):
        tallies_added(CadreTally, ("cadre_id", "service_line", "month"), cadre_rows[start : start + CHUNK], SUMMED)


def _add(into: list[int], moments: tuple[int, int, int]) -> None:
    for i, value in enumerate(moments):
        into[i] += value


def rollups_rebuilt(tally=RatingTally, rollup=RatingRollup) -> int:
    """Write the quarter and year rollups again from the monthly tallies, in the database (one INSERT …
    SELECT per kind); the models are parameters so the migration can pass its historical ones. Returns the
    number of rollup rows."""
    table = connection.ops.quote_name(rollup._meta.db_table)
    rollup.objects.all().delete()
    for kind, trunc in (("quarter", TruncQuarter), ("year", TruncYear)):
        grouped = (
            tally.objects.filter(n__gt=0)
            .annotate(start=trunc("month"))
            .values("unit_path", "parent_path", "service_line", "start")
            .annotate(sum_n=Sum("n"), sum_total=Sum("total"), sum_sq=Sum("total_sq"))
            .order_by()
            .values_list("unit_path", "parent_path", "service_line", "start", "sum_n", "sum_total", "sum_sq")
        )
        sql, params = grouped.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (kind, unit_path, parent_path, service_line, start, n, total, total_sq) "
                "SELECT %s, g.unit_path, g.parent_path, g.service_line, g.start, g.sum_n, g.sum_total, g.sum_sq "
                f"FROM ({sql}) AS g",
                [kind, *params],
            )
    return rollup.objects.count()
