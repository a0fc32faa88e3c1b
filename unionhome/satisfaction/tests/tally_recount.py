"""The rating tallies worked out again from every rating, the slow way, and as stored: tests compare them."""

from collections import defaultdict

from unionhome.satisfaction.models import CadreTally, Rating, RatingTally
from unionhome.satisfaction.tallies import month_of


def recomputed() -> tuple[dict, dict]:
    """The tallies worked out again from every rating, the slow way."""
    units, cadres = defaultdict(lambda: [0, 0, 0]), defaultdict(lambda: [0, 0, 0])
    for rating in Rating.objects.all():
        path, s = rating.unit_path, rating.score
        for end in range(4, len(path) + 1, 4):
            for i, v in enumerate((1, s, s * s)):
                units[path[:end], rating.service_line, month_of(rating)][i] += v
        if rating.cadre_id:
            for i, v in enumerate((1, s, s * s)):
                cadres[rating.cadre_id, rating.service_line, month_of(rating)][i] += v
    return {k: tuple(v) for k, v in units.items()}, {k: tuple(v) for k, v in cadres.items()}


def stored() -> tuple[dict, dict]:
    units = {
        (t.unit_path, t.service_line, t.month): (t.n, t.total, t.total_sq) for t in RatingTally.objects.all() if t.n
    }
    cadres = {
        (t.cadre_id, t.service_line, t.month): (t.n, t.total, t.total_sq) for t in CadreTally.objects.all() if t.n
    }
    return units, cadres
