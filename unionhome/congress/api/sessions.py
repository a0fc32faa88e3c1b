"""API of congress sessions: sessions with their present count, a term's representatives, check-in
(the representative's own by the hall's code, or by a clerk) and handling departments. Same selectors
and services as the pages."""

import datetime

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema

from unionhome.access.policy import OutOfScope, PermissionRefused, can
from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, KeyCursor, PlainText, TimeCursor
from unionhome.congress.models import CheckIn, CongressSession, Representative
from unionhome.congress.selectors import sessions as selectors
from unionhome.congress.services.check_in import CODE_LIMIT, CheckInResult, check_in_by_clerk, check_in_by_code
from unionhome.keyset import decode_cursor, decode_time_cursor, encode_cursor

router = Router(tags=["congress"])

ERRORS = {401: ErrorOut, 403: ErrorOut}
MAX_PAGE_SIZE = 100


class SessionFilters(Schema):
    status: CongressSession.Status | None = Field(None, description="Only sessions in this status.")
    after: TimeCursor | None = Field(None, description="The `next` cursor of the previous page.")
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class CountsOut(Schema):
    seated: int = Field(description="Representatives seated in the session's term.")
    present: int = Field(description="Seated representatives checked in at this session.")


class SessionOut(Schema):
    id: int
    congress_id: int
    congress_name: str
    number: int
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    venue: str
    status: CongressSession.Status
    proposals_close_at: datetime.datetime | None
    url: str = Field(description="The session's page.")


