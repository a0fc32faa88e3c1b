"""The demo proposals: every state, consistent with the rules the services keep."""

import datetime
import random

import pytest

from unionhome.congress.models import CongressSession, Proposal, ProposalReply
from unionhome.demo import congress_proposals
from unionhome.satisfaction.models import Rating

pytestmark = pytest.mark.django_db


def test_demo_proposals_cover_every_state(congress):
    term = congress["term"]
    past = CongressSession.objects.create(
        congress=term,
        unit_path=term.unit_path,
        number=1,
        title="第一次会议",
        starts_at=congress["session"].starts_at - datetime.timedelta(days=300),
        ends_at=congress["session"].starts_at - datetime.timedelta(days=299),
        status=CongressSession.Status.CLOSED,
    )
    demo_rep = congress["rep_users"][2]
    demo_rep.username = "demo-rep"
    demo_rep.save()
    congress_proposals.build(union=congress["union"]["union"], session=congress["session"], rng=random.Random(7))
    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert statuses == set(Proposal.Status.values)
    assert 13 <= Proposal.objects.count() <= 17
    for session in (past, congress["session"]):
        numbers = sorted(
            Proposal.objects.filter(session=session, number__isnull=False).values_list("number", flat=True)
        )
        assert numbers == list(range(1, len(numbers) + 1))
    rehandled = Proposal.objects.get(title="关于煤炭检验站增设淋浴间的提案")
    assert list(rehandled.replies.values_list("rating", flat=True)) == ["dissatisfied", "basically"]
    assert Rating.objects.count() == ProposalReply.objects.exclude(rating="").count()
    for p in Proposal.objects.all():
        assert p.events.order_by("-created_at", "-id").first().to_status == p.status, p.title
        assert (p.number is not None) == (p.status in {"accepted", "referred", "replied", "rehandling", "closed"})
    seconding = Proposal.objects.get(status="seconding")
    assert seconding.proposer == congress["reps"][2]  # demo-rep's proposal, open for seconding
    assert seconding.secondings.count() < term.min_seconders
