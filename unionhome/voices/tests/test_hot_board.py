"""The hot-issues board: topics with at least 3 appeals, broken down no lower than a branch (and only
where a branch has 3), public answers without the appeal's text, submitter, unit or exact date."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from unionhome.voices.models import Appeal, AppealReply
from unionhome.voices.selectors.hot_board import board_since, hot_topics
from unionhome.voices.tests.records import appeal_of
from unionhome.voices.tests.signal_records import topic_counts

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
SECRET_TITLE = "张三反映一站甲班夜班补贴"
SECRET_BODY = "我是一站甲班的张三，夜班补贴三个月没发了。"


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def answered(
    who, *, public=True, answer="已与财务部核实，夜班补贴将于本月随工资补发。", category="wages", status="closed"
):
    appeal = appeal_of(
        who, category=category, title=SECRET_TITLE, body=SECRET_BODY, status=status, keywords=["夜班补贴", "补发"]
    )
    return AppealReply.objects.create(
        appeal=appeal, body=answer, is_public=public, is_answer=True, created_at=timezone.now()
    )


@pytest.fixture
def topics(voices):
    union = voices["union"]
    month = this_month()
    topic_counts(union["s1"], "canteen", "饭菜", 4, month=month)
    topic_counts(union["s2"], "canteen", "饭菜", 2, month=month)  # only in the union's total
    topic_counts(union["s2"], "wages", "夜班补贴", 2, month=month)  # 2 in all: never shown
    topic_counts(union["s1"], "commuting", "班车", 1, month=month)
    topic_counts(union["s2"], "commuting", "班车", 1, month=month)
    topic_counts(union["s2"], "commuting", "班车", 1, month=board_since(timezone.localdate()))  # 3 together
    old = board_since(timezone.localdate()) - datetime.timedelta(days=1)
    topic_counts(union["s1"], "safety", "安全帽", 9, month=old.replace(day=1))  # before the period
    return voices


def test_topics_need_three_appeals_and_branches_three_too(topics):
    found = {(t.category, t.word): t for t in hot_topics(topics["union"]["union"])}
    assert set(found) == {("canteen", "饭菜"), ("commuting", "班车")}
    assert found["canteen", "饭菜"].total == 6 and found["canteen", "饭菜"].branches == [("第一检验站分工会", 4)]
    assert found["commuting", "班车"].total == 3 and found["commuting", "班车"].branches == []


def test_a_member_sees_their_unions_board(client, login_as, topics):
    answered(topics["member_record"])
    answered(topics["s2_member"], public=False, answer="私下答复")
    answered(topics["other_s1"], status=Appeal.Status.ACKNOWLEDGED, answer="尚未办结")
    login_as(topics["member"])
    response = client.get("/voices/hot/", **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "饭菜" in html and "班车" in html and "第一检验站分工会 4" in html
    assert "第二检验站分工会 2" not in html and "安全帽" not in html
    assert "已与财务部核实" in html and "私下答复" not in html and "尚未办结" not in html
    assert SECRET_TITLE not in html and "没发了" not in html and "张三" not in html and "一站甲班" not in html
    assert timezone.localdate().strftime("%Y-%m") in html
    assert timezone.localdate().strftime("%Y-%m-%d") not in html


def test_the_board_of_another_union_is_not_mixed_in(client, login_as, topics):
    other = factories.unit(None, "化工厂工会", "union", code="HG")
    branch = factories.unit(other, "化工一车间分工会", "branch", code="HG1")
    topic_counts(branch, "dormitory", "宿舍", 7, month=this_month())
    stranger = factories.user("hg-member", member=factories.member(branch, "赵六"))
    login_as(topics["member"])
    html = client.get("/voices/hot/", **EN).content.decode()
    assert "宿舍" not in html
    assert client.get(f"/voices/hot/?unit={other.pk}", **EN).status_code == 404
    login_as(stranger)
    html = client.get("/voices/hot/", **EN).content.decode()
    assert "宿舍" in html and "饭菜" not in html


def test_a_branch_cadre_may_choose_their_branch(client, login_as, topics):
    login_as(topics["cadre"])
    s1 = topics["union"]["s1"]
    html = client.get(f"/voices/hot/?unit={s1.pk}", **EN).content.decode()
    assert "饭菜" in html and "班车" not in html  # one appeal on 班车 in station 1
    assert client.get(f"/voices/hot/?unit={topics['union']['s2'].pk}", **EN).status_code == 404


def test_an_account_without_member_record_gets_an_empty_board(client, login_as, topics):
    login_as(topics["canteen_handler"])
    response = client.get("/voices/hot/", **EN)
    assert response.status_code == 200 and "has no member record" in response.content.decode()


def test_answers_page_by_id_and_the_query_count_is_constant(client, login_as, topics, django_assert_max_num_queries):
    answered(topics["member_record"], answer="答复0")
    login_as(topics["member"])
    client.get("/voices/hot/", **EN)
    with django_assert_max_num_queries(12) as before:
        client.get("/voices/hot/", **EN)
    for i in range(1, 14):
        answered(topics["member_record"] if i % 2 else topics["s2_member"], answer=f"答复{i}")
    with django_assert_max_num_queries(len(before.captured_queries)):
        html = client.get("/voices/hot/", **EN).content.decode()
    assert "答复13" in html and "答复3" not in html and "Older answers" in html
    after = AppealReply.objects.order_by("-id")[9].pk
    html = client.get(f"/voices/hot/?after={after}", **EN).content.decode()
    assert "答复3" in html and "答复0" in html and "答复13" not in html
