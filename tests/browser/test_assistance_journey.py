"""The Hardship Assistance Centre from end to end, in Chinese, as people would use it.

A member applies for hardship assistance on a phone; the station's assistance officer reviews it from
their work queue; the union chair approves it; the publicity period passes (the daily task activates
the file); the officer asks for cash help on the file, the chair approves it, and the officer
double-clicks "pay" — one payment; thirty days on, the daily task reminds the officer of the follow-up,
which they record from their inbox; the member rates the help; the chair's report shows the year's
figures. axe-core runs on every page; phone pages must not scroll sideways.
"""

import datetime
import re
from decimal import Decimal

from django.utils import translation

from tests import factories
from tests.browser.conftest import DESKTOP, PHONE
from unionhome.assistance import tasks
from unionhome.assistance.models import Assistance, AssistanceSettings, BudgetLine, FollowUp, HardshipFile, Payment
from unionhome.notify.models import Notification
from unionhome.satisfaction.models import Rating


def zh(text: str) -> str:
    """The Chinese the page shows for an English source string (the catalogue is the single source)."""
    with translation.override("zh-hans"):
        return translation.gettext(text)


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def key_figure(page, label: str) -> str:
    """A value of the report's key figures, found by its (Chinese) label."""
    figure = page.locator(".report-figures div").filter(has=page.locator("dt", has_text=zh(label)))
    return figure.locator("dd").inner_text()


