"""Check-in in the hall, in Chinese: the congress office puts the hall page with the QR code on the screen;
a representative's phone opens the address in the code (read from the page, as the camera would) and is
checked in; the present count on the office's page goes up by itself (htmx polling). axe-core runs on
every page; the phone page must not scroll sideways."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.congress.models import CheckIn

pytestmark = pytest.mark.browser


def zh(text: str) -> str:
    """The Chinese the page shows for an English source string (the catalogue is the single source)."""
    with translation.override("zh-hans"):
        return translation.gettext(text)


def test_a_representative_checks_in_by_scanning_the_halls_code(transactional_db, visit, congress):  # noqa: F811
    session, rep = congress["session"], congress["reps"][0]

    office = visit(DESKTOP)
    office.login(congress["office"].username, factories.PASSWORD, factories.totp_code(congress["office"]))
    office.page.goto(f"/congress/sessions/{session.pk}/hall/")
    office.axe()
    qr = office.page.locator("img.check-in-qr")
    expect(qr).to_be_visible()
    assert office.page.evaluate("document.querySelector('img.check-in-qr').naturalWidth") > 0  # the SVG loaded
    address = qr.get_attribute("data-check-in-url")
    assert address.endswith(f"/congress/check-in/{session.pk}/{session.check_in_code}/")
    assert office.page.locator("#check-in-link").get_attribute("href") == address
    expect(office.page.locator("#session-counts")).to_have_attribute("data-present", "0")

    phone = visit(PHONE)
    phone.login(rep.member.employee_no, factories.PASSWORD)
    phone.page.goto(address)
    expect(phone.page.get_by_role("heading", name=zh("You are checked in"))).to_be_visible()
    phone.axe()
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    check_in = CheckIn.objects.get()
    assert (check_in.representative_id, check_in.method) == (rep.pk, "qr_code")

    # The hall's count rises without a reload.
    expect(office.page.locator("#session-counts")).to_have_attribute("data-present", "1", timeout=15000)
    assert "1" in office.page.locator("#session-counts strong").inner_text()

    # The representative's congress page now says they are checked in.
    phone.page.goto("/congress/")
    expect(phone.page.get_by_text(zh("You are checked in"))).to_be_visible()
    phone.axe()
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_offices_setup_pages_pass_axe(transactional_db, visit, congress):  # noqa: F811
    """The term (composition, delegations), a delegation (seat search, withdraw), the clerk's check-in
    and the departments, in Chinese: a clerk checks a representative in found by pinyin initials."""
    office = visit(PHONE)
    office.login(congress["office"].username, factories.PASSWORD, factories.totp_code(congress["office"]))
    page = office.page
    for url in (
        f"/congress/terms/{congress['term'].pk}/",
        f"/congress/delegations/{congress['delegations']['s1'].pk}/?q=ls",
        "/congress/departments/",
        f"/congress/departments/{congress['department'].pk}/?q=zs",
        "/congress/",
    ):
        page.goto(url)
        office.axe()
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 375)"
            ".map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (url, wide)
    page.goto(f"/congress/sessions/{congress['session'].pk}/check-in/")
    page.locator("#q").fill("zy")
    button = page.get_by_role("button", name=f"{zh('Check in')} 赵一")
    expect(button).to_be_visible()
    office.axe()
    button.click()
    expect(page.locator("#session-counts")).to_have_attribute("data-present", "1")
    office.axe()
    assert CheckIn.objects.get().method == "clerk"
