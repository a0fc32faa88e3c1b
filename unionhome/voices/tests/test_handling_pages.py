"""Handling pages: the queue (who sees what, filters, overdue first and red, constant queries) and one
appeal with its forms."""

import datetime

import pytest
from django.utils import timezone

from unionhome.voices.models import Appeal
from unionhome.voices.tests.records import appeal_of

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def ids(response) -> list[int]:
    return [a.pk for a in response.context["page"].items]


def test_queue_shows_what_each_person_answers(voices, client, login_as):
    canteen = appeal_of(voices["member_record"], category="canteen")
    safety = appeal_of(voices["member_record"], category="safety")
    welfare = appeal_of(voices["member_record"], category="welfare")
    s2 = appeal_of(voices["s2_member"], category="welfare")
    login_as(voices["canteen_handler"])
    assert ids(client.get("/voices/queue/", **EN)) == [canteen.pk]
    login_as(voices["safety_officer"])
    assert ids(client.get("/voices/queue/", **EN)) == [safety.pk]
    login_as(voices["cadre"])  # station 1's cadre: what nobody else answers in station 1
    assert ids(client.get("/voices/queue/", **EN)) == [welfare.pk]
    login_as(voices["cadre2"])
    assert ids(client.get("/voices/queue/", **EN)) == [s2.pk]


def test_queue_refuses_someone_who_answers_nothing(voices, client, login_as):
    login_as(voices["member"])
    assert client.get("/voices/queue/", **EN).status_code == 403


def test_overdue_first_red_and_escalated_filter(voices, client, login_as):
    old = appeal_of(
        voices["member_record"], category="welfare", submitted_at=timezone.now() - datetime.timedelta(days=30)
    )
    new = appeal_of(voices["other_s1"], category="welfare")
    routed = appeal_of(voices["other_s1"], category="canteen")
    Appeal.objects.filter(pk=routed.pk).update(escalation_unit=voices["union"]["s1"], escalation_level=1)
    login_as(voices["cadre"])
    response = client.get("/voices/queue/", **EN)
    assert ids(response)[0] == old.pk and set(ids(response)) == {old.pk, new.pk, routed.pk}
    html = response.content.decode()
    assert f'appeal-item overdue" id="appeal-{old.pk}"' in html
    assert f'appeal-item" id="appeal-{new.pk}"' in html
    assert "escalated to" in html
    assert ids(client.get("/voices/queue/?status=open&escalated=on", **EN)) == [routed.pk]
    assert ids(client.get("/voices/queue/?status=open&overdue=on", **EN)) == [old.pk]
    assert ids(client.get("/voices/queue/?status=open&category=canteen", **EN)) == [routed.pk]


def test_queue_query_count_stays_constant(voices, client, login_as, django_assert_max_num_queries):
    login_as(voices["cadre"])
    for i in range(3):
        appeal_of(voices["member_record"], category="welfare", title=f"问题{i}")
    client.get("/voices/queue/", **EN)
    with django_assert_max_num_queries(12) as few:
        client.get("/voices/queue/", **EN)
    for i in range(20):
        appeal_of(voices["union"]["g11"], category="welfare", title=f"匿名{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/voices/queue/", **EN)
    assert len(ids(response)) == 23


def test_keyset_pages(voices, client, login_as):
    for i in range(27):
        appeal_of(voices["member_record"], category="welfare", title=f"问题{i}")
    login_as(voices["cadre"])
    first = client.get("/voices/queue/", **EN)
    cursor = first.context["page"].next_cursor
    second = client.get(f"/voices/queue/?after={cursor}", **EN)
    assert len(ids(first)) == 25 and len(ids(second)) == 2 and not set(ids(first)) & set(ids(second))
    assert client.get("/voices/queue/?after=rubbish", **EN).status_code == 200


