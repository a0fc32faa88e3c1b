"""An anonymous complaint from a phone, from end to end, in Chinese.

A worker of station 1 opens Voices on her phone, writes a complaint about the canteen, attaches a photo,
ticks "send anonymously", sends it and writes the follow-up code down. The canteen department's handler
answers (through the handling service). The worker enters her code, reads the answer and rates it, then
changes her rating to 5 stars. axe-core runs on every page; no page scrolls sideways on the phone. Nothing
names her on the appeal.
"""

import pytest
from django.utils import translation

from tests import factories
from tests.browser.conftest import PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.satisfaction.models import Rating
from unionhome.voices.models import Appeal
from unionhome.voices.tests.appeal_helpers import answer, jpeg_with_metadata

pytestmark = pytest.mark.browser


def zh(text: str, context: str | None = None) -> str:
    """The Chinese the page shows for an English source string (the catalogue is the single source)."""
    with translation.override("zh-hans"):
        return translation.pgettext(context, text) if context else translation.gettext(text)


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_anonymous_complaint_with_a_photo_answered_and_rated_by_code(
    transactional_db,
    visit,  # noqa: F811
    voices,
    tmp_path,
    settings,
):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"
    worker_record = factories.member(voices["union"]["g11"], "刘小红", gender="F")
    factories.user("worker-liu", member=worker_record)
    photo = tmp_path / "食堂.jpg"
    photo.write_bytes(jpeg_with_metadata(width=120, height=90))
    title = "夜班食堂饭菜是凉的"

    # 1. On her phone she finds Voices in the menu and writes the complaint.
    w = visit(PHONE)
    w.login(worker_record.employee_no, factories.PASSWORD)
    page = w.page
    page.get_by_role("navigation").get_by_role("link", name=zh("Voices"), exact=True).click()
    page.wait_for_url("**/voices/")
    w.axe()
    fits_the_phone(page)
    page.get_by_label(zh("Complaint"), exact=True).check()
    page.get_by_label(zh("Category", "appeal"), exact=True).select_option("canteen")
    page.get_by_label(zh("Title", "appeal"), exact=True).fill(title)
    page.get_by_label(zh("Details"), exact=True).fill("夜班十二点打的饭菜都是凉的，微波炉也坏了两周。")
    page.get_by_label(zh("Photos or documents (optional)")).set_input_files(str(photo))
    page.get_by_label(zh("Send anonymously")).check()
    assert page.get_by_text(zh("What “anonymous” means:")).is_visible()
    page.get_by_role("button", name=zh("Send the appeal"), exact=True).click()

    # 2. The code is shown once; she writes it down.
    page.wait_for_url("**/voices/anonymous/send/")
    w.axe()
    fits_the_phone(page)
    code = page.locator("#follow-up-code").inner_text().strip()
    assert len(code) == 19 and "?" not in page.url
    assert page.get_by_text(zh("Write it down now.")).is_visible()
    appeal = Appeal.objects.get()
    assert appeal.is_anonymous and appeal.member is None and appeal.department == voices["canteen"]
    assert appeal.attachments.get().original_name == "photo-1.jpg"

    # 3. The canteen department's handler answers and closes it.
    answer(voices["canteen_handler"], appeal, "已为夜班增设保温餐车，微波炉已修好。")

    # 4. She enters her code, reads the answer and rates it.
    page.goto("/voices/")
    w.axe()
    page.get_by_label(zh("Follow-up code")).fill(code.lower())
    page.get_by_role("button", name=zh("Open", "read an appeal"), exact=True).click()
    page.wait_for_url("**/voices/anonymous/")
    w.axe()
    fits_the_phone(page)
    assert "已为夜班增设保温餐车，微波炉已修好。" in page.locator("#replies").inner_text()
    assert title in page.locator("h1").inner_text()
    page.get_by_label(zh("4 stars: satisfied")).check()
    page.get_by_label(zh("Anything you want to tell the union (optional)")).fill("希望长期坚持。")
    page.get_by_role("button", name=zh("Send my rating"), exact=True).click()
    page.wait_for_url("**/voices/anonymous/rate/")
    w.axe()
    fits_the_phone(page)
    assert page.get_by_text(zh("Thank you: your rating was saved.")).is_visible()
    rating = Rating.objects.get()
    assert (rating.score, rating.member, rating.comment) == (4, None, "希望长期坚持。")
    assert "刘小红" not in page.content()

    # 5. Within the edit window she changes her mind: 5 stars, her comment kept as the form shows it.
    page.locator("#change-rating summary").click()
    page.get_by_label(zh("5 stars: very satisfied")).check()
    assert page.get_by_label(zh("Anything you want to tell the union (optional)")).input_value() == "希望长期坚持。"
    page.get_by_role("button", name=zh("Save my new rating"), exact=True).click()
    page.wait_for_url("**/voices/anonymous/rating/")
    w.axe()
    fits_the_phone(page)
    assert page.get_by_text(zh("Your rating was changed. Thank you.")).is_visible()
    rating.refresh_from_db()
    assert (rating.score, rating.member, rating.comment) == (5, None, "希望长期坚持。")
    assert Appeal.objects.get().rating_score == 5
