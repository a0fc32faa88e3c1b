"""Smoke test of the vote storm's data builder (bench/vote_storm_data.py) on a tiny size; the storm itself
runs only by hand (``python -m bench.vote_storm``), never in the test suite."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from bench.vote_storm_data import build
from unionhome.accounts.models import User
from unionhome.congress.models import CheckIn, Representative, Vote

pytestmark = pytest.mark.django_db


def test_the_builder_makes_a_congress_ready_to_vote(client):
    data = build(representatives=12, votes=2, password="tiny-storm-password")

    assert Representative.objects.filter(status="seated").count() == 12
    assert CheckIn.objects.filter(session_id=data["session"]).count() == 12
    assert [v["id"] for v in data["votes"]] == list(Vote.objects.filter(status="draft").values_list("pk", flat=True))
    assert all(len(v["options"]) == 3 for v in data["votes"])
    hashes = set(User.objects.filter(username__startswith="storm-rep-").values_list("password", flat=True))
    assert len(hashes) == 1  # hashed once
    login, session_key = data["reps"][0]
    assert SessionStore(session_key).get(SESSION_KEY)
    response = client.post("/accounts/login/", {"login": login, "password": "tiny-storm-password"})
    assert response.status_code == 302
    client.cookies["sessionid"] = session_key
    page = client.get(f"/congress/votes/{data['votes'][0]['id']}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
