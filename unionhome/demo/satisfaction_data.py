"""Two years of answered appeals and their ratings in the reference union, with a story for the dashboard.

``build(union=..., members=..., users_by_username=..., rng=...)`` writes, through the voices demo's own
helpers (``voices_data``) and the satisfaction write path (``rating_record``):

* **History**: about thirty appeals a month from January of last year until ten weeks ago (the voices
  demo holds the last ten weeks), across the stations and categories, a quarter anonymous, all answered,
  four in five rated. Each station has its own level of service, and the union improves slowly, so the
  trend, the units below and the heat map have something to show at every station.
* **A dipping station** (``dipping_station``): its appeals in the month before last are rated well, those of
  the last full month badly, with comments naming the problem; the daily job then sees a significant drop.
* **A run of low ratings**: the station's answering cadre gets three 1–2 star ratings in the last days, the
  newest of their ratings, so the daily job raises a run for them.

Finally the daily first-signal job runs (``satisfaction_alerts_raise``), so the dashboard has its alerts.
Written with past dates; the same every run for a seed.
"""

import datetime
import random

from django.utils import timezone

from unionhome.demo.voices_data import APPEALS, ROUTES, appeal_answerer, appeal_close, appeal_rate, appeal_write
from unionhome.org.models import Member, OrgUnit
from unionhome.satisfaction.alerts import satisfaction_alerts_raise
from unionhome.satisfaction.models import Rating
from unionhome.voices import follow_up_codes
from unionhome.voices.models import Appeal
from unionhome.voices.routing import branch_of

HISTORY_PER_MONTH = 30
HISTORY_UNTIL = datetime.timedelta(weeks=10)  # the voices demo covers the last ten weeks
DIP_APPEALS = 12  # per month, in each of the two months compared
RUN = (1, 2, 1)

LOW_COMMENTS = [
    "回复太慢，等了一个多星期",
    "答复只是敷衍，问题没解决",
    "打了三次电话才有人处理",
    "答复和我反映的不是一回事",
    "说了会处理，到现在也没有下文",
]
HIGH_COMMENTS = ["处理及时，谢谢", "很快就解决了", "答复清楚，满意", ""]


def dipping_station(union: OrgUnit, demo_station: str | None) -> OrgUnit:
    """The station whose answers fall out of favour last month: the third station, or the fourth when the
    third is demo-member's."""
    stations = list(OrgUnit.objects.filter(path__startswith=union.path, kind=OrgUnit.Kind.BRANCH).order_by("path"))
    station = stations[2 % len(stations)]
    if station.path == demo_station and len(stations) > 3:
        station = stations[3]
    return station


