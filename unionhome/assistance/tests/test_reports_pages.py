"""The report page, its Excel workbook and its PDF: figures, scope, language, audit, query counts."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from unionhome.assistance.tests import report_records
from unionhome.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def data(centre):
    return report_records.build(centre)


def url(name: str, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse(f"assistance:{name}") + (f"?{query}" if query else "")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the page ------------------------------------------------------------------------------------


def test_union_report_page_shows_the_figures_tables_and_charts(login_as, centre, data):
    response = login_as(centre["chair"]).get(url("report", year=data.year), **EN)
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(html)
    assert f"Assistance report: 技术中心工会, {data.year}" in text
    assert "Assistance money paid (yuan) 3,300.00" in text
    assert "All money paid (yuan) 8,500.00" in text
    assert "Follow-up on-time rate 50.0%" in text
    assert "Deep hardship 3 3" in text  # files by level: during, at the end
    assert "Union funds 3,000.00 5,000.00 200.00 8,200.00" in text
    # The per-branch table links each branch to its own report.
    s1 = centre["union"]["s1"]
    assert f'href="/assistance/reports/?unit={s1.pk}&amp;year={data.year}"' in html
    assert "第一检验站分工会 2 2 1 2 3,000.00 3 33.3%" in text
    # Charts: ECharts and our script, data in JSON scripts, no inline script.
    assert "dist/echarts.slim.min.js" in html and "js/report-charts.js" in html
    assert 'data-report-chart="chart-visits"' in html
    assert '<script id="chart-visits" type="application/json">' in html
    assert re.search(r"<script>(?!</script>)", html) is None
    assert "style=" not in html and "onclick" not in html
    # Counts and sums only: nobody's name.
    for name in ("张三", "李四", "王五", "赵六", "郑一"):
        assert name not in html
    # Viewing the figures is not an export.
    assert not AuditEvent.objects.filter(action="assistance.report.exported").exists()


def test_page_defaults_to_the_top_of_the_scope_and_this_year(login_as, centre, data):
    html = login_as(centre["officer_s1"]).get(url("report"), **EN).content.decode()
    this_year = centre["today"].year
    assert f"Assistance report: 第一检验站分工会, {this_year}" in text_of(html)
    assert f'<option value="{this_year}" selected>' in html
    # The picker offers the officer's branch and its groups only.
    options = re.findall(
        r'<option value="(\d+)"[^>]*>([^<]+)</option>', html.split('id="report-unit"')[1].split("</select>")[0]
    )
    assert [name.strip("\u3000") for _pk, name in options] == ["第一检验站分工会", "一站甲班", "一站乙班"]


def test_group_report_links_up_to_the_branch(login_as, centre, data):
    g11 = centre["union"]["g11"]
    html = login_as(centre["officer_s1"]).get(url("report", unit=g11.pk, year=data.year), **EN).content.decode()
    assert f'<a href="?unit={centre["union"]["s1"].pk}&amp;year={data.year}">第一检验站分工会</a>' in html
    assert "技术中心工会" not in html  # above the officer's scope
    assert "By unit" not in html  # a group has no units below it


def test_branch_officer_may_not_open_the_other_branch(login_as, centre, data):
    client = login_as(centre["officer_s1"])
    union = centre["union"]
    for unit in (union["s2"], union["union"]):
        for name in ("report", "report_xlsx", "report_pdf"):
            assert client.get(url(name, unit=unit.pk, year=data.year)).status_code == 404
    assert client.get(url("report", unit="abc")).status_code == 404
    assert client.get(url("report", unit="9" * 30)).status_code == 404
    assert client.get(url("report", unit="١٢")).status_code == 404  # digits, but not ours
    assert AuditEvent.objects.filter(action="access.denied", actor=centre["officer_s1"]).count() >= 6


@pytest.mark.parametrize("year", ["", "abc", "1999", "20255", "-1", "²０２５", "2101"])
def test_a_year_that_is_not_one_shows_this_year(login_as, centre, year):
    response = login_as(centre["chair"]).get(url("report", year=year), **EN)
    assert response.status_code == 200
    assert f"技术中心工会, {centre['today'].year}" in text_of(response.content.decode())


@pytest.mark.parametrize("who", ["auditor", "cadre"])
def test_auditor_and_branch_cadre_see_reports(login_as, centre, who):
    assert login_as(centre[who]).get(url("report")).status_code == 200


@pytest.mark.parametrize("who", ["member", "admin"])
@pytest.mark.parametrize("name", ["report", "report_xlsx", "report_pdf"])
def test_members_and_admins_are_refused(login_as, centre, who, name):
    response = login_as(centre[who]).get(url(name), **EN)
    assert response.status_code == 403
    assert "assistance.view_reports" in response.content.decode()


def test_anonymous_is_sent_to_log_in(client, centre):
    response = client.get(url("report"))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_page_is_in_chinese_by_default(login_as, centre, data):
    html = login_as(centre["chair"]).get(url("report", year=data.year)).content.decode()
    assert "深度困难" in html and "工会经费" in html  # model labels from the catalogue
    assert '<html lang="zh-Hans">' in html


def page_queries(client, address) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_page_query_count_does_not_grow_with_rows(login_as, centre, data):
    client = login_as(centre["chair"])
    address = url("report", year=data.year)
    before = page_queries(client, address)
    report_records.grow(centre, data, 20)
    assert page_queries(client, address) == before


# --- Excel ---------------------------------------------------------------------------------------


def sheet_values(sheet) -> list[list]:
    return [[cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)]


def row_starting(sheet, label: str) -> list:
    for row in sheet_values(sheet):
        if row and row[0] == label:
            return row
    raise AssertionError(f"no row {label!r} in {sheet.title}")


def test_excel_has_a_sheet_per_section_with_the_figures(login_as, centre, data):
    response = login_as(centre["chair"]).get(url("report_xlsx", year=data.year), **EN)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f'filename="assistance-report-TC-{data.year}.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Summary",
        "Hardship files",
        "Assistance",
        "Follow-up and effectiveness",
        "Education aid",
        "Visits and condolences",
        "By unit",
    ]
    assert row_starting(book["Summary"], "Hardship files active during the year") == [
        "Hardship files active during the year",
        5,
    ]
    assert row_starting(book["Summary"], "All money paid (yuan)")[1] == 8500
    assert row_starting(book["Hardship files"], "Low household income per head") == [
        "Low household income per head",
        5,
        4,
    ]
    assert row_starting(book["Assistance"], "Medical aid") == ["Medical aid", 1, 2000]
    assert row_starting(book["Assistance"], "Company welfare funds") == ["Company welfare funds", 300, 0, 0, 300]
    rate = row_starting(book["Follow-up and effectiveness"], "On-time rate")[1]
    assert rate == pytest.approx(0.5)
    assert row_starting(book["Education aid"], "Amount paid in the year (yuan)")[1] == 5000
    assert row_starting(book["Visits and condolences"], "Total") == ["Total", 4, 3, 1, 1, 4]
    s2 = row_starting(book["By unit"], "第二检验站分工会")
    assert s2[:6] == ["第二检验站分工会", 1, 0, 0, 2, 300]
    money_cell = next(row for row in book["Assistance"].iter_rows() if row[0].value == "Medical aid")[2]
    assert money_cell.number_format == "#,##0.00"
    event = AuditEvent.objects.get(action="assistance.report.exported")
    assert event.actor == centre["chair"] and event.unit_path == centre["union"]["union"].path
    assert event.changes == {"year": data.year, "format": "xlsx"}


def test_excel_headers_follow_the_request_language(login_as, centre, data):
    book = load_workbook(io.BytesIO(login_as(centre["chair"]).get(url("report_xlsx", year=data.year)).content))
    values = [value for sheet in book for row in sheet_values(sheet) for value in row]
    assert "深度困难" in values and "工会经费" in values and "Deep hardship" not in values


def test_branch_excel_covers_the_branch_only(login_as, centre, data):
    response = login_as(centre["officer_s1"]).get(url("report_xlsx", year=data.year), **EN)
    book = load_workbook(io.BytesIO(response.content))
    assert row_starting(book["Summary"], "All money paid (yuan)")[1] == 8200
    assert [row[0] for row in sheet_values(book["By unit"])[4:]] == ["一站甲班", "一站乙班"]


# --- PDF -----------------------------------------------------------------------------------------


def test_pdf_prints_the_figures(login_as, centre, data):
    response = login_as(centre["chair"]).get(url("report_pdf", year=data.year), **EN)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="assistance-report-TC-{data.year}.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    for figure in ("8,500.00", "3,300.00", "8,200.00", "50.0%", "33.3%", "5,000.00"):
        assert figure in text
    assert "Follow-up on-time rate" in text
    event = AuditEvent.objects.get(action="assistance.report.exported")
    assert event.changes == {"year": data.year, "format": "pdf"}
