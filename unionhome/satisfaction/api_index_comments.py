"""API: the lowest-rated services' comments, ``GET /api/v1/satisfaction/index/comments`` (cadres with
``satisfaction.view_index``), beside the index endpoints of ``api_index.py`` and with their conventions.

The comments of ratings scored 1 or 2 in the unit's subtree and period, newest first, at most 20, each with
its service line and month only; none at all (``shown: false``) when the unit and period have fewer than k
ratings in all (``index_comments.py``).
"""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from unionhome.satisfaction import index_comments
from unionhome.satisfaction.api_index import ERRORS, IndexFilters, UnitRefOut, chosen_period, unit_out

router = Router(tags=["satisfaction index"])


class LowCommentOut(Schema):
    service_line: str
    label: str
    month: str = Field(description="`2026-11`: the month the rating was given in, never the day.")
    comment: str


class LowCommentsOut(Schema):
    unit: UnitRefOut
    period: str
    period_label: str
    service_line: str | None
    min_group: int
    total: int = Field(description="Every rating of the unit's subtree in the period (and line), whatever its score.")
    shown: bool = Field(description="`total` ≥ `min_group`: otherwise no comment is given.")
    comments: list[LowCommentOut] = Field(description="Newest first, at most 20.")


@router.get(
    "/index/comments",
    response={200: LowCommentsOut, **ERRORS},
    operation_id="satisfaction_index_comments",
    summary="The newest comments of the lowest ratings in a unit",
)
def index_comments_list(request: HttpRequest, filters: Query[IndexFilters]):
    """The newest comments (at most 20) of ratings scored 1 or 2 in `unit_id`'s subtree in `period` (and
    `service_line`), each with its line and month only. Empty, with `shown: false`, when the unit and period
    have fewer than `min_group` ratings in all. Needs `satisfaction.view_index` (403); outside the scope, 404."""
    result = index_comments.low_comments(
        request.auth, unit_id=filters.unit_id, period=chosen_period(filters.period), service_line=filters.service_line
    )
    return {
        "unit": unit_out(result.unit),
        "period": str(result.period),
        "period_label": result.period.label(),
        "service_line": result.service_line,
        "min_group": result.min_group,
        "total": result.total,
        "shown": result.shown,
        "comments": [
            {"service_line": c.service_line, "label": c.label, "month": c.month.strftime("%Y-%m"), "comment": c.comment}
            for c in result.comments
        ],
    }
