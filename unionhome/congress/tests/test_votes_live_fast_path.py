"""The live turnout fast path (unionhome/congress/live.py): it serves a plain signed-in member of the vote's
union without the heavy middleware, and leaves everyone else to the full stack, which answers as before."""

import datetime
import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

from tests import factories
from unionhome.accounts.middleware import LOGIN_TIME_KEY
from unionhome.congress import live
from unionhome.congress.tests.vote_records import cast, motion_vote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    cache.clear()
    live.forget_viewers()
    yield
    live.forget_viewers()


def url(vote) -> str:
    return f"/congress/votes/{vote.pk}/live/?seen=open"


def turnout(response) -> int:
    return int(re.search(rb'data-testid="turnout">(\d+)<', response.content).group(1))


def test_a_representative_polls_without_a_single_query_once_warm(
    congress, client, login_as, django_assert_num_queries, monkeypatch
):
    from unionhome.congress.selectors import votes as selectors

    monkeypatch.setattr(selectors, "LIVE_SECONDS", 60)  # a slow test machine must not see the counts expire
    vote = motion_vote(congress)
    cast(congress, 0, vote, "for")
    login_as(congress["rep_users"][1])
    first = client.get(url(vote))
    assert first.status_code == 200 and turnout(first) == 1 and "HX-Refresh" not in first
    with django_assert_num_queries(0):  # the full stack makes at least the session and user queries
        again = client.get(url(vote))
    assert again.status_code == 200 and turnout(again) == 1
    assert again["Cache-Control"] == "no-store" and "Cookie" in again["Vary"]
    assert again["Content-Security-Policy"] and again["X-Content-Type-Options"] == "nosniff"
    interval = int(re.search(rb'hx-trigger="every (\d+)ms"', again.content).group(1))
    assert live.POLL_MS[0] <= interval <= live.POLL_MS[1]


def test_the_fast_path_answers_in_the_viewers_language(congress, client, login_as):
    vote = motion_vote(congress)
    login_as(congress["rep_users"][1])
    chinese = client.get(url(vote))
    assert chinese["Content-Language"] == "zh-hans" and "状态".encode() in chinese.content
    english = client.get(url(vote), HTTP_ACCEPT_LANGUAGE="en")
    assert b"Status" in english.content and english["Content-Language"] == "en"


def test_the_close_asks_the_page_to_reload(congress, client, login_as):
    from unionhome.congress.services.votes import vote_close

    vote = motion_vote(congress)
    login_as(congress["rep_users"][2])
    assert "HX-Refresh" not in client.get(url(vote))
    vote_close(actor=congress["office"], vote=vote)
    cache.clear()
    assert client.get(url(vote))["HX-Refresh"] == "true"


def test_an_anonymous_request_is_sent_to_the_login_page(congress, client):
    vote = motion_vote(congress)
    response = client.get(url(vote))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.cookies["sessionid"] = "no-such-session-key-0123456789"
    response = client.get(url(vote))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_member_of_another_union_gets_404(congress, client, login_as):
    vote = motion_vote(congress)
    other = factories.unit(None, "另一工会", "union", code="ELSEWHERE")
    login_as(factories.user("outsider", member=factories.member(other, "钱多多")))
    assert client.get(url(vote)).status_code == 404
    assert client.get(url(vote)).status_code == 404  # not remembered as allowed either


def test_an_unknown_vote_gets_404(congress, client, login_as):
    motion_vote(congress)
    login_as(congress["rep_users"][0])
    assert client.get("/congress/votes/999999/live/").status_code == 404


def test_a_cadre_who_has_not_passed_the_second_factor_is_not_served(congress, client):
    vote = motion_vote(congress)
    client.force_login(congress["chair"], backend="unionhome.accounts.backends.LoginIdBackend")
    response = client.get(url(vote))
    assert response.status_code == 302 and "second-factor" in response["Location"]


def test_a_verified_cadre_is_served_by_the_full_stack(congress, client, login_as):
    vote = motion_vote(congress)
    login_as(congress["office"])
    response = client.get(url(vote))
    assert response.status_code == 200 and turnout(response) == 0


def test_logging_out_ends_it_at_once(congress, client, login_as):
    vote = motion_vote(congress)
    login_as(congress["rep_users"][0])
    assert client.get(url(vote)).status_code == 200
    client.post("/accounts/logout/")
    assert client.get(url(vote)).status_code == 302


def test_a_password_change_elsewhere_ends_it_at_the_next_check(congress, client, login_as, monkeypatch):
    vote = motion_vote(congress)
    user = congress["rep_users"][0]
    login_as(user)
    assert client.get(url(vote)).status_code == 200
    user.set_password("a-new-password-42")
    user.save()
    monkeypatch.setattr(live, "RECHECK_SECONDS", 0)
    live.forget_viewers()
    assert client.get(url(vote)).status_code == 302


def test_a_session_past_its_absolute_limit_is_not_served(congress, client, login_as, settings):
    vote = motion_vote(congress)
    login_as(congress["rep_users"][0])
    session = client.session
    session[LOGIN_TIME_KEY] = time.time() - settings.UNIONHOME_SESSION_ABSOLUTE_SECONDS - 60
    session.save()
    response = client.get(url(vote))
    assert response.status_code == 302 and "expired=1" in response["Location"]


def test_an_account_that_must_change_its_password_is_not_served(congress, client, login_as):
    vote = motion_vote(congress)
    user = congress["rep_users"][0]
    user.must_change_password = True
    user.save()
    login_as(user)
    assert client.get(url(vote)).status_code == 302


def test_watching_keeps_the_session_alive_without_a_write_per_poll(congress, client, login_as, settings):
    vote = motion_vote(congress)
    login_as(congress["rep_users"][0])
    key = client.session.session_key
    soon = timezone.now() + datetime.timedelta(seconds=60)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    assert client.get(url(vote)).status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    assert client.get(url(vote)).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == renewed  # no write on a warm poll
