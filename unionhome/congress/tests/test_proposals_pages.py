"""Proposal pages through the Django test client (in English): the list with its filters and a constant
query count, writing and suggesting, the detail page with the forms each person may use, refusals, the
dashboard, and the proposal book as PDF and Excel (read back with pypdf and openpyxl)."""

import datetime
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from unionhome.audit.models import AuditEvent
from unionhome.congress.models import Proposal
from unionhome.congress.tests import proposal_records as records
from unionhome.congress.tests.proposal_records import CONTENT

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def get(client, url, **params):
    return client.get(url, params, **EN)


def post(client, url, data=None):
    return client.post(url, data or {}, **EN)


def test_a_representative_writes_and_submits_a_proposal(client, login_as, congress):
    login_as(congress["rep_users"][0])
    page = get(client, "/congress/proposals/new/")
    assert page.status_code == 200 and "Submit for seconding" in page.content.decode()
    response = post(
        client, "/congress/proposals/new/", {"session": congress["session"].pk, **CONTENT, "submit_now": "1"}
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/congress/proposals/{proposal.pk}/"
    assert proposal.status == "seconding"


def test_the_form_shows_errors_next_to_fields(client, login_as, congress):
    login_as(congress["rep_users"][0])
    response = post(client, "/congress/proposals/new/", {"session": congress["session"].pk, **CONTENT, "reasons": ""})
    assert response.status_code == 200
    assert 'id="id_reasons-error"' in response.content.decode()
    assert not Proposal.objects.exists()


def test_a_member_without_a_seat_cannot_write_but_can_suggest(client, login_as, congress):
    login_as(congress["member"])
    assert get(client, "/congress/proposals/new/").status_code == 403
    response = post(client, "/congress/proposals/suggest/", {"session": congress["session"].pk, **CONTENT})
    assert response.status_code == 302
    assert Proposal.objects.get().status == "suggested"


def test_seconding_from_the_detail_page(client, login_as, congress):
    proposal = records.at(congress, "seconding", seconders=())
    login_as(congress["rep_users"][3])
    page = get(client, f"/congress/proposals/{proposal.pk}/").content.decode()
    assert "Second this proposal" in page and "0 seconders of 2 needed" in page
    response = post(client, f"/congress/proposals/{proposal.pk}/second/")
    assert response.status_code == 302
    page = get(client, f"/congress/proposals/{proposal.pk}/").content.decode()
    assert "1 seconder of 2 needed" in page and "You seconded this proposal." in page
    assert "Second this proposal</button>" not in page


def test_send_for_review_without_seconders_shows_the_error(client, login_as, congress):
    proposal = records.at(congress, "seconding", seconders=())
    login_as(congress["rep_users"][0])
    response = client.post(f"/congress/proposals/{proposal.pk}/send_for_review/", follow=True, **EN)
    assert "This proposal needs 2 seconders, it has 0." in response.content.decode()
    assert Proposal.objects.get().status == "seconding"


def test_committee_reviews_and_refers(client, login_as, congress):
    proposal = records.at(congress, "submitted")
    login_as(congress["committee"])
    page = get(client, f"/congress/proposals/{proposal.pk}/").content.decode()
    assert "Review the proposal" in page
    bad = post(client, f"/congress/proposals/{proposal.pk}/review/", {"decision": "accept", "reason": ""})
    assert bad.status_code == 422 and 'id="id_reason-error"' in bad.content.decode()
    post(client, f"/congress/proposals/{proposal.pk}/review/", {"decision": "accept", "reason": "符合立案条件"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.number) == ("accepted", 1)
    due = congress["today"] + datetime.timedelta(days=20)
    response = post(
        client,
        f"/congress/proposals/{proposal.pk}/refer/",
        {
            "department": congress["department"].pk,
            "reply_due_on": due.isoformat(),
            "note": "",
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "referred" and proposal.reply_due_on == due


def test_the_handler_replies_and_others_are_refused(client, login_as, congress):
    proposal = records.at(congress, "referred")
    login_as(congress["chair"])
    refused = post(client, f"/congress/proposals/{proposal.pk}/reply/", {"body": "x"})
    assert refused.status_code == 403 and "not referred to your department" in refused.content.decode()
    login_as(congress["member"])
    assert post(client, f"/congress/proposals/{proposal.pk}/reply/", {"body": "x"}).status_code == 404
    login_as(congress["handler"])
    page = get(client, f"/congress/proposals/{proposal.pk}/").content.decode()
    assert "Reply to the proposal" in page and "Record progress" in page
    post(client, f"/congress/proposals/{proposal.pk}/reply/", {"body": "已落实"})
    assert Proposal.objects.get().status == "replied"


def test_the_proposer_rates_from_the_page(client, login_as, congress):
    proposal = records.at(congress, "replied")
    login_as(congress["rep_users"][0])
    page = get(client, f"/congress/proposals/{proposal.pk}/").content.decode()
    assert "Rate the reply" in page and "Basically satisfied" in page
    missing = post(client, f"/congress/proposals/{proposal.pk}/rate/", {"rating": "dissatisfied", "comment": ""})
    assert missing.status_code == 422 and 'id="id_comment-error"' in missing.content.decode()
    post(client, f"/congress/proposals/{proposal.pk}/rate/", {"rating": "dissatisfied", "comment": "还没解决"})
    assert Proposal.objects.get().status == "rehandling"
    page = get(client, f"/congress/proposals/{proposal.pk}/").content.decode()
    assert "Sent back for re-handling" in page and "还没解决" in page


def test_unknown_action_and_get_are_refused(client, login_as, congress):
    proposal = records.at(congress, "seconding")
    login_as(congress["rep_users"][0])
    assert post(client, f"/congress/proposals/{proposal.pk}/explode/").status_code == 404
    assert get(client, f"/congress/proposals/{proposal.pk}/second/").status_code == 405


def test_the_list_filters(client, login_as, congress):
    accepted = records.at(congress, "accepted", title="已立案提案")
    records.at(congress, "seconding", by=4, title="附议中提案")
    login_as(congress["chair"])
    page = get(client, "/congress/proposals/", status="accepted").content.decode()
    assert "已立案提案" in page and "附议中提案" not in page
    page = get(client, "/congress/proposals/", unit=congress["union"]["s2"].pk).content.decode()
    assert "附议中提案" in page and "已立案提案" not in page
    page = get(client, "/congress/proposals/", session=congress["session"].pk).content.decode()
    assert "附议中提案" in page and "已立案提案" in page
    assert accepted.number == 1


def test_the_list_query_count_stays_constant(client, login_as, congress, django_assert_max_num_queries):
    records.at(congress, "referred")
    login_as(congress["chair"])
    get(client, "/congress/proposals/")
    with django_assert_max_num_queries(20) as few:
        get(client, "/congress/proposals/")
    for i in range(6):
        records.at(congress, "replied", by=i, title=f"提案{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = get(client, "/congress/proposals/")
    assert page.content.decode().count("/congress/proposals/") >= 7


def test_the_detail_query_count_stays_constant(client, login_as, congress, django_assert_max_num_queries):
    proposal = records.at(congress, "replied")
    login_as(congress["chair"])
    get(client, f"/congress/proposals/{proposal.pk}/")
    with django_assert_max_num_queries(40) as few:
        get(client, f"/congress/proposals/{proposal.pk}/")
    from unionhome.congress.services import proposal_handling as handling

    handling.proposal_progress_record(actor=congress["handler"], proposal=proposal, note="a", percent=10)
    handling.proposal_progress_record(actor=congress["handler"], proposal=proposal, note="b", percent=20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        get(client, f"/congress/proposals/{proposal.pk}/")


def test_the_dashboard(client, login_as, congress):
    records.at(congress, "closed")
    records.at(congress, "converted", by=2, title="转建议")
    records.at(congress, "rehandling", by=4, title="重办")
    login_as(congress["member"])
    assert get(client, "/congress/proposals/dashboard/").status_code == 403
    login_as(congress["chair"])
    page = get(client, "/congress/proposals/dashboard/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="figure-accepted-rate">66.7%' in body  # 2 of 3 reviewed
    assert 'id="figure-on-time">100.0%' in body
    assert 'id="figure-satisfaction">50.0%' in body  # one satisfied, one dissatisfied
    assert 'type="application/json"' in body and "<script>" not in body
    assert get(client, "/congress/proposals/dashboard/", session=99999).status_code == 404


def test_the_proposal_book_pdf_and_excel(client, login_as, congress):
    records.at(congress, "closed", title="关于改善通风条件的提案")
    records.at(congress, "seconding", by=3, title="尚未立案的提案")
    login_as(congress["committee"])
    pdf = get(client, f"/congress/proposals/book/{congress['session'].pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "关于改善通风条件的提案" in text and "尚未立案的提案" not in text
    assert "赵一" in text and "钱二" in text and "人力资源部" in text
    xlsx = get(client, f"/congress/proposals/book/{congress['session'].pk}.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("Number", "Title", "Category", "Proposer")
    assert len(rows) == 3
    number, title, _category, proposer, _delegation, seconders, *_rest = rows[2]
    assert (number, title, proposer) == (1, "关于改善通风条件的提案", "赵一")
    assert seconders == "钱二、孙三"
    assert rows[2][8] == "人力资源部" and rows[2][11] == "Satisfied"
    assert AuditEvent.objects.filter(action="congress.proposal_book.exported").count() == 2
    login_as(congress["member"])
    assert get(client, f"/congress/proposals/book/{congress['session'].pk}.pdf").status_code == 404


def test_work_queue_items_and_a_representatives_prompts(congress, client, login_as):
    from unionhome.congress.selectors.proposals import proposal_prompts, proposal_work_items

    submitted = records.at(congress, "submitted", title="待审查")
    referred = records.at(congress, "referred", by=2, title="待答复")
    replied = records.at(congress, "replied", by=4, title="待评价")
    seconding = records.at(congress, "seconding", by=5, title="待附议")
    assert [i.url for i in proposal_work_items(congress["committee"])] == [f"/congress/proposals/{submitted.pk}/"]
    assert {i.url for i in proposal_work_items(congress["handler"])} == {f"/congress/proposals/{referred.pk}/"}
    assert proposal_work_items(congress["rep_users"][4]) == []
    assert [p.title for p in proposal_prompts(congress["rep_users"][4])] == [
        "Rate the reply to your proposal: 待评价",
        "Second this proposal?: 待附议",
    ]
    assert [p.title for p in proposal_prompts(congress["rep_users"][5])] == []  # their own
    assert replied.status == "replied" and proposal_prompts(congress["member"]) == []
    assert seconding.status == "seconding"
    # The handler holds no cadre role, yet the home page shows what waits for them.
    home = login_as(congress["handler"]).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Work queue" in home and "待答复" in home
