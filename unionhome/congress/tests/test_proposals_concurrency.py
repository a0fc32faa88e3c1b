"""Real parallel requests: threads, each with its own database connection, send API requests at the same
moment. Seconding counts each representative once; acceptance numbers never collide. On PostgreSQL the
proposal and session rows are locked with SELECT … FOR UPDATE; on SQLite IMMEDIATE transactions queue."""

import json

import pytest
from django.test import Client

from tests.concurrency import run_together
from unionhome.accounts.services import api_token_issue
from unionhome.congress.models import Proposal, Seconding
from unionhome.congress.tests import proposal_records as records

pytestmark = pytest.mark.django_db(transaction=True)


def post(token: str, path: str, body: dict | None = None) -> int:
    response = Client().post(
        f"/api/v1/congress{path}",
        data=json.dumps(body or {}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )
    return response.status_code


def test_seven_representatives_second_at_once_and_each_counts_once(congress):
    proposal = records.at(congress, "seconding", seconders=())
    tokens = [api_token_issue(user=user)[0] for user in congress["rep_users"]]
    # Representatives 1–7 second, and each of them twice at the same moment (a double tap).
    results = run_together(lambda i: post(tokens[1 + i % 7], f"/proposals/{proposal.pk}/second"), count=14)
    codes = sorted(value for kind, value in results if kind == "ok")
    assert [kind for kind, _ in results] == ["ok"] * 14, results
    assert codes == [200] * 7 + [400] * 7
    assert Seconding.objects.filter(proposal=proposal).count() == 7
    assert Seconding.objects.filter(proposal=proposal, representative=congress["reps"][0]).count() == 0


def test_the_proposer_and_seconders_racing_the_send_for_review(congress):
    proposal = records.at(congress, "seconding", seconders=(1,))
    tokens = [api_token_issue(user=user)[0] for user in congress["rep_users"]]

    def act(i: int) -> int:
        if i == 0:
            return post(tokens[0], f"/proposals/{proposal.pk}/send-for-review")
        return post(tokens[1 + i], f"/proposals/{proposal.pk}/second")

    results = run_together(act, count=4)
    assert all(kind == "ok" for kind, _ in results), results
    proposal.refresh_from_db()
    seconders = Seconding.objects.filter(proposal=proposal).count()
    # Either the proposal was sent with at least two seconders, or it is still open; never sent with one.
    assert proposal.status in {"seconding", "submitted"}
    if proposal.status == "submitted":
        assert seconders >= 2
    assert results[0][1] in {200, 400}


def test_accepting_at_once_gives_distinct_numbers(congress):
    proposals = [records.at(congress, "submitted", by=i, title=f"提案{i}") for i in range(6)]
    token = api_token_issue(user=congress["committee"])[0]
    results = run_together(
        lambda i: post(token, f"/proposals/{proposals[i].pk}/review", {"decision": "accept", "reason": "符合"}),
        count=6,
    )
    assert [value for _, value in results] == [200] * 6, results
    numbers = sorted(Proposal.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]
