"""The worker's pages, in English: the front page, sending (named and anonymous), my appeals, one appeal
and its actions, and everything by follow-up code under /voices/anonymous/."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from unionhome.satisfaction.models import Rating
from unionhome.voices import follow_up_codes
from unionhome.voices.models import Appeal, AppealReply
from unionhome.voices.tests.appeal_helpers import PDF, answer, jpeg_with_metadata, send, upload
from unionhome.voices.tests.records import appeal_of

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"


def form(**extra) -> dict:
    return {"kind": "complaint", "category": "welfare", "title": "澡堂热水不够用", "body": "夜班后没有热水。", **extra}


def test_the_front_page_offers_sending_my_appeals_and_the_code(client, login_as, voices):
    login_as(voices["member"])
    page = client.get("/voices/", **EN).content.decode()
    assert 'action="/voices/anonymous/send/"' in page and 'enctype="multipart/form-data"' in page
    assert "Send anonymously" in page and "What “anonymous” means:" in page
    assert 'action="/voices/anonymous/"' in page and "Read an anonymous appeal" in page
    assert "You have not sent any named appeals." in page


def test_the_front_page_links_the_pages_each_viewer_may_use(client, login_as, voices):
    login_as(voices["member"])
    page = client.get("/voices/", **EN).content.decode()
    assert 'href="/voices/hot/"' in page and 'href="/voices/queue/"' not in page
    login_as(voices["canteen_handler"])  # a department's handler, without any permission
    page = client.get("/voices/", **EN).content.decode()
    assert 'href="/voices/queue/"' in page and 'href="/voices/settings/"' not in page


def test_a_cadre_without_a_member_record_cannot_send(client, login_as, voices):
    login_as(voices["cadre"])
    page = client.get("/voices/", **EN).content.decode()
    assert "not linked to an active member record" in page and "/voices/anonymous/send/" not in page
    response = client.post("/voices/anonymous/send/", form(), **EN)
    assert response.status_code == 403 and not Appeal.objects.exists()


def test_sending_a_named_appeal_with_a_photo(client, login_as, voices):
    login_as(voices["member"])
    response = client.post("/voices/anonymous/send/", form(attachments=[upload("p.jpg", jpeg_with_metadata())]), **EN)
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/voices/{appeal.pk}/"
    assert appeal.member == voices["member_record"] and appeal.attachments.count() == 1
    page = client.get(response["Location"], **EN).content.decode()
    assert "Your appeal was sent." in page and appeal.title in page and "p.jpg" in page


def test_sending_anonymously_shows_the_code_once(client, login_as, voices):
    login_as(voices["member"])
    response = client.post("/voices/anonymous/send/", form(anonymous="on", attachments=[upload("p.pdf", PDF)]), **EN)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    code = CODE.search(page).group(0)
    appeal = Appeal.objects.get()
    assert appeal.is_anonymous and appeal.code_digest == follow_up_codes.code_digest(code)
    assert "Write it down now." in page
    assert code not in client.get("/voices/", **EN).content.decode()  # shown once


def test_a_refused_appeal_shows_the_errors_next_to_the_fields(client, login_as, voices):
    login_as(voices["member"])
    files = [upload(f"p{i}.jpg", jpeg_with_metadata()) for i in range(6)]
    response = client.post("/voices/anonymous/send/", form(title="", attachments=files), **EN)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="id_title-error"' in page
    assert not Appeal.objects.exists()
    files = [upload(f"p{i}.jpg", jpeg_with_metadata()) for i in range(6)]
    response = client.post("/voices/anonymous/send/", form(attachments=files), **EN)
    assert "Attach at most 5 files." in response.content.decode() and not Appeal.objects.exists()


def test_my_appeals_newest_first_overdue_in_red_and_keyset_pages(client, login_as, voices):
    now = timezone.now()
    late = appeal_of(voices["member_record"], title="早就该答复", submitted_at=now - datetime.timedelta(days=30))
    fresh = appeal_of(voices["member_record"], title="刚提交的")
    appeal_of(voices["other_s1"], title="别人的")
    login_as(voices["member"])
    page = client.get("/voices/mine/", **EN).content.decode()
    assert page.index("刚提交的") < page.index("早就该答复") and "别人的" not in page
    assert 'class="card appeal-item overdue"' in page and page.count("Overdue") == 1
    for i in range(25):
        appeal_of(voices["member_record"], title=f"第{i}条", submitted_at=now - datetime.timedelta(days=1, minutes=i))
    first = client.get("/voices/mine/", **EN).content.decode()
    cursor = re.search(r'href="\?after=([^"]+)" rel="next"', first).group(1)
    second = client.get(f"/voices/mine/?after={cursor}", **EN).content.decode()
    assert "早就该答复" in second and "第24条" in second and "刚提交的" not in second
    assert fresh.pk and late.pk


def test_my_appeals_costs_the_same_whatever_the_rows(client, login_as, voices):
    login_as(voices["member"])
    appeal_of(voices["member_record"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/voices/mine/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for category in ("canteen", "safety", "wages", "welfare", "other") * 3:
        appeal_of(voices["member_record"], category=category, rating_score=3, status="closed")
    assert count() == before


def test_one_appeal_for_its_member_only(client, login_as, voices):
    appeal, _ = send(voices["member"], attachments=[upload("p.pdf", PDF)])
    anonymous, _ = send(voices["member"], anonymous=True)
    login_as(voices["member"])
    assert client.get(f"/voices/{appeal.pk}/", **EN).status_code == 200
    assert client.get(f"/voices/{anonymous.pk}/", **EN).status_code == 404  # only by its code
    attachment = appeal.attachments.get()
    download = client.get(f"/voices/{appeal.pk}/files/{attachment.pk}/")
    assert download.status_code == 200 and download.content == PDF and download["X-Content-Type-Options"] == "nosniff"
    login_as(factories.user("lisi", member=voices["other_s1"]))
    assert client.get(f"/voices/{appeal.pk}/", **EN).status_code == 404
    assert client.get(f"/voices/{appeal.pk}/files/{attachment.pk}/").status_code == 404
    assert client.post(f"/voices/{appeal.pk}/write/", {"message-body": "冒充"}, **EN).status_code == 404
    assert not AppealReply.objects.exists()


def test_the_member_writes_rates_and_reopens_on_the_page(client, login_as, voices):
    appeal, _ = send(voices["member"])
    login_as(voices["member"])
    response = client.post(f"/voices/{appeal.pk}/write/", {"message-body": "补充：女浴室也一样。"}, **EN)
    assert response.status_code == 302
    assert "补充：女浴室也一样。" in client.get(f"/voices/{appeal.pk}/", **EN).content.decode()
    answer(voices["cadre"], appeal, "已延长供应时间。")
    page = client.get(f"/voices/{appeal.pk}/", **EN).content.decode()
    assert "已延长供应时间。" in page and 'id="rate"' in page and 'id="reopen"' in page and 'id="write"' not in page
    bad = client.post(f"/voices/{appeal.pk}/rate/", {"rate-score": "9"}, **EN)
    assert bad.status_code == 200 and 'id="id_rate-score-error"' in bad.content.decode()
    client.post(f"/voices/{appeal.pk}/rate/", {"rate-score": "2", "rate-comment": "只延长了半小时"}, **EN)
    assert Rating.objects.get().score == 2
    page = client.get(f"/voices/{appeal.pk}/", **EN).content.decode()
    assert "You rated the answer 2 stars." in page and 'id="rate"' not in page
    empty = client.post(f"/voices/{appeal.pk}/reopen/", {"reopen-reason": " "}, **EN)
    assert 'id="id_reopen-reason-error"' in empty.content.decode()
    client.post(f"/voices/{appeal.pk}/reopen/", {"reopen-reason": "还是不够"}, **EN)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.REOPENED


def test_reopening_after_the_window_says_why(client, login_as, voices):
    appeal, _ = send(voices["member"])
    answer(voices["cadre"], appeal)
    Appeal.objects.filter(pk=appeal.pk).update(reopen_until=timezone.now() - datetime.timedelta(hours=1))
    login_as(voices["member"])
    assert 'id="reopen"' not in client.get(f"/voices/{appeal.pk}/", **EN).content.decode()
    response = client.post(f"/voices/{appeal.pk}/reopen/", {"reopen-reason": "晚了"}, **EN)
    assert "that time has passed" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED


def test_withdrawing_on_the_page(client, login_as, voices):
    appeal, _ = send(voices["member"])
    login_as(voices["member"])
    client.post(f"/voices/{appeal.pk}/withdraw/", {"withdraw-reason": ""}, **EN)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.WITHDRAWN


# --- by code -----------------------------------------------------------------------------------------


def test_the_code_opens_the_appeal_and_a_wrong_one_says_so(client, login_as, voices):
    appeal, code = send(voices["member"], anonymous=True, attachments=[upload("x.pdf", PDF)])
    answer(voices["cadre"], appeal, "已安排维修。", public=False)
    login_as(factories.user("wang", member=voices["s2_member"]))  # the code, not the account, opens it
    assert client.get("/voices/anonymous/", **EN).status_code == 200
    wrong = client.post("/voices/anonymous/", {"code": "AAAA-BBBB-CCCC-DDDD"}, **EN)
    assert "No appeal has this code." in wrong.content.decode() and wrong["Cache-Control"] == "no-store"
    right = client.post("/voices/anonymous/", {"code": code.lower().replace("-", " ")}, **EN)
    page = right.content.decode()
    assert right.status_code == 200 and "已安排维修。" in page and "Only to you" in page
    assert 'name="code"' in page and "Rate the answer" in page
    file = client.post("/voices/anonymous/file/", {"code": code, "attachment": appeal.attachments.get().pk})
    assert file.status_code == 200 and file.content == PDF


def test_rating_and_reopening_by_code(client, login_as, voices):
    appeal, code = send(voices["member"], anonymous=True)
    answer(voices["cadre"], appeal)
    login_as(voices["member"])
    rated = client.post("/voices/anonymous/rate/", {"code": code, "rate-score": "1"}, **EN).content.decode()
    assert "Thank you: your rating was saved." in rated and Rating.objects.get().member is None
    again = client.post("/voices/anonymous/rate/", {"code": code, "rate-score": "5"}, **EN)
    assert Rating.objects.count() == 1 and again.status_code == 200
    reopened = client.post("/voices/anonymous/reopen/", {"code": code, "reopen-reason": "没修好"}, **EN)
    assert "goes back to the handler" in reopened.content.decode()
    written = client.post("/voices/anonymous/write/", {"code": code, "message-body": "今天又坏了"}, **EN)
    assert "今天又坏了" in written.content.decode()
    client.post("/voices/anonymous/withdraw/", {"code": code, "withdraw-reason": ""}, **EN)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.WITHDRAWN and appeal.reopen_count == 1


def test_an_action_with_a_wrong_code_changes_nothing(client, login_as, voices):
    appeal, _ = send(voices["member"], anonymous=True)
    login_as(voices["member"])
    response = client.post("/voices/anonymous/write/", {"code": "AAAA-BBBB-CCCC-DDDD", "message-body": "x"}, **EN)
    assert "No appeal has this code." in response.content.decode() and not AppealReply.objects.exists()


def test_guessing_is_stopped(client, login_as, voices):
    _, code = send(voices["member"], anonymous=True)
    login_as(voices["member"])
    for _ in range(follow_up_codes.PER_CLIENT_FAILURES):
        client.post("/voices/anonymous/", {"code": "AAAA-BBBB-CCCC-DDDD"})
    response = client.post("/voices/anonymous/", {"code": code}, **EN)
    assert "Too many wrong codes were entered." in response.content.decode()


def test_an_action_page_opened_without_the_code_starts_again(client, login_as, voices):
    login_as(voices["member"])
    for path in ("/voices/anonymous/rate/", "/voices/anonymous/write/", "/voices/anonymous/file/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/voices/anonymous/"


def test_the_anonymous_pages_need_a_login(client):
    response = client.get("/voices/anonymous/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
