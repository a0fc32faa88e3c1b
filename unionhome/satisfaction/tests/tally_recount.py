"""The rating tallies worked out again from every rating, the slow way, and as stored: tests compare them."""

from collections import defaultdict

from unionhome.satisfaction.models import CadreTally, Rating, RatingRollup, RatingTally
from unionhome.satisfaction.tallies import month_of, quarter_of


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
    """The tallies as stored; the quarter and year rollups are checked against the monthly tallies on the way."""
    have, want = rollups_stored(), rollups_of(RatingTally.objects.all())
    assert have == want, {k: (have.get(k), want.get(k)) for k in set(have) | set(want) if have.get(k) != want.get(k)}
    units = {
        (t.unit_path, t.service_line, t.month): (t.n, t.total, t.total_sq) for t in RatingTally.objects.all() if t.n
    }
    cadres = {
        (t.cadre_id, t.service_line, t.month): (t.n, t.total, t.total_sq) for t in CadreTally.objects.all() if t.n
    }
    return units, cadres


def rollups_of(tallies) -> dict:
    """The quarter and year sums of the monthly tallies."""
    sums = defaultdict(lambda: [0, 0, 0])
    for t in tallies:
        for kind, start in (("quarter", quarter_of(t.month)), ("year", t.month.replace(month=1))):
            for i, v in enumerate((t.n, t.total, t.total_sq)):
                sums[t.unit_path, t.parent_path, t.service_line, kind, start][i] += v
    return {key: tuple(v) for key, v in sums.items() if v[0]}


def rollups_stored() -> dict:
    return {
        (r.unit_path, r.parent_path, r.service_line, r.kind, r.start): (r.n, r.total, r.total_sq)
        for r in RatingRollup.objects.all()
        if r.n
    }
