"""The satisfaction tallies stay exactly what the ratings add up to: after any sequence of ratings recorded,
recorded in bulk and changed, for any units, lines, cadres and months, and when ratings arrive at once."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from unionhome.satisfaction.models import CadreTally, Rating, RatingRollup, RatingTally
from unionhome.satisfaction.services import rating_build, rating_change, rating_record, ratings_bulk_record
from unionhome.satisfaction.tallies import month_of
from unionhome.satisfaction.tests.tally_recount import recomputed, stored

LINES = ("visits", "hardship_assistance", "appeals")


@pytest.fixture
def tree(union, people):
    return {"units": [union["g11"], union["g12"], union["g21"], union["s2"]], "people": people}


def test_a_rating_counts_for_its_unit_and_every_unit_above(tree, union):
    member = tree["people"]["member_record"]  # in 一站甲班 (g11)
    rating = rating_record(
        service_line="visits", item_type="assistance.visit", item_id=1, member=member, unit_path=member.unit_path,
        cadre_id=tree["people"]["cadre"].pk, score=4,
    )  # fmt: skip
    month = month_of(rating)
    rows = {(t.unit_path, t.parent_path): (t.n, t.total, t.total_sq) for t in RatingTally.objects.all()}
    assert rows == {
        (union["union"].path, ""): (1, 4, 16),
        (union["s1"].path, union["union"].path): (1, 4, 16),
        (union["g11"].path, union["s1"].path): (1, 4, 16),
    }
    assert RatingTally.objects.filter(month=month).count() == 3
    assert list(CadreTally.objects.values_list("cadre_id", "n", "total")) == [(tree["people"]["cadre"].pk, 1, 4)]

    rating_change(actor=tree["people"]["member"], rating=rating, score=2, comment="还行")
    assert set(RatingTally.objects.values_list("n", "total", "total_sq")) == {(1, 2, 4)}
    assert stored() == recomputed()


actions = st.lists(
    st.tuples(
        st.sampled_from(("record", "bulk", "change")),
        st.integers(0, 3),  # unit
        st.sampled_from(LINES),
        st.integers(1, 5),  # score
        st.integers(0, 40),  # days ago
        st.booleans(),  # with a cadre
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=actions)
def test_tallies_equal_the_ratings_after_any_writes(tree, steps):
    Rating.objects.all().delete()
    RatingTally.objects.all().delete()
    RatingRollup.objects.all().delete()
    CadreTally.objects.all().delete()
    people = tree["people"]
    now = timezone.now()
    for number, (action, unit, line, score, days_ago, with_cadre) in enumerate(steps):
        fields = {
            "service_line": line, "item_type": "assistance.visit", "item_id": number,
            "unit_path": tree["units"][unit].path, "cadre_id": people["cadre"].pk if with_cadre else None,
            "score": score, "rated_at": now - datetime.timedelta(days=days_ago),
        }  # fmt: skip
        if action == "record":
            rating_record(member=None, **fields)
        elif action == "bulk":
            ratings_bulk_record([rating_build(member_id=None, **fields), rating_build(member_id=None, **fields)])
        else:  # change the member's own rating (recorded now: inside the window)
            mine = Rating.objects.filter(member=people["member_record"]).first()
            if mine is None:
                rating_record(member=people["member_record"], **{**fields, "rated_at": now})
            else:
                rating_change(actor=people["member"], rating=mine, score=score, comment=str(number))
    assert stored() == recomputed()


@pytest.mark.django_db(transaction=True)
def test_ratings_given_at_once_are_each_counted_once():
    union = factories.unit(None, "技术中心工会", "union", code="TC")
    stations = [factories.unit(union, f"第{i}检验站分工会", "branch", code=f"S{i}") for i in range(2)]
    barrier = threading.Barrier(4)
    errors = []

    def rate(worker: int):
        try:
            barrier.wait()
            for i in range(10):
                rating_record(
                    service_line="visits", item_type="assistance.visit", item_id=worker * 100 + i, member=None,
                    unit_path=stations[worker % 2].path, cadre_id=None, score=1 + (i % 5),
                )  # fmt: skip
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=rate, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    top = RatingTally.objects.get(unit_path=union.path)
    assert (top.n, top.total, top.total_sq) == (40, 4 * (1 + 2 + 3 + 4 + 5) * 2, 4 * (1 + 4 + 9 + 16 + 25) * 2)
    assert stored() == recomputed()
