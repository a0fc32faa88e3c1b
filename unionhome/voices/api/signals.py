"""The voices API: first signals (dashboard data, marking an alert seen) and the hot-issues board.
Same selectors and services as the pages (``/voices/signals/``, ``/voices/hot/``)."""

import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from pydantic import field_validator

from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID
from unionhome.voices.models import AppealCategory, SignalAlert
from unionhome.voices.selectors import hot_board
from unionhome.voices.selectors.signals import DEFAULT_WEEKS, PERIODS, signal_alert_for, signals_dashboard
from unionhome.voices.services.signals import signal_mark_seen, signal_url

router = Router(tags=["voices"])

ERRORS = {401: ErrorOut, 403: ErrorOut}


class DashboardFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="The unit looked at (default: the caller's scope).")
    weeks: int = Field(DEFAULT_WEEKS, description="How many weeks, up to this week: 4, 8, 12 or 26.")

    @field_validator("weeks")
    @classmethod
    def _period(cls, value: int) -> int:
        if value not in PERIODS:
            raise ValueError(_("Choose 4, 8, 12 or 26 weeks."))
        return value


class UnitRefOut(Schema):
    id: int
    name: str


class CategoryVolumeOut(Schema):
    category: AppealCategory
    label: str
    weekly: list[int] = Field(description="Appeals per week, oldest first (the weeks of `weeks`).")
    total: int


class UnitVolumeOut(Schema):
    id: int
    name: str
    total: int
    is_self: bool = Field(description="Appeals counted on the unit looked at itself, not on a unit below.")


class AlertOut(Schema):
    id: int
    branch: UnitRefOut
    category: AppealCategory
    week_start: datetime.date
    count: int
    baseline: float = Field(description="Mean weekly appeals of the branch in the category over the previous 8 weeks.")
    raised_at: datetime.datetime
    seen: bool
    seen_at: datetime.datetime | None
    url: str


class WordOut(Schema):
    word: str
    count: int


class DashboardOut(Schema):
    unit: UnitRefOut
    trail: list[UnitRefOut] = Field(description="The units from the caller's scope root down to `unit`.")
    weeks: list[datetime.date] = Field(description="The Mondays of the weeks, oldest first.")
    total: int
    categories: list[CategoryVolumeOut]
    units: list[UnitVolumeOut] = Field(description="The units just below `unit` (at most 200), most appeals first.")
    alerts: list[AlertOut] = Field(description="Alerts of the period in the unit, unseen first (at most 50).")
    words: list[WordOut] = Field(description="The top topic words of the period.")


class HotFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="The board's unit (default: the caller's union).")
    after: int | None = Field(None, ge=1, le=MAX_ID, description="The `next` of the previous page of answers.")


class BranchCountOut(Schema):
    name: str
    appeals: int


class HotTopicOut(Schema):
    category: AppealCategory
    word: str
    appeals: int
    branches: list[BranchCountOut] = Field(description="Branches with at least 3 appeals on the topic.")


class DoneOut(Schema):
    id: int
    category: AppealCategory
    words: list[str]
    month: str = Field(description="The month of the answer, YYYY-MM.")
    answer: str


class HotOut(Schema):
    unit: UnitRefOut | None
    since: datetime.date
    topics: list[HotTopicOut]
    done: list[DoneOut]
    next: int | None = Field(description="Pass as `after` for older answers; null on the last page.")


def alert_out(alert: SignalAlert) -> dict:
    return {
        "id": alert.pk,
        "branch": {"id": alert.branch_id, "name": alert.branch.name},
        "category": alert.category,
        "week_start": alert.week_start,
        "count": alert.count,
        "baseline": alert.baseline,
        "raised_at": alert.raised_at,
        "seen": alert.seen_at is not None,
        "seen_at": alert.seen_at,
        "url": signal_url(alert),
    }


@router.get(
    "/signals",
    response={200: DashboardOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_signals_dashboard",
    summary="First-signal dashboard: appeal volumes, alerts and topic words",
)
def dashboard(request: HttpRequest, filters: Query[DashboardFilters]):
    """Appeal volumes by category (week by week) and by the units just below `unit`, the first-signal
    alerts and the top topic words of the last `weeks` weeks. Needs `voices.view_signals` (403); a unit
    outside the caller's scope is 404."""
    board = signals_dashboard(request.auth, unit_id=filters.unit, weeks=filters.weeks)
    return {
        "unit": {"id": board.unit.pk, "name": board.unit.name},
        "trail": [{"id": u.pk, "name": u.name} for u in board.trail],
        "weeks": board.weeks,
        "total": board.total,
        "categories": [
            {"category": c.code, "label": c.label, "weekly": c.weekly, "total": c.total} for c in board.categories
        ],
        "units": [{"id": u.unit.pk, "name": u.unit.name, "total": u.total, "is_self": u.is_self} for u in board.units],
        "alerts": [alert_out(a) for a in board.alerts],
        "words": [{"word": w, "count": n} for w, n in board.words],
    }


@router.post(
    "/signals/alerts/{alert_id}/seen",
    response={200: AlertOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_signal_seen",
    summary="Mark a first-signal alert seen",
)
def alert_seen(request: HttpRequest, alert_id: int = Path(..., ge=1, le=MAX_ID)):
    """Mark the alert seen by the caller; marking it again keeps the first who saw it. Needs
    `voices.view_signals` (403); an alert outside the caller's scope is 404."""
    alert = signal_alert_for(request.auth, alert_id)
    return alert_out(signal_mark_seen(actor=request.auth, alert=alert))


@router.get(
    "/hot",
    response={200: HotOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_hot_issues",
    summary="The hot-issues board: topics raised and what was done",
)
def hot(request: HttpRequest, filters: Query[HotFilters]):
    """De-identified topics of the caller's union (at least 3 appeals each, broken down by branch only
    where a branch has 3) and the public answers of closed appeals, newest first, 10 at a time. A `unit`
    the caller may not choose is 404; an account with no member record and no scope gets an empty board."""
    unit, _units = hot_board.board_unit(request.auth, filters.unit)
    since = hot_board.board_since(timezone.localdate())
    if unit is None:
        return {"unit": None, "since": since, "topics": [], "done": [], "next": None}
    page = hot_board.done_page(unit, after=filters.after)
    return {
        "unit": {"id": unit.pk, "name": unit.name},
        "since": since,
        "topics": [
            {
                "category": t.category,
                "word": t.word,
                "appeals": t.total,
                "branches": [{"name": name, "appeals": n} for name, n in t.branches],
            }
            for t in hot_board.hot_topics(unit)
        ],
        "done": [
            {
                "id": i.id,
                "category": i.category,
                "words": i.words,
                "month": i.month.strftime("%Y-%m"),
                "answer": i.answer,
            }
            for i in page.items
        ],
        "next": page.next_cursor,
    }
