"""What UnionHome holds about one person, gathered for the PIPL right of access and portability.

Apps that keep records about a member (hardship files, assistance, visits…) add a ``Section`` with
``register_section``: its rows appear in the JSON download, the Excel workbook (one sheet each) and on
the "my data" page, so that no app's records about a person are left out.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from unionhome.access.permissions import ROLES
from unionhome.audit.models import AuditEvent

ACTIVITY_LIMIT = 1000


@dataclass(frozen=True)
class Section:
    """Records an app holds about a member: ``columns`` gives (key, translated heading) pairs and ``rows``
    returns, for a member, one dict per record keyed by those keys (JSON-friendly values)."""

    key: str
    title: Callable[[], str]
    columns: Callable[[], list[tuple[str, str]]]
    rows: Callable[[Any], list[dict]]


_SECTIONS: list[Section] = []


def register_section(section: Section) -> None:
    if all(s.key != section.key for s in _SECTIONS):
        _SECTIONS.append(section)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def personal_data_of(user) -> dict:
    """The account, the member profile with status history and tags, roles, and the user's own recent activity."""
    member = user.member
    data: dict = {
        "account": {
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "password_changed_at": _iso(user.password_changed_at),
            "active": user.is_active,
            "second_factor_enrolled": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "roles": [
                {
                    "role": a.role,
                    "role_name": str(ROLES[a.role].label) if a.role in ROLES else a.role,
                    "unit": a.unit.name,
                    "granted_at": _iso(a.granted_at),
                }
                for a in user.role_assignments.select_related("unit")
            ],
        },
        "member": None,
        "activity": [
            {
                "at": e.occurred_at.isoformat(),
                "action": e.action,
                "object": e.object_repr,
                "ip_address": e.ip_address,
            }
            for e in AuditEvent.objects.filter(actor=user).order_by("-occurred_at", "-id")[:ACTIVITY_LIMIT]
        ],
    }
    if member is not None:
        data["member"] = {
            "employee_no": member.employee_no,
            "name": member.name,
            "gender": member.gender,
            "gender_label": str(member.get_gender_display()),
            "birth_date": _iso(member.birth_date),
            "id_number": member.id_number,
            "mobile": member.mobile,
            "union": member.union.name,
            "unit": member.unit.name,
            "job_category": member.job_category,
            "job_category_label": str(member.get_job_category_display()),
            "employment_form": member.employment_form,
            "employment_form_label": str(member.get_employment_form_display()),
            "joined_on": _iso(member.joined_on),
            "status": member.status,
            "status_label": str(member.get_status_display()),
            "tags": [t.name for t in member.tags.all()],
            "status_history": [
                {
                    "from": c.old_status,
                    "to": c.new_status,
                    "from_label": str(c.get_old_status_display()) if c.old_status else "",
                    "to_label": str(c.get_new_status_display()),
                    "effective_on": _iso(c.effective_on),
                    "reason": c.reason,
                }
                for c in member.status_changes.all()
            ],
        }
    data["records"] = [
        {"key": s.key, "title": s.title(), "columns": s.columns(), "rows": s.rows(member)}
        for s in _SECTIONS
        if member is not None
    ]
    return data


def _cell(sheet, value: Any) -> WriteOnlyCell:
    if isinstance(value, list):
        value = "、".join(str(v) for v in value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    return cell


def _table(workbook: Workbook, title: str, headers: list[str], rows: list[list[Any]]) -> None:
    sheet = workbook.create_sheet(title[:31])
    sheet.append([_cell(sheet, h) for h in headers])
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])


def personal_data_xlsx(data: dict) -> bytes:
    """The same data as ``personal_data_of`` as an Excel workbook: one sheet per section."""
    workbook = Workbook(write_only=True)
    account = data["account"]
    _table(
        workbook,
        _("Account"),
        [_("Field"), _("Value")],
        [
            [_("Username"), account["username"]],
            [_("Display name"), account["display_name"]],
            [_("Email for notifications"), account["email"]],
            [_("Account created"), account["date_joined"]],
            [_("Last login"), account["last_login"]],
            [_("Password changed"), account["password_changed_at"]],
            [pgettext("login account", "Active"), _("yes") if account["active"] else _("no")],
            [_("Second factor set up"), _("yes") if account["second_factor_enrolled"] else _("no")],
        ],
    )
    member = data["member"]
    if member is not None:
        _table(
            workbook,
            _("Profile"),
            [_("Field"), _("Value")],
            [
                [_("Employee number"), member["employee_no"]],
                [_("Name"), member["name"]],
                [_("Gender"), member["gender_label"]],
                [_("Birth date"), member["birth_date"]],
                [_("ID number"), member["id_number"]],
                [_("Mobile"), member["mobile"]],
                [_("Union"), member["union"]],
                [_("Unit"), member["unit"]],
                [_("Job category"), member["job_category_label"]],
                [_("Employment form"), member["employment_form_label"]],
                [_("Date joined"), member["joined_on"]],
                [_("Status"), member["status_label"]],
                [_("Tags"), member["tags"]],
            ],
        )
        _table(
            workbook,
            _("Status history"),
            [_("Effective on"), _("From"), _("To"), _("Reason")],
            [[c["effective_on"], c["from"], c["to"], c["reason"]] for c in member["status_history"]],
        )
    for section in data.get("records", []):
        if not section["rows"]:
            continue
        keys = [key for key, _heading in section["columns"]]
        _table(
            workbook,
            section["title"],
            [heading for _key, heading in section["columns"]],
            [[row.get(key) for key in keys] for row in section["rows"]],
        )
    _table(
        workbook,
        _("Roles"),
        [_("Role"), _("Unit"), _("Granted at")],
        [[r["role_name"], r["unit"], r["granted_at"]] for r in account["roles"]],
    )
    _table(
        workbook,
        _("Activity"),
        [_("Time"), _("Action"), _("Object"), _("IP address")],
        [[e["at"], e["action"], e["object"], e["ip_address"]] for e in data["activity"]],
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
