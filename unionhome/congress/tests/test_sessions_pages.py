"""Pages of terms, sessions, delegations, check-in and the congress front page: scope, forms, results,
the QR code, and query counts that stay constant as rows grow."""

import datetime
import re

import pytest
from django.utils import timezone

from tests import factories
from unionhome.congress.models import CheckIn, CongressSession, Delegation, Representative
from unionhome.congress.selectors.sessions import session_work_items
from unionhome.congress.services import representatives as reps
from unionhome.congress.tests import sessions_records as records

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


# --- terms ---------------------------------------------------------------------------------------


def test_the_office_sees_terms_and_a_representative_their_own(congress, login_as, client):
    other = records.other_term(congress["union"]["union"])
    login_as(congress["office"])
    assert [t.pk for t in client.get("/congress/terms/", **EN).context["terms"]] == [congress["term"].pk, other.pk]
    login_as(congress["rep_users"][0])
    assert [t.pk for t in client.get("/congress/terms/", **EN).context["terms"]] == [congress["term"].pk]
    assert client.get(f"/congress/terms/{other.pk}/", **EN).status_code == 404
    login_as(congress["cadre"])  # a branch chair follows the union's congress
    assert [t.pk for t in client.get("/congress/terms/", **EN).context["terms"]] == [congress["term"].pk, other.pk]
    login_as(congress["member"])
    assert client.get("/congress/terms/", **EN).status_code == 403
    assert client.get(f"/congress/terms/{congress['term'].pk}/", **EN).status_code == 404


def test_the_term_page_shows_composition_and_seats_to_the_office(congress, login_as):
    client = login_as(congress["office"])
    term = congress["term"]
    term.min_women_percent = 40
    term.save()
    response = client.get(f"/congress/terms/{term.pk}/", **EN)
    assert response.status_code == 200
    checks = {c.code: (c.count, c.total, c.met) for c in response.context["composition"]}
    assert checks == {"front_line": (7, 8, True), "women": (3, 8, False), "management": (1, 8, True)}
    html = response.content.decode()
    assert re.search(r'data-check="women".*?3 / 8.*?37\.5%.*?at least 40%.*?not met', html, re.S)
    assert [(d.unit.name, d.seated, d.quota) for d in response.context["delegations"]] == [
        ("第一检验站分工会", 4, 4),
        ("第二检验站分工会", 4, 4),
    ]


def test_a_branch_cadre_sees_their_delegation_and_no_composition(congress, login_as):
    client = login_as(congress["cadre"])
    response = client.get(f"/congress/terms/{congress['term'].pk}/", **EN)
    assert response.context["composition"] is None
    assert [d.unit.name for d in response.context["delegations"]] == ["第一检验站分工会"]
    assert client.get(f"/congress/delegations/{congress['delegations']['s2'].pk}/", **EN).status_code == 404
    rep_client = login_as(congress["rep_users"][0])
    response = rep_client.get(f"/congress/terms/{congress['term'].pk}/", **EN)
    assert response.context["composition"] is None and response.context["delegations"] == []


def test_the_office_sets_up_a_term_a_session_and_a_delegation(congress, login_as):
    client = login_as(congress["office"])
    today = timezone.localdate()
    response = client.post(
        "/congress/terms/new/",
        {
            "number": 4,
            "name": "第四届职工代表大会",
            "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=1800)).isoformat(),
            "min_front_line_percent": 55,
            "min_women_percent": 30,
            "max_management_percent": 15,
            "min_seconders": 2,
            "reply_days": 30,
            "rating_days": 15,
        },
        **EN,
    )
    assert response.status_code == 302, response.context["form"].errors
    term = congress["term"].__class__.objects.get(number=4)
    response = client.post(
        f"/congress/terms/{term.pk}/sessions/new/",
        {"number": 1, "title": "第一次会议", "starts_at": "2030-03-01T09:00", "ends_at": "2030-03-01T08:00"},
        **EN,
    )
    assert "The session cannot end before it starts." in response.context["form"].errors["ends_at"]
    response = client.post(
        f"/congress/terms/{term.pk}/sessions/new/",
        {"number": 1, "title": "第一次会议", "starts_at": "2030-03-01T09:00", "ends_at": "2030-03-01T17:00"},
        **EN,
    )
    session = CongressSession.objects.get(congress=term)
    assert response["Location"] == f"/congress/sessions/{session.pk}/"
    client.post(f"/congress/sessions/{session.pk}/status/", {"status": "in_progress"}, **EN)
    assert CongressSession.objects.get(pk=session.pk).status == "in_progress"
    client.post(f"/congress/terms/{term.pk}/delegations/new/", {"unit": congress["union"]["s1"].pk, "quota": 5})
    assert Delegation.objects.get(congress=term).quota == 5


