"""Satisfaction data at federation scale, added to a demo database: ``satisfaction_scale_build``.

Called by ``manage.py demo --ratings R --responses S`` (after the members, or alone on an existing demo
database with ``--satisfaction-only``) and by the benchmark ``bench.satisfaction_scale``. It adds:

* ``ratings`` ratings over 24 months. Real served items come first, each rated once by the member served
  (the unique constraint: one rating per member and item), an equal share of each source when there are
  more than asked for: done visits, delivered assistance and paid education aid not rated yet (cadre: the
  one the item names; rated 1 to 15 days after the service), and the appeals whose ``rating_score`` is
  set and that have no answer row (the benchmark's appeals): their rating carries that score and names the
  appeal itself (``voices.appeal``; production names the answer, ``voices.appealreply``); an anonymous
  appeal's rating names no member and keeps the hour only. When the real items are too few, the rest are
  **synthetic** services of the lines with few real items (the congress lines): ``item_type``
  ``bench.synthetic``, a random member, the member's unit path, the chair of the member's union as cadre,
  a time uniform over the last 730 days. The result says how many of each.
* the surveys of ``satisfaction_scale_surveys`` (``responses`` responses, ``answers_per_response`` each).

Rows go in with ``COPY`` on PostgreSQL (``satisfaction_scale_rows``), in batched INSERTs elsewhere; scores
lean per union (some unions do better than others). This is a bulk loader of demo data, **not** a write
path of the application: it bypasses ``satisfaction.services`` and therefore rebuilds ``RatingTally`` and
``CadreTally`` from all the ratings at the end (``satisfaction_scale_tallies.tallies_rebuilt``: one
``INSERT … SELECT … GROUP BY`` per level of the tree), exactly what the write path would have kept
(``tests/test_satisfaction_scale.py`` checks it).
"""

import datetime
import random
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from unionhome.demo.satisfaction_scale_rows import Shape, rows_written
from unionhome.demo.satisfaction_scale_surveys import surveys_built
from unionhome.demo.satisfaction_scale_tallies import tallies_rebuilt

SYNTHETIC = "bench.synthetic"
SPAN_DAYS = 730
LOW_COMMENTS = ("等了很久才有人处理", "答复太敷衍", "问题没有真正解决", "态度不好", "流程太繁琐")
GOOD_COMMENTS = ("很及时，感谢工会", "干部很负责", "手续简单，办得快", "希望继续保持")
COLUMNS = ["service_line", "item_type", "item_id", "member_id", "unit_path", "cadre_id", "score", "comment",
           "rated_at", "changed_at"]  # fmt: skip


def _score(rng: random.Random, lean: float) -> int:
    return max(1, min(5, round(rng.gauss(4.0 + lean, 1.0))))


def _comment(rng: random.Random, score: int) -> str:
    if score <= 2 and rng.random() < 0.5:
        return rng.choice(LOW_COMMENTS)
    return rng.choice(GOOD_COMMENTS) if rng.random() < 0.08 else ""


def _sources(now: datetime.datetime) -> list[tuple[str, str, object]]:
    """(service line, item type, queryset of (id, member, unit path, cadre, served date or moment, score))
    of the real items not rated yet."""
    from unionhome.assistance.models import AidApplication, Assistance, Visit
    from unionhome.assistance.ratings import EDUCATION_AID, HARDSHIP_ASSISTANCE, VISITS
    from unionhome.satisfaction.models import Rating
    from unionhome.voices.models import Appeal, AppealReply
    from unionhome.voices.ratings import APPEALS

    def unrated(model, item_type):
        rated = Rating.objects.filter(item_type=item_type, item_id=OuterRef("pk"))
        return model.objects.order_by("pk").filter(~Exists(rated))

    visits = unrated(Visit, "assistance.visit").filter(status=Visit.Status.DONE, visited_on__isnull=False)
    helped = unrated(Assistance, "assistance.assistance").filter(
        status=Assistance.Status.DELIVERED, delivered_on__isnull=False
    )
    aid = unrated(AidApplication, "assistance.aidapplication").filter(
        status=AidApplication.Status.PAID, decided_at__isnull=False
    )
    appeals = unrated(Appeal, "voices.appeal").filter(rating_score__isnull=False, closed_at__lte=now)
    appeals = appeals.filter(~Exists(AppealReply.objects.filter(appeal=OuterRef("pk"))))
    return [
        (VISITS, "assistance.visit", visits.values_list("pk", "member_id", "unit_path", "recorded_by_id",
                                                        "visited_on", "pk")),
        (HARDSHIP_ASSISTANCE, "assistance.assistance", helped.values_list("pk", "member_id", "unit_path",
                                                                          "responsible_id", "delivered_on", "pk")),
        (EDUCATION_AID, "assistance.aidapplication", aid.values_list("pk", "member_id", "unit_path",
                                                                     "decided_by_id", "decided_at", "pk")),
        (APPEALS, "voices.appeal", appeals.values_list("pk", "member_id", "unit_path", "handler_id",
                                                       "closed_at", "rating_score")),
    ]  # fmt: skip


