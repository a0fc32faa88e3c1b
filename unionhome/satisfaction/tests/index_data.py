"""Ratings for the index tests, written through the one write path (``services.rating_record``) at chosen
times, and a federation of two unions for the drill-down."""

import datetime
import itertools
import zoneinfo

from tests import factories
from unionhome.satisfaction.services import rating_record

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
_items = itertools.count(1)


def at(year: int, month: int, day: int = 15) -> datetime.datetime:
    return datetime.datetime(year, month, day, 10, 0, tzinfo=SHANGHAI)


def rate(unit, line: str, scores, *, when: datetime.datetime, cadre=None) -> None:
    """One rating per score, on ``line`` in ``unit`` at ``when`` (anonymous: no member record needed)."""
    for score in scores:
        rating_record(
            service_line=line,
            item_type="test.item",
            item_id=next(_items),
            member=None,
            unit_path=unit.path,
            cadre_id=cadre.pk if cadre is not None else None,
            score=score,
            rated_at=when,
        )


def commented(unit, line: str, score: int, comment: str, *, when, member=None):
    """One rating with a comment (``member`` None: anonymous)."""
    return rating_record(
        service_line=line,
        item_type="test.comment",
        item_id=next(_items),
        member=member,
        unit_path=unit.path,
        cadre_id=None,
        score=score,
        comment=comment,
        rated_at=when,
    )


def federation() -> dict:
    """联合会 over two unions (甲 with two branches, 乙 with one), and its chair."""
    fed = factories.unit(None, "石化工会联合会", "federation", code="FED")
    a = factories.unit(fed, "甲厂工会", "union", code="FA")
    b = factories.unit(fed, "乙厂工会", "union", code="FB")
    a1 = factories.unit(a, "甲厂一站分工会", "branch", code="FA1")
    a2 = factories.unit(a, "甲厂二站分工会", "branch", code="FA2")
    b1 = factories.unit(b, "乙厂一站分工会", "branch", code="FB1")
    chair = factories.user("fed-chair", roles=(("chair", fed),))
    a_chair = factories.user("a-chair", roles=(("chair", a),))
    return {"fed": fed, "a": a, "b": b, "a1": a1, "a2": a2, "b1": b1, "chair": chair, "a_chair": a_chair}