def test_term_setup_pages_refuse_others(congress, login_as):
    client = login_as(congress["cadre"])
    assert client.get("/congress/terms/new/", **EN).status_code == 403
    assert client.get(f"/congress/terms/{congress['term'].pk}/edit/", **EN).status_code == 403
    response = client.post(f"/congress/sessions/{congress['session'].pk}/status/", {"status": "closed"}, **EN)
    assert response.status_code == 403
    assert CongressSession.objects.get(pk=congress["session"].pk).status == "in_progress"


# --- delegations ---------------------------------------------------------------------------------


def test_the_delegation_lists_representatives_in_pinyin_order(congress, login_as):
    client = login_as(congress["office"])
    response = client.get(f"/congress/delegations/{congress['delegations']['s1'].pk}/", **EN)
    # 赵一 zhao, 钱二 qian, 孙三 sun, 李四四 li → li, qian, sun, zhao
    assert [r.member.name for r in response.context["representatives"]] == ["李四四", "钱二", "孙三", "赵一"]


def test_seating_through_the_page_beyond_the_quota_shows_the_error(congress, login_as):
    client = login_as(congress["office"])
    delegation = congress["delegations"]["s1"]
    url = f"/congress/delegations/{delegation.pk}/"
    candidate = records.member(congress["union"]["g12"], "陈新")
    found = client.get(url, {"q": "cx"}, **EN)
    assert [pk for pk, _label in found.context["seat_form"].fields["member"].choices] == [candidate.pk]
    post = {"q": "cx", "member": candidate.pk, "category": "front_line", "elected_on": "2026-01-05"}
    response = client.post(url, post, **EN)
    assert response.status_code == 200
    assert "has 4 seats and all are taken" in str(response.context["seat_form"].non_field_errors())
    client.post(f"/congress/delegations/{delegation.pk}/quota/", {"quota": 5}, **EN)
    response = client.post(url, post, **EN)
    assert response.status_code == 302
    assert Representative.objects.get(member=candidate).elected_on == datetime.date(2026, 1, 5)


def test_withdrawing_through_the_page(congress, login_as):
    client = login_as(congress["office"])
    rep = congress["reps"][3]
    client.post(f"/congress/representatives/{rep.pk}/withdraw/", {"withdrawn_on": congress["today"].isoformat()})
    assert Representative.objects.get(pk=rep.pk).status == "withdrawn"
    cadre = login_as(congress["cadre"])  # follows, does not manage
    response = cadre.post(f"/congress/representatives/{congress['reps'][0].pk}/withdraw/", {}, **EN)
    assert response.status_code == 403


def test_the_delegation_page_has_a_constant_query_count(congress, login_as, django_assert_max_num_queries):
    client = login_as(congress["office"])
    delegation = congress["delegations"]["s1"]
    url = f"/congress/delegations/{delegation.pk}/"
    client.get(url, **EN)
    with django_assert_max_num_queries(20) as few:
        client.get(url, **EN)
    reps.delegation_set_quota(actor=congress["office"], delegation=delegation, quota=20)
    for _ in range(8):
        records.seat(congress["term"], congress["union"]["s1"], records.member(congress["union"]["g12"]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url, **EN).context["representatives"]) == 12


def test_the_term_page_has_a_constant_query_count(congress, login_as, django_assert_max_num_queries):
    client = login_as(congress["office"])
    url = f"/congress/terms/{congress['term'].pk}/"
    client.get(url, **EN)
    with django_assert_max_num_queries(20) as few:
        client.get(url, **EN)
    for unit in ("g11", "g12", "g21"):
        records.seat(congress["term"], congress["union"][unit], records.member(congress["union"][unit]))
    for n in range(3, 7):
        records.session(congress["term"], number=n + 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url, **EN).context["delegations"]) == 5


# --- sessions, counts, the hall and the QR code --------------------------------------------------


def test_the_session_page_and_its_live_fragment_show_the_counts(congress, login_as):
    session = congress["session"]
    CheckIn.objects.create(session=session, representative=congress["reps"][0], method="clerk")
    client = login_as(congress["office"])
    page = client.get(f"/congress/sessions/{session.pk}/", **EN)
    assert page.context["counts"] == {"seated": 8, "present": 1}
    html = page.content.decode()
    assert f'hx-get="/congress/sessions/{session.pk}/counts/"' in html and 'hx-trigger="every 3s"' in html
    fragment = client.get(f"/congress/sessions/{session.pk}/counts/", **EN)
    assert 'data-present="1" data-seated="8"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    login_as(congress["member"])
    assert client.get(f"/congress/sessions/{session.pk}/counts/", **EN).status_code == 404


