"""Exporting the filtered trail to .xlsx and CSV: scoped, safe to open in Excel, and itself audited."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tests import factories
from unionhome.audit.models import AuditEvent
from unionhome.audit.recorder import record
from unionhome.audit.selectors import EventFilter
from unionhome.audit.services import audit_export
from unionhome.audit.tests.trail_data import events_on

EXPORT = reverse("audit:event_export")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_xlsx_export_of_the_filtered_trail(login_as, people):
    client = login_as(people["auditor"])
    edit = record(people["cadre"], "org.member.updated", people["other_s1"], name=["李四", "李肆"])
    record(people["cadre2"], "org.member.updated", people["s2_member"], name=["王五", "王伍"])
    response = client.get(EXPORT, {"format": "xlsx", "actor": "cadre1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    assert response["Cache-Control"] == "no-store"
    ws = load_workbook(io.BytesIO(body(response)), read_only=True).active
    rows = list(ws.values)
    assert rows[0][:3] == ("Time (Asia/Shanghai)", "Actor", "Action")
    assert [r[1:3] for r in rows[1:]] == [("cadre1", "org.member.updated")]
    assert rows[1][5] == str(people["other_s1"]) and rows[1][6] == "一站乙班" and rows[1][11] == edit.pk
    assert '"name": ["李四", "李肆"]' in rows[1][7]


def test_csv_export_opens_in_excel_and_is_audited(login_as, people):
    client = login_as(people["auditor"])
    events_on(people["other_s1"], 3)
    response = client.get(EXPORT, {"format": "csv", "object_type": "org.member"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    raw = body(response)
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8 Chinese text with a byte-order mark
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 4 and rows[0][1] == "Actor"
    exported = AuditEvent.objects.filter(action="audit.exported").latest("id")
    assert exported.actor == people["auditor"]
    assert exported.changes == {
        "format": "csv",
        "rows": 3,
        "truncated": False,
        "filters": {"object_type": "org.member"},
    }


def test_export_is_scoped_like_the_list(union, people):
    branch_auditor = factories.user("branch-auditor", roles=(("auditor", union["s1"]),))
    record(people["cadre"], "org.member.updated", people["other_s1"], name=["李四", "李肆"])
    record(people["cadre2"], "org.member.updated", people["s2_member"], name=["王五", "王伍"])
    record(people["member"], "accounts.logged_in", people["member"])
    export = audit_export(actor=branch_auditor, event_filter=EventFilter(), fmt="csv")
    text = export.file.read().decode("utf-8-sig")
    assert export.rows == 1 and "李四" in text and "王五" not in text and "accounts.logged_in" not in text


def test_formulas_planted_in_names_are_exported_as_text(people, union):
    evil = factories.member(union["g11"], '=HYPERLINK("http://x","点我")')
    record(people["cadre"], "org.member.updated", evil, reason="+1 -1 @x")
    xlsx = audit_export(actor=people["auditor"], event_filter=EventFilter(text="HYPERLINK"), fmt="xlsx")
    ws = load_workbook(xlsx.file).active
    cell = ws.cell(row=2, column=6)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    csv_export = audit_export(actor=people["auditor"], event_filter=EventFilter(text="HYPERLINK"), fmt="csv")
    row = list(csv.reader(io.StringIO(csv_export.file.read().decode("utf-8-sig"))))[1]
    assert row[5].startswith("'=HYPERLINK")


@pytest.mark.parametrize("who", ["member", "cadre", "chair", "admin"])
def test_export_needs_the_export_permission(login_as, people, who):
    client = login_as(people[who])
    assert client.get(EXPORT, {"format": "csv"}).status_code == 403
    denial = AuditEvent.objects.filter(action="access.denied", actor=people[who]).latest("id")
    assert denial.changes["permission"] == "audit.export"
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"format": "pdf"}, "Choose Excel (xlsx) or CSV."),
        ({"format": "csv", "date_to": "2026-13-01"}, "Enter a valid date."),
        ({"format": "xlsx", "actor": "a" * 100}, "Ensure this value has at most 64 characters"),
    ],
)
def test_bad_export_requests_are_a_clear_400_and_export_nothing(login_as, people, params, message):
    response = login_as(people["auditor"]).get(EXPORT, params)
    assert response.status_code == 400 and message in response.content.decode()
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def test_the_list_links_to_exports_with_its_filters(login_as, people):
    html = login_as(people["auditor"]).get(reverse("audit:event_list"), {"action": "org.member"}).content.decode()
    assert f"{EXPORT}?format=xlsx&amp;action=org.member" in html
