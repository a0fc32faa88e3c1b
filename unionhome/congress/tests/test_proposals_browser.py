"""A proposal from end to end, in Chinese, as people would use it: a representative submits a proposal from
a phone, two other representatives second it on their phones, the proposer sends it for review, the
proposal committee accepts it and refers it to a department, the department's handler replies, the
proposer rates the reply "dissatisfied" and it comes back to the department (re-handling), visible on the
handler's list. axe-core runs on every page; phone pages must not scroll sideways."""

import pytest
from django.utils import translation

from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.congress.models import Proposal
from unionhome.satisfaction.models import Rating

pytestmark = pytest.mark.browser


def zh(text: str) -> str:
    """The Chinese the page shows for an English source string (the catalogue is the single source)."""
    with translation.override("zh-hans"):
        return translation.gettext(text)


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_submit_second_accept_refer_reply_dissatisfied_rehandle(transactional_db, visit, congress):  # noqa: F811
    reps = congress["reps"]

    # 1. A representative writes and submits a proposal on her phone.
    p = visit(PHONE)
    p.login(reps[0].member.employee_no, factories.PASSWORD)
    page = p.page
    page.goto("/congress/proposals/")
    p.axe()
    page.get_by_role("link", name=zh("Write a proposal"), exact=True).click()
    page.wait_for_url("**/congress/proposals/new/")
    p.axe()
    fits_the_phone(page)
    page.get_by_label(zh("Title")).fill("关于改善化验室通风条件的提案")
    page.get_by_label(zh("Category")).select_option("safety")
    page.get_by_label(zh("Reasons (案由)")).fill("化验室通风柜老化，夏季异味重，影响职工健康。")
    page.get_by_label(zh("Proposed measures")).fill("更换通风柜，增加排风量。")
    page.get_by_role("button", name=zh("Submit for seconding")).click()
    page.wait_for_url("**/congress/proposals/*/")
    proposal = Proposal.objects.get()
    assert proposal.status == "seconding"
    p.axe()
    fits_the_phone(page)
    detail = f"/congress/proposals/{proposal.pk}/"

    # 2. Two other representatives second it on their phones.
    for rep in reps[1:3]:
        s = visit(PHONE)
        s.login(rep.member.employee_no, factories.PASSWORD)
        s.page.goto(detail)
        s.axe()
        fits_the_phone(s.page)
        s.page.get_by_role("button", name=zh("Second this proposal")).click()
        s.page.wait_for_url(f"**{detail}")
        assert s.page.get_by_text(zh("You seconded this proposal.")).first.is_visible()
    assert proposal.secondings.count() == 2

    # 3. The proposer sends it to the committee.
    page.goto(detail)
    page.get_by_role("button", name=zh("Send for review")).click()
    page.wait_for_url(f"**{detail}")
    proposal.refresh_from_db()
    assert proposal.status == "submitted"

    # 4. The proposal committee accepts it and refers it to the department.
    c = visit(DESKTOP)
    committee = congress["committee"]
    c.login(committee.username, factories.PASSWORD, factories.totp_code(committee))
    c.page.goto(detail)
    c.axe()
    c.page.get_by_label(zh("Accept (立案)")).check()
    c.page.get_by_label(zh("Reason"), exact=True).fill("符合立案条件，涉及职工健康。")
    c.page.get_by_role("button", name=zh("Record the decision")).click()
    c.page.wait_for_url(f"**{detail}")
    c.axe()
    c.page.get_by_label(zh("Handling department"), exact=True).select_option(label="人力资源部")
    c.page.get_by_role("button", name=zh("Refer"), exact=True).click()
    c.page.wait_for_url(f"**{detail}")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.number, proposal.department_id) == ("referred", 1, congress["department"].pk)

    # 5. The department's handler replies on a phone.
    h = visit(PHONE)
    h.login(congress["handler"].username, factories.PASSWORD)
    h.page.goto(detail)
    h.axe()
    fits_the_phone(h.page)
    h.page.get_by_label(zh("Reply"), exact=True).fill("已列入年度改造计划，三季度完成更换。")
    h.page.get_by_role("button", name=zh("Send the reply")).click()
    h.page.wait_for_url(f"**{detail}")
    proposal.refresh_from_db()
    assert proposal.status == "replied"

    # 6. The proposer is dissatisfied: it goes back to the department.
    page.goto(detail)
    p.axe()
    fits_the_phone(page)
    page.get_by_label(zh("Dissatisfied")).check()
    page.get_by_label(zh("Comment")).fill("三季度太晚，夏季就要用。")
    page.get_by_role("button", name=zh("Send the rating")).click()
    page.wait_for_url(f"**{detail}")
    proposal.refresh_from_db()
    assert proposal.status == "rehandling"
    assert Rating.objects.get().score == 1

    # 7. The handler sees it back, on the list and on its page, with the reply form again.
    h.page.goto("/congress/proposals/?status=rehandling")
    h.axe()
    fits_the_phone(h.page)
    row = h.page.get_by_role("row").filter(has_text="关于改善化验室通风条件的提案")
    assert zh("Sent back for re-handling") in row.inner_text()
    row.get_by_role("link").click()
    h.page.wait_for_url(f"**{detail}")
    assert h.page.locator("#proposal-status").inner_text() == zh("Sent back for re-handling")
    assert h.page.get_by_role("button", name=zh("Send the reply")).is_visible()
    assert "三季度太晚" in h.page.content()
