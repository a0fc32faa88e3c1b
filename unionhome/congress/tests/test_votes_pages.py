"""The vote pages: a representative's ballot and receipt, the chair's controls, the result, paper ballots."""

import re

import pytest

from unionhome.congress.models import Ballot, Participation, Vote
from unionhome.congress.tests.vote_records import cast, check_in, motion_vote, option

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_a_representative_votes_on_the_page_and_sees_a_receipt_once(congress, client, login_as):
    vote = motion_vote(congress)
    login_as(congress["rep_users"][0])
    page = client.get(f"/congress/votes/{vote.pk}/", **EN)
    assert page.status_code == 200 and b"Cast my ballot" in page.content
    key = re.search(rb'name="ballot_key" value="([^"]+)"', page.content).group(1).decode()
    data = {"ballot_key": key, "option": option(vote, "for").pk}
    answer = client.post(f"/congress/votes/{vote.pk}/", data, **EN)
    assert answer.status_code == 200
    receipt = re.search(rb'data-testid="receipt">([A-Z2-7]{10})<', answer.content).group(1).decode()
    again = client.post(f"/congress/votes/{vote.pk}/", data, **EN)  # a reload of the answer
    assert receipt.encode() in again.content and b"not counted again" in again.content
    assert Ballot.objects.get(vote=vote).receipt == receipt
    after = client.get(f"/congress/votes/{vote.pk}/", **EN)
    assert b"You have voted" in after.content and receipt.encode() not in after.content


def test_a_second_ballot_and_an_invalid_one_are_refused_on_the_page(congress, client, login_as):
    vote = motion_vote(congress)
    cast(congress, 0, vote, "for")
    login_as(congress["rep_users"][0])
    second = client.post(
        f"/congress/votes/{vote.pk}/", {"ballot_key": "k" * 20, "option": option(vote, "against").pk}, **EN
    )
    assert second.status_code == 409 and b"already voted" in second.content
    login_as(congress["rep_users"][1])
    bad = client.post(f"/congress/votes/{vote.pk}/", {"ballot_key": "k" * 21}, **EN)
    assert bad.status_code == 400 and b"Choose exactly one option" in bad.content
    assert Participation.objects.count() == 1


def test_the_chair_opens_and_closes_and_everyone_sees_the_result(congress, client, login_as):
    vote = motion_vote(congress, open_=False)
    check_in(congress)
    login_as(congress["chair"])
    page = client.get(f"/congress/votes/{vote.pk}/", **EN)
    assert b"Open the vote" in page.content
    client.post(f"/congress/votes/{vote.pk}/open/")
    assert Vote.objects.get(pk=vote.pk).status == "open"
    for i in range(5):
        cast(congress, i, vote, "for")
    client.post(f"/congress/votes/{vote.pk}/close/")
    vote.refresh_from_db()
    assert vote.outcome == "passed"
    login_as(congress["member"])  # a worker of the union watches
    result = client.get(f"/congress/votes/{vote.pk}/", **EN)
    assert b"Published ballots" in result.content
    assert all(b.receipt.encode() in result.content for b in Ballot.objects.filter(vote=vote))


def test_a_representative_cannot_run_a_vote_and_outsiders_get_404(congress, client, login_as):
    from tests import factories

    vote = motion_vote(congress, open_=False)
    login_as(congress["rep_users"][0])
    assert client.post(f"/congress/votes/{vote.pk}/open/").status_code == 403
    other = factories.unit(None, "另一工会", "union", code="OTHER")
    login_as(factories.user("outsider", member=factories.member(other, "钱多多")))
    assert client.get(f"/congress/votes/{vote.pk}/").status_code == 404
    assert client.get(f"/congress/votes/{vote.pk}/live/").status_code == 404


def test_live_fragment_shows_turnout_and_asks_for_a_reload_at_the_close(congress, client, login_as):
    vote = motion_vote(congress)
    cast(congress, 0, vote, "for")
    login_as(congress["rep_users"][1])
    from django.core.cache import cache

    cache.clear()
    live = client.get(f"/congress/votes/{vote.pk}/live/?seen=open")
    assert re.search(rb'data-testid="turnout">1<', live.content) and "HX-Refresh" not in live
    from unionhome.congress.services.votes import vote_close

    vote_close(actor=congress["office"], vote=vote)
    cache.clear()
    assert client.get(f"/congress/votes/{vote.pk}/live/?seen=open")["HX-Refresh"] == "true"


def test_scrutineers_enter_paper_ballots_on_their_desk(congress, client, login_as):
    vote = motion_vote(congress)
    vote.scrutineers.add(congress["reps"][7])
    login_as(congress["rep_users"][7])
    desk = client.get(f"/congress/votes/{vote.pk}/paper/", **EN)
    assert desk.status_code == 200 and "赵一".encode() in desk.content
    client.post(f"/congress/votes/{vote.pk}/paper/", {"step": "voter", "representative": congress["reps"][0].pk})
    client.post(f"/congress/votes/{vote.pk}/paper/", {"step": "ballot", "option": option(vote, "against").pk})
    assert Participation.objects.get(vote=vote).channel == "paper"
    assert Ballot.objects.get(vote=vote).marks == [[option(vote, "against").pk, "for"]]
    login_as(congress["rep_users"][1])
    assert client.get(f"/congress/votes/{vote.pk}/paper/").status_code == 403


