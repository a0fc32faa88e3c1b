"""The lowest-rated services with their comments, for cadres with ``satisfaction.view_index``.

The most recent comments of ratings scored 1 or 2 in a unit's subtree and a period (one service line or all
of them), newest first, at most ``MAX_COMMENTS``: each with its service line and the month only, never the
member, the exact date or the item rated. They are read only when the unit and period have at least k
ratings in all (``index_math.min_group()``), and only from the service lines that have k ratings there
themselves — the same groups whose figures are shown: a comment from a line of one or two ratings could too
easily be told apart.

Scoped exactly as ``index_reads`` (403 without the permission anywhere, 404 outside one's subtrees). The
total is read from the running tallies; the comments in one query on the ``(unit_path, rated_at)`` index:
a prefix range on the path, a time range, the low scores, newest first, limited.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from unionhome.access.scope import paths_scope_q
from unionhome.org.models import OrgUnit
from unionhome.satisfaction.index_math import min_group
from unionhome.satisfaction.index_reads import chosen_unit, line_specs
from unionhome.satisfaction.models import Rating, RatingTally
from unionhome.satisfaction.periods import Period
from unionhome.satisfaction.service_lines import service_line_label

MAX_COMMENTS = 20
LOW_SCORE = 2


@dataclass(frozen=True)
class LowComment:
    service_line: str
    label: str
    month: datetime.date  # the first day of the month the rating was given in
    comment: str


@dataclass(frozen=True)
class LowComments:
    unit: OrgUnit
    period: Period
    service_line: str | None
    total: int  # every rating of the unit's subtree in the period (and line), whatever its score
    min_group: int
    shown: bool  # total ≥ k: otherwise ``comments`` is empty and was not read
    comments: list[LowComment]  # newest first


def low_comments(viewer, *, unit_id: int | None, period: Period, service_line: str | None = None) -> LowComments:
    """The newest comments (at most 20) of ratings scored ≤ 2 in the unit's subtree in ``period``, when the
    unit has at least k ratings there. Four queries at most (grants, unit, the total, the comments);
    ``ValueError`` for a line nobody registered."""
    codes = [s.code for s in line_specs(service_line)]
    unit, _top = chosen_unit(viewer, unit_id)
    by_line = dict(
        RatingTally.objects.filter(
            unit_path=unit.path, service_line__in=codes, month__gte=period.start, month__lt=period.end
        )
        .values("service_line")
        .annotate(n=Sum("n"))
        .values_list("service_line", "n")
        .order_by()
    )
    total = sum(by_line.values())
    k = min_group()
    codes = [code for code in codes if by_line.get(code, 0) >= k]  # lines shown on their own only
    comments: list[LowComment] = []
    if total >= k and codes:
        rows = (
            Rating.objects.filter(
                paths_scope_q([unit.path]),
                rated_at__gte=_moment(period.start),
                rated_at__lt=_moment(period.end),
                score__lte=LOW_SCORE,
                service_line__in=codes,
            )
            .exclude(comment="")
            .order_by("-rated_at", "-id")
            .values_list("service_line", "rated_at", "comment")[:MAX_COMMENTS]
        )
        comments = [
            LowComment(line, service_line_label(line), timezone.localtime(at).date().replace(day=1), text)
            for line, at, text in rows
        ]
    return LowComments(unit, period, service_line, total, k, total >= k, comments)


def _moment(day: datetime.date) -> datetime.datetime:
    """The start of ``day`` in the site's time zone (the months of the tallies are local months)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
