"""The demo union's satisfaction data: enough ratings at every station for the dashboard, the dipping station
and the low run raised by the daily job, and the three surveys in their states, anonymity kept."""

import pytest
from django.db.models import Count, Sum

from unionhome.accounts.models import User
from unionhome.demo import loader, shape
from unionhome.demo.satisfaction_data import dipping_station
from unionhome.demo.surveys_data import NAMED, NOTES, OPEN, QUIET_STATIONS
from unionhome.org.models import OrgUnit
from unionhome.satisfaction.index_math import min_group
from unionhome.satisfaction.models import FeedbackAction, RatingTally, SatisfactionAlert
from unionhome.satisfaction.tests.tally_recount import recomputed, stored
from unionhome.surveys.models import Invitation, Response, Survey
from unionhome.voices.routing import branch_of

pytestmark = pytest.mark.django_db


def test_the_demo_union_has_a_satisfaction_story_and_its_surveys():
    loader.load(members=shape.REFERENCE_SIZE)
    union = OrgUnit.objects.get(kind=OrgUnit.Kind.UNION)
    stations = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH, path__startswith=union.path)
    k = min_group()

    # every rating went through the write path: the tallies equal a recount
    assert stored() == recomputed()
    # every station has at least k ratings in each of last year's quarters
    by_quarter: dict[tuple[str, int], int] = {}
    year = RatingTally.objects.filter(unit_path__in=[s.path for s in stations]).order_by("month").last().month.year - 1
    rows = RatingTally.objects.filter(unit_path__in=[s.path for s in stations], month__year=year)
    for row in rows.values("unit_path", "month").annotate(n=Sum("n")):
        key = (row["unit_path"], (row["month"].month - 1) // 3)
        by_quarter[key] = by_quarter.get(key, 0) + row["n"]
    assert len(by_quarter) == 4 * stations.count()
    assert min(by_quarter.values()) >= k

    # the daily job saw the dipping station and the run of low ratings
    demo_member = User.objects.get(username="demo-member").member
    dip = dipping_station(union, branch_of(demo_member.unit).path)
    kinds = set(SatisfactionAlert.objects.values_list("kind", "unit_path"))
    assert ("index_drop", dip.path) in kinds
    assert SatisfactionAlert.objects.filter(kind="low_run", cadre_id__isnull=False).exists()

    # the surveys: the year's (anonymous, closed), one open that demo-member has yet to answer, one named
    annual = Survey.objects.get(title__endswith="年度职工满意度调查")
    assert annual.status == Survey.Status.CLOSED and annual.is_anonymous
    responses = Response.objects.filter(survey=annual)
    assert responses.count() > 0.5 * Invitation.objects.filter(survey=annual).count()
    assert not responses.filter(member__isnull=False).exists()
    assert not responses.exclude(submitted_at=annual.opens_at).exists()
    assert set(responses.values_list("unit_path", flat=True)) <= {s.path for s in stations}
    counts = sorted(responses.values("unit_path").annotate(n=Count("id")).values_list("n", flat=True))
    assert counts[:QUIET_STATIONS] == [4] * QUIET_STATIONS and counts[QUIET_STATIONS] >= k
    assert annual.questions.filter(is_overall=True).count() == 1
    assert annual.questions.exclude(service_line="").count() >= 3

    still_open = Survey.objects.get(title=OPEN)
    assert still_open.status == Survey.Status.OPEN
    mine = Invitation.objects.get(survey=still_open, member=demo_member)
    assert mine.responded_at is None
    named = Survey.objects.get(title=NAMED)
    assert named.status == Survey.Status.CLOSED and not named.is_anonymous
    assert not Response.objects.filter(survey=named, member__isnull=True).exists()

    # what the union did about it, published for every member
    assert FeedbackAction.objects.filter(published_at__isnull=False, unit=union).count() == len(NOTES)
