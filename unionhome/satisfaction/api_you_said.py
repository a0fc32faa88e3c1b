"""API: "you said, we did" under ``/api/v1/satisfaction/you-said``.

Members read the published notes of their unit and the units above it (and, on the first page, the closed
surveys of those units with their headline figures); cadres with ``satisfaction.manage_surveys`` list, write,
edit, publish and withdraw the notes of their subtrees."""

import datetime

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from unionhome.access.policy import OutOfScope, PermissionRefused, has_permission_anywhere
from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, MultilineText, PlainText, TimeCursor
from unionhome.org.models import OrgUnit
from unionhome.satisfaction import services_actions as services
from unionhome.satisfaction import you_said as selectors
from unionhome.satisfaction.models import FeedbackAction
from unionhome.surveys.models import Survey

router = Router(tags=["you said, we did"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


LIMITS = services.LIMITS


class PageFilters(Schema):
    after: TimeCursor | None = Field(None, description="The `next` cursor of the previous page.")


class UnitOut(Schema):
    id: int
    name: str


class ActionOut(Schema):
    id: int
    unit: UnitOut
    title: str
    said: str = Field(description="What workers said.")
    done: str = Field(description="What the union did.")
    survey_id: int | None
    survey_title: str | None
    service_line: str
    topic: str = Field(description="An appeal category or hot topic word.")
    published_at: datetime.datetime | None = Field(description="Null for a draft (cadres only).")


class SurveyHeadlineOut(Schema):
    id: int
    title: str
    unit: UnitOut
    closed_at: datetime.datetime | None
    invited: int
    responded: int
    response_rate: float | None = Field(description="Per cent of the invited who answered.")
    overall_index: float | None = Field(description="0–100; null when fewer than k answered, or no overall question.")


class YouSaidOut(Schema):
    items: list[ActionOut]
    surveys: list[SurveyHeadlineOut] = Field(description="Closed surveys of the caller's units (first page only).")
    next: str | None


class ActionsOut(Schema):
    items: list[ActionOut]
    next: str | None


class ActionIn(Schema):
    title: PlainText = Field(..., min_length=1, max_length=LIMITS["title"])
    said: MultilineText = Field(..., min_length=1, max_length=LIMITS["said"])
    done: MultilineText = Field(..., min_length=1, max_length=LIMITS["done"])
    survey_id: int | None = Field(None, ge=1, le=MAX_ID)
    service_line: PlainText = Field("", max_length=40)
    topic: PlainText = Field("", max_length=LIMITS["topic"])


class ActionCreateIn(ActionIn):
    unit_id: int = Field(..., ge=1, le=MAX_ID)
    publish: bool = False


def action_out(a: FeedbackAction) -> dict:
    return {
        "id": a.pk,
        "unit": {"id": a.unit_id, "name": a.unit.name},
        "title": a.title,
        "said": a.said,
        "done": a.done,
        "survey_id": a.survey_id,
        "survey_title": a.survey.title if a.survey_id else None,
        "service_line": a.service_line,
        "topic": a.topic,
        "published_at": a.published_at,
    }


def _survey(request: HttpRequest, survey_id: int | None) -> Survey | None:
    if survey_id is None:
        return None
    survey = selectors.linkable_surveys(request.auth).filter(pk=survey_id).first()
    if survey is None:
        raise OutOfScope
    return survey


def _data(request: HttpRequest, payload: ActionIn) -> dict:
    return {
        "title": payload.title,
        "said": payload.said,
        "done": payload.done,
        "survey": _survey(request, payload.survey_id),
        "service_line": payload.service_line,
        "topic": payload.topic,
    }


@router.get("/you-said", response={200: YouSaidOut, **ERRORS}, operation_id="you_said", summary="You said, we did")
def you_said(request: HttpRequest, filters: Query[PageFilters]):
    """The notes published for the caller's unit and the units above it, newest first (20 a page), and on the
    first page the closed surveys of those units with their response rate and overall index (null when fewer
    than k answered). Empty for an account without a member record."""
    page = selectors.you_said_page(request.auth, filters.after)
    surveys = [] if filters.after else selectors.closed_surveys_for(request.auth)
    return {
        "items": [action_out(a) for a in page.items],
        "surveys": [
            {
                "id": h.survey.pk,
                "title": h.survey.title,
                "unit": {"id": h.survey.unit_id, "name": h.survey.unit.name},
                "closed_at": h.survey.closed_at,
                "invited": h.invited,
                "responded": h.responded,
                "response_rate": h.response_rate,
                "overall_index": h.index,
            }
            for h in surveys
        ],
        "next": page.next_cursor,
    }


@router.get(
    "/you-said/manage", response={200: ActionsOut, **ERRORS}, operation_id="you_said_manage", summary="Notes to edit"
)
def manage(request: HttpRequest, filters: Query[PageFilters]):
    """Every note of the caller's subtrees, drafts too, newest written first (20 a page). Needs
    `satisfaction.manage_surveys` (403)."""
    if not has_permission_anywhere(request.auth, selectors.PERMISSION):
        raise PermissionRefused(selectors.PERMISSION)
    page = selectors.managed_actions_page(request.auth, filters.after)
    return {"items": [action_out(a) for a in page.items], "next": page.next_cursor}


@router.post("/you-said", response={201: ActionOut, **ERRORS}, operation_id="you_said_create", summary="Write a note")
def create(request: HttpRequest, payload: ActionCreateIn):
    """Write a note for a unit where the caller has `satisfaction.manage_surveys` (403 elsewhere; an unknown
    unit or survey is 404), as a draft or published at once (`publish`)."""
    unit = OrgUnit.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        raise OutOfScope
    action = services.feedback_action_create(
        actor=request.auth, unit=unit, publish=payload.publish, **_data(request, payload)
    )
    return Status(201, action_out(action))


@router.put(
    "/you-said/{action_id}", response={200: ActionOut, **ERRORS}, operation_id="you_said_update", summary="Edit a note"
)
def update(request: HttpRequest, payload: ActionIn, action_id: int = Path(..., ge=1, le=MAX_ID)):
    """Replace a note's text and links (404 outside the caller's subtrees)."""
    action = selectors.managed_action(request.auth, action_id)
    return action_out(services.feedback_action_update(actor=request.auth, action=action, **_data(request, payload)))


@router.post(
    "/you-said/{action_id}/publish",
    response={200: ActionOut, **ERRORS},
    operation_id="you_said_publish",
    summary="Publish a note",
)
def publish(request: HttpRequest, action_id: int = Path(..., ge=1, le=MAX_ID)):
    """Show the note to the members of its unit's subtree."""
    action = selectors.managed_action(request.auth, action_id)
    return action_out(services.feedback_action_publish(actor=request.auth, action=action))


@router.post(
    "/you-said/{action_id}/withdraw",
    response={200: ActionOut, **ERRORS},
    operation_id="you_said_withdraw",
    summary="Withdraw a note",
)
def withdraw(request: HttpRequest, action_id: int = Path(..., ge=1, le=MAX_ID)):
    """Take a published note back to a draft: members no longer see it."""
    action = selectors.managed_action(request.auth, action_id)
    return action_out(services.feedback_action_withdraw(actor=request.auth, action=action))
