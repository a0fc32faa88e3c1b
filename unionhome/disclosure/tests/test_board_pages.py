"""The workers' pages: the board (scope, window, order, unread marks, category filter, keyset pages, query
counts), one notice (read recorded, attachments downloaded by the audience only, questions asked)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from unionhome.disclosure.models import Notice, NoticeQuestion, NoticeRead
from unionhome.disclosure.selectors import notices as selectors
from unionhome.disclosure.services.notices import notice_withdraw
from unionhome.disclosure.services.questions import question_answer, question_ask
from unionhome.disclosure.services.reads import notice_mark_read
from unionhome.disclosure.tests.records import PDF, draft, published

BOARD = "/disclosure/"

pytestmark = pytest.mark.usefixtures("english")


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_board_shows_the_members_notices_pinned_first_then_newest(office, login_as):
    union = office["union"]
    old = published(office["office"], union["union"], days_ago=5, title="全中心：年度安全检查")
    pinned = published(office["office"], union["union"], days_ago=9, title="置顶：职代会决议", pinned=True)
    mine = published(office["office"], union["s1"], days_ago=1, title="一站：班组调整")
    group = published(office["office"], union["g11"], days_ago=2, title="甲班：排班表")
    published(office["office"], union["s2"], title="二站：设备更新")
    published(office["office"], union["g12"], title="乙班：学习安排")
    draft(office["office"], union["s1"], title="草稿不显示")
    published(office["office"], union["s1"], title="尚未开始", publish_from=timezone.now() + datetime.timedelta(days=1))
    ended = published(
        office["office"],
        union["s1"],
        days_ago=3,
        title="已过期",
        publish_until=timezone.now() + datetime.timedelta(seconds=1),
    )
    Notice.objects.filter(pk=ended.pk).update(publish_until=timezone.now() - datetime.timedelta(seconds=1))
    withdrawn = published(office["office"], union["s1"], title="已撤回")
    notice_withdraw(actor=office["office"], notice=withdrawn, reason="重复发布")
    notice_mark_read(actor=office["worker"], notice=old)
    html = page(login_as(office["worker"]), BOARD)
    shown = [n.title for n in (pinned, mine, group, old)]
    positions = [html.index(title) for title in shown]
    assert positions == sorted(positions)
    for hidden in ("二站：设备更新", "乙班：学习安排", "草稿不显示", "尚未开始", "已过期", "已撤回"):
        assert hidden not in html
    assert html.count('class="badge new"') == 3  # all but the one read
    assert html.count('class="badge pinned"') == 1


def test_the_board_filters_by_category(office, login_as):
    published(office["office"], office["union"]["s1"], title="工资福利公开")
    published(office["office"], office["union"]["s1"], title="安全生产通报", category="safety")
    html = page(login_as(office["worker"]), BOARD, category="safety")
    assert "安全生产通报" in html and "工资福利公开" not in html


def test_the_board_pages_by_keyset(office, login_as, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    union = office["union"]
    made = [
        published(office["office"], union["s1"], days_ago=i, title=f"通知{i:02d}", pinned=i in (3, 4)) for i in range(7)
    ]
    expected = [made[3].pk, made[4].pk, *[n.pk for n in made if n.pk not in (made[3].pk, made[4].pk)]]
    client = login_as(office["worker"])
    seen, params = [], {}
    for _ in range(6):
        response = client.get(BOARD, params)
        rows = response.context["rows"]
        seen += [row["notice"].pk for row in rows]
        cursor = response.context["page"].next_cursor
        if not cursor:
            break
        params = {"after": cursor}
    assert seen == expected


def test_the_board_query_count_is_constant(office, login_as):
    client = login_as(office["worker"])
    published(office["office"], office["union"]["s1"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            page(client, BOARD)
        return len(ctx.captured_queries)

    before = count()
    for i in range(15):
        notice = published(
            office["office"], office["union"]["union"] if i % 2 else office["union"]["g11"], pinned=i % 5 == 0
        )
        if i % 3 == 0:
            notice_mark_read(actor=office["worker"], notice=notice)
            question_ask(actor=office["worker"], notice=notice, body="问")
    assert count() == before


def test_opening_a_notice_records_the_read_and_shows_its_attachments(office, login_as):
    notice = published(office["office"], office["union"]["s1"], files=(("工资调整方案.pdf", PDF),))
    client = login_as(office["worker"])
    html = page(client, f"/disclosure/{notice.pk}/")
    assert notice.title in html and "工资调整方案.pdf" in html
    assert NoticeRead.objects.filter(notice=notice, member=office["member_record"]).count() == 1
    page(client, f"/disclosure/{notice.pk}/")
    assert NoticeRead.objects.count() == 1
    attachment = notice.attachments.get()
    response = client.get(f"/disclosure/{notice.pk}/files/{attachment.pk}/")
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")


def test_others_get_not_found_for_the_notice_and_its_files(office, login_as, client):
    notice = published(office["office"], office["union"]["s1"], files=(("方案.pdf", PDF),))
    attachment = notice.attachments.get()
    for who in ("worker_s2", "cadre2", "auditor"):
        login_as(office[who])
        assert client.get(f"/disclosure/{notice.pk}/").status_code == 404
        assert client.get(f"/disclosure/{notice.pk}/files/{attachment.pk}/").status_code == 404
    login_as(office["cadre"])  # station 1's cadre follows this notice: may open it, is no reader
    assert client.get(f"/disclosure/{notice.pk}/files/{attachment.pk}/").status_code == 200
    assert not NoticeRead.objects.exists()
    client.logout()
    assert client.get(f"/disclosure/{notice.pk}/").status_code == 302


def test_a_worker_asks_on_the_page_and_sees_the_public_answer_by_unit(office, login_as):
    notice = published(office["office"], office["union"]["s1"])
    client = login_as(office["worker"])
    response = client.post(f"/disclosure/{notice.pk}/", {"body": "高温补贴什么时候发？"})
    assert response.status_code == 302 and response["Location"].endswith("#questions")
    question = NoticeQuestion.objects.get()
    html = page(client, f"/disclosure/{notice.pk}/")
    assert "Your questions waiting for an answer" in html and "高温补贴什么时候发？" in html
    response = client.post(f"/disclosure/{notice.pk}/", {"body": "   "})
    assert response.status_code == 200 and "Write your question." in response.content.decode()
    question_answer(actor=office["cadre"], question=question, answer="七月底随工资发放。")
    html = page(login_as(office["worker_b"]), f"/disclosure/{notice.pk}/")
    assert "七月底随工资发放。" in html and "a worker of 一站甲班" in html and "张三" not in html


def test_a_cadre_without_a_member_record_sees_an_explained_empty_board(office, login_as):
    html = page(login_as(office["office"]), BOARD)
    assert "not linked to an active member record" in html and "New notice" in html


def test_a_retired_member_sees_no_board(office, login_as):
    retired = factories.member(office["union"]["g11"], "老刘", status="retired")
    user = factories.user("old-liu", member=retired)
    published(office["office"], office["union"]["s1"], title="在职职工通知")
    assert "在职职工通知" not in page(login_as(user), BOARD)


def test_the_home_page_shows_the_newest_notices_with_unread_marked(office, login_as):
    union = office["union"]
    read = published(office["office"], union["union"], days_ago=2, title="全中心：食堂调价公示")
    unread = published(office["office"], union["s1"], days_ago=1, title="一站：夜班津贴发放")
    published(office["office"], union["s2"], title="二站：设备更新")
    notice_mark_read(actor=office["worker"], notice=read)
    html = page(login_as(office["worker"]), "/")
    assert "Factory-affairs notices" in html and read.title in html and unread.title in html
    assert "二站：设备更新" not in html
    assert html.index(unread.title) < html.index(read.title)
    assert html.count(">unread<") == 1
