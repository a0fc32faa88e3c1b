"""The office's pages (new notice, edit, attach, publish, withdraw), read receipts per unit with their query
count, reminding non-readers, and the cadres' question queue and answer page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests import factories
from unionhome.disclosure.models import Notice, NoticeAttachment, NoticeQuestion
from unionhome.disclosure.services.questions import question_ask
from unionhome.disclosure.services.reads import notice_mark_read
from unionhome.disclosure.tests.records import PDF, draft, published

pytestmark = pytest.mark.usefixtures("english")


def notice_form(audience, **extra) -> dict:
    return {
        "title": "2026年高温津贴发放标准",
        "category": "wages_welfare",
        "audience": audience.pk,
        "body": "每人每月300元，6月至9月发放。",
        "publish_from": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "publish_until": "",
        **extra,
    }


def test_the_office_writes_attaches_and_publishes_a_notice(office, login_as):
    client = login_as(office["office"])
    html = client.get("/disclosure/manage/new/").content.decode()
    assert "一站甲班" in html  # the audience list reaches the groups
    response = client.post("/disclosure/manage/new/", notice_form(office["union"]["s1"], pinned="on"))
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/disclosure/manage/{notice.pk}/"
    assert (notice.status, notice.pinned, notice.audience_path) == ("draft", True, office["union"]["s1"].path)
    upload = SimpleUploadedFile("标准.pdf", PDF, content_type="application/pdf")
    assert client.post(f"/disclosure/manage/{notice.pk}/attachments/", {"upload": upload}).status_code == 302
    wrong = SimpleUploadedFile("标准.pdf", b"not a pdf", content_type="application/pdf")
    response = client.post(f"/disclosure/manage/{notice.pk}/attachments/", {"upload": wrong})
    assert response.status_code == 422 and "Attach a PDF, JPEG, PNG" in response.content.decode()
    assert NoticeAttachment.objects.count() == 1
    response = client.post(
        f"/disclosure/manage/{notice.pk}/edit/", notice_form(office["union"]["union"], title="改后的标题")
    )
    assert response.status_code == 302
    assert client.post(f"/disclosure/manage/{notice.pk}/publish/").status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.title, notice.audience_path) == (
        "published",
        "改后的标题",
        office["union"]["union"].path,
    )
    response = client.post(f"/disclosure/manage/{notice.pk}/withdraw/", {"reason": ""})
    assert response.status_code == 422 and "Say why the notice is withdrawn." in response.content.decode()
    assert client.post(f"/disclosure/manage/{notice.pk}/withdraw/", {"reason": "标准有变"}).status_code == 302
    notice.refresh_from_db()
    assert (
        notice.status == "withdrawn" and "标准有变" in client.get(f"/disclosure/manage/{notice.pk}/").content.decode()
    )


def test_the_new_notice_form_shows_errors_by_the_fields(office, login_as):
    client = login_as(office["office"])
    start = timezone.localtime()
    response = client.post(
        "/disclosure/manage/new/",
        notice_form(
            office["union"]["s1"], title="", publish_until=start.replace(year=start.year - 1).strftime("%Y-%m-%dT%H:%M")
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Notice.objects.exists()
    assert 'id="id_title-error"' in html


def test_a_branch_office_cannot_choose_an_audience_outside_its_branch(office, login_as):
    client = login_as(office["branch_office"])
    response = client.post("/disclosure/manage/new/", notice_form(office["union"]["s2"]))
    assert response.status_code == 200 and 'id="id_audience-error"' in response.content.decode()
    assert not Notice.objects.exists()


def test_workers_and_other_cadres_are_kept_out_of_the_office_pages(office, login_as, client):
    notice = draft(office["office"], office["union"]["s1"])
    login_as(office["worker"])
    assert client.get("/disclosure/manage/").status_code == 403
    assert client.get("/disclosure/manage/new/").status_code == 403
    assert client.get(f"/disclosure/manage/{notice.pk}/").status_code == 404
    login_as(office["cadre"])  # answers and follows receipts, does not publish; drafts are not theirs
    assert client.get("/disclosure/manage/").status_code == 200
    assert client.get("/disclosure/manage/new/").status_code == 403
    assert client.get(f"/disclosure/manage/{notice.pk}/").status_code == 404
    assert client.post(f"/disclosure/manage/{notice.pk}/publish/").status_code == 404
    assert Notice.objects.get().status == "draft"


def receipts_row(html: str, code: str) -> str:
    start = html.index(f'data-unit="{code}"')
    return html[start : html.index("</tr>", start)]


def test_receipts_per_unit_and_the_drop_in_unread(office, login_as):
    union = office["union"]
    for i in range(3):
        factories.member(union["g21"], f"二站职工{i}")
    notice = published(office["office"], union["union"])
    client = login_as(office["office"])
    html = client.get(f"/disclosure/manage/{notice.pk}/receipts/").content.decode()
    assert '<dd class="num" id="receipts-audience">6</dd>' in html
    assert '<td data-label="Unread" class="num unread-count">2</td>' in receipts_row(html, "S01")
    notice_mark_read(actor=office["worker"], notice=notice)
    html = client.get(f"/disclosure/manage/{notice.pk}/receipts/").content.decode()
    assert '<td data-label="Unread" class="num unread-count">1</td>' in receipts_row(html, "S01")
    assert '<td data-label="Unread" class="num unread-count">4</td>' in receipts_row(html, "S02")
    drill = client.get(f"/disclosure/manage/{notice.pk}/receipts/", {"unit": union["s1"].path}).content.decode()
    assert '<td data-label="Read" class="num">1</td>' in receipts_row(drill, "S01-G1")
    assert '<td data-label="Read" class="num">0</td>' in receipts_row(drill, "S01-G2")


def test_a_branch_cadre_sees_receipts_of_their_branch_only(office, login_as, client):
    notice = published(office["office"], office["union"]["union"])
    login_as(office["cadre"])
    html = client.get(f"/disclosure/manage/{notice.pk}/receipts/").content.decode()
    assert 'data-unit="S01-G1"' in html and 'data-unit="S02"' not in html
    outside = client.get(f"/disclosure/manage/{notice.pk}/receipts/", {"unit": office["union"]["s2"].path})
    assert 'data-unit="S02-G1"' not in outside.content.decode()
    login_as(office["worker"])
    assert client.get(f"/disclosure/manage/{notice.pk}/receipts/").status_code == 403
    login_as(office["cadre2"])
    only_s1 = published(office["office"], office["union"]["s1"])
    assert client.get(f"/disclosure/manage/{only_s1.pk}/receipts/").status_code == 404


def test_receipts_query_count_is_constant(office, login_as):
    union = office["union"]
    notice = published(office["office"], union["union"])
    client = login_as(office["office"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/disclosure/manage/{notice.pk}/receipts/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(6):
        station = factories.unit(union["union"], f"第{i + 3}检验站分工会", "branch")
        reader = factories.member(station, f"读者{i}")
        notice_mark_read(actor=factories.user(f"reader{i}", member=reader), notice=notice)
    notice_mark_read(actor=office["worker"], notice=notice)
    assert count() == before


def test_remind_from_the_receipts_page(office, login_as, django_capture_on_commit_callbacks):
    notice = published(office["office"], office["union"]["s1"])
    client = login_as(office["office"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/disclosure/manage/{notice.pk}/remind/")
    assert response.status_code == 302 and response["Location"] == f"/disclosure/manage/{notice.pk}/receipts/"
    assert DBTaskResult.objects.filter(task_path="unionhome.disclosure.tasks.remind_non_readers").count() == 1


def test_the_question_queue_and_answer_page(office, login_as, client):
    notice = published(office["office"], office["union"]["s1"])
    question = question_ask(actor=office["worker"], notice=notice, body="夜班补贴标准？")
    login_as(office["cadre"])
    html = client.get("/disclosure/questions/").content.decode()
    assert "夜班补贴标准？" in html and "a worker of 一站甲班" in html and "张三" not in html
    response = client.post(f"/disclosure/questions/{question.pk}/answer/", {"answer": ""})
    assert response.status_code == 200 and "Write the answer." in response.content.decode()
    response = client.post(f"/disclosure/questions/{question.pk}/answer/", {"answer": "每班30元。"})
    assert response.status_code == 302
    assert NoticeQuestion.objects.get().answer == "每班30元。"
    assert "夜班补贴标准？" not in client.get("/disclosure/questions/").content.decode()
    login_as(office["worker_b"])
    assert client.get("/disclosure/questions/").status_code == 403
    assert client.post(f"/disclosure/questions/{question.pk}/answer/", {"answer": "x"}).status_code == 403
    login_as(office["cadre2"])
    assert client.get(f"/disclosure/questions/{question.pk}/answer/").status_code == 404


def test_the_question_queue_query_count_is_constant(office, login_as):
    notice = published(office["office"], office["union"]["union"])
    client = login_as(office["chair"])
    question_ask(actor=office["worker"], notice=notice, body="问")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/disclosure/questions/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for who in ("worker_b", "worker_s2"):
        for i in range(3):
            question_ask(actor=office[who], notice=published(office["office"], office["union"]["union"]), body=f"问{i}")
    assert count() == before


def test_the_manage_list_query_count_is_constant(office, login_as):
    client = login_as(office["office"])
    published(office["office"], office["union"]["s1"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/disclosure/manage/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(8):
        (published if i % 2 else draft)(office["office"], office["union"]["s2" if i % 3 else "g11"])
    assert count() == before


def test_the_home_work_queue_lists_questions(office, login_as):
    question_ask(actor=office["worker"], notice=published(office["office"], office["union"]["s1"]), body="问")
    html = login_as(office["cadre"]).get("/").content.decode()
    assert "/disclosure/questions/" in html


def test_the_notice_prints_for_the_wall_board(office, login_as, client):
    notice = published(office["office"], office["union"]["s1"], body="第一段。\n\n第二段。")
    response = login_as(office["office"]).get(f"/disclosure/manage/{notice.pk}/print/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    login_as(office["worker"])
    assert client.get(f"/disclosure/manage/{notice.pk}/print/").status_code == 404