def _real_rows(rng, shape: Shape, line: str, item_type: str, items: list, share: float, now, tz, leans):
    anonymous_hour = item_type == "voices.appeal"
    for pk, member_id, unit_path, cadre_id, served, score in items:
        if share < 1 and rng.random() >= share:
            continue
        if isinstance(served, datetime.datetime):
            served = served.astimezone(tz).date()
        day = min(now.astimezone(tz).date(), served + datetime.timedelta(days=rng.randint(1, 15)))
        at = datetime.datetime.combine(day, datetime.time(20, rng.randrange(60)), tz)
        if anonymous_hour:  # the appeal's score is the rating: it keeps the member (or none) of the appeal
            if member_id is None:
                at = at.replace(minute=0)
        else:
            score = _score(rng, leans.get(unit_path[:8], 0.0))
        yield (line, item_type, pk, member_id, unit_path, cadre_id, score, _comment(rng, score), min(at, now), None)


def _synthetic_rows(rng, shape: Shape, lines: list[str], count: int, first_id: int, now, leans):
    n = len(shape.member_ids)
    for i in range(count):
        m = rng.randrange(n)
        unit = shape.member_units[m]
        path = shape.unit_path[unit]
        score = _score(rng, leans.get(path[:8], 0.0))
        at = now - datetime.timedelta(seconds=rng.random() * SPAN_DAYS * 86400)
        yield (lines[i % len(lines)], SYNTHETIC, first_id + i, shape.member_ids[m], path,
               shape.union_chair(unit), score, _comment(rng, score), at, None)  # fmt: skip


def ratings_added(ratings: int, *, seed: int, shape: Shape, progress=None) -> dict:
    """Add ``ratings`` ratings (see the module doc); returns how many of each source."""
    from unionhome.congress.ratings import DECISION_IMPLEMENTATION, PROPOSAL_REPLIES
    from unionhome.satisfaction.models import Rating

    rng = random.Random(seed)
    now = timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    leans = {shape.unit_path[u][:8]: rng.uniform(-0.5, 0.4) for u in set(shape.union_of.values())}
    table = Rating._meta.db_table
    sources = _sources(now)
    available = {item_type: qs.count() for _line, item_type, qs in sources}
    share = min(1.0, ratings / max(1, sum(available.values())))
    made: dict[str, int] = {}
    for line, item_type, qs in sources:
        if not available[item_type] or len(made) and sum(made.values()) >= ratings:
            continue
        items = list(qs.iterator(chunk_size=20000))  # read before the COPY holds the connection
        rows = _real_rows(rng, shape, line, item_type, items, share, now, tz, leans)
        left = ratings - sum(made.values())
        made[item_type] = rows_written(table, COLUMNS, (r for i, r in zip(range(left), rows, strict=False)))
        del items
        if progress:
            progress(f"{made[item_type]:,} ratings of {item_type}")
    rest = ratings - sum(made.values())
    if rest > 0 and shape.member_ids:
        first = (Rating.objects.filter(item_type=SYNTHETIC).order_by("-item_id").values_list("item_id", flat=True)
                 .first() or 0) + 1  # fmt: skip
        lines = [PROPOSAL_REPLIES, DECISION_IMPLEMENTATION]
        made[SYNTHETIC] = rows_written(table, COLUMNS, _synthetic_rows(rng, shape, lines, rest, first, now, leans))
        if progress:
            progress(f"{made[SYNTHETIC]:,} synthetic ratings")
    return {"available_real": available, "written": made}


def satisfaction_scale_build(
    *, ratings: int, responses: int, answers_per_response: int = 10, seed: int, progress=None
) -> dict:
    """Add ratings and surveys to the demo database in the current one (members and units exist); rebuild the
    satisfaction tallies. Returns what was written and how long each part took (seconds)."""
    if ratings < 0 or responses < 0 or answers_per_response < 3:
        raise ValueError("ratings and responses are counts; a response answers at least 3 questions")
    result: dict = {"ratings": ratings, "responses": responses, "answers_per_response": answers_per_response,
                    "seed": seed}  # fmt: skip
    started = time.monotonic()
    shape = Shape.read()
    result["shape_seconds"] = round(time.monotonic() - started, 1)
    if ratings:
        began = time.monotonic()
        with transaction.atomic():
            result["rating_sources"] = ratings_added(ratings, seed=seed, shape=shape, progress=progress)
        result["ratings_seconds"] = round(time.monotonic() - began, 1)
        began = time.monotonic()
        with transaction.atomic():
            result["tallies"] = tallies_rebuilt()
        result["tallies_seconds"] = round(time.monotonic() - began, 1)
    if responses:
        began = time.monotonic()
        with transaction.atomic():
            result["surveys"] = surveys_built(responses, answers_per_response, seed=seed + 1, shape=shape)
        result["surveys_seconds"] = round(time.monotonic() - began, 1)
    if connection.vendor == "postgresql":
        began = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE satisfaction_rating, satisfaction_ratingtally, satisfaction_cadretally, surveys_response, "
                "surveys_answer, surveys_invitation"
            )
        result["analyze_seconds"] = round(time.monotonic() - began, 1)
    result["seconds"] = round(time.monotonic() - started, 1)
    return result
