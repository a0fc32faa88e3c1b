"""The demo union's congress: demo-rep is checked in at the session in progress, where a motion waits for
its secret vote; the chair can open it and demo-rep can vote at once. Earlier votes are counted."""

import pytest

from unionhome.accounts.models import User
from unionhome.congress.models import CheckIn, CongressSession, Vote
from unionhome.congress.services.ballots import ballot_cast
from unionhome.congress.services.votes import vote_close, vote_open
from unionhome.demo import loader, shape

pytestmark = pytest.mark.django_db


def test_the_demo_session_is_ready_for_a_vote():
    loader.load(members=shape.REFERENCE_SIZE)
    session = CongressSession.objects.get(status=CongressSession.Status.IN_PROGRESS)
    rep = User.objects.get(username="demo-rep")
    assert CheckIn.objects.filter(session=session, representative__member=rep.member).exists()
    ready = Vote.objects.get(session=session, status=Vote.Status.DRAFT)
    assert ready.motion.kind == "wage_plan" and ready.is_secret
    counted = Vote.objects.filter(session=session, status=Vote.Status.CLOSED)
    assert {v.outcome for v in counted} == {"passed", "elected"}
    assert all(v.participation_count == v.ballots.count() > 0 for v in counted)

    vote_open(actor=User.objects.get(username="demo-chair"), vote=ready)
    for_option = ready.options.get(meaning="for")
    cast = ballot_cast(actor=rep, vote=ready, marks=[for_option.pk], ballot_key="demo-rep-ballot-key-0001")
    assert cast.recorded and len(cast.receipt) == 10
    closed = vote_close(actor=User.objects.get(username="demo-chair"), vote=ready)
    assert closed.participation_count == 1 and closed.outcome == "failed"  # 1 of ~90 seated
