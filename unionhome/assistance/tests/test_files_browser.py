"""A member applies on a phone (adding a household member in place), a branch officer reviews on a phone:
the pages work at 375 px without sideways scrolling and pass axe-core."""

import pytest
from django.conf import settings

from tests import factories
from tests.browser.conftest import PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.assistance.models import AssistanceSettings, HardshipFile

pytestmark = pytest.mark.browser


def english(v) -> None:
    """Pages in English, so that the test reads the labels written in the code."""
    v.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": v.base_url}])


def no_sideways_scrolling(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_member_applies_and_an_officer_reviews_on_a_phone(transactional_db, visit, union):  # noqa: F811
    AssistanceSettings.objects.create(union=union["union"])
    record = factories.member(union["g11"], "刘小红", gender="F")
    factories.user("member-liu", member=record)
    officer = factories.user("officer-s1", roles=(("assistance_officer", union["s1"]),))

    v = visit(PHONE)
    v.login(record.employee_no, factories.PASSWORD)
    english(v)
    page = v.page
    page.goto("/assistance/files/new/")
    v.axe()
    no_sideways_scrolling(page)
    page.get_by_label("Illness").check()
    page.get_by_label("The household's situation").fill("爱人患病住院，孩子读高中。")
    page.locator("#id_household-0-age").fill("46")
    page.locator("#id_household-0-health").select_option("healthy")
    page.locator("#id_household-0-monthly_income").fill("2400")
    page.locator("#id_household-0-employment").select_option("employed")
    page.locator("#id_household-1-relation").select_option("spouse")
    page.locator("#id_household-1-age").fill("45")
    page.locator("#id_household-1-health").select_option("serious")
    page.locator("#id_household-1-monthly_income").fill("0")
    page.locator("#id_household-1-employment").select_option("unable")
    page.get_by_role("button", name="Add another person").click()  # in place, by household.js
    page.locator("#id_household-2-relation").select_option("child")
    page.locator("#id_household-2-age").fill("16")
    page.locator("#id_household-2-health").select_option("healthy")
    page.locator("#id_household-2-monthly_income").fill("0")
    page.locator("#id_household-2-employment").select_option("student")
    no_sideways_scrolling(page)
    page.get_by_label("I agree", exact=False).check()
    page.get_by_role("button", name="Submit the application").click()
    page.wait_for_url("**/assistance/files/*/")
    file = HardshipFile.objects.get()
    assert (file.state, file.household_size, str(file.income_per_head)) == ("submitted", 3, "800.00")
    v.axe()
    no_sideways_scrolling(page)
    page.goto("/assistance/files/mine/")
    v.axe()

    o = visit(PHONE)
    o.login(officer.username, factories.PASSWORD, factories.totp_code(officer))
    english(o)
    o.page.goto("/assistance/files/")
    o.axe()
    no_sideways_scrolling(o.page)
    o.page.get_by_role("link", name="刘小红").click()
    o.page.wait_for_url(f"**/assistance/files/{file.pk}/")
    o.axe()
    no_sideways_scrolling(o.page)
    o.page.locator("#id_branch_review-level").select_option("relative")
    o.page.get_by_role("button", name="Pass branch review").click()
    o.page.wait_for_url(f"**/assistance/files/{file.pk}/")
    file.refresh_from_db()
    assert file.state == "branch_reviewed"
    assert "Passed branch review" in o.page.content()
