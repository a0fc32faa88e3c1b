"""The voices API: handling (for cadres and handlers) under /api/v1/voices/handling/: the queue, one
appeal as a handler sees it, acknowledge, reply, transfer and close. Same selectors, services and
policy as the pages: an appeal the caller may not see is 404, one they see but may not act on is 403."""

import datetime

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, MultilineText, TimeCursor
from unionhome.congress.models import HandlingDepartment
from unionhome.voices.handlers import NotYours, handles_anything
from unionhome.voices.models import Appeal, AppealCategory
from unionhome.voices.selectors import handling as selectors
from unionhome.voices.selectors import queue as queue_selectors
from unionhome.voices.services import handling as services

router = Router(tags=["voices"])
ERRORS = {401: ErrorOut, 403: ErrorOut}
MAX_PAGE_SIZE = 100
UNKNOWN = object()


class QueueFilters(Schema):
    status: str = Field("open", pattern="^(open|all|submitted|acknowledged|closed|reopened|withdrawn)$")
    category: AppealCategory | None = None
    overdue: bool = False
    escalated: bool = False
    everyone: bool = Field(False, description="With `voices.supervise`: every appeal of the viewer's units.")
    unit_id: int | None = Field(None, ge=1, le=MAX_ID, description="Only appeals of this unit's subtree.")
    after: TimeCursor | None = Field(None, description="The `next` cursor of the previous page.")
    limit: int = Field(queue_selectors.PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class QueueItemOut(Schema):
    id: int
    reference: str
    title: str
    kind: str
    category: str
    status: str
    anonymous: bool
    submitter: str = Field(description="The member's name; empty for an anonymous appeal.")
    unit_name: str = Field(description="The member's unit, or the branch of an anonymous appeal.")
    handler: str
    acknowledge_due: datetime.datetime
    answer_due: datetime.datetime
    overdue: bool
    acknowledge_overdue: bool
    answer_overdue: bool
    acknowledge_working_days_left: int | None
    answer_working_days_left: int | None
    escalation_level: int
    escalated_to: str
    url: str


class QueueOut(Schema):
    items: list[QueueItemOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class ReplyOut(Schema):
    id: int
    author: str
    from_submitter: bool
    body: str
    public: bool
    answer: bool
    created_at: datetime.datetime


class EventOut(Schema):
    kind: str
    actor: str
    note: str
    at: datetime.datetime


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str = Field(description="Download address; empty when downloads are not offered.")


class AppealOut(QueueItemOut):
    body: str
    submitted_at: datetime.datetime
    acknowledged_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    actions: list[str] = Field(description="What the caller may do now.")
    attachments: list[AttachmentOut]
    replies: list[ReplyOut]
    events: list[EventOut]


class ReplyIn(Schema):
    body: MultilineText = Field(..., min_length=1, max_length=services.MAX_TEXT)
    public: bool = False


class CloseIn(Schema):
    answer: MultilineText = Field(..., min_length=1, max_length=services.MAX_TEXT)
    public: bool = False


class TransferIn(Schema):
    reason: MultilineText = Field(..., min_length=1, max_length=services.MAX_TEXT)
    handler_id: int | None = Field(None, ge=1, le=MAX_ID)
    department_id: int | None = Field(None, ge=1, le=MAX_ID)
    to_supervisors: bool = False


def _name(user) -> str:
    return (user.display_name or user.username) if user is not None else ""


def _item(appeal: Appeal) -> dict:
    handler = _name(appeal.handler) if appeal.handler_id else appeal.department.name if appeal.department_id else ""
    return {
        "id": appeal.pk,
        "reference": appeal.reference,
        "title": appeal.title,
        "kind": appeal.kind,
        "category": appeal.category,
        "status": appeal.status,
        "anonymous": appeal.is_anonymous,
        "submitter": "" if appeal.is_anonymous else appeal.member.name,
        "unit_name": appeal.branch.name if appeal.is_anonymous else appeal.unit.name,
        "handler": handler,
        "acknowledge_due": appeal.acknowledge_due,
        "answer_due": appeal.answer_due,
        "overdue": appeal.overdue,
        "acknowledge_overdue": appeal.ack_overdue,
        "answer_overdue": appeal.answer_overdue,
        "acknowledge_working_days_left": appeal.ack_days_left,
        "answer_working_days_left": appeal.answer_days_left,
        "escalation_level": appeal.escalation_level,
        "escalated_to": appeal.escalation_unit.name if appeal.escalation_unit_id else "",
        "url": services.handling_url(appeal),
    }


def appeal_out(viewer, appeal: Appeal) -> dict:
    detail = selectors.handling_detail(viewer, appeal)
    return {
        **_item(appeal),
        "body": appeal.body,
        "submitted_at": appeal.submitted_at,
        "acknowledged_at": appeal.acknowledged_at,
        "closed_at": appeal.closed_at,
        "actions": detail["actions"],
        "attachments": [
            {"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size, "url": a.url}
            for a in detail["attachments"]
        ],
        "replies": [
            {
                "id": r.pk,
                "author": "" if r.from_submitter else _name(r.author),
                "from_submitter": r.from_submitter,
                "body": r.body,
                "public": r.is_public,
                "answer": r.is_answer,
                "created_at": r.created_at,
            }
            for r in detail["replies"]
        ],
        "events": [
            {"kind": e.kind, "actor": _name(e.actor) if e.actor_id else "", "note": e.note, "at": e.at}
            for e in detail["events"]
        ],
    }


def _fresh(viewer, appeal_id: int) -> dict:
    return appeal_out(viewer, selectors.appeal_for_handler(viewer, appeal_id))


@router.get(
    "/handling/queue",
    response={200: QueueOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_handling_queue",
    summary="The appeals the caller answers",
)
def queue(request: HttpRequest, filters: Query[QueueFilters]):
    """Appeals routed to the caller or their departments, and (where they hold ``voices.handle`` or
    ``voices.supervise``) appeals routed to nobody or escalated; earliest answer deadline first, so the
    overdue lead, or newest first for a history (`status` all, closed or withdrawn). 403 for someone who
    answers no appeals."""
    viewer = request.auth
    if not handles_anything(viewer):
        raise NotYours(_("You answer no appeals: none is routed to you and you hold no voices role."))
    unit = None
    if filters.unit_id:
        unit = next((u for u in queue_selectors.unit_choices(viewer) if u.pk == filters.unit_id), None)
        if unit is None:
            return {"items": [], "next": None}
    chosen = queue_selectors.QueueFilters(
        status=filters.status,
        category=filters.category or "",
        overdue=filters.overdue,
        escalated=filters.escalated,
        unit=unit,
        everyone=filters.everyone,
    )
    found = queue_selectors.queue_for(viewer, chosen)
    page = queue_selectors.queue_page(found, filters.after, size=filters.limit, filters=chosen)
    return {"items": [_item(a) for a in page.items], "next": page.next_cursor}


@router.get(
    "/handling/appeals/{appeal_id}",
    response={200: AppealOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_handling_appeal",
    summary="One appeal as its handler sees it",
)
def appeal_detail(request: HttpRequest, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    """The appeal, its attachments, replies and history; an anonymous appeal names nobody."""
    return _fresh(request.auth, appeal_id)


@router.post(
    "/handling/appeals/{appeal_id}/acknowledge",
    response={200: AppealOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_handling_acknowledge",
    summary="Acknowledge an appeal (受理)",
)
def acknowledge(request: HttpRequest, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    viewer = request.auth
    services.appeal_acknowledge(actor=viewer, appeal=selectors.appeal_for_handler(viewer, appeal_id))
    return _fresh(viewer, appeal_id)


@router.post(
    "/handling/appeals/{appeal_id}/reply",
    response={200: AppealOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_handling_reply",
    summary="Reply to the member (a first reply acknowledges)",
)
def reply(request: HttpRequest, payload: ReplyIn, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    viewer = request.auth
    appeal = selectors.appeal_for_handler(viewer, appeal_id)
    services.appeal_reply(actor=viewer, appeal=appeal, body=payload.body, public=payload.public)
    return _fresh(viewer, appeal_id)


@router.post(
    "/handling/appeals/{appeal_id}/transfer",
    response={200: AppealOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_handling_transfer",
    summary="Transfer an appeal with a reason (the deadlines stay)",
)
def transfer(request: HttpRequest, payload: TransferIn, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    """To one of: a person (``handler_id``), a handling department (``department_id``), or back to the
    branch's cadres (``to_supervisors``). The answer is the appeal as the caller still sees it, or 404
    when the transfer took it out of their sight."""
    viewer = request.auth
    appeal = selectors.appeal_for_handler(viewer, appeal_id)
    # An unknown id is a wrong choice like any other: the service refuses it on its field.
    handler = (
        (get_user_model().objects.filter(pk=payload.handler_id).first() or UNKNOWN) if payload.handler_id else None
    )
    department = (
        (HandlingDepartment.objects.filter(pk=payload.department_id).first() or UNKNOWN)
        if payload.department_id
        else None
    )
    services.appeal_transfer(
        actor=viewer,
        appeal=appeal,
        reason=payload.reason,
        handler=handler,
        department=department,
        to_supervisors=payload.to_supervisors,
    )
    return _fresh(viewer, appeal_id)


@router.post(
    "/handling/appeals/{appeal_id}/close",
    response={200: AppealOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_handling_close",
    summary="Answer and close an appeal (办结)",
)
def close(request: HttpRequest, payload: CloseIn, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    viewer = request.auth
    appeal = selectors.appeal_for_handler(viewer, appeal_id)
    services.appeal_close(actor=viewer, appeal=appeal, answer=payload.answer, public=payload.public)
    return _fresh(viewer, appeal_id)