def test_the_hall_shows_the_qr_code_of_the_check_in_address(congress, login_as):
    session = congress["session"]
    client = login_as(congress["office"])
    page = client.get(f"/congress/sessions/{session.pk}/hall/", **EN)
    address = f"http://testserver/congress/check-in/{session.pk}/{session.check_in_code}/"
    html = page.content.decode()
    assert page.context["check_in_url"] == address and f'data-check-in-url="{address}"' in html
    assert f'src="/congress/sessions/{session.pk}/qr.svg"' in html
    svg = client.get(f"/congress/sessions/{session.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and svg["Cache-Control"] == "no-store"
    body = svg.content.decode()
    assert body.startswith("<svg") and "<path" in body and "style=" not in body and "<script" not in body
    rep_client = login_as(congress["rep_users"][0])
    assert rep_client.get(f"/congress/sessions/{session.pk}/hall/", **EN).status_code == 403
    assert rep_client.get(f"/congress/sessions/{session.pk}/qr.svg").status_code == 403


def test_drawing_a_new_code_changes_the_address(congress, login_as):
    session = congress["session"]
    client = login_as(congress["office"])
    client.post(f"/congress/sessions/{session.pk}/new-code/", **EN)
    fresh = CongressSession.objects.get(pk=session.pk).check_in_code
    assert fresh != session.check_in_code
    assert fresh in client.get(f"/congress/sessions/{session.pk}/hall/", **EN).context["check_in_url"]


def test_opening_the_qr_address_checks_the_representative_in(congress, login_as):
    session = congress["session"]
    client = login_as(congress["rep_users"][1])
    url = f"/congress/check-in/{session.pk}/{session.check_in_code}/"
    response = client.get(url, **EN)
    assert response.status_code == 200 and "You are checked in" in response.content.decode()
    check_in = CheckIn.objects.get()
    assert (check_in.representative_id, check_in.method) == (congress["reps"][1].pk, "qr_code")
    again = client.get(url, **EN)
    assert "You were already checked in" in again.content.decode() and CheckIn.objects.count() == 1


def test_a_wrong_code_or_a_stranger_is_refused(congress, login_as, client):
    session = congress["session"]
    login_as(congress["rep_users"][1])
    response = client.get(f"/congress/check-in/{session.pk}/wrong-code/", **EN)
    assert response.status_code == 409 and "Check-in refused" in response.content.decode()
    login_as(congress["member"])  # no seat: the session is not even visible
    assert client.get(f"/congress/check-in/{session.pk}/{session.check_in_code}/", **EN).status_code == 404
    client.logout()
    anonymous = client.get(f"/congress/check-in/{session.pk}/{session.check_in_code}/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert CheckIn.objects.count() == 0


def test_a_clerk_finds_representatives_by_pinyin_initials_and_checks_them_in(congress, login_as):
    session = congress["session"]
    client = login_as(congress["office"])
    url = f"/congress/sessions/{session.pk}/check-in/"
    found = client.get(url, {"q": "zy"}, **EN)  # 赵一
    assert [r.member.name for r in found.context["found"]] == ["赵一"] and not found.context["found"][0].checked_in
    response = client.post(url, {"representative": congress["reps"][0].pk, "q": "zy"}, **EN)
    assert response.status_code == 302 and response["Location"] == f"{url}?q=zy"
    assert CheckIn.objects.get().recorded_by == congress["office"]
    client.post(url, {"representative": congress["reps"][0].pk}, **EN)
    assert CheckIn.objects.count() == 1
    fragment = client.get(url, {"q": "zy"}, HTTP_HX_REQUEST="true", **EN)
    assert "checked in" in fragment.content.decode() and "<html" not in fragment.content.decode()
    cadre = login_as(congress["cadre"])
    assert cadre.get(url, **EN).status_code == 403


def test_the_clerk_search_has_a_constant_query_count(congress, login_as, django_assert_max_num_queries):
    client = login_as(congress["office"])
    url = f"/congress/sessions/{congress['session'].pk}/check-in/"
    client.get(url, {"q": "z"}, **EN)
    with django_assert_max_num_queries(20) as few:
        client.get(url, {"q": "z"}, **EN)
    for i in range(6):
        records.seat(congress["term"], congress["union"]["g12"], records.member(congress["union"]["g12"], f"张{i}号"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url, {"q": "z"}, **EN).context["found"]) == 9  # 赵一, 周五, 郑七 and six 张


def test_the_session_list_has_a_constant_query_count(congress, login_as, django_assert_max_num_queries):
    client = login_as(congress["office"])
    client.get("/congress/sessions/", **EN)
    with django_assert_max_num_queries(15) as few:
        client.get("/congress/sessions/", **EN)
    for n in range(5, 12):
        records.session(congress["term"], number=n, days=n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/congress/sessions/", **EN).context["sessions"]) == 8


# --- the front page and the work queue -----------------------------------------------------------


def test_a_representative_sees_seats_sessions_and_a_check_in_hint(congress, login_as):
    client = login_as(congress["rep_users"][0])
    response = client.get("/congress/", **EN)
    html = response.content.decode()
    assert [s.pk for s in response.context["sessions"]] == [congress["session"].pk]
    assert "Not checked in" in html and "Scan the QR code shown in the hall" in html
    for link in ("/congress/proposals/", "/congress/votes/", "/congress/decisions/"):
        assert f'href="{link}"' in html
    CheckIn.objects.create(session=congress["session"], representative=congress["reps"][0], method="clerk")
    assert "You are checked in" in client.get("/congress/", **EN).content.decode()


def test_a_cadre_sees_entry_points_by_permission(congress, login_as):
    html = login_as(congress["office"]).get("/congress/", **EN).content.decode()
    for url in ("/congress/terms/", "/congress/sessions/", "/congress/terms/new/", "/congress/departments/"):
        assert f'href="{url}"' in html
    html = login_as(congress["cadre"]).get("/congress/", **EN).content.decode()
    assert 'href="/congress/terms/"' in html and 'href="/congress/departments/"' not in html


def test_the_work_queue_shows_sessions_open_for_check_in(congress):
    items = session_work_items(congress["office"])
    assert [i.url for i in items] == [f"/congress/sessions/{congress['session'].pk}/hall/"]
    assert session_work_items(congress["cadre"]) == [] and session_work_items(congress["rep_users"][0]) == []
    CongressSession.objects.filter(pk=congress["session"].pk).update(status="closed")
    assert session_work_items(congress["office"]) == []


def test_a_new_users_front_page_without_seat_or_role(congress, login_as):
    lonely = factories.user("lonely", member=records.member(congress["union"]["g21"], "孤单"))
    html = login_as(lonely).get("/congress/", **EN).content.decode()
    assert "You do not hold a seat" in html


def test_every_setup_page_opens_for_the_office(congress, login_as):
    client = login_as(congress["office"])
    term, session = congress["term"], congress["session"]
    planned = records.session(term, number=8)
    for url in (
        "/congress/",
        "/congress/terms/",
        "/congress/terms/new/",
        f"/congress/terms/{term.pk}/",
        f"/congress/terms/{term.pk}/edit/",
        f"/congress/terms/{term.pk}/sessions/new/",
        "/congress/sessions/",
        f"/congress/sessions/{session.pk}/",
        f"/congress/sessions/{session.pk}/edit/",
        f"/congress/sessions/{planned.pk}/",
        f"/congress/sessions/{planned.pk}/hall/",
        f"/congress/sessions/{session.pk}/check-in/",
        f"/congress/delegations/{congress['delegations']['s2'].pk}/",
        "/congress/departments/",
        f"/congress/departments/{congress['department'].pk}/",
    ):
        response = client.get(url, **EN)
        assert response.status_code == 200, url
        assert b"<html" in response.content, url
    planned_page = client.get(f"/congress/sessions/{planned.pk}/", **EN).content.decode()
    assert "Open the session (start check-in)" in planned_page and 'hx-trigger="every 3s"' not in planned_page
    # A session edit keeps the times the form shows.
    response = client.get(f"/congress/sessions/{session.pk}/edit/", **EN)
    shown = response.context["form"]["starts_at"].value()
    post = {
        "title": "改名的会议",
        "starts_at": shown.strftime("%Y-%m-%dT%H:%M"),  # naive, in the current time zone
        "ends_at": timezone.localtime(session.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "venue": "新会场",
    }
    assert client.post(f"/congress/sessions/{session.pk}/edit/", post, **EN).status_code == 302
    session.refresh_from_db()
    assert (session.title, session.venue) == ("改名的会议", "新会场")
