"""Journey in Chromium on a phone: a member reports a hospital stay, a branch cadre sees the visit due and
records it with condolence money (a double click pays once), the member sees who came. axe on every page."""

from decimal import Decimal

import pytest

from tests import factories
from tests.browser.conftest import PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.assistance.models import Payment, Visit

pytestmark = pytest.mark.browser

PAGE_BUDGET_BYTES = 200 * 1024


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_hospital_stay_to_recorded_visit_on_a_phone(transactional_db, visit, centre):  # noqa: F811
    member_record = centre["member_record"]
    cadre = centre["cadre"]
    line = centre["budget_line"]

    # The member tells the union they are in hospital.
    m = visit(PHONE)
    m.login(member_record.employee_no, factories.PASSWORD)
    m.page.goto("/assistance/visits/mine/")
    no_sideways_scroll(m.page)
    m.axe()
    m.page.locator("[name=note]").fill("市一院内科3床")
    m.page.locator("form:has([name=occurred_on]) button[type=submit]").click()
    m.page.wait_for_load_state()
    due = Visit.objects.get(member=member_record)
    assert due.status == "due" and due.occasion == "illness"

    # The station's cadre finds it on the list and the calendar, and records the visit.
    c = visit(PHONE)
    c.login(cadre.username, factories.PASSWORD, factories.totp_code(cadre))
    c.page.goto("/assistance/visits/")
    no_sideways_scroll(c.page)
    c.axe()
    c.page.goto("/assistance/visits/calendar/")
    no_sideways_scroll(c.page)
    c.axe()
    c.page.goto(f"/assistance/visits/{due.pk}/")
    c.axe()
    c.page.locator(f"a[href='/assistance/visits/{due.pk}/record/']").click()
    c.page.wait_for_url(f"**/assistance/visits/{due.pk}/record/")
    no_sideways_scroll(c.page)
    c.axe()
    c.page.locator("[name=gifts]").fill("牛奶、水果")
    c.page.locator("[name=amount]").fill("500")
    c.page.locator("[name=budget_line]").select_option(str(line.pk))
    c.page.locator("[name=findings]").fill("术后恢复良好")
    c.page.locator("[name=needs]").fill("爱人下岗,希望帮助再就业")
    c.page.locator("form:has([name=findings]) button[type=submit]").dblclick()
    c.page.wait_for_url(f"**/assistance/visits/{due.pk}/")
    c.axe()
    assert "术后恢复良好" in c.page.content()
    assert Payment.objects.filter(visit=due).count() == 1
    line.refresh_from_db()
    assert line.spent == Decimal("500.00")

    # The member sees who came and what they brought, never the cadres' notes.
    m.page.goto("/assistance/visits/mine/")
    m.axe()
    content = m.page.content()
    assert "牛奶、水果" in content and "cadre1" in content and "术后恢复良好" not in content

    for v in (m, c):
        for url, size in v.bytes_by_document.items():
            if "/assistance/visits/" in url:  # the pages of this journey (the home page has its own budget)
                assert size < PAGE_BUDGET_BYTES, f"{url} transferred {size} bytes"