class SessionPageOut(Schema):
    items: list[SessionOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class MyCheckInOut(Schema):
    seated: bool = Field(description="Whether the caller holds a seat in the session's term.")
    checked_in_at: datetime.datetime | None = Field(description="When the caller checked in; null if not.")


class SessionDetailOut(SessionOut):
    counts: CountsOut
    me: MyCheckInOut


class RepresentativeFilters(Schema):
    q: PlainText = Field("", max_length=50, description="Name prefix, pinyin initials (zs) or employee number.")
    after: KeyCursor | None = Field(None, description="The `next` cursor of the previous page.")
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class RepresentativeOut(Schema):
    id: int
    member_id: int
    name: str
    employee_no: str
    delegation_id: int
    delegation_unit: str
    category: Representative.Category
    checked_in: bool = Field(description="Checked in at this session.")


class RepresentativePageOut(Schema):
    items: list[RepresentativeOut]
    next: str | None


class CodeIn(Schema):
    code: PlainText = Field(..., min_length=1, max_length=CODE_LIMIT, description="The code in the hall's QR code.")


class ClerkCheckInIn(Schema):
    representative_id: int = Field(..., ge=1, le=MAX_ID)


class CheckInOut(Schema):
    session_id: int
    representative_id: int
    method: CheckIn.Method
    checked_in_at: datetime.datetime
    already_checked_in: bool = Field(description="True when the representative had checked in before (no change).")
    counts: CountsOut


class HandlerOut(Schema):
    id: int
    username: str
    display_name: str


class DepartmentOut(Schema):
    id: int
    union_id: int
    name: str
    is_active: bool
    handlers: list[HandlerOut]


def session_out(session: CongressSession) -> dict:
    return {
        "id": session.pk,
        "congress_id": session.congress_id,
        "congress_name": session.congress.name,
        "number": session.number,
        "title": session.title,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "venue": session.venue,
        "status": session.status,
        "proposals_close_at": session.proposals_close_at,
        "url": reverse("congress:session_detail", args=[session.pk]),
    }


def _check_in_out(session: CongressSession, result: CheckInResult) -> dict:
    check_in = result.check_in
    return {
        "session_id": session.pk,
        "representative_id": check_in.representative_id,
        "method": check_in.method,
        "checked_in_at": check_in.checked_in_at,
        "already_checked_in": result.already,
        "counts": selectors.session_counts(session),
    }


@router.get(
    "/sessions",
    response={200: SessionPageOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="congress_session_list",
    summary="Sessions the caller may see",
)
def session_list(request: HttpRequest, filters: Query[SessionFilters]):
    """Sessions of the terms the caller follows (``congress.view`` on the union or a unit in it) or holds
    a seat in, newest first, a page at a time. Anyone else gets an empty list."""
    sessions = selectors.sessions_for(request.auth)
    if filters.status:
        sessions = sessions.filter(status=filters.status)
    if filters.after:
        moment, pk = decode_time_cursor(filters.after)
        sessions = sessions.filter(Q(starts_at__lt=moment) | Q(starts_at=moment, id__lt=pk))
    rows = list(sessions[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    cursor = encode_cursor([rows[-1].starts_at.isoformat(), rows[-1].pk]) if more and rows else None
    return {"items": [session_out(s) for s in rows], "next": cursor}


@router.get(
    "/sessions/{session_id}",
    response={200: SessionDetailOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="congress_session_detail",
    summary="One session with its present count",
)
def session_detail(request: HttpRequest, session_id: int = Path(..., ge=1, le=MAX_ID)):
    """The session, its counts (seated and present) and whether the caller has checked in."""
    viewer = request.auth
    session = selectors.session_for(viewer, session_id)
    mine = selectors.check_in_of(viewer, session)
    return {
        **session_out(session),
        "counts": selectors.session_counts(session),
        "me": {
            "seated": session.congress_id in selectors.seat_congress_ids(viewer),
            "checked_in_at": mine.checked_in_at if mine else None,
        },
    }


@router.get(
    "/sessions/{session_id}/representatives",
    response={200: RepresentativePageOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="congress_session_representatives",
    summary="The seated representatives of a session's term, with their check-in",
)
def session_representatives(
    request: HttpRequest, filters: Query[RepresentativeFilters], session_id: int = Path(..., ge=1, le=MAX_ID)
):
    """For the congress office and clerks (``congress.view`` or ``congress.check_in`` on the union): the
    term's seated representatives in pinyin order, each with whether they checked in at this session."""
    viewer = request.auth
    session = selectors.session_for(viewer, session_id)
    if not (can(viewer, selectors.VIEW, session) or can(viewer, selectors.CHECK_IN, session)):
        raise PermissionRefused(selectors.VIEW)
    reps = selectors.session_representatives(session, filters.q.strip())
    if filters.after:
        pinyin, pk = decode_cursor(filters.after)
        reps = reps.filter(Q(member__name_pinyin__gt=pinyin) | Q(member__name_pinyin=pinyin, id__gt=pk))
    rows = list(reps[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    cursor = encode_cursor([rows[-1].member.name_pinyin, rows[-1].pk]) if more and rows else None
    items = [
        {
            "id": r.pk,
            "member_id": r.member_id,
            "name": r.member.name,
            "employee_no": r.member.employee_no,
            "delegation_id": r.delegation_id,
            "delegation_unit": r.delegation.unit.name,
            "category": r.category,
            "checked_in": r.checked_in,
        }
        for r in rows
    ]
    return {"items": items, "next": cursor}


@router.post(
    "/sessions/{session_id}/check-in",
    response={200: CheckInOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="congress_session_check_in",
    summary="Check in with the hall's code (a representative)",
)
def session_check_in(request: HttpRequest, payload: CodeIn, session_id: int = Path(..., ge=1, le=MAX_ID)):
    """The caller checks in at a session in progress with the code of the hall's QR code. Checking in
    again answers 200 with ``already_checked_in`` true. A wrong or replaced code, a caller without a
    seat in the term, or a session not in progress is 422."""
    viewer = request.auth
    session = selectors.session_for(viewer, session_id)
    result = check_in_by_code(actor=viewer, session=session, code=payload.code)
    return _check_in_out(session, result)


@router.post(
    "/sessions/{session_id}/check-ins",
    response={200: CheckInOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="congress_session_clerk_check_in",
    summary="Check a representative in (a clerk)",
)
def session_clerk_check_in(request: HttpRequest, payload: ClerkCheckInIn, session_id: int = Path(..., ge=1, le=MAX_ID)):
    """A clerk (``congress.check_in``) checks a seated representative of the session's term in. Twice is
    200 with ``already_checked_in`` true; a withdrawn representative or a session not in progress is 422;
    a representative of another term is 404."""
    viewer = request.auth
    session = selectors.session_for(viewer, session_id)
    if not can(viewer, selectors.CHECK_IN, session):
        raise PermissionRefused(selectors.CHECK_IN)
    rep = Representative.objects.filter(pk=payload.representative_id, congress_id=session.congress_id).first()
    if rep is None:
        raise OutOfScope
    result = check_in_by_clerk(actor=viewer, session=session, representative=rep)
    return _check_in_out(session, result)


@router.get(
    "/departments",
    response={200: list[DepartmentOut], **ERRORS},
    operation_id="congress_department_list",
    summary="Handling departments",
)
def department_list(request: HttpRequest):
    """Departments of the unions where the caller sets up departments or reviews proposals, and those the
    caller is a handler of, with their handlers (at most 500)."""
    departments = selectors.departments_for(request.auth)[:500]
    return [
        {
            "id": d.pk,
            "union_id": d.unit_id,
            "name": d.name,
            "is_active": d.is_active,
            "handlers": [
                {"id": h.pk, "username": h.username, "display_name": h.display_name} for h in d.handlers.all()
            ],
        }
        for d in departments
    ]
