"""Double votes under real parallel HTTP requests to the live server, on SQLite and on PostgreSQL.

Every request is a real POST to /api/v1/congress/votes/{id}/ballots from its own thread, released at the
same moment: one representative's two ballots race each other, a retry with the same key races the
first try, and the chair's close races the last ballots. Exactly one ballot per representative is
stored, a retry gets the same receipt, and every ballot accepted before the close is counted.
"""

import json
import urllib.error
import urllib.request

import pytest

from tests.concurrency import run_together
from unionhome.accounts.services import api_token_issue
from unionhome.congress.models import Ballot, Participation, Vote
from unionhome.congress.tests.vote_records import motion_vote, new_key, option

pytestmark = pytest.mark.django_db(transaction=True)


def post(base: str, path: str, token: str, body: dict | None = None, key: str | None = None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept-Language": "en"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(
        f"{base}/api/v1{path}", data=json.dumps(body or {}).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_racing_double_ballots_store_one_per_representative(congress, live_server):
    vote = motion_vote(congress)
    for_id = option(vote, "for").pk
    tokens = [api_token_issue(user=u)[0] for u in congress["rep_users"]]
    retry_keys = {6: new_key(), 7: new_key()}
    jobs = [(i, retry_keys.get(i) or new_key()) for i in range(8) for _ in range(2)]

    def cast(n: int):
        rep, key = jobs[n]
        return rep, post(
            live_server.url, f"/congress/votes/{vote.pk}/ballots", tokens[rep], {"marks": [{"option_id": for_id}]}, key
        )

    results = run_together(cast, count=len(jobs))
    assert [r for kind, r in results if kind != "ok"] == []
    by_rep: dict[int, list] = {}
    for _kind, (rep, answer) in results:
        by_rep.setdefault(rep, []).append(answer)
    for rep, answers in by_rep.items():
        codes = sorted(status for status, _body in answers)
        if rep in retry_keys:  # the same key twice: recorded once, the same receipt both times
            assert codes == [200, 201], answers
            assert answers[0][1]["receipt"] == answers[1][1]["receipt"]
        else:  # two different ballots: one recorded, the other refused
            assert codes == [201, 409], answers
    assert Participation.objects.filter(vote=vote).count() == 8 == Ballot.objects.filter(vote=vote).count()


def test_the_close_racing_the_last_ballots_counts_every_accepted_ballot(congress, live_server):
    vote = motion_vote(congress)
    for_id = option(vote, "for").pk
    tokens = [api_token_issue(user=u)[0] for u in congress["rep_users"][:7]]
    office = api_token_issue(user=congress["office"])[0]

    def act(n: int):
        if n == 7:
            return post(live_server.url, f"/congress/votes/{vote.pk}/close", office)
        return post(
            live_server.url,
            f"/congress/votes/{vote.pk}/ballots",
            tokens[n],
            {"marks": [{"option_id": for_id}]},
            new_key(),
        )

    results = run_together(act, count=8)
    assert [r for kind, r in results if kind != "ok"] == []
    answers = [r for _kind, r in results]
    assert answers[7][0] == 200, answers[7]
    accepted = sum(1 for status, _body in answers[:7] if status == 201)
    late = [body for status, body in answers[:7] if status != 201]
    assert all(body["code"] == "vote_state" and "closed" in body["detail"] for body in late), late
    vote.refresh_from_db()
    assert vote.status == Vote.Status.CLOSED
    assert vote.participation_count == accepted == Ballot.objects.filter(vote=vote).count()
    assert vote.result["options"][0]["count"] == accepted