def test_apply_review_approve_publicise_pay_follow_up_rate_report(transactional_db, visit, task_worker, union):
    today = datetime.date.today()
    AssistanceSettings.objects.create(union=union["union"], publicity_days=5, follow_up_days=[30, 90])
    line = BudgetLine.objects.create(
        unit=union["union"],
        unit_path=union["union"].path,
        name="困难职工帮扶资金",
        fund_source=BudgetLine.FundSource.UNION_FUNDS,
        year=today.year,
        amount=Decimal("50000.00"),
    )
    record = factories.member(union["g11"], "刘小红", gender="F")
    factories.user("member-liu", member=record)
    officer = factories.user("officer-zhao", roles=(("assistance_officer", union["s1"]),), display_name="赵干事")
    chair = factories.user("chair-qian", roles=(("chair", union["union"]),), display_name="钱主席")

    # 1. The member applies on her phone, from the menu.
    m = visit(PHONE)
    m.login(record.employee_no, factories.PASSWORD)
    page = m.page
    page.get_by_role("link", name=zh("Assistance"), exact=True).click()
    page.wait_for_url("**/assistance/")
    m.axe()
    page.get_by_role("link", name=zh("Apply for hardship assistance")).click()
    page.wait_for_url("**/assistance/files/new/")
    m.axe()
    fits_the_phone(page)
    page.get_by_label(zh("Illness"), exact=True).check()
    page.get_by_label(zh("The household's situation")).fill("爱人患病住院，孩子读高中，家庭开支大。")
    for n, (relation, age, health, income, employment) in enumerate(
        [("self", "46", "healthy", "2400", "employed"), ("spouse", "45", "serious", "0", "unable")]
    ):
        if n:
            page.locator(f"#id_household-{n}-relation").select_option(relation)
        page.locator(f"#id_household-{n}-age").fill(age)
        page.locator(f"#id_household-{n}-health").select_option(health)
        page.locator(f"#id_household-{n}-monthly_income").fill(income)
        page.locator(f"#id_household-{n}-employment").select_option(employment)
    page.locator("input[name=consent]").check()
    page.locator("button[name=submit_now]").click()
    page.wait_for_url(re.compile(r".*/assistance/files/\d+/$"))
    m.axe()
    fits_the_phone(page)
    file = HardshipFile.objects.get(member=record)
    assert (file.state, file.household_size, file.income_per_head) == ("submitted", 2, Decimal("1200.00"))
    assert file.consents.count() == 1

    # 2. The station's assistance officer finds it in the work queue on the home page and passes it.
    o = visit(PHONE)
    o.login(officer.username, factories.PASSWORD, factories.totp_code(officer))
    o.axe()
    o.page.locator(f"a[href='/assistance/files/{file.pk}/']").first.click()
    o.page.wait_for_url(f"**/assistance/files/{file.pk}/")
    o.axe()
    fits_the_phone(o.page)
    o.page.locator("#id_branch_review-level").select_option("relative")
    o.page.locator("form[action$='/act/branch_review/'] button[type=submit]").click()
    o.page.wait_for_url(f"**/assistance/files/{file.pk}/")
    file.refresh_from_db()
    assert file.state == "branch_reviewed"

    # 3. The chair approves: the publicity period starts, and the notice board shows name, unit, level only.
    c = visit(DESKTOP)
    c.login(chair.username, factories.PASSWORD, factories.totp_code(chair))
    c.page.goto(f"/assistance/files/{file.pk}/")
    c.axe()
    c.page.locator("form[action$='/act/approve/'] button[type=submit]").click()
    c.page.wait_for_url(f"**/assistance/files/{file.pk}/")
    file.refresh_from_db()
    assert file.state == "publicity" and file.publicity_ends_on == today + datetime.timedelta(days=4)
    page.goto("/assistance/publicity/")
    m.axe()
    board = page.locator("main").inner_text()
    assert "刘小红" in board and zh("Relative hardship") in board and "2400" not in board

    # 4. The publicity period passes without objection: the daily task activates the file.
    tasks.assistance_daily.enqueue((file.publicity_ends_on + datetime.timedelta(days=1)).isoformat())
    wait_for(lambda: HardshipFile.objects.get(pk=file.pk).state == "active")
    file.refresh_from_db()
    assert file.activated_on == file.publicity_ends_on + datetime.timedelta(days=1)

    # 5. The officer asks for cash help on the file; the chair approves; a double click pays once.
    o.page.goto(f"/assistance/files/{file.pk}/")
    o.axe()
    o.page.locator("#request-help").click()
    o.page.wait_for_url(re.compile(r".*/assistance/help/new/\?member=\d+&file=\d+$"))
    o.axe()
    fits_the_phone(o.page)
    o.page.locator("#id_kind").select_option("cash")
    o.page.locator("#id_description").fill("住院期间生活困难补助")
    o.page.locator("#id_amount").fill("2000.001")
    o.page.locator("#id_budget_line").select_option(str(line.pk))
    o.page.locator("form.card button[type=submit]").click()
    o.page.locator("#id_amount-error").wait_for()  # three decimals: explained next to the field
    assert zh("Amounts have at most two decimals (fen).") in o.page.locator("#id_amount-error").inner_text()
    o.axe()
    o.page.locator("#id_amount").fill("2000")
    o.page.locator("form.card button[type=submit]").click()
    o.page.wait_for_url(re.compile(r".*/assistance/help/\d+/$"))
    assistance = Assistance.objects.get(member=record)
    assert (assistance.hardship_file_id, assistance.amount, assistance.status) == (file.pk, 2000, "requested")
    assert o.page.locator("form[action$='/approve/']").count() == 0  # the requester cannot approve

    c.page.goto(f"/assistance/help/{assistance.pk}/")
    c.axe()
    c.page.locator("form[action$='/approve/'] button").click()
    c.page.locator("form[action$='/pay/']").wait_for()

    o.page.goto(f"/assistance/help/{assistance.pk}/")
    o.axe()
    o.page.locator("form[action$='/pay/'] button").dblclick()
    o.page.locator("form[action$='/pay/']").wait_for(state="detached")
    o.axe()
    assert Payment.objects.filter(assistance=assistance).count() == 1
    line.refresh_from_db()
    assert (line.spent, line.committed, line.available) == (Decimal("2000.00"), 0, Decimal("48000.00"))
    assistance.refresh_from_db()
    assert assistance.status == "delivered"

    # 6. Thirty days on, the daily task reminds the officer; she records the follow-up from her inbox.
    follow_up = FollowUp.objects.get(assistance=assistance, sequence=1)
    tasks.assistance_daily.enqueue(follow_up.due_on.isoformat())
    wait_for(lambda: Notification.objects.filter(recipient=officer, url__contains="/follow-ups/").exists())
    o.page.goto("/")
    o.page.locator("header .inbox").click()
    o.page.wait_for_url("**/notify/")
    o.axe()
    reminder = Notification.objects.get(recipient=officer, url__contains="/follow-ups/")
    o.page.locator(f"a[href='/notify/{reminder.pk}/']").click()
    o.page.wait_for_url(f"**/assistance/follow-ups/{follow_up.pk}/")
    o.axe()
    fits_the_phone(o.page)
    o.page.locator("[name=findings]").fill("出院后在家休养，补助已用于医药费，生活基本稳定。")
    o.page.locator("label[for=id_grade_1]").click()  # improved
    o.page.locator("[name=next_steps]").fill("九十天后再回访")
    o.page.locator("form:has([name=findings]) button[type=submit]").click()
    o.page.wait_for_url("**/assistance/follow-ups/")
    follow_up.refresh_from_db()
    assert (follow_up.grade, follow_up.recorded_by) == ("improved", officer)

    # 7. The member rates the help on her phone.
    page.goto("/assistance/")
    page.get_by_role("link", name=zh("Rate the help you received")).click()
    page.wait_for_url("**/satisfaction/")
    m.axe()
    page.locator(f"a[href='/satisfaction/rate/assistance.assistance/{assistance.pk}/']").click()
    m.axe()
    fits_the_phone(page)
    page.locator("label[for=id_score_0]").click()  # five stars
    page.locator("[name=comment]").fill("工会帮了大忙，谢谢！")
    page.locator("form:has([name=score]) button[type=submit]").click()
    page.wait_for_url("**/satisfaction/")
    rating = Rating.objects.get()
    assert (rating.score, rating.member, rating.cadre, rating.service_line) == (
        5,
        record,
        officer,
        "hardship_assistance",
    )

    # 8. The chair's report for the union and this year shows it.
    c.page.goto(f"/assistance/reports/?unit={union['union'].pk}&year={today.year}")
    c.axe()
    assert key_figure(c.page, "Assistance delivered") == "1"
    assert key_figure(c.page, "Assistance money paid (yuan)").replace(",", "") == "2000.00"
    if file.activated_on.year == today.year:
        assert key_figure(c.page, "Hardship files active at the end of the year") == "1"
    station_row = c.page.locator(".report-table tr", has_text=union["s1"].name).first
    assert station_row.count() == 1


def wait_for(condition, timeout: float = 30.0) -> None:
    """Wait for the background worker (the ``task_worker`` fixture) to have done something."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the task worker did not get there in time"
        time.sleep(0.2)