def _month_start(day: datetime.datetime, back: int) -> datetime.datetime:
    """Midnight on the first of the month ``back`` months before ``day``'s month."""
    month = day.year * 12 + day.month - 1 - back
    return day.replace(year=month // 12, month=month % 12 + 1, day=1, hour=0, minute=0, second=0, microsecond=0)


def _score(rng: random.Random, level: float) -> int:
    return max(1, min(5, round(rng.gauss(level, 0.85))))


def _comment(rng: random.Random, score: int) -> str:
    if score <= 2:
        return rng.choice(LOW_COMMENTS)
    return rng.choice(HIGH_COMMENTS) if score == 5 and rng.random() < 0.3 else ""


def _answered(member: Member, plan: tuple, at: datetime.datetime, *, anonymous: bool, rng: random.Random):
    """An appeal sent at ``at`` and answered one to five days later: (appeal, answer)."""
    appeal = appeal_write(member, plan, anonymous=anonymous, at=at, code=follow_up_codes.code_make())
    closed_at = appeal.submitted_at + datetime.timedelta(days=rng.randint(1, 5), hours=rng.randint(1, 6))
    return appeal, appeal_close(appeal, appeal_answerer(appeal), plan[4], closed_at)


def _history(active: list[Member], levels: dict[str, float], rng: random.Random, now: datetime.datetime) -> int:
    """Appeals from each station in turn (so that every station has some each quarter), four in five rated."""
    rated = 0
    start = _month_start(now, now.month - 1 + 12)  # January of last year
    days = (now - HISTORY_UNTIL - start).days
    total = days * HISTORY_PER_MONTH // 30
    by_station: dict[str, list[Member]] = {}
    for member in active:
        by_station.setdefault(branch_of(member.unit).path, []).append(member)
    stations = sorted(by_station)
    for number in range(total):
        at = start + datetime.timedelta(days=days * number / total)
        at = at.replace(hour=rng.choice([8, 9, 10, 14, 15, 16, 20]), minute=rng.randrange(60))
        member = rng.choice(by_station[stations[number % len(stations)]])
        appeal, answer = _answered(member, rng.choice(APPEALS), at, anonymous=rng.random() < 0.25, rng=rng)
        if number % 5 != 4:
            score = _score(rng, levels[appeal.branch.path] + 0.3 * (at - start).days / days)  # slowly better
            rated_at = appeal.closed_at + datetime.timedelta(hours=rng.randint(2, 40))
            appeal_rate(appeal, answer, score, rated_at, _comment(rng, score))
            rated += 1
    return rated


def _dip(station: OrgUnit, station_members: list[Member], rng: random.Random, now: datetime.datetime) -> int:
    """Well rated answers in the month before last, badly rated ones last month, then a run of low ratings
    for the station's answering cadre: the newest of that cadre's ratings."""
    own = [plan for plan in APPEALS if plan[0] not in ROUTES]  # answered by the station's own cadres
    rated = 0
    for back, level in ((2, 4.4), (1, 2.8)):
        month = _month_start(now, back)
        for number in range(DIP_APPEALS):
            at = month + datetime.timedelta(days=1 + number * 1.5, hours=rng.choice([9, 10, 14, 15]))
            appeal, answer = _answered(rng.choice(station_members), rng.choice(own), at, anonymous=False, rng=rng)
            score = _score(rng, level)
            rated_at = min(appeal.closed_at + datetime.timedelta(hours=6), _month_start(now, back - 1))
            appeal_rate(appeal, answer, score, rated_at - datetime.timedelta(minutes=number + 1), _comment(rng, score))
            rated += 1
    plan = own[0]
    cadre = None
    for score in RUN:
        at = now - datetime.timedelta(days=4)
        appeal, answer = _answered(rng.choice(station_members), plan, at, anonymous=False, rng=rng)
        cadre = cadre or answer.author_id
        newest = Rating.objects.filter(cadre_id=answer.author_id).order_by("-rated_at").values_list("rated_at")[:1]
        after = max([appeal.closed_at, *(t for (t,) in newest)]) + datetime.timedelta(minutes=30)
        appeal_rate(appeal, answer, score, min(after, now - datetime.timedelta(minutes=10)), rng.choice(LOW_COMMENTS))
        rated += 1
    return rated


def build(*, union: OrgUnit, members: list[Member], users_by_username: dict, rng: random.Random) -> dict[str, int]:
    """Write the reference union's rated history and its story; returns what was made."""
    if Appeal.objects.filter(
        unit_path__startswith=union.path, submitted_at__lt=timezone.now() - HISTORY_UNTIL
    ).exists():
        return {"rated": 0}
    now = timezone.now()
    active = sorted(
        (m for m in members if m.status == Member.Status.ACTIVE and m.unit_path.startswith(union.path)),
        key=lambda m: m.pk,
    )
    demo_member = getattr(users_by_username.get("demo-member"), "member", None)
    demo_station = branch_of(demo_member.unit).path if demo_member is not None else None
    stations = OrgUnit.objects.filter(path__startswith=union.path, kind=OrgUnit.Kind.BRANCH).order_by("path")
    levels = {s.path: 3.5 + rng.random() * 0.9 for s in stations}
    dip = dipping_station(union, demo_station)
    made = {"rated": _history(active, levels, rng, now)}
    made["dip_rated"] = _dip(dip, [m for m in active if m.unit_path.startswith(dip.path)], rng, now)
    made |= {f"alerts_{k}": v for k, v in satisfaction_alerts_raise(today=timezone.localdate()).items()}
    return made
