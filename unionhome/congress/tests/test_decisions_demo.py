"""The demo decisions: one followed to its implementation, one out for comments now; both pages render."""

import random

from unionhome.congress.models import Decision, OpinionCall, OpinionComment, Vote
from unionhome.congress.services.opinion_calls import accepting_comments
from unionhome.demo import congress_decisions
from unionhome.satisfaction.models import Rating


def test_demo_builds_a_complete_decision_and_one_in_consultation(congress, login_as, client):
    congress_decisions.build(union=congress["union"]["union"], session=congress["session"], rng=random.Random(7))
    done, consulting = Decision.objects.order_by("created_at")
    assert (done.stage, consulting.stage) == (Decision.Stage.DONE, Decision.Stage.CONSULTING)
    comments = OpinionComment.objects.filter(call__decision=done)
    assert comments.count() == 20 and comments.filter(author=None, unit_path="").count() >= 6
    assert not comments.filter(adoption="pending").exists()
    vote = Vote.objects.get(motion=done.motion)
    assert (vote.status, vote.outcome) == ("closed", "passed")
    assert sum(o["count"] for o in vote.result["options"]) == vote.result["participation"]
    assert not done.tracking.milestones.filter(done_on=None).exists()
    assert (
        Rating.objects.filter(item_type="congress.trackinginspection").count() == done.tracking.inspections.count() == 3
    )
    assert accepting_comments(OpinionCall.objects.get(decision=consulting))
    login_as(congress["member"])
    for decision in (done, consulting):
        assert client.get(f"/congress/decisions/{decision.pk}/").status_code == 200
