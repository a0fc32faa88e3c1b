"""The results of a closed anonymous survey, in Chinese, as the union chair reads them.

Station 1 answered 12 times, station 2 only 4 times. The chair opens the results page: a chart per question is
drawn, the drivers' chart too, and the breakdown by unit says in words that station 2 has fewer than 5 answers
(station 1 is hidden with it, or the total would give station 2 away). The chair downloads the workbook, in
which nobody is named. Then the same page on a phone: nothing scrolls sideways. axe-core runs on each page.
"""

import io
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import load_workbook

from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.surveys.services import survey_close
from unionhome.surveys.tests.builders import open_survey
from unionhome.surveys.tests.results_data import add_responses, answers

pytestmark = pytest.mark.browser


def zh_fewer(k: int) -> str:
    with translation.override("zh-hans"):
        return translation.ngettext("fewer than %(k)s", "fewer than %(k)s", k) % {"k": k}


def test_the_chair_reads_the_results_of_a_closed_survey(transactional_db, visit, union, people):  # noqa: F811
    chair = people["chair"]
    survey = open_survey(chair, union["union"], anonymous=True)
    for likert, matrix, recommendation in [(5, (5, 4), 10), (4, (4, 4), 8), (3, (3, 2), 6), (2, (2, 1), 3)] * 3:
        add_responses(survey, union["s1"], 1, answers(likert=likert, matrix=matrix, recommendation=recommendation))
    add_responses(survey, union["s2"], 4, answers(likert=1, recommendation=2, text="二站的意见"))
    survey = survey_close(actor=chair, survey=survey)

    c = visit(DESKTOP)
    c.login(chair.username, factories.PASSWORD, factories.totp_code(chair))
    c.page.goto(f"/surveys/manage/{survey.pk}/results/")
    c.page.wait_for_selector("[data-results-chart] canvas")
    charts = c.page.locator("[data-results-chart]")
    assert charts.count() == 7  # single, multiple, Likert, recommendation and its NPS parts, matrix, drivers
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
        assert charts.nth(i).locator("canvas").count() == 1
    c.page.wait_for_selector("#results-drivers + [data-drawn], [data-results-chart='results-drivers'][data-drawn]")
    c.axe()

    rows = c.page.locator("#breakdown-table tbody tr")
    station2 = rows.filter(has_text=union["s2"].name)
    assert zh_fewer(5) in station2.inner_text()
    assert zh_fewer(5) in rows.filter(has_text=union["s1"].name).inner_text()
    assert "16" in rows.first.inner_text()
    assert c.page.get_by_text("二站的意见").first.is_visible()

    with c.page.expect_download() as download:
        c.page.locator("#results-export").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    everything = " ".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row)
    for member in (people["member_record"], people["other_s1"], people["s2_member"]):
        assert member.name not in everything and member.employee_no not in everything

    c.page.set_viewport_size(PHONE)
    c.page.goto(f"/surveys/manage/{survey.pk}/results/")
    c.page.wait_for_selector("[data-results-chart] canvas")
    c.axe()
    assert c.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
