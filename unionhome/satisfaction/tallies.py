"""Keeping ``RatingTally`` and ``CadreTally`` exact as ratings are written, changed or removed.

``ratings_tallied(removed, added)`` turns ratings into signed moments (a removed rating counts −1, −score,
−score²), nets them by key (unit and every unit above it, service line, month; cadre, line, month) and
adds them with ``unionhome.tallies`` in the writing transaction. Exact integers throughout: a tally always
equals what the ratings it counts add up to (``tests/test_rating_tallies.py`` checks it after random
sequences of writes), whatever the order or concurrency of the writes.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from unionhome.org.models import paths_with_parents
from unionhome.satisfaction.models import CadreTally, Rating, RatingTally
from unionhome.tallies import tallies_added

SUMMED = ("n", "total", "total_sq")
CHUNK = 500  # rows per statement


def month_of(rating: Rating):
    return timezone.localtime(rating.rated_at).date().replace(day=1)


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
    for start in range(0, len(unit_rows), CHUNK):
        tallies_added(RatingTally, ("unit_path", "service_line", "month"), unit_rows[start : start + CHUNK], SUMMED)
    for start in range(0, len(cadre_rows), CHUNK):
        tallies_added(CadreTally, ("cadre_id", "service_line", "month"), cadre_rows[start : start + CHUNK], SUMMED)


def _add(into: list[int], moments: tuple[int, int, int]) -> None:
    for i, value in enumerate(moments):
        into[i] += value
