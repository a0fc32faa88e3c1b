"""In Chromium: a station officer requests cash help on a phone, a union officer approves it, the station
officer double-clicks "pay" and one payment is made; the member sees it on their phone, the auditor
reads the budget line. axe-core runs on every page. Elements are found by id and form action, not by
their (translated) text."""

import re

import pytest

from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.assistance.models import Assistance, Payment

pytestmark = pytest.mark.browser


def test_request_approve_double_click_pay_once(transactional_db, visit, centre):  # noqa: F811
    officer, approver = centre["officer_s1"], centre["officer_union"]

    # The station officer, on a phone, finds the member and asks for cash help.
    v = visit(PHONE)
    v.login(officer.username, factories.PASSWORD, factories.totp_code(officer))
    page = v.page
    page.goto("/assistance/help/new/")
    v.axe()
    page.locator("#q").fill("zs")
    page.locator("#member-results a").first.wait_for()
    page.locator("#member-results a").first.click()
    page.wait_for_url(re.compile(r".*/assistance/help/new/\?member=\d+$"))
    v.axe()
    page.locator("#id_kind").select_option("cash")
    page.locator("#id_description").fill("因病住院，生活困难补助")
    page.locator("#id_amount").fill("0")
    page.locator("#id_budget_line").select_option(str(centre["budget_line"].pk))
    page.locator("form.card button[type=submit]").click()
    page.locator("#id_amount-error").wait_for()  # a bad amount is explained next to the field
    v.axe()
    page.locator("#id_amount").fill("2500")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/assistance/help/\d+/$"))
    v.axe()
    assistance = Assistance.objects.get()
    assert assistance.amount == 2500 and assistance.status == "requested"

    # Another officer approves it.
    d = visit(DESKTOP)
    d.login(approver.username, factories.PASSWORD, factories.totp_code(approver))
    d.page.goto(f"/assistance/help/{assistance.pk}/")
    d.axe()
    d.page.locator("form[action$='/approve/'] button").click()
    d.page.locator("form[action$='/pay/']").wait_for()
    assistance.refresh_from_db()
    assert assistance.status == "approved"

    # The station officer double-clicks "pay": one payment.
    page.goto(f"/assistance/help/{assistance.pk}/")
    v.axe()
    page.locator("form[action$='/pay/'] button").dblclick()
    page.locator("form[action$='/pay/']").wait_for(state="detached")
    page.locator(".messages").wait_for()
    v.axe()
    assert Payment.objects.count() == 1
    assistance.refresh_from_db()
    assert assistance.status == "delivered"

    # The member sees it on their phone.
    m = visit(PHONE)
    m.login(centre["member"].username, factories.PASSWORD)
    m.page.goto("/assistance/help/mine/")
    m.axe()
    assert "2500.00" in m.page.content()

    # The auditor reads the budget line and its payments.
    a = visit(PHONE)
    auditor = centre["auditor"]
    a.login(auditor.username, factories.PASSWORD, factories.totp_code(auditor))
    a.page.goto("/assistance/budget/")
    a.axe()
    a.page.goto(f"/assistance/budget/{centre['budget_line'].pk}/")
    a.axe()
    assert "张三" in a.page.content()
