"""Real parallel check-in requests: threads, each with its own database connection, send the same check-in
at the same moment (a double tap on the phone, the phone and a clerk together). Exactly one check-in is
stored and every request answers without error. On PostgreSQL the unique constraint makes the losers'
inserts fail (caught in a savepoint); on SQLite the IMMEDIATE transactions queue.
"""

import json

import pytest
from django.test import Client

from tests import factories
from tests.concurrency import THREADS, run_together
from unionhome.accounts.services import api_token_issue
from unionhome.congress.models import CheckIn

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    factories.log_in_verified(client, user)
    return client


def test_the_same_qr_check_in_opened_at_once_is_stored_once(congress):
    session, rep_user = congress["session"], congress["rep_users"][0]
    url = f"/congress/check-in/{session.pk}/{session.check_in_code}/"
    clients = [logged_in(rep_user) for _ in range(THREADS)]
    results = run_together(lambda i: clients[i].get(url))
    assert [kind for kind, _ in results] == ["ok"] * THREADS, results
    assert [r.status_code for _, r in results] == [200] * THREADS
    pages = [r.content.decode() for _, r in results]
    assert sum("You are checked in" in p for p in pages) == 1
    assert sum("You were already checked in" in p for p in pages) == THREADS - 1
    assert CheckIn.objects.filter(session=session).count() == 1


def test_a_representative_and_clerks_checking_in_at_once_make_one_check_in(congress):
    session, rep = congress["session"], congress["reps"][3]
    phone = api_token_issue(user=congress["rep_users"][3])[0]
    clerk = api_token_issue(user=congress["office"])[0]

    def send(i: int):
        headers = {"Authorization": f"Bearer {phone if i % 2 else clerk}"}
        if i % 2:
            path, body = f"/api/v1/congress/sessions/{session.pk}/check-in", {"code": session.check_in_code}
        else:
            path, body = f"/api/v1/congress/sessions/{session.pk}/check-ins", {"representative_id": rep.pk}
        return Client().post(path, data=json.dumps(body), content_type="application/json", headers=headers)

    results = run_together(send)
    assert [kind for kind, _ in results] == ["ok"] * THREADS, results
    assert [r.status_code for _, r in results] == [200] * THREADS, [r.content for _, r in results]
    bodies = [r.json() for _, r in results]
    assert sum(not b["already_checked_in"] for b in bodies) == 1
    assert {b["counts"]["present"] for b in bodies} == {1}
    assert CheckIn.objects.filter(session=session, representative=rep).count() == 1


def test_many_representatives_checking_in_at_once_are_all_counted(congress):
    session = congress["session"]
    url = f"/congress/check-in/{session.pk}/{session.check_in_code}/"
    clients = [logged_in(u) for u in congress["rep_users"]]
    results = run_together(lambda i: clients[i].get(url), count=len(clients))
    assert [r.status_code for _, r in results] == [200] * len(clients), results
    assert CheckIn.objects.filter(session=session).count() == len(clients)
