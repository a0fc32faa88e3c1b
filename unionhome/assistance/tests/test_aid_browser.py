"""Journey in Chromium: a member applies for education aid on a phone with a photo of the admission letter,
the branch's officer reviews it on a phone, the chair approves, publishes the list, starts paying after the
publicity period and pays all (a double click pays once); the member sees it paid. axe on every page."""

import datetime
from decimal import Decimal

import pytest

from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.assistance.models import AidApplication, AidCampaign, Document, Payment
from unionhome.assistance.tests import aid_records

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PAGE_BUDGET_BYTES = 200 * 1024


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def submit(v, action: str) -> None:
    """Press the button of the form posting to ``.../do/<action>/`` and wait for the page that follows."""
    with v.page.expect_navigation():
        v.page.locator(f"form[action$='/do/{action}/'] button[type=submit]").click()


def test_a_member_applies_on_a_phone_and_the_aid_is_paid_once(transactional_db, visit, centre, settings, tmp_path):  # noqa: F811
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path
    campaign = aid_records.campaign(centre)
    member_record, officer, chair = centre["member_record"], centre["officer_s1"], centre["chair"]
    number = aid_records.child_id(1)

    # The member finds the campaign and applies for their child on a phone.
    m = visit(PHONE)
    m.login(member_record.employee_no, factories.PASSWORD)
    m.page.goto("/assistance/aid/")
    no_sideways_scroll(m.page)
    m.axe()
    m.page.locator(f"a[href='/assistance/aid/{campaign.pk}/']").first.click()
    m.page.wait_for_url(f"**/assistance/aid/{campaign.pk}/")
    no_sideways_scroll(m.page)
    m.axe()
    m.page.locator(f"a[href='/assistance/aid/{campaign.pk}/apply/']").click()
    m.page.wait_for_url(f"**/assistance/aid/{campaign.pk}/apply/")
    no_sideways_scroll(m.page)
    m.axe()
    m.page.locator("[name=child_name]").fill("张小明")
    m.page.locator("[name=child_id_number]").fill(number)
    m.page.locator("[name=school]").fill("湖南大学")
    m.page.locator("[name=tier]").first.check()
    m.page.locator("[name=consent]").check()
    m.page.locator("[name=upload]").set_input_files(
        files=[{"name": "录取通知书.png", "mimeType": "image/png", "buffer": PNG}]
    )
    with m.page.expect_navigation():
        m.page.locator("form.aid-apply button[type=submit]").click()
    m.page.wait_for_url("**/assistance/aid/applications/*/")
    no_sideways_scroll(m.page)
    m.axe()
    application = AidApplication.objects.get()
    assert application.status == "submitted" and Document.objects.get().aid_application == application
    assert number not in m.page.content()  # masked, even to the applicant

    # The station's officer reviews it on a phone.
    o = visit(PHONE)
    o.login(officer.username, factories.PASSWORD, factories.totp_code(officer))
    o.page.goto(f"/assistance/aid/{campaign.pk}/")
    no_sideways_scroll(o.page)
    o.axe()
    o.page.goto(f"/assistance/aid/applications/{application.pk}/")
    no_sideways_scroll(o.page)
    o.axe()
    submit(o, "review")
    application.refresh_from_db()
    assert application.status == "reviewed"

    # The chair approves, closes applications and publishes the list.
    c = visit(DESKTOP)
    c.login(chair.username, factories.PASSWORD, factories.totp_code(chair))
    c.page.goto(f"/assistance/aid/applications/{application.pk}/")
    c.axe()
    submit(c, "approve")
    c.page.goto(f"/assistance/aid/{campaign.pk}/")
    submit(c, "close")
    submit(c, "publish")
    c.axe()
    campaign.refresh_from_db()
    assert campaign.state == "publicity"

    # After the publicity period, paying starts; a double click on "pay all" pays once.
    AidCampaign.objects.filter(pk=campaign.pk).update(
        publicity_starts_on=centre["today"] - datetime.timedelta(days=10),
        publicity_ends_on=centre["today"] - datetime.timedelta(days=6),
    )
    c.page.reload()
    submit(c, "start-paying")
    with c.page.expect_navigation():
        c.page.locator("form[action$='/do/pay-all/'] button[type=submit]").dblclick()
    c.page.wait_for_load_state()
    c.axe()
    assert Payment.objects.filter(aid_application=application).count() == 1
    centre["budget_line"].refresh_from_db()
    assert centre["budget_line"].spent == Decimal("5000.00") and centre["budget_line"].committed == 0

    # The member sees it paid.
    m.page.goto("/assistance/aid/mine/")
    no_sideways_scroll(m.page)
    m.axe()
    application.refresh_from_db()
    assert application.status == "paid" and "5000.00" in m.page.content()

    for v in (m, o, c):
        for url, size in v.bytes_by_document.items():
            if "/assistance/aid/" in url:
                assert size < PAGE_BUDGET_BYTES, f"{url} transferred {size} bytes"
