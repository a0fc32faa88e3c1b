"""The satisfaction tallies recomputed from all the ratings, for data loaded in bulk (``satisfaction_scale``).

``tallies_rebuilt()`` empties ``RatingTally`` and ``CadreTally`` and writes them again, as
``satisfaction/tallies.py`` keeps them rating by rating: per unit path **and every ancestor** (``parent_path``
the unit just above, "" for the top), service line and month (the first day of the local month the rating
was given in), ``n``, ``total`` of the scores and ``total_sq`` of their squares; per cadre, line and month
the same. One ``INSERT … SELECT … GROUP BY`` per level of the tree (the path cut to that level), one for the
cadres. PostgreSQL takes the month in ``settings.TIME_ZONE``; SQLite at that zone's offset now (exact for a
zone without daylight saving time, such as the default Asia/Shanghai).
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from unionhome.org.models import OrgUnit
from unionhome.satisfaction.models import CadreTally, Rating, RatingTally
from unionhome.satisfaction.tallies import rollups_rebuilt


def month_sql(column: str) -> str:
    """SQL for the first day of the local month of the timestamp ``column``."""
    tz = settings.TIME_ZONE
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column} AT TIME ZONE '{tz}') AS date)"
    offset = datetime.datetime.now(ZoneInfo(tz)).utcoffset().total_seconds() / 60
    return f"date({column}, '{offset:+.0f} minutes', 'start of month')"


def tallies_rebuilt() -> dict:
    """Rewrite both tallies from the ratings; returns their row counts."""
    ratings, tally, cadres = Rating._meta.db_table, RatingTally._meta.db_table, CadreTally._meta.db_table
    step = OrgUnit.steplen
    month = month_sql("r.rated_at")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # millions of ratings: sort and group in memory (this transaction)
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(f"DELETE FROM {tally}")
        cursor.execute(f"DELETE FROM {cadres}")
        cursor.execute(f"SELECT MAX(LENGTH(unit_path)) FROM {ratings}")
        levels = (cursor.fetchone()[0] or 0) // step
        for level in range(1, levels + 1):
            path = f"SUBSTR(r.unit_path, 1, {level * step})"
            parent = f"SUBSTR(r.unit_path, 1, {(level - 1) * step})" if level > 1 else "''"
            grouped = f"{path}, {parent}" if level > 1 else path  # PostgreSQL groups by no constant
            cursor.execute(
                f"""INSERT INTO {tally} (unit_path, parent_path, service_line, month, n, total, total_sq)
                    SELECT {path}, {parent}, r.service_line, {month}, COUNT(*), SUM(r.score), SUM(r.score * r.score)
                    FROM {ratings} r WHERE LENGTH(r.unit_path) >= {level * step}
                    GROUP BY {grouped}, r.service_line, {month}"""
            )
        cursor.execute(
            f"""INSERT INTO {cadres} (cadre_id, service_line, month, n, total, total_sq)
                SELECT r.cadre_id, r.service_line, {month}, COUNT(*), SUM(r.score), SUM(r.score * r.score)
                FROM {ratings} r WHERE r.cadre_id IS NOT NULL
                GROUP BY r.cadre_id, r.service_line, {month}"""
        )
    return {
        "rating_tallies": RatingTally.objects.count(),
        "rating_rollups": rollups_rebuilt(),
        "cadre_tallies": CadreTally.objects.count(),
    }