def test_the_office_sets_up_a_vote_and_an_election_on_the_page(congress, client, login_as):
    login_as(congress["office"])
    session = congress["session"]
    made = client.post(
        f"/congress/motions/new/?session={session.pk}", {"kind": "welfare_scheme", "title": "职工疗休养方案"}
    )
    assert made.status_code == 302
    page = client.get(f"/congress/votes/new/?session={session.pk}", **EN)
    assert page.status_code == 200
    form = {
        "title": "增补委员选举", "kind": "election", "secrecy": "secret", "method": "up_to_seats", "seats": 1,
        "candidates": congress["reps"][0].member.employee_no + "\n" + congress["reps"][1].member.employee_no,
        "quorum": "2/3", "threshold": "1/2", "threshold_base": "seated", "threshold_strict": "on",
    }  # fmt: skip
    assert client.post(f"/congress/votes/new/?session={session.pk}", form).status_code == 302
    election = Vote.objects.get(kind="election")
    assert [o.label for o in election.options.all()] == ["赵一", "钱二"]
    bad = client.post(f"/congress/votes/new/?session={session.pk}", {**form, "candidates": "NOPE", "quorum": "x"}, **EN)
    assert bad.status_code == 200 and b"NOPE" in bad.content and b"fraction" in bad.content
    assert Vote.objects.count() == 1


def test_documents_laid_before_the_congress_with_a_motion(congress, client, login_as, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests import factories
    from unionhome.congress.models import MotionDocument
    from unionhome.congress.services.motions import motion_create

    settings.UNIONHOME_PRIVATE_ROOT = str(tmp_path)
    motion = motion_create(actor=congress["office"], session=congress["session"], kind="wage_plan", title="工资方案")
    login_as(congress["office"])
    pdf = b"%PDF-1.4\n% 2027\n%%EOF\n"
    client.post(f"/congress/motions/{motion.pk}/", {"upload": SimpleUploadedFile("方案.pdf", pdf)})
    fake = client.post(
        f"/congress/motions/{motion.pk}/", {"upload": SimpleUploadedFile("x.pdf", b"MZ not a pdf")}, follow=True, **EN
    )
    assert b"Attach a PDF" in fake.content
    document = MotionDocument.objects.get()
    login_as(congress["member"])  # a worker of the union reads the documents
    page = client.get(f"/congress/motions/{motion.pk}/")
    assert "方案.pdf".encode() in page.content
    download = client.get(f"/congress/motions/{motion.pk}/documents/{document.pk}/")
    assert download.status_code == 200 and download.content == pdf and download["Content-Type"] == "application/pdf"
    assert (
        client.post(f"/congress/motions/{motion.pk}/", {"upload": SimpleUploadedFile("b.pdf", pdf)}).status_code == 403
    )
    other = factories.unit(None, "另一工会", "union", code="OTHER")
    login_as(factories.user("outsider", member=factories.member(other, "钱多多")))
    assert client.get(f"/congress/motions/{motion.pk}/documents/{document.pk}/").status_code == 404
    assert MotionDocument.objects.count() == 1


def test_the_home_page_asks_a_checked_in_representative_to_vote_until_they_have(congress, client, login_as):
    vote = motion_vote(congress)
    login_as(congress["rep_users"][0])
    home = client.get("/", **EN)
    assert b"Votes open for you" in home.content and vote.title.encode() in home.content
    cast(congress, 0, vote, "for")
    assert vote.title.encode() not in client.get("/", **EN).content
    login_as(congress["member"])  # not a representative: nothing to vote on
    assert b"Votes open for you" not in client.get("/", **EN).content


def test_the_ballot_form_sent_by_htmx_is_answered_with_the_receipt_alone(congress, client, login_as):
    vote = motion_vote(congress)
    login_as(congress["rep_users"][0])
    page = client.get(f"/congress/votes/{vote.pk}/", **EN)
    assert b'hx-post="/congress/votes/' in page.content
    key = re.search(rb'name="ballot_key" value="([^"]+)"', page.content).group(1).decode()
    htmx = {"HTTP_HX_REQUEST": "true", **EN}
    refused = client.post(f"/congress/votes/{vote.pk}/", {"ballot_key": key}, **htmx)
    assert refused.status_code == 200 and b"<html" not in refused.content
    assert b'id="ballot"' in refused.content and b"Choose exactly one option" in refused.content
    answer = client.post(f"/congress/votes/{vote.pk}/", {"ballot_key": key, "option": option(vote, "for").pk}, **htmx)
    assert answer.status_code == 200 and b"<html" not in answer.content
    receipt = re.search(rb'data-testid="receipt">([A-Z2-7]{10})<', answer.content).group(1).decode()
    assert Ballot.objects.get(vote=vote).receipt == receipt
    again = client.post(
        f"/congress/votes/{vote.pk}/", {"ballot_key": "x" * 20, "option": option(vote, "for").pk}, **htmx
    )
    assert b"already voted" in again.content and Ballot.objects.count() == 1


@pytest.mark.parametrize("bad", ["abc", "-1", "9" * 30, "1e3"])
def test_ids_typed_by_hand_are_answered_not_a_server_error(congress, client, login_as, bad):
    vote = motion_vote(congress)
    vote.scrutineers.add(congress["reps"][7])
    login_as(congress["office"])
    assert client.get(f"/congress/votes/new/?session={bad}").status_code == 404
    assert client.get(f"/congress/motions/new/?session={bad}").status_code == 404
    assert client.get(f"/congress/votes/new/?session={congress['session'].pk}&motion={bad}").status_code == 200
    login_as(congress["rep_users"][7])
    answer = client.post(f"/congress/votes/{vote.pk}/paper/", {"step": "voter", "representative": bad}, follow=True)
    assert answer.status_code == 200 and not Participation.objects.exists()
