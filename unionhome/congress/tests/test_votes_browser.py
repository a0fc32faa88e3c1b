"""Journey in Chromium: the chair opens a secret vote, five representatives vote from their phones in parallel
browser contexts (each sees the turnout grow), the chair closes it, and the result and the receipts are
published; each representative finds their own receipt in the list. axe on every page."""

import re

import pytest
from django.utils import translation

from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.congress.models import Ballot, Participation, Vote
from unionhome.congress.tests.vote_records import check_in, motion_vote

pytestmark = pytest.mark.browser


def zh(text: str, context: str | None = None) -> str:
    with translation.override("zh-hans"):
        return translation.pgettext(context, text) if context else translation.gettext(text)


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_a_secret_vote_from_open_to_published_receipts(transactional_db, visit, congress):  # noqa: F811
    vote = motion_vote(congress, open_=False, title="关于职工疗休养方案的表决")
    check_in(congress)

    chair = visit(DESKTOP)
    chair.login(congress["chair"].username, factories.PASSWORD, factories.totp_code(congress["chair"]))
    chair.page.goto(f"/congress/votes/{vote.pk}/")
    chair.axe()
    chair.page.get_by_role("button", name=zh("Open the vote")).click()
    chair.page.wait_for_load_state()
    assert Vote.objects.get(pk=vote.pk).status == "open"

    # Five representatives open the vote on their phones and fill in their ballots.
    choices = [zh(m, "vote") for m in ("For", "For", "Against", "For", "Abstain")]
    reps = []
    for i, choice in enumerate(choices):
        rep = visit(PHONE)
        user = congress["rep_users"][i]
        rep.login(user.member.employee_no, factories.PASSWORD)
        rep.page.goto(f"/congress/votes/{vote.pk}/")
        fits_the_phone(rep.page)
        if i == 0:
            rep.axe()
        rep.page.get_by_label(choice, exact=True).check()
        reps.append(rep)
    # …and send them at the same moment: the submissions run on the server side by side.
    for rep in reps:
        rep.page.evaluate("document.getElementById('ballot').requestSubmit()")
    receipts = []
    for rep in reps:
        rep.page.wait_for_selector("[data-testid=receipt]")
        receipts.append(rep.page.locator("[data-testid=receipt]").inner_text().strip())
    reps[0].axe()
    assert len(set(receipts)) == 5 and all(re.fullmatch(r"[A-Z2-7]{10}", r) for r in receipts)
    assert Participation.objects.filter(vote=vote).count() == 5 == Ballot.objects.filter(vote=vote).count()

    # The chair's page shows the turnout grow (polled every few seconds) and no partial result.
    chair.page.reload()
    chair.page.wait_for_function(
        "document.querySelector('[data-testid=turnout]').textContent.trim() === '5'", timeout=15000
    )
    assert zh("Published ballots") not in chair.page.content()
    chair.page.get_by_role("button", name=zh("Close the vote and count")).click()
    chair.page.wait_for_load_state()
    chair.axe()
    vote.refresh_from_db()
    assert vote.status == "closed" and vote.participation_count == 5
    # 3 for of 8 seated is not more than half: not passed.
    assert vote.outcome == "failed"
    content = chair.page.content()
    assert zh("Published ballots") in content and all(r in content for r in receipts)

    # Each representative's open page reloads itself at the close; they find their own receipt.
    for rep, receipt in zip(reps, receipts, strict=True):
        rep.page.goto(f"/congress/votes/{vote.pk}/")
        rep.page.get_by_placeholder(zh("Receipt code")).fill(receipt.lower())
        rep.page.get_by_role("button", name=zh("Find my ballot")).click()
        rep.page.wait_for_load_state()
        rows = rep.page.locator("#ballots-title ~ table tbody tr")
        assert rows.count() == 1 and receipt in rows.first.inner_text()
    reps[1].axe()
    fits_the_phone(reps[1].page)
