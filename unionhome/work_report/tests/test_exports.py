"""The report downloaded as a person would: the PDF (text read back with pypdf: the cover, the Chinese chapter
titles, the index figure; the fonts embedded) and the Excel workbook (read back with openpyxl: one sheet per
chapter, numbers as numbers), each download audited."""

import io

from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from unionhome.audit.models import AuditEvent
from unionhome.satisfaction.index_math import RATING, Moments, line_estimate
from unionhome.satisfaction.periods import Period
from unionhome.satisfaction.tests.index_data import at, rate

URL = reverse("work_report:annual")
TITLES = (
    "The union and its members",
    "Help for workers in hardship",
    "Democratic management",
    "Workers' voices",
    "Workers' satisfaction",
)
SCORES = [5, 4, 4, 5, 3, 5, 4, 2]


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def download(client, union, fmt: str):
    year = timezone.localdate().year
    rate(union["g11"], "visits", SCORES, when=at(year, 2, 10))
    response = client.get(URL, {"unit": union["union"].pk, "year": year, "format": fmt})
    assert response.status_code == 200
    return response, year


def test_pdf_has_a_cover_contents_chinese_chapters_and_the_index(client, login_as, union, people):
    login_as(people["chair"])
    response, year = download(client, union, "pdf")
    assert response["Content-Type"] == "application/pdf"
    assert f"work-report-TC-{year}.pdf" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 5
    assert "技术中心工会" in pages[0]  # the cover, in CJK text
    text = "\n".join(pages)
    for title in TITLES:
        assert zh(title) in text, title
    index = line_estimate(Moments.of(SCORES), RATING.low, RATING.high).index
    assert f"{index:.1f}" in text
    assert "第一检验站分工会" in text
    assert zh("Members at the end of the year, by unit") in text  # a chart's title: the SVG is drawn
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            descriptor = descriptor.get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]))
    assert any("CJK" in name for name in fonts), fonts
    event = AuditEvent.objects.get(action="work_report.exported")
    assert event.unit_path == union["union"].path and event.actor_id == people["chair"].pk


def test_excel_has_a_sheet_per_chapter_with_numbers_as_numbers(client, login_as, union, people):
    login_as(people["chair"])
    response, year = download(client, union, "xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 1 + len(TITLES)
    assert workbook.sheetnames[1:] == [zh(title)[:31] for title in TITLES]
    sheet = workbook[workbook.sheetnames[-1]]
    values = [row for row in sheet.iter_rows(values_only=True)]
    index = round(line_estimate(Moments.of(SCORES), RATING.low, RATING.high).index, 1)
    with translation.override("zh-hans"):
        label = Period.parse(str(year)).label()
    assert (label, index) in [(row[0], row[1]) for row in values], values
    row = next(row for row in values if row[0] == label)
    assert isinstance(row[2], float) and isinstance(row[3], float) and row[4] == len(SCORES)
    members = workbook[workbook.sheetnames[1]]
    counts = [row for row in members.iter_rows(values_only=True) if row[1] is not None and isinstance(row[1], int)]
    assert counts  # members at the end of the year &c. written as integers
    assert AuditEvent.objects.filter(action="work_report.exported").count() == 1


def test_a_page_view_is_not_an_export(client, login_as, union, people):
    login_as(people["chair"])
    download(client, union, "")
    assert not AuditEvent.objects.filter(action="work_report.exported").exists()
