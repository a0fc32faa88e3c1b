"""Follow-up pages: the list (filters, scope, query counts) and the record form (audit, errors, roles)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from unionhome.assistance.models import FollowUp
from unionhome.assistance.services.follow_ups import follow_up_record
from unionhome.assistance.tests.test_follow_ups_services import delivered, first_follow_up
from unionhome.audit.models import AuditEvent

LIST = "/assistance/follow-ups/"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_list_shows_due_follow_ups_overdue_first(login_as, centre):
    late = first_follow_up(delivered(centre, days_ago=40))
    today = first_follow_up(delivered(centre, centre["other_s1"], days_ago=30))
    first_follow_up(delivered(centre, centre["s2_member"], days_ago=40, responsible=centre["officer_s2"]))
    html = page(login_as(centre["officer_s1"]), LIST)
    assert html.index(f'href="/assistance/follow-ups/{late.pk}/"') < html.index(
        f'href="/assistance/follow-ups/{today.pk}/"'
    )
    assert "10 days overdue" in html and "due today" in html
    assert "王五" not in html  # station 2 is not the officer's


def test_list_filters(login_as, centre):
    late = first_follow_up(delivered(centre, days_ago=40))
    soon = first_follow_up(delivered(centre, centre["other_s1"], days_ago=20))
    done = first_follow_up(delivered(centre, days_ago=50))
    follow_up_record(actor=centre["officer_s1"], follow_up=done, findings="ok", grade="improved")
    client = login_as(centre["officer_union"])

    def links(state):
        html = page(client, LIST, state=state)
        return {pk for pk in (late.pk, soon.pk, done.pk) if f'href="/assistance/follow-ups/{pk}/"' in html}

    assert links("due") == {late.pk}
    assert links("overdue") == {late.pk}
    assert links("upcoming") == {soon.pk}
    assert links("done") == {done.pk}
    assert "Improved" in page(client, LIST, state="done")
    assert links("nonsense") == {late.pk}
    assert 'aria-current="page">Upcoming' in page(client, LIST, state="upcoming")


@pytest.mark.parametrize("who", ["member", "cadre", "auditor", "admin"])
def test_list_is_refused_to_those_without_follow_ups(login_as, centre, who):
    response = login_as(centre[who]).get(LIST)
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=centre[who]).exists()


def test_list_query_count_is_constant(login_as, centre):
    client = login_as(centre["officer_union"])
    delivered(centre, days_ago=40)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            page(client, LIST)
        return len(ctx.captured_queries)

    before = count()
    for i in range(12):
        member = centre["s2_member"] if i % 2 else centre["other_s1"]
        delivered(centre, member, days_ago=31 + i, responsible=centre["officer_s2"] if i % 2 else None)
    assert count() == before


def test_list_pages_by_keyset(login_as, centre, monkeypatch):
    from unionhome.assistance.selectors import follow_ups as selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    made = [first_follow_up(delivered(centre, days_ago=40 - i)) for i in range(5)]
    client = login_as(centre["officer_s1"])
    seen, url, params = [], LIST, {}
    for _ in range(5):
        response = client.get(url, params)
        html = response.content.decode()
        seen += [f.pk for f in made if f'href="/assistance/follow-ups/{f.pk}/"' in html]
        nxt = response.context["page"].next_cursor
        if not nxt:
            break
        params = {"after": nxt}
    assert seen == [f.pk for f in made]
    assert page(client, LIST, after="garbage")  # a forged cursor starts again from the top


def test_record_page_is_opened_on_the_record(login_as, centre):
    follow_up = first_follow_up(delivered(centre, days_ago=31))
    html = page(login_as(centre["officer_s1"]), f"/assistance/follow-ups/{follow_up.pk}/")
    assert "张三" in html and "生活困难补助" in html and "1 day overdue" in html
    assert 'name="findings"' in html and 'type="radio" name="grade"' in html
    event = AuditEvent.objects.get(action="assistance.follow_up.opened")
    assert event.actor == centre["officer_s1"] and event.object_id == str(follow_up.pk)


def test_recording_through_the_page(login_as, centre):
    follow_up = first_follow_up(delivered(centre, days_ago=31))
    client = login_as(centre["officer_s1"])
    response = client.post(
        f"/assistance/follow-ups/{follow_up.pk}/",
        {"findings": "家里已经好转", "grade": "improved", "next_steps": "春节前再走访"},
    )
    assert response.status_code == 302 and response["Location"] == LIST
    stored = FollowUp.objects.get(pk=follow_up.pk)
    assert (stored.grade, stored.findings, stored.next_steps) == ("improved", "家里已经好转", "春节前再走访")
    html = page(client, f"/assistance/follow-ups/{follow_up.pk}/")
    assert "家里已经好转" in html and 'name="findings"' not in html


def test_errors_are_shown_next_to_their_fields(login_as, centre):
    follow_up = first_follow_up(delivered(centre, days_ago=31))
    response = login_as(centre["officer_s1"]).post(
        f"/assistance/follow-ups/{follow_up.pk}/", {"findings": "   ", "grade": "great"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_findings-error"' in html and 'id="id_grade-error"' in html
    assert FollowUp.objects.get(pk=follow_up.pk).done_on is None


def test_recording_twice_through_the_page_shows_the_recorded_one(login_as, centre):
    follow_up = first_follow_up(delivered(centre, days_ago=31))
    follow_up_record(actor=centre["officer_s1"], follow_up=follow_up, findings="第一次", grade="resolved")
    response = login_as(centre["officer_union"]).post(
        f"/assistance/follow-ups/{follow_up.pk}/", {"findings": "第二次", "grade": "worse"}
    )
    assert response.status_code == 200
    assert "already recorded" in response.content.decode()
    assert FollowUp.objects.get(pk=follow_up.pk).findings == "第一次"


@pytest.mark.parametrize("who", ["officer_s2", "cadre", "cadre2", "member", "auditor", "admin"])
def test_record_page_is_not_found_outside_scope(login_as, centre, who):
    follow_up = first_follow_up(delivered(centre, days_ago=31))
    client = login_as(centre[who])
    assert client.get(f"/assistance/follow-ups/{follow_up.pk}/").status_code == 404
    assert (
        client.post(f"/assistance/follow-ups/{follow_up.pk}/", {"findings": "x", "grade": "worse"}).status_code == 404
    )
    assert FollowUp.objects.get(pk=follow_up.pk).done_on is None
    assert AuditEvent.objects.filter(action="access.denied", actor=centre[who]).count() == 2


def test_findings_are_hidden_from_a_responsible_cadre_without_the_sensitive_permission(login_as, centre):
    assistance = delivered(centre, days_ago=100, responsible=centre["cadre"])
    first, second = assistance.follow_ups.order_by("sequence")
    follow_up_record(actor=centre["officer_s1"], follow_up=first, findings="病情加重，需要住院", grade="worse")
    html = page(login_as(centre["cadre"]), f"/assistance/follow-ups/{second.pk}/")
    assert "病情加重" not in html and "Worse" in html
    assert "病情加重" in page(login_as(centre["officer_s1"]), f"/assistance/follow-ups/{second.pk}/")


def test_the_work_queue_on_the_home_page(login_as, centre):
    """The provider as the lead will register it, shown on the cadre's home page."""
    from unionhome.assistance.selectors.follow_ups import follow_up_work_items
    from unionhome.home import work_queue

    follow_up = first_follow_up(delivered(centre, days_ago=35))
    before = list(work_queue._PROVIDERS)
    work_queue.register_provider(follow_up_work_items)
    try:
        html = page(login_as(centre["officer_s1"]), "/")
    finally:
        work_queue._PROVIDERS[:] = before
    assert f'href="/assistance/follow-ups/{follow_up.pk}/"' in html and "Follow up 张三 (Cash)" in html
