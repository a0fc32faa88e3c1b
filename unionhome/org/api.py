"""API for the org tree and the member directory: the same selectors, scope and masking as the pages.

``member_row`` (masking) and ``member_for`` (the one-member scope check, with the member's own
record always readable) are the page's own functions, reused so that the two routes cannot drift.
"""

import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from pydantic import field_validator

from unionhome.access.policy import require
from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, PlainText
from unionhome.audit.recorder import record
from unionhome.keyset import decode_cursor
from unionhome.org import selectors
from unionhome.org.models import Member, OrgUnit
from unionhome.org.presenters import member_row
from unionhome.org.selectors import PAGE_SIZE, TreeNode, member_for

router = Router(tags=["org"])

ERRORS = {401: ErrorOut, 403: ErrorOut}
MAX_QUERY_LENGTH = 50
MAX_PAGE_SIZE = 100
MAX_CURSOR_LENGTH = 300

# The statuses a list can be filtered by, and "all" (the page offers the same choices).
StatusFilter = Literal["active", "retired", "left", "transferred", "all"]


# --- org units -----------------------------------------------------------------------------------


class UnitOut(Schema):
    id: int
    parent_id: int | None = Field(description="The parent unit, or null at the top of the caller's scope.")
    code: str
    name: str
    kind: OrgUnit.Kind
    district: str
    depth: int = Field(description="1 for a root of the whole tree.")
    direct_member_count: int = Field(description="Active members placed directly in this unit.")
    subtree_member_count: int = Field(description="Active members in this unit and every unit below it.")


class UnitListOut(Schema):
    items: list[UnitOut]


def _flatten(nodes: list[TreeNode], parent_id: int | None = None) -> list[dict]:
    rows: list[dict] = []
    for node in nodes:
        unit = node.unit
        rows.append(
            {
                "id": unit.pk,
                "parent_id": parent_id,
                "code": unit.code,
                "name": unit.name,
                "kind": unit.kind,
                "district": unit.district,
                "depth": unit.depth,
                "direct_member_count": unit.direct_member_count,
                "subtree_member_count": node.subtree_count,
            }
        )
        rows.extend(_flatten(node.children, unit.pk))
    return rows


@router.get(
    "/org/units",
    response={200: UnitListOut, **ERRORS},
    operation_id="org_units_list",
    summary="The org units in the caller's scope",
)
def org_units(request: HttpRequest):
    """The caller's part of the org tree (``org.view_tree``), parents before children, with member counts."""
    require(request.auth, "org.view_tree")
    return {"items": _flatten(selectors.unit_tree_for(request.auth, "org.view_tree"))}


# --- members -------------------------------------------------------------------------------------


class MemberFilters(Schema):
    q: PlainText = Field(
        "",
        max_length=MAX_QUERY_LENGTH,
        description='Name prefix (张), pinyin initials ("zs" finds 张三), pinyin prefix or employee number prefix.',
    )
    status: StatusFilter = Field("active", description='A member status, or "all".')
    after: PlainText | None = Field(
        None, max_length=MAX_CURSOR_LENGTH, description="The `next` cursor of the previous page."
    )
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("after")
    @classmethod
    def _cursor(cls, value: str | None) -> str | None:
        if not value:
            return None
        values = decode_cursor(value)
        if values is None or not 0 <= values[1] <= MAX_ID or any(ord(ch) < 32 for ch in values[0]):
            raise ValueError(_("This cursor is not valid. Start again from the first page."))
        try:
            values[0].encode()
        except UnicodeEncodeError:
            raise ValueError(_("This cursor is not valid. Start again from the first page.")) from None
        return value


class MemberOut(Schema):
    id: int
    employee_no: str
    name: str
    unit_id: int
    unit_name: str
    status: Member.Status
    mobile: str = Field(description="Masked (138****5678) unless the caller may see it.")
    id_number: str = Field(description="Masked (110**********1234) unless the caller may see it.")
    masked: bool = Field(description="Whether mobile and ID number are masked for this caller.")


class MemberPageOut(Schema):
    items: list[MemberOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class StatusChangeOut(Schema):
    old_status: str
    new_status: Member.Status
    effective_on: datetime.date
    reason: str


class MemberDetailOut(MemberOut):
    gender: Member.Gender
    birth_date: datetime.date
    job_category: Member.JobCategory
    employment_form: Member.EmploymentForm
    joined_on: datetime.date
    tags: list[str]
    status_history: list[StatusChangeOut]


def member_out(viewer, member: Member) -> dict:
    """One member as the caller may see them: masked exactly as the pages mask."""
    row = member_row(viewer, member)
    return {
        "id": member.pk,
        "employee_no": member.employee_no,
        "name": member.name,
        "unit_id": member.unit_id,
        "unit_name": member.unit.name,
        "status": member.status,
        "mobile": row["mobile"],
        "id_number": row["id_number"],
        "masked": not row["sensitive"],
    }


def shows_sensitive(member: Member, data: dict) -> bool:
    """Whether ``data`` (from ``member_out``) shows an unmasked ID number or mobile: a read to audit."""
    return not data["masked"] and bool(member.id_number or member.mobile)


def member_detail_out(viewer, member: Member) -> dict:
    data = member_out(viewer, member)
    data.update(
        gender=member.gender,
        birth_date=member.birth_date,
        job_category=member.job_category,
        employment_form=member.employment_form,
        joined_on=member.joined_on,
        tags=[tag.name for tag in member.tags.all()],
        status_history=[
            {
                "old_status": change.old_status,
                "new_status": change.new_status,
                "effective_on": change.effective_on,
                "reason": change.reason,
            }
            for change in member.status_changes.all()
        ],
    )
    return data


@router.get(
    "/members",
    response={200: MemberPageOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="members_list",
    summary="The member directory",
)
def members(request: HttpRequest, filters: Query[MemberFilters]):
    """Members in the caller's scope (``org.view_members``), in pinyin order, a page at a time.

    Mobile and ID numbers are masked unless the caller holds ``org.view_member_sensitive`` on the
    member's unit; a page that shows any unmasked number is recorded in the audit trail.
    """
    viewer = request.auth
    require(viewer, "org.view_members")
    found = selectors.members_for(viewer)
    if filters.status != "all":
        found = found.filter(status=filters.status)
    found = selectors.member_search(found, filters.q)
    page = selectors.member_page(found, filters.after, size=filters.limit)
    items = [member_out(viewer, m) for m in page.items]
    shown = [m.pk for m, item in zip(page.items, items, strict=True) if shows_sensitive(m, item)]
    if shown:
        record(viewer, "org.member.sensitive_listed", None, members=shown)
    return {"items": items, "next": page.next_cursor}


@router.get(
    "/members/{member_id}",
    response={200: MemberDetailOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="member_get",
    summary="One member",
)
def member(request: HttpRequest, member_id: int = Path(..., ge=1, le=MAX_ID)):
    """One member in the caller's scope, or the caller's own record; 404 for anyone else (and audited)."""
    viewer = request.auth
    found = member_for(viewer, member_id)
    data = member_detail_out(viewer, found)
    if shows_sensitive(found, data):
        record(viewer, "org.member.sensitive_viewed", found)
    return data
