"""Factory-affairs disclosure from end to end, in Chinese, as people would use it.

The congress office publishes a wages-and-welfare notice with a PDF attachment to station 1, pinned; a
worker of station 1 on a phone finds it pinned on the board, opens it, downloads the attachment and asks
a question; station 1's cadre watches the unread count drop by one and answers from the question queue;
the worker reads the public answer; a worker of station 2 does not see the notice. axe-core runs on every
page; phone pages must not scroll sideways.
"""

import pytest
from django.utils import translation

from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.disclosure.models import Notice, NoticeQuestion, NoticeRead
from unionhome.disclosure.tests.records import PDF

pytestmark = pytest.mark.browser


def zh(text: str) -> str:
    """The Chinese the page shows for an English source string (the catalogue is the single source)."""
    with translation.override("zh-hans"):
        return translation.gettext(text)


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def unread_figure(page) -> str:
    return page.locator("#receipts-unread").inner_text().strip()


def test_publish_read_download_ask_answer(transactional_db, visit, union, tmp_path, settings):  # noqa: F811
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"
    worker_record = factories.member(union["g11"], "刘小红", gender="F")
    factories.member(union["g12"], "陈大勇")  # station 1's other member: the audience is two
    factories.user("worker-liu", member=worker_record)
    other_record = factories.member(union["g21"], "王二站")
    factories.user("worker-wang", member=other_record)
    office = factories.user("office-zhou", roles=(("congress_office", union["union"]),), display_name="周主任")
    cadre = factories.user("cadre-s1", roles=(("branch_cadre", union["s1"]),), display_name="一站分工会")
    title = "2026年度第一检验站高温津贴和夜班补贴调整方案"
    pdf = tmp_path / "津贴调整方案.pdf"
    pdf.write_bytes(PDF)

    # 1. The office writes the notice, attaches the PDF and publishes it.
    o = visit(DESKTOP)
    o.login(office.username, factories.PASSWORD, factories.totp_code(office))
    o.page.goto("/disclosure/")
    o.axe()
    o.page.get_by_role("link", name=zh("New notice")).first.click()
    o.page.wait_for_url("**/disclosure/manage/new/")
    o.axe()
    o.page.get_by_label(zh("Title"), exact=True).fill(title)
    o.page.get_by_label(zh("Category"), exact=True).select_option("wages_welfare")
    o.page.get_by_label(zh("Audience"), exact=True).select_option(str(union["s1"].pk))
    o.page.get_by_label(zh("Text"), exact=True).fill(
        "经职代会审议通过：高温津贴每人每月300元，夜班补贴每班30元，自7月起执行。"
    )
    o.page.get_by_label(zh("Pin to the top of the board")).check()
    o.page.get_by_role("button", name=zh("Save the draft")).click()
    o.page.wait_for_url("**/disclosure/manage/*/")
    notice = Notice.objects.get()
    o.axe()
    o.page.get_by_label(zh("Attach a file")).set_input_files(str(pdf))
    o.page.get_by_role("button", name=zh("Upload"), exact=True).click()
    o.page.wait_for_url(f"**/disclosure/manage/{notice.pk}/")
    assert o.page.get_by_role("link", name="津贴调整方案.pdf").is_visible()
    o.page.get_by_role("button", name=zh("Publish the notice")).click()
    o.page.wait_for_url(f"**/disclosure/manage/{notice.pk}/")
    o.axe()
    notice.refresh_from_db()
    assert (notice.status, notice.pinned, notice.attachments.count()) == ("published", True, 1)

    # 2. Station 1's cadre looks at the read receipts: nobody has read it yet.
    c = visit(DESKTOP)
    c.login(cadre.username, factories.PASSWORD, factories.totp_code(cadre))
    c.page.goto(f"/disclosure/manage/{notice.pk}/")
    c.page.get_by_role("link", name=zh("Read receipts")).click()
    c.page.wait_for_url(f"**/disclosure/manage/{notice.pk}/receipts/")
    c.axe()
    assert unread_figure(c.page) == "2"

    # 3. The worker, on a phone, finds it pinned on the board, opens it, downloads the PDF and asks.
    w = visit(PHONE)
    w.login(worker_record.employee_no, factories.PASSWORD)
    page = w.page
    page.get_by_role("navigation").get_by_role("link", name=zh("Disclosure"), exact=True).click()
    page.wait_for_url("**/disclosure/")
    w.axe()
    fits_the_phone(page)
    first = page.locator("li.notice-item").first
    assert title in first.inner_text()
    assert first.locator(".badge.pinned").is_visible() and first.locator(".badge.new").is_visible()
    first.get_by_role("link", name=title).click()
    page.wait_for_url(f"**/disclosure/{notice.pk}/")
    w.axe()
    fits_the_phone(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="津贴调整方案.pdf").click()
    assert open(download.value.path(), "rb").read() == PDF
    page.get_by_label(zh("Your question")).fill("倒班人员的夜班补贴按实际夜班天数计算吗？")
    page.get_by_role("button", name=zh("Send the question")).click()
    page.wait_for_url(f"**/disclosure/{notice.pk}/#questions")
    w.axe()
    fits_the_phone(page)
    assert "倒班人员的夜班补贴按实际夜班天数计算吗？" in page.locator("#questions").inner_text()
    assert NoticeRead.objects.filter(notice=notice, member=worker_record).count() == 1

    # 4. The cadre sees the unread count of station 1 drop by one, and answers from the queue.
    c.page.reload()
    assert unread_figure(c.page) == "1"
    c.page.goto("/disclosure/questions/")
    c.axe()
    c.page.get_by_role("link", name=zh("Answer"), exact=True).click()
    c.page.wait_for_url("**/disclosure/questions/*/answer/")
    c.axe()
    c.page.get_by_label(zh("Answer"), exact=True).fill("按当月实际夜班天数计算，随当月工资发放。")
    c.page.get_by_role("button", name=zh("Publish the answer")).click()
    c.page.wait_for_url("**/disclosure/questions/")
    assert NoticeQuestion.objects.get().answered_at is not None

    # 5. The worker reads the public answer; the asker is shown by unit, not by name.
    page.reload()
    questions = page.locator("#questions").inner_text()
    assert "按当月实际夜班天数计算，随当月工资发放。" in questions and "一站甲班" in questions
    assert "刘小红" not in questions
    w.axe()
    fits_the_phone(page)

    # 6. A worker of station 2 does not see the notice, nor can open it.
    s2 = visit(PHONE)
    s2.login(other_record.employee_no, factories.PASSWORD)
    s2.page.goto("/disclosure/")
    s2.axe()
    assert title not in s2.page.content()
    response = s2.page.goto(f"/disclosure/{notice.pk}/")
    assert response.status == 404
