"""The volumes above the branch (``AppealVolume``, ``TopicVolume``): kept exactly as appeals arrive, also
when they arrive at once, and what a federation's dashboard reads."""

import datetime
import threading

import pytest
from django.db import connection, transaction

from tests import factories
from unionhome.voices.counting import appeals_counted, words_counted
from unionhome.voices.first_signal import week_start
from unionhome.voices.models import AppealCount, AppealVolume, TopicCount, TopicVolume
from unionhome.voices.selectors.signals import signals_dashboard

DAY = datetime.date(2026, 6, 17)  # a Wednesday
MONDAY = week_start(DAY)


@pytest.fixture
def federation(db):
    fed = factories.unit(None, "市总工会", "federation", code="FED")
    first = factories.unit(fed, "技术中心工会", "union", code="U1")
    second = factories.unit(fed, "运输公司工会", "union", code="U2")
    return {
        "fed": fed,
        "first": first,
        "second": second,
        "b11": factories.unit(first, "第一检验站分工会", "branch", code="B11"),
        "b12": factories.unit(first, "第二检验站分工会", "branch", code="B12"),
        "b21": factories.unit(second, "车队分工会", "branch", code="B21"),
    }


def volumes() -> dict[tuple[str, str], tuple[int, str]]:
    return {(v.unit_path, v.category): (v.count, v.parent_path) for v in AppealVolume.objects.all()}


def test_an_appeal_is_counted_for_its_branch_and_every_unit_above(federation):
    fed, first, b11 = federation["fed"], federation["first"], federation["b11"]
    appeals_counted(b11, "canteen", DAY)
    appeals_counted(b11, "canteen", DAY + datetime.timedelta(days=1), 2)
    appeals_counted(b11, "wages", DAY)
    words_counted(b11, "canteen", DAY, ["饭菜", "排队", "饭菜", "", "字" * 31])

    assert AppealVolume.objects.filter(week=MONDAY).count() == AppealVolume.objects.count() == 9
    assert volumes() == {
        (fed.path, "canteen"): (3, ""),
        (fed.path, "wages"): (1, ""),
        (fed.path, ""): (4, ""),
        (first.path, "canteen"): (3, fed.path),
        (first.path, "wages"): (1, fed.path),
        (first.path, ""): (4, fed.path),
        (b11.path, "canteen"): (3, first.path),
        (b11.path, "wages"): (1, first.path),
        (b11.path, ""): (4, first.path),
    }
    assert sorted(AppealCount.objects.values_list("category", "day", "count")) == [
        ("canteen", DAY, 1),
        ("canteen", DAY + datetime.timedelta(days=1), 2),
        ("wages", DAY, 1),
    ]
    words = sorted(TopicVolume.objects.values_list("unit_path", "word", "month", "count"))
    month = DAY.replace(day=1)
    assert words == sorted((p, w, month, 1) for p in (fed.path, first.path, b11.path) for w in ("排队", "饭菜"))
    assert TopicCount.objects.filter(branch=b11).count() == 2


def test_the_next_week_starts_new_rows(federation):
    appeals_counted(federation["b21"], "safety", DAY)
    appeals_counted(federation["b21"], "safety", MONDAY + datetime.timedelta(days=7))
    rows = AppealVolume.objects.filter(unit_path=federation["fed"].path, category="safety")
    assert sorted(rows.values_list("week", "count")) == [(MONDAY, 1), (MONDAY + datetime.timedelta(days=7), 1)]


@pytest.mark.django_db(transaction=True)
def test_appeals_counted_at_once_are_each_counted_once():
    fed = factories.unit(None, "市总工会", "federation", code="FED")
    union = factories.unit(fed, "技术中心工会", "union", code="U1")
    branches = [factories.unit(union, f"第{i}站分工会", "branch", code=f"B{i}") for i in range(2)]
    barrier = threading.Barrier(4)
    errors = []

    def submit(branch):
        try:
            barrier.wait()
            for _ in range(10):
                with transaction.atomic():
                    appeals_counted(branch, "canteen", DAY)
                    words_counted(branch, "canteen", DAY, ["饭菜", "排队"])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(branches[i % 2],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AppealVolume.objects.get(unit_path=fed.path, category="").count == 40
    assert AppealVolume.objects.get(unit_path=union.path, category="canteen").count == 40
    assert [v.count for v in AppealVolume.objects.filter(category="", unit_path__in=[b.path for b in branches])] == [
        20,
        20,
    ]
    assert TopicVolume.objects.get(unit_path=fed.path, word="饭菜").count == 40
    assert sum(AppealCount.objects.values_list("count", flat=True)) == 40


def test_a_federation_dashboard_breaks_down_by_union_and_a_union_by_branch(federation, django_assert_max_num_queries):
    fed, first, second = federation["fed"], federation["first"], federation["second"]
    chair = factories.user("fed-chair", roles=(("chair", fed),))
    appeals_counted(federation["b11"], "canteen", DAY, 5)
    appeals_counted(federation["b12"], "wages", DAY, 2)
    appeals_counted(first, "wages", DAY, 1)  # a member attached to the union itself
    appeals_counted(federation["b21"], "safety", DAY - datetime.timedelta(days=7), 3)
    words_counted(federation["b11"], "canteen", DAY, ["饭菜"], 5)
    words_counted(federation["b21"], "safety", DAY, ["安全帽"], 3)

    with django_assert_max_num_queries(8):
        board = signals_dashboard(chair, weeks=4, today=DAY)
    assert board.unit == fed and board.total == 11
    assert [(u.unit, u.total, u.is_self) for u in board.units] == [(first, 8, False), (second, 3, False)]
    by_category = {c.code: c.weekly for c in board.categories}
    assert by_category["canteen"] == [0, 0, 0, 5] and by_category["safety"] == [0, 0, 3, 0]
    assert board.words == [("饭菜", 5), ("安全帽", 3)]

    board = signals_dashboard(chair, unit_id=first.pk, weeks=4, today=DAY)
    assert board.total == 8 and board.trail == [fed]
    assert [(u.unit, u.total, u.is_self) for u in board.units] == [
        (federation["b11"], 5, False),
        (federation["b12"], 2, False),
        (first, 1, True),
    ]
    assert board.words == [("饭菜", 5)]

    board = signals_dashboard(chair, unit_id=federation["b21"].pk, weeks=4, today=DAY)
    assert board.total == 3 and [(u.unit, u.total) for u in board.units] == [(federation["b21"], 3)]