def test_a_history_comes_newest_first_a_page_at_a_time(voices, client, login_as):
    now = timezone.now()
    made = [
        appeal_of(voices["member_record"], title=f"问题{i}", submitted_at=now - datetime.timedelta(hours=30 - i))
        for i in range(27)
    ]
    Appeal.objects.filter(pk__in=[a.pk for a in made[::2]]).update(status=Appeal.Status.CLOSED)
    newest_first = [a.pk for a in reversed(made)]
    login_as(voices["cadre"])
    first = client.get("/voices/queue/?status=all", **EN)
    second = client.get(f"/voices/queue/?status=all&after={first.context['page'].next_cursor}", **EN)
    assert ids(first) + ids(second) == newest_first
    closed = client.get("/voices/queue/?status=closed", **EN)
    assert ids(closed) == [pk for pk in newest_first if pk in {a.pk for a in made[::2]}]
    # Open ones stay earliest deadline first, as does "overdue" whatever the status asked.
    assert ids(client.get("/voices/queue/", **EN)) == [a.pk for a in made[1::2]]
    assert ids(client.get("/voices/queue/?status=all&overdue=on", **EN)) == [
        a.pk for a in made[1::2] if a.answer_due <= now
    ]


def test_anonymous_appeal_shows_the_branch_only(voices, client, login_as):
    appeal = appeal_of(voices["union"]["g11"], category="welfare")
    login_as(voices["cadre"])
    html = client.get(f"/voices/handle/{appeal.pk}/", **EN).content.decode()
    assert "anonymous" in html and "第一检验站分工会" in html
    assert voices["member_record"].name not in html


def test_reply_and_close_through_the_page(voices, client, login_as):
    appeal = appeal_of(voices["member_record"], category="canteen")
    login_as(voices["canteen_handler"])
    page = client.get(f"/voices/handle/{appeal.pk}/", **EN)
    assert page.status_code == 200 and page.context["actions"] == ["acknowledge", "reply", "transfer", "close"]
    bad = client.post(f"/voices/handle/{appeal.pk}/reply/", {"body": ""}, **EN)
    assert bad.status_code == 422 and bad.context["reply_form"].errors["body"]
    ok = client.post(f"/voices/handle/{appeal.pk}/reply/", {"body": "已转告食堂。", "public": "on"}, **EN)
    assert ok.status_code == 302
    client.post(f"/voices/handle/{appeal.pk}/close/", {"answer": "已调整。"}, **EN)
    appeal.refresh_from_db()
    assert appeal.status == "closed" and appeal.replies.filter(is_answer=True).count() == 1


def test_transfer_through_the_page_leaves_for_the_queue(voices, client, login_as):
    appeal = appeal_of(voices["member_record"], category="canteen")
    login_as(voices["canteen_handler"])
    response = client.post(
        f"/voices/handle/{appeal.pk}/transfer/",
        {"handler": voices["safety_officer"].pk, "reason": "属于安全问题"},
        **EN,
    )
    assert response.status_code == 302 and response["Location"] == "/voices/queue/"
    appeal.refresh_from_db()
    assert appeal.handler == voices["safety_officer"]


def test_handle_page_is_404_out_of_scope(voices, client, login_as):
    appeal = appeal_of(voices["member_record"], category="welfare")
    login_as(voices["cadre2"])
    assert client.get(f"/voices/handle/{appeal.pk}/", **EN).status_code == 404
    assert client.post(f"/voices/handle/{appeal.pk}/acknowledge/", **EN).status_code == 404
    assert client.get("/voices/handle/99999/", **EN).status_code == 404


def test_work_queue_provider(voices):
    from unionhome.voices.selectors.queue import appeal_work_items

    appeal = appeal_of(voices["member_record"], category="canteen")
    items = appeal_work_items(voices["canteen_handler"])
    assert [i.url for i in items] == [f"/voices/handle/{appeal.pk}/"]
    assert appeal_work_items(voices["member"]) == []


def test_a_history_is_walked_for_a_wide_scope_and_sorted_for_a_narrow_one(voices):
    from unionhome.org.models import OrgUnit
    from unionhome.voices.selectors.queue import QueueFilters, queue_for

    union = voices["union"]
    OrgUnit.objects.filter(pk=union["union"].pk).update(subtree_member_count=1000)
    OrgUnit.objects.filter(pk=union["s1"].pk).update(subtree_member_count=99)
    history = QueueFilters(status="all")
    assert "COALESCE" not in str(queue_for(voices["chair"], history).query)  # the whole union
    assert "COALESCE" in str(queue_for(voices["cadre"], history).query)  # one station, under a tenth
    assert "COALESCE" in str(queue_for(voices["canteen_handler"], history).query)  # a department, no scope
    OrgUnit.objects.filter(pk=union["s1"].pk).update(subtree_member_count=100)
    assert "COALESCE" not in str(queue_for(voices["cadre"], history).query)
