"""API: satisfaction alerts (``alerts.py``) for cadres with ``satisfaction.view_index``, under
``/api/v1/satisfaction/alerts``: the newest alerts of the caller's scope, and marking one seen.

Figures only: an alert names its unit, its service line and (for a cadre's run of low ratings) the cadre's
user id, never a member or a comment."""

import datetime

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema

from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID
from unionhome.satisfaction.alert_notices import alert_url
from unionhome.satisfaction.alert_reads import alert_for, alerts_for
from unionhome.satisfaction.alerts import alert_mark_seen
from unionhome.satisfaction.models import SatisfactionAlert

router = Router(tags=["satisfaction alerts"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class AlertUnitOut(Schema):
    id: int
    name: str
    kind: str


class AlertOut(Schema):
    id: int
    kind: str = Field(description="`index_drop` or `low_run`.")
    unit: AlertUnitOut
    service_line: str = Field(description="The service line; empty for an index drop of the overall index.")
    cadre_id: int | None = Field(description="Low run of one cadre: the cadre's user id.")
    month: datetime.date | None = Field(description="Index drop: the first day of the month that fell.")
    previous_index: float | None
    current_index: float | None
    difference: float | None = Field(description="Index drop: this month less the month before, in points.")
    p_value: float | None
    previous_n: int | None
    current_n: int | None
    run_length: int | None = Field(description="Low run: how many ratings in a row were 1 or 2 stars.")
    last_rated_at: datetime.datetime | None
    raised_at: datetime.datetime
    seen: bool
    seen_at: datetime.datetime | None
    url: str


class AlertsOut(Schema):
    alerts: list[AlertOut] = Field(description="Newest first, at most 50.")


def alert_out(alert: SatisfactionAlert) -> dict:
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "unit": {"id": alert.unit_id, "name": alert.unit.name, "kind": alert.unit.kind},
        "service_line": alert.service_line,
        "cadre_id": alert.cadre_id,
        "month": alert.month,
        "previous_index": alert.previous_index,
        "current_index": alert.current_index,
        "difference": alert.difference,
        "p_value": alert.p_value,
        "previous_n": alert.previous_n,
        "current_n": alert.current_n,
        "run_length": alert.run_length,
        "last_rated_at": alert.last_rated_at,
        "raised_at": alert.raised_at,
        "seen": alert.seen_at is not None,
        "seen_at": alert.seen_at,
        "url": alert_url(alert),
    }


@router.get(
    "/alerts",
    response={200: AlertsOut, **ERRORS},
    operation_id="satisfaction_alerts",
    summary="The newest satisfaction alerts of the caller's scope",
)
def alerts(request: HttpRequest):
    """Index drops and runs of low ratings raised by the daily job in the caller's scope, newest first (at
    most 50). Needs `satisfaction.view_index` (403)."""
    return {"alerts": [alert_out(a) for a in alerts_for(request.auth)]}


@router.post(
    "/alerts/{alert_id}/seen",
    response={200: AlertOut, **ERRORS},
    operation_id="satisfaction_alert_seen",
    summary="Mark a satisfaction alert seen",
)
def alert_seen(request: HttpRequest, alert_id: int = Path(..., ge=1, le=MAX_ID)):
    """Mark the alert seen by the caller; marking it again keeps the first who saw it. Needs
    `satisfaction.view_index` (403); an alert outside the caller's scope is 404."""
    return alert_out(alert_mark_seen(actor=request.auth, alert=alert_for(request.auth, alert_id)))
