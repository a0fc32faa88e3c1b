"""A secret ballot cannot be linked to its voter: inspect the database, the audit trail, the sessions and
the logs after representatives vote through the pages and the API."""

import logging
import re

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.conftest import ApiClient
from unionhome.audit.models import AuditEvent
from unionhome.congress.models import Ballot, Participation
from unionhome.congress.services.votes import vote_close
from unionhome.congress.tests.vote_records import motion_vote, new_key, option

pytestmark = pytest.mark.django_db


def test_nothing_links_a_secret_ballot_to_its_voter(congress, caplog):
    vote = motion_vote(congress)
    choices = ["for", "against", "abstain", "for", "against", "for", "abstain", "for"]
    receipts: list[str] = []
    # Everyone logs in (pages) or gets a token (API) before the vote: logging in is on record, voting is not.
    clients = [factories.log_in_verified(Client(), user) for user in congress["rep_users"]]
    tokens = [api_token_issue(user=user)[0] for user in congress["rep_users"]]
    audit_before = AuditEvent.objects.count()
    caplog.set_level(logging.DEBUG)
    for i, choice in enumerate(choices):
        client = clients[i]
        if i % 2:  # half through the page, half through the API
            page = client.get(f"/congress/votes/{vote.pk}/")
            key = re.search(rb'name="ballot_key" value="([^"]+)"', page.content).group(1).decode()
            answer = client.post(f"/congress/votes/{vote.pk}/", {"ballot_key": key, "option": option(vote, choice).pk})
            receipts.append(re.search(rb'data-testid="receipt">([A-Z2-7]{10})<', answer.content).group(1).decode())
        else:
            answer = ApiClient(client).post(
                f"/congress/votes/{vote.pk}/ballots",
                {"marks": [{"option_id": option(vote, choice).pk}]},
                tokens[i],
                headers={"Idempotency-Key": new_key()},
            )
            receipts.append(answer.json()["receipt"])
    # Casting wrote nothing to the audit trail.
    assert AuditEvent.objects.count() == audit_before
    vote = vote_close(actor=congress["office"], vote=vote)

    # The ballot table: no voter, no time, no sequence; every column is one of these.
    columns = {f.column for f in Ballot._meta.concrete_fields}
    assert columns == {"id", "vote_id", "representative_id", "receipt", "marks"}
    ballots = list(Ballot.objects.filter(vote=vote))
    assert all(b.representative_id is None for b in ballots)
    assert sorted(b.receipt for b in ballots) == sorted(receipts)
    # Participations say who voted, with no time and nothing shared with any ballot.
    participation_values = set()
    for p in Participation.objects.filter(vote=vote).values():
        participation_values |= {str(v) for v in p.values()}
    ballot_values = {str(b.receipt) for b in ballots} | {str(b.pk) for b in ballots}
    assert not participation_values & ballot_values
    # Neither the keys nor the physical order of the rows follow the order of voting.
    order_column = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT receipt FROM congress_ballot WHERE vote_id = %s ORDER BY {order_column}", [vote.pk])
        physical = [row[0] for row in cursor.fetchall()]
    assert sorted(physical) == sorted(receipts)
    assert physical != receipts
    assert [b.receipt for b in sorted(ballots, key=lambda b: b.pk)] != receipts
    # The close is on record with the tally, but no voter or receipt.
    close = AuditEvent.objects.get(action="congress.vote.close")
    text = str(close.changes) + close.object_repr
    assert not any(r in text for r in receipts)
    assert not any(rep.member.name in text for rep in congress["reps"])
    # Sessions (stored in the database) hold no receipt.
    for session in Session.objects.all():
        decoded = str(session.get_decoded())
        assert not any(r in decoded for r in receipts)
    # The logs name no voter, receipt or choice.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for i, rep in enumerate(congress["reps"]):
        assert rep.member.name not in logged and congress["rep_users"][i].username not in logged
    assert not any(r in logged for r in receipts)
