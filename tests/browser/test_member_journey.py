"""A member on a phone logs in, looks at their data and downloads all of it."""

import json

from tests import factories
from tests.browser.conftest import PHONE

PAGE_BUDGET_BYTES = 200 * 1024


def test_member_downloads_their_data_on_a_phone(transactional_db, visit, union):
    record = factories.member(union["g11"], "刘小红", gender="F")
    factories.user("member-liu", member=record)
    v = visit(PHONE)
    v.login(record.employee_no, factories.PASSWORD)

    page = v.page
    assert page.get_by_role("heading", level=1).inner_text().startswith("欢迎")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    v.axe()

    page.get_by_role("link", name="我的数据").first.click()
    page.wait_for_url("**/accounts/me/")
    assert record.id_number in page.content()  # one's own data is shown unmasked
    v.axe()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载我的数据").click()
    path = download_info.value.path()
    data = json.loads(open(path, encoding="utf-8").read())
    assert data["member"]["name"] == "刘小红"
    assert data["member"]["id_number"] == record.id_number
    assert data["member"]["employee_no"] == record.employee_no

    for url, size in v.bytes_by_document.items():
        assert size < PAGE_BUDGET_BYTES, f"{url} transferred {size} bytes"
