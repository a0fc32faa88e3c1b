"""The data of the results page's charts, as ``survey-results.js`` draws them (pure functions). The page passes
them through ``json_script`` and shows the same figures in its tables and text.

* ``{"type": "bars", "labels", "counts", "shares"}``: one bar per option or score (shares in %);
* ``{"type": "scores", ... , "colors"}``: the 0–10 distribution of a recommendation question, each bar coloured
  as a detractor's, a passive's or a promoter's score, with ``parts`` (the three shares) and ``nps``;
* ``{"type": "stacked", "labels", "series": [{"name", "values"}]}``: a matrix, one bar per item split by score
  (in % of the item's answers);
* ``{"type": "scatter", ...}``: the drivers, as ``satisfaction.index_charts.drivers_chart`` gives them.
"""

from django.utils.translation import gettext as _

from unionhome.surveys.results import QuestionResult

DETRACTOR, PASSIVE, PROMOTER = "#c0392b", "#b7950b", "#1e8449"


def _percent(share: float) -> float:
    return round(share * 100, 1)


def question_chart(result: QuestionResult) -> dict | None:
    """The chart of one question's results; None for a text question or a suppressed one."""
    if result.suppressed or not result.n:
        return None
    if result.options:
        return {
            "type": "bars",
            "labels": [s.label for s in result.options],
            "counts": [s.count for s in result.options],
            "shares": [_percent(s.share) for s in result.options],
        }
    if result.nps is not None:
        distribution = result.score.distribution
        return {
            "type": "scores",
            "labels": [s.label for s in distribution],
            "counts": [s.count for s in distribution],
            "shares": [_percent(s.share) for s in distribution],
            "colors": [DETRACTOR] * 7 + [PASSIVE] * 2 + [PROMOTER] * 2,
            "parts": [
                {"name": _("Detractors (0–6)"), "value": round(result.nps.detractors, 1), "color": DETRACTOR},
                {"name": _("Passives (7–8)"), "value": round(result.nps.passives, 1), "color": PASSIVE},
                {"name": _("Promoters (9–10)"), "value": round(result.nps.promoters, 1), "color": PROMOTER},
            ],
            "nps": round(result.nps.nps, 1),
        }
    if result.score is not None:
        distribution = result.score.distribution
        return {
            "type": "bars",
            "labels": [s.label for s in distribution],
            "counts": [s.count for s in distribution],
            "shares": [_percent(s.share) for s in distribution],
        }
    if result.items:
        return {
            "type": "stacked",
            "labels": [i.label for i in result.items],
            "series": [
                {"name": str(score), "values": [_percent(i.score.distribution[score - 1].share) for i in result.items]}
                for score in range(1, 6)
            ],
        }
    return None
