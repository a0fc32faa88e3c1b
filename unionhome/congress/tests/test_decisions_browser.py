"""Journey in Chromium, in Chinese: the office opens an opinion call on a draft; on their phones one worker
comments anonymously and another by name; after the deadline the office adopts one comment and publishes
the adoption summary; the congress passes the motion and the implementation is tracked; a representative
inspects it and rates it on a phone; the worker follows the whole decision on one page. axe on every page,
no sideways scrolling on the phone."""

import datetime

import pytest
from django.utils import timezone, translation

from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.congress.models import Decision, OpinionCall, OpinionComment, TrackingInspection
from unionhome.congress.services import decisions as decision_services
from unionhome.congress.services import tracking as tracking_services
from unionhome.congress.tests import decision_records as records
from unionhome.satisfaction.models import Rating

pytestmark = pytest.mark.browser


def zh(text: str) -> str:
    """The Chinese the page shows for an English source string (the catalogue is the single source)."""
    with translation.override("zh-hans"):
        return translation.gettext(text)


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_opinion_call_to_implementation_followed_on_one_page(transactional_db, visit, congress):  # noqa: F811
    office = congress["office"]
    decision = records.new_decision(congress)
    lisi = factories.user("lisi", member=congress["other_s1"])

    # The office opens an opinion call on the draft.
    o = visit(DESKTOP)
    o.login(office.username, factories.PASSWORD, factories.totp_code(office))
    o.page.goto(f"/congress/decisions/{decision.pk}/")
    o.axe()
    o.page.get_by_role("link", name=zh("Open an opinion call")).click()
    o.page.wait_for_url(f"**/congress/decisions/{decision.pk}/calls/new/")
    o.axe()
    o.page.locator("[name=title]").fill("夜班津贴调整方案（征求意见稿）")
    o.page.locator("[name=draft]").fill(records.DRAFT)
    closes = (timezone.localtime() + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    o.page.locator("[name=closes_at]").fill(closes)
    o.page.get_by_role("button", name=zh("Publish the draft for comments")).click()
    o.page.wait_for_url("**/congress/decisions/calls/*/")
    o.axe()
    call = OpinionCall.objects.get()
    assert call.allow_anonymous and call.audience == congress["union"]["union"]

    # 张三 comments anonymously from a phone.
    w = visit(PHONE)
    w.login(congress["member_record"].employee_no, factories.PASSWORD)
    w.page.goto("/congress/decisions/")
    fits_the_phone(w.page)
    w.axe()
    w.page.get_by_role("link", name=decision.title).click()
    w.page.wait_for_url(f"**/congress/decisions/{decision.pk}/")
    fits_the_phone(w.page)
    w.axe()
    w.page.get_by_role("link", name=call.title).click()
    w.page.wait_for_url(f"**/congress/decisions/calls/{call.pk}/")
    fits_the_phone(w.page)
    w.axe()
    w.page.locator("[name=body]").fill("夜班多在凌晨，建议津贴按时段分档，凌晨班再高一些。")
    w.page.get_by_label(zh("Send anonymously")).check()
    w.page.get_by_role("button", name=zh("Send the comment")).click()
    w.page.wait_for_url(f"**/congress/decisions/calls/{call.pk}/")
    w.axe()
    assert w.page.locator(".messages").inner_text().strip() == zh("Thank you. Your comment was received anonymously.")
    anonymous = OpinionComment.objects.get()
    assert (anonymous.author_id, anonymous.unit_path) == (None, "")

    # 李四 comments by name from a phone.
    n = visit(PHONE)
    n.login(congress["other_s1"].employee_no, factories.PASSWORD)
    n.page.goto(f"/congress/decisions/calls/{call.pk}/")
    n.page.locator("[name=body]").fill("建议明确津贴计入加班工资基数。")
    n.page.get_by_role("button", name=zh("Send the comment")).click()
    n.page.wait_for_url(f"**/congress/decisions/calls/{call.pk}/")
    fits_the_phone(n.page)
    n.axe()
    named = OpinionComment.objects.get(author=congress["other_s1"])
    assert lisi.member_id == named.author_id

    # Time passes: the deadline is behind us. The office marks both comments and writes the summary.
    records.pass_deadline(call)
    o.page.goto(f"/congress/decisions/calls/{call.pk}/")
    o.axe()
    o.page.locator(f"label[for=id_c{anonymous.pk}-adoption_0]").click()  # adopted
    o.page.locator(f"#comment-{anonymous.pk} button[type=submit]").click()
    o.page.wait_for_url(f"**/congress/decisions/calls/{call.pk}/#comment-{anonymous.pk}")
    o.page.locator(f"label[for=id_c{named.pk}-adoption_2]").click()  # not adopted
    o.page.locator(f"[name=c{named.pk}-note]").fill("计入基数问题另按工资集体协商办理。")
    o.page.locator(f"#comment-{named.pk} button[type=submit]").click()
    o.page.wait_for_url(f"**/congress/decisions/calls/{call.pk}/#comment-{named.pk}")
    o.axe()
    o.page.locator("[name=summary]").fill("共收到意见2条，采纳1条：夜班津贴按时段分档，凌晨班每班50元。")
    o.page.get_by_role("button", name=zh("Publish the adoption summary")).click()
    o.page.wait_for_url(f"**/congress/decisions/calls/{call.pk}/")
    o.axe()
    call.refresh_from_db()
    assert call.status == OpinionCall.Status.SUMMARISED

    # The congress passes the motion (the vote is built directly); the office tracks the implementation.
    decision = decision_services.decision_link_motion(actor=office, decision=decision, motion=records.motion(congress))
    records.closed_vote(congress, decision.motion, counts=(7, 0, 1))
    decision = decision_services.decision_mark_decided(actor=office, decision=decision)
    decision_services.decision_link_notice(actor=office, decision=decision, notice=records.notice(congress))
    tracking = tracking_services.tracking_start(
        actor=office,
        decision=decision,
        responsible="人力资源部",
        target_on=timezone.localdate() + datetime.timedelta(days=60),
    )
    o.page.goto(f"/congress/decisions/{decision.pk}/")
    o.page.locator("form[action$='/milestones/'] [name=title]").fill("制定分档实施细则")
    due = (timezone.localdate() + datetime.timedelta(days=15)).isoformat()
    o.page.locator("form[action$='/milestones/'] [name=due_on]").fill(due)
    o.page.get_by_role("button", name=zh("Add"), exact=True).click()
    o.page.wait_for_url(f"**/congress/decisions/{decision.pk}/")
    o.axe()
    assert tracking.milestones.get().title == "制定分档实施细则"

    # A representative inspects and rates the implementation on a phone.
    rep = congress["reps"][5]
    r = visit(PHONE)
    r.login(rep.member.employee_no, factories.PASSWORD)
    r.page.goto(f"/congress/decisions/{decision.pk}/")
    fits_the_phone(r.page)
    r.axe()
    r.page.locator("#inspect-form label:has(input[value='4'])").click()
    r.page.locator("#inspect-form [name=findings]").fill("细则初稿已在各站征求意见，进度正常。")
    r.page.get_by_role("button", name=zh("Record the inspection")).click()
    r.page.wait_for_url(f"**/congress/decisions/{decision.pk}/")
    fits_the_phone(r.page)
    r.axe()
    inspection = TrackingInspection.objects.get()
    assert (inspection.representative, inspection.score) == (rep, 4)
    assert Rating.objects.get(item_type="congress.trackinginspection").score == 4

    # 张三 follows the decision on one page: summary, vote result, notice, milestone, inspection.
    w.page.goto(f"/congress/decisions/{decision.pk}/")
    fits_the_phone(w.page)
    w.axe()
    before = w.page.locator("#before").inner_text()
    assert "共收到意见2条，采纳1条" in before and zh("Anonymous") in before
    during = w.page.locator("#during").inner_text()
    assert "赞成: 7" in during and Decision.objects.get().motion.title in during
    assert w.page.locator("#disclosed a").inner_text() == "关于夜班津贴调整的公告"
    after = w.page.locator("#after").inner_text()
    assert "制定分档实施细则" in after and "人力资源部" in after and "细则初稿已在各站征求意见" in after
    assert w.page.locator(".average").count() == 1
    # From the timeline to the comment that was taken up.
    w.page.locator(f"#before a[href$='#comment-{anonymous.pk}']").click()
    w.page.wait_for_url(f"**/congress/decisions/calls/{call.pk}/#comment-{anonymous.pk}")
    w.axe()
    assert zh("Anonymous") in w.page.locator(f"#comment-{anonymous.pk}").inner_text()
