"""The member's own data (PIPL right of access and portability): the page, the JSON and Excel downloads."""

import datetime
import io
import json

from openpyxl import load_workbook

from tests import factories
from unionhome.access.models import RoleAssignment
from unionhome.accounts.tests.login_steps import post_login
from unionhome.audit.models import AuditEvent
from unionhome.org.models import MemberTag
from unionhome.org.services import member_change_status

PASSWORD = factories.PASSWORD


def rich_member(people, union):
    """The member with a tag, a role, a status change with a tricky reason, and a login in the trail."""
    record = people["member_record"]
    record.tags.add(MemberTag.objects.create(code="model-worker", name="劳模"))
    RoleAssignment.objects.create(user=people["member"], role="representative", unit=union["g11"])
    member_change_status(
        actor=people["chair"],
        member=record,
        status="retired",
        effective_on=datetime.date(2026, 6, 30),
        reason='=HYPERLINK("http://x")',
    )
    return record


def test_download_holds_profile_status_history_tags_roles_and_activity(client, people, union):
    record = rich_member(people, union)
    post_login(client, "member", PASSWORD)
    response = client.get("/accounts/me/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="unionhome-my-data.json"'
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)

    member = data["member"]
    assert member["name"] == "张三"
    assert member["employee_no"] == record.employee_no
    assert member["id_number"] == record.id_number  # unmasked: it is the member's own
    assert member["mobile"] == record.mobile
    assert member["unit"] == "一站甲班"
    assert member["union"] == "技术中心工会"
    assert member["status"] == "retired"
    assert member["tags"] == ["劳模"]
    assert {
        "from": "active",
        "to": "retired",
        "from_label": "Active",
        "to_label": "Retired",
        "effective_on": "2026-06-30",
        "reason": '=HYPERLINK("http://x")',
    } in member["status_history"]
    assert member["status_label"] == "Retired" and member["gender_label"] == "Male"
    account = data["account"]
    assert account["username"] == "member"
    assert account["roles"] == [
        {
            "role": "representative",
            "role_name": "Workers' representative",
            "unit": "一站甲班",
            "granted_at": account["roles"][0]["granted_at"],
        }
    ]
    assert account["second_factor_enrolled"] is False
    assert any(e["action"] == "accounts.logged_in" for e in data["activity"])
    assert "password" not in json.dumps(account).replace("password_changed_at", "")

    event = AuditEvent.objects.filter(actor=people["member"], action="accounts.personal_data_downloaded").get()
    assert event.changes == {"format": "json"}


def test_excel_download_has_a_sheet_per_section_and_no_formulas(client, people, union):
    record = rich_member(people, union)
    post_login(client, "member", PASSWORD)
    response = client.get("/accounts/me/download.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Account", "Profile", "Status history", "Roles", "Activity"]
    profile = {row[0]: row[1] for row in book["Profile"].iter_rows(min_row=2, values_only=True)}
    assert profile["Name"] == "张三"
    assert profile["ID number"] == record.id_number
    assert profile["Tags"] == "劳模"
    reasons = [row[3] for row in book["Status history"].iter_rows(min_row=2)]
    tricky = next(cell for cell in reasons if cell.value and str(cell.value).startswith("="))
    assert tricky.data_type == "s"  # stored as text: Excel will not run it
    roles = list(book["Roles"].iter_rows(min_row=2, values_only=True))
    assert roles[0][:2] == ("Workers' representative", "一站甲班")
    assert AuditEvent.objects.filter(
        actor=people["member"], action="accounts.personal_data_downloaded", changes={"format": "xlsx"}
    ).exists()


def test_my_data_page_shows_the_profile_and_is_logged(client, people, union):
    record = rich_member(people, union)
    post_login(client, "member", PASSWORD)
    page = client.get("/accounts/me/")
    html = page.content.decode()
    assert page.status_code == 200
    assert record.id_number in html and record.mobile in html
    assert "劳模" in html
    assert "/accounts/me/download/" in html and "/accounts/me/download.xlsx" in html
    assert AuditEvent.objects.filter(actor=people["member"], action="accounts.personal_data_viewed").exists()


def test_an_account_without_member_record_downloads_its_account_and_roles(client, people, login_as):
    login_as(people["chair"])
    data = json.loads(client.get("/accounts/me/download/").content)
    assert data["member"] is None
    assert data["account"]["roles"][0]["role"] == "chair"
    assert data["account"]["second_factor_enrolled"] is True


def test_nobody_downloads_without_logging_in(client, db):
    for path in ["/accounts/me/", "/accounts/me/download/", "/accounts/me/download.xlsx"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
