"""The benchmark-scale satisfaction data: tallies rebuilt in bulk equal those the write path keeps, and
``manage.py demo --satisfaction-only --ratings R --responses S`` adds what it says."""

import datetime
import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from unionhome.demo.satisfaction_scale import SYNTHETIC
from unionhome.demo.satisfaction_scale_tallies import tallies_rebuilt
from unionhome.satisfaction.models import CadreTally, Rating, RatingTally
from unionhome.satisfaction.services import rating_build, rating_record, ratings_bulk_record
from unionhome.satisfaction.tests.tally_recount import rollups_of, rollups_stored
from unionhome.surveys.models import Answer, Invitation, Response, Survey

LINES = ("visits", "hardship_assistance", "appeals")


def tallies() -> tuple[set, set]:
    units = set(
        RatingTally.objects.filter(n__gt=0).values_list(
            "unit_path", "parent_path", "service_line", "month", "n", "total", "total_sq"
        )
    )
    cadres = set(CadreTally.objects.filter(n__gt=0).values_list("cadre_id", "service_line", "month", "n", "total",
                                                                "total_sq"))  # fmt: skip
    return units, cadres


@pytest.mark.django_db
def test_rebuilt_tallies_equal_those_the_write_path_keeps(union, people):
    rng = random.Random(7)
    members = [people["member_record"], people["other_s1"], people["s2_member"]]
    cadres = [people["cadre"].pk, people["chair"].pk, None]
    now = timezone.now()
    # Month edges in local time: 16:30 UTC on the last day is already the next month in Asia/Shanghai.
    edge = timezone.make_aware(datetime.datetime(2026, 1, 31, 16, 30), datetime.UTC)
    for i in range(12):
        member = members[i % 3]
        rating_record(service_line=LINES[i % 3], item_type="test.item", item_id=i, member=member,
                      unit_path=member.unit_path, cadre_id=cadres[i % 3], score=rng.randint(1, 5),
                      rated_at=edge if i == 0 else now - datetime.timedelta(days=rng.randint(0, 400)))  # fmt: skip
    rows = [
        rating_build(
            service_line="visits",
            item_type="test.bulk",
            item_id=i,
            member_id=None,
            unit_path=union["union"].path if i % 2 else union["s2"].path,
            cadre_id=cadres[i % 2],
            score=1 + i % 5,
            rated_at=now - datetime.timedelta(days=31 * i),
        )  # fmt: skip
        for i in range(10)
    ]
    ratings_bulk_record(rows)
    kept, rollups = tallies(), rollups_stored()
    assert kept[0] and kept[1] and rollups == rollups_of(RatingTally.objects.all())
    counts = tallies_rebuilt()
    assert tallies() == kept and rollups_stored() == rollups
    assert counts == {"rating_tallies": len(kept[0]), "rating_rollups": len(rollups), "cadre_tallies": len(kept[1])}
    top = RatingTally.objects.filter(unit_path=union["union"].path).values_list("n", flat=True)
    assert sum(top) == Rating.objects.count() == 22


@pytest.mark.django_db
def test_demo_adds_ratings_and_surveys_to_an_existing_demo():
    call_command("demo", stdout=io.StringIO())
    before = Rating.objects.count()
    surveys_before, responses_before = set(Survey.objects.values_list("pk", flat=True)), Response.objects.count()
    answers_before = Answer.objects.count()
    assert before  # the demo rates the assistance centre's items already
    out = io.StringIO()
    call_command("demo", "--satisfaction-only", "--ratings", "3000", "--responses", "120",
                 "--answers-per-response", "5", stdout=out)  # fmt: skip
    assert "3000 ratings" in out.getvalue() or "3,000" in out.getvalue()
    assert Rating.objects.count() == before + 3000
    assert Rating.objects.filter(item_type=SYNTHETIC).exists()  # the small demo has too few unrated items
    # one rating per member and item, every score 1 to 5, every unit path a member's
    assert not Rating.objects.values("item_type", "item_id", "member").annotate(c=Count("id")).filter(c__gt=1)
    assert not Rating.objects.exclude(score__range=(1, 5)).exists()
    kept = tallies()
    tallies_rebuilt()
    assert tallies() == kept
    surveys = Survey.objects.exclude(pk__in=surveys_before)  # the demo runs surveys of its own
    assert surveys.count() == 4
    assert Response.objects.count() - responses_before == 120 and Answer.objects.count() - answers_before == 600
    anonymous = Response.objects.filter(survey__in=surveys, survey__is_anonymous=True)
    assert anonymous.exists() and not anonymous.filter(member__isnull=False).exists()
    for survey in surveys:  # every response answers every question; each respondent was invited
        assert Answer.objects.filter(response__survey=survey).count() == 5 * survey.responses.count()
        assert Invitation.objects.filter(survey=survey, responded_at__isnull=False).count() == survey.responses.count()
        assert survey.questions.filter(is_overall=True).count() == 1


@pytest.mark.django_db
def test_satisfaction_only_needs_demo_data():
    with pytest.raises(CommandError):
        call_command("demo", "--satisfaction-only", "--ratings", "10", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("demo", "--ratings", "-1", stdout=io.StringIO())
