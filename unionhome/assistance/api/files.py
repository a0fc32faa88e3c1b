"""Hardship files in the API: a member's own files (read, apply), an officer's scoped list, one file, and
the cadre's file queue. Same selectors, services, scope, masking and audit as the pages."""

import datetime
from decimal import Decimal
from typing import Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import field_validator

from unionhome.access.policy import PermissionRefused, has_permission_anywhere
from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, PlainText
from unionhome.assistance.models import HardshipCause, HardshipFile, HouseholdMember
from unionhome.assistance.selectors import files as selectors
from unionhome.assistance.services import files as services
from unionhome.keyset import decode_cursor

router = Router(tags=["assistance: hardship files"])

ERRORS = {401: ErrorOut, 403: ErrorOut}
MAX_PAGE_SIZE = 100
MAX_CURSOR_LENGTH = 300


# --- schemas -------------------------------------------------------------------------------------


class FileOut(Schema):
    id: int
    member_id: int
    member_name: str
    unit_name: str
    state: HardshipFile.State
    level: str = Field(description='"deep", "relative", "sudden", or "" when not set yet.')
    causes: list[HardshipCause.Cause]
    updated_at: datetime.datetime


class FilePageOut(Schema):
    items: list[FileOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class PersonOut(Schema):
    relation: HouseholdMember.Relation
    age: int | None = Field(description="Null when masked.")
    health: str = Field(description='A health code, or "••••" when masked.')
    health_note: str
    monthly_income: str = Field(description='Yuan with two decimals, or "••••" when masked.')
    employment: HouseholdMember.Employment


class EventOut(Schema):
    action: str
    label: str
    from_state: str
    to_state: HardshipFile.State
    note: str = Field(description="The note or reason given with the step (the applicant sees it).")
    at: datetime.datetime


class DocumentOut(Schema):
    id: int
    kind: str
    name: str
    size: int


class FileDetailOut(FileOut):
    masked: bool = Field(description="Whether health, income and the situation are masked for this caller.")
    situation: str
    household_size: int
    household_monthly_income: str
    income_per_head: str
    household: list[PersonOut]
    publicity_starts_on: datetime.date | None
    publicity_ends_on: datetime.date | None
    activated_on: datetime.date | None
    next_review_due: datetime.date | None
    close_reason: str
    history: list[EventOut]
    documents: list[DocumentOut]


class FileFilters(Schema):
    mine: bool = Field(False, description="Only the caller's own files (always so for a member without a role).")
    state: HardshipFile.State | None = None
    q: PlainText = Field("", max_length=50, description="Name prefix, pinyin initials or employee number prefix.")
    after: PlainText | None = Field(None, max_length=MAX_CURSOR_LENGTH, description="The `next` of the last page.")
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("after")
    @classmethod
    def _cursor(cls, value: str | None) -> str | None:
        if value and decode_cursor(value) is None:
            raise ValueError(_("This cursor is not valid. Start again from the first page."))
        return value or None


class PersonIn(Schema):
    relation: HouseholdMember.Relation
    age: int = Field(..., ge=0, le=130)
    health: HouseholdMember.Health
    health_note: PlainText = Field("", max_length=services.MAX_HEALTH_NOTE)
    monthly_income: Decimal = Field(..., ge=0, le=1_000_000, max_digits=12, decimal_places=2)
    employment: HouseholdMember.Employment


class ApplicationIn(Schema):
    causes: list[HardshipCause.Cause] = Field(..., min_length=1, max_length=len(HardshipCause.Cause.values))
    household: list[PersonIn] = Field(..., min_length=1, max_length=services.MAX_HOUSEHOLD)
    situation: str = Field(..., min_length=1, max_length=services.MAX_SITUATION)
    consent: bool = Field(
        ...,
        description="The member's separate consent to the processing of the sensitive information in the "
        "application (health, income, household). Without it no file is opened.",
    )
    submit: bool = Field(True, description="Submit for branch review at once; false keeps a draft.")


class QueueItemOut(Schema):
    id: int
    member_name: str
    unit_name: str
    state: HardshipFile.State
    level: str
    reason: Literal["review", "approval", "re_review", "re_review_overdue", "objection"]
    due: datetime.date | None


class QueueOut(Schema):
    items: list[QueueItemOut]


# --- presenters ----------------------------------------------------------------------------------


def file_out(file: HardshipFile) -> dict:
    return {
        "id": file.pk,
        "member_id": file.member_id,
        "member_name": file.member.name,
        "unit_name": file.member.unit.name,
        "state": file.state,
        "level": file.level,
        "causes": [c.cause for c in file.causes.all()],
        "updated_at": file.updated_at,
    }


def file_detail_out(viewer, file: HardshipFile) -> dict:
    detail = selectors.file_detail(viewer, file)
    sensitive = detail["sensitive"]
    return {
        **file_out(file),
        "masked": not sensitive,
        "situation": str(detail["situation"]),
        "household_size": file.household_size,
        "household_monthly_income": str(detail["household_monthly_income"]),
        "income_per_head": str(detail["income_per_head"]),
        "household": [
            {
                "relation": p["relation_code"],
                "age": p["age"],
                "health": p["health_code"] if sensitive else selectors.MASK,
                "health_note": p["health_note"],
                "monthly_income": str(p["monthly_income"]),
                "employment": p["employment_code"],
            }
            for p in detail["household"]
        ],
        "publicity_starts_on": file.publicity_starts_on,
        "publicity_ends_on": file.publicity_ends_on,
        "activated_on": file.activated_on,
        "next_review_due": file.next_review_due,
        "close_reason": file.close_reason,
        "history": [
            {
                "action": event.action,
                "label": str(row["label"]),
                "from_state": event.from_state,
                "to_state": event.to_state,
                "note": event.note,
                "at": event.occurred_at,
            }
            for event, row in zip(file.events.all(), detail["events"], strict=False)
        ],
        "documents": [
            {"id": d.pk, "kind": d.kind, "name": d.original_name, "size": d.size} for d in detail["documents"]
        ],
    }


# --- endpoints -----------------------------------------------------------------------------------


@router.get(
    "/files",
    response={200: FilePageOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="assistance_files_list",
    summary="Hardship files: the caller's own, or those in an officer's scope",
)
def files_list(request: HttpRequest, filters: Query[FileFilters]):
    """An officer (``assistance.view_file``) gets the files in their scope, newest change first; a member
    gets their own files (also with ``mine=true``). No health or income figures in the list."""
    viewer = request.auth
    if filters.mine or not has_permission_anywhere(viewer, "assistance.view_file"):
        found = selectors.own_files(viewer.member)
        if filters.state:
            found = found.filter(state=filters.state)
    else:
        found = selectors.files_for(viewer, state=filters.state, query=filters.q or None)
    page = selectors.file_page(found, filters.after, size=filters.limit)
    return {"items": [file_out(f) for f in page.items], "next": page.next_cursor}


@router.get(
    "/files/{file_id}",
    response={200: FileDetailOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="assistance_file_get",
    summary="One hardship file",
)
def file_get(request: HttpRequest, file_id: int = Path(..., ge=1, le=MAX_ID)):
    """The caller's own file, or one in their scope; 404 for anyone else. Each open is audited; health,
    income and the situation are masked without ``assistance.view_sensitive``."""
    file = selectors.file_for(request.auth, file_id)
    return file_detail_out(request.auth, file)


@router.post(
    "/files",
    response={201: FileDetailOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="assistance_file_apply",
    summary="Apply for hardship assistance for oneself",
)
def file_apply(request: HttpRequest, payload: ApplicationIn):
    """The caller (a member) applies for themselves, giving consent online. Refused (422) without consent,
    with an open file already, or with household figures that do not add up (the member listed once)."""
    viewer = request.auth
    if viewer.member is None:
        raise PermissionRefused("assistance.manage_file")
    household = [person.model_dump() for person in payload.household]
    with transaction.atomic():
        file = services.file_open(
            actor=viewer,
            member=viewer.member,
            causes=[str(c) for c in payload.causes],
            household=household,
            situation=payload.situation,
            consent_method="online" if payload.consent else None,
        )
        if payload.submit:
            services.file_submit(actor=viewer, file=file)
    file = selectors.file_for(viewer, file.pk, audit=False)
    return Status(201, file_detail_out(viewer, file))


@router.get(
    "/queues/files",
    response={200: QueueOut, **ERRORS},
    operation_id="assistance_files_queue",
    summary="Hardship files waiting for the caller",
)
def files_queue(request: HttpRequest):
    """Files awaiting the caller's branch review or union approval, re-reviews due within 30 days or overdue,
    and open objections to decide. Each list is capped at 20; an empty list for anyone without these duties."""
    viewer = request.auth
    today = timezone.localdate()
    items: list[dict] = []

    def item(file: HardshipFile, reason: str, due: datetime.date | None = None) -> dict:
        return {
            "id": file.pk,
            "member_name": file.member.name,
            "unit_name": file.member.unit.name,
            "state": file.state,
            "level": file.level,
            "reason": reason,
            "due": due,
        }

    items += [item(f, "review") for f in selectors.files_awaiting_review(viewer)[: selectors.QUEUE_LIMIT]]
    items += [item(f, "approval") for f in selectors.files_awaiting_approval(viewer)[: selectors.QUEUE_LIMIT]]
    items += [
        item(f, "re_review_overdue" if f.overdue else "re_review", f.next_review_due)
        for f in selectors.re_reviews_due(viewer, today)[: selectors.QUEUE_LIMIT]
    ]
    objections = selectors.objections_open(viewer).select_related("hardship_file__member__unit")
    items += [
        item(o.hardship_file, "objection", o.hardship_file.publicity_ends_on)
        for o in objections[: selectors.QUEUE_LIMIT]
    ]
    return {"items": items}
