"""The annual report from end to end, in Chinese, as the union chair would use it.

Last year the workers of station 1 rated their visits and those of station 2 their hardship assistance. The chair
opens the annual report from the menu (last year's, by default), finds its five chapters in the contents and on
the page, and reads the satisfaction chapter: the year's index with its n, each service line, the charts. The
chair downloads the PDF and the Excel workbook, whose satisfaction sheet carries the same sentence. Then the same
on a phone 390 px wide: nothing scrolls sideways. axe-core runs on every page.
"""

import io
from pathlib import Path

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from tests import factories
from tests.browser.conftest import DESKTOP, browser, visit  # noqa: F401  (fixtures)
from unionhome.report_year import ReportYear
from unionhome.satisfaction.service_lines import service_line_label
from unionhome.satisfaction.tests.index_data import at, rate
from unionhome.work_report.chapters.satisfaction import satisfaction_chapter
from unionhome.work_report.tests.test_annual_pages import TITLES

pytestmark = pytest.mark.browser

PHONE_390 = {"width": 390, "height": 844}
LINES = ("visits", "hardship_assistance")


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def zh_label(code: str) -> str:
    with translation.override("zh-hans"):
        return service_line_label(code)


def headline_in_chinese(viewer, unit, year: int) -> str:
    """The satisfaction chapter's first sentence, as the Chinese page writes it."""
    with translation.override("zh-hans"):
        return satisfaction_chapter(viewer, unit, ReportYear(year, timezone.localdate())).notes[0]


def test_the_chair_reads_and_downloads_last_years_report(transactional_db, visit, union, people):  # noqa: F811
    chair = people["chair"]
    year = timezone.localdate().year - 1
    rate(union["g11"], "visits", [5, 4, 5, 5, 4, 5], when=at(year, 3, 10))
    rate(union["g21"], "hardship_assistance", [2, 3, 2, 1, 3, 2], when=at(year, 9, 20))
    headline = headline_in_chinese(chair, union["union"], year)
    assert "n = 12" in headline

    # 1. From the menu to last year's report of the union: five chapters, listed and shown.
    c = visit(DESKTOP)
    c.login(chair.username, factories.PASSWORD, factories.totp_code(chair))
    c.page.get_by_role("link", name=zh("Annual work report"), exact=True).first.click()
    c.page.wait_for_url("**/reports/annual/")
    c.axe()
    assert str(year) in c.page.locator("h1").inner_text() and union["union"].name in c.page.locator("h1").inner_text()
    contents = c.page.get_by_role("navigation", name=zh("Contents"))
    assert contents.get_by_role("link").all_inner_texts() == [zh(title) for title in TITLES]
    for title in TITLES:
        assert c.page.get_by_role("heading", name=zh(title), level=2).is_visible()

    # 2. The satisfaction chapter: the year's index with its n, both service lines, the two charts.
    contents.get_by_role("link", name=zh("Workers' satisfaction"), exact=True).click()
    chapter = c.page.locator("#chapter-satisfaction")
    assert chapter.get_by_text(headline, exact=True).is_visible()
    by_line = chapter.locator("table").filter(has_text=zh_label("hardship_assistance")).first
    assert zh_label("visits") in by_line.inner_text()
    assert chapter.locator("figure.report-chart svg").count() == 2
    assert c.page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]

    # 3. The PDF for printing and the Excel workbook, whose satisfaction sheet says the same.
    with c.page.expect_download() as download:
        c.page.get_by_role("link", name=zh("Download PDF for printing"), exact=True).click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    with c.page.expect_download() as download:
        c.page.get_by_role("link", name=zh("Download Excel"), exact=True).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert zh("Workers' satisfaction") in book.sheetnames
    sheet = book[zh("Workers' satisfaction")]
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert headline in cells and zh_label("hardship_assistance") in cells

    # 4. On a phone 390 px wide (read again at that width): the chapters, no sideways scrolling, the downloads.
    c.page.set_viewport_size(PHONE_390)
    c.page.goto(f"/reports/annual/?unit={union['union'].pk}&year={year}")
    c.axe()
    for title in TITLES:
        assert c.page.get_by_role("heading", name=zh(title), level=2).count() == 1
    assert c.page.locator("#chapter-satisfaction").get_by_text(headline, exact=True).count() == 1
    assert c.page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
    assert c.page.get_by_role("link", name=zh("Download Excel"), exact=True).is_visible()
