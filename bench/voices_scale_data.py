"""Appeals at federation scale for ``bench.voices_scale``: N appeals over two years across every branch of
the demo federation (``manage.py demo --members 1000000``), with their first-signal rollups.

Run as ``python -m bench.voices_scale_data --appeals 2000000 --out FILE`` with the server's environment
(DATABASE_URL or UNIONHOME_SQLITE_PATH) after ``manage.py demo``. Rows go in without the services (no
routing queries, audit events or counts per row): with ``COPY`` on PostgreSQL and ``bulk_create`` on
SQLite, in time order (ids grow with ``submitted_at``, as in production). Then ``AppealCount`` and
``TopicCount`` are computed from the appeals with one ``INSERT … SELECT … GROUP BY`` each (and from them
``AppealVolume`` and ``TopicVolume``, one per level of the tree), and a few
first-signal alerts are written.

The shares, drawn with a fixed seed (same seed, same data):

- submitter: a random member of the federation (so branches weigh by their size); 20 % anonymous (the
  appeal then names the member's branch only, as the service does);
- category skewed: welfare 22 %, canteen 18 %, wages 16 %, safety 10 %, commuting 9 %, dormitory 8 %,
  training 7 %, rights 5 %, other 5 %; kind: complaint 35 %, question 30 %, suggestion 25 %, help 10 %;
- time: uniform over the last 730 days, weekdays three times as busy as weekend days; deadlines from
  the working-day calendar (defaults: acknowledge within 1 working day, answer within 7);
- handling time: 85 % answered after a log-normal time (median 3 days), 10 % after 7 to 30 days (late),
  5 % after 30 to 300 days (stuck); an appeal whose handling time has not yet run out is open (about
  2 % of all; acknowledged after about half a day). 2 % are withdrawn, 1 % of the appeals closed in the
  last 15 days are reopened; 60 % of the closed ones are rated (5: 45 %, 4: 30 %, 3: 15 %, 2: 6 %, 1: 4 %);
- routing: canteen appeals to the union's canteen department (``HandlingDepartment`` 职工食堂管理科, one
  per union, with a routing rule); the rest to the branch's supervisors (no handler, no department);
- overdue open appeals are escalated: to the union (level 1) once past the answer deadline, to the
  federation (level 2) more than 10 days past it.
"""

import argparse
import datetime
import hashlib
import json
import math
import os
import random
import sys
import time
from array import array
from zoneinfo import ZoneInfo

CATEGORIES = (
    ("welfare", 22), ("canteen", 18), ("wages", 16), ("safety", 10), ("commuting", 9),
    ("dormitory", 8), ("training", 7), ("rights", 5), ("other", 5),
)  # fmt: skip
KINDS = (("complaint", 35), ("question", 30), ("suggestion", 25), ("help", 10))
RATINGS = ((5, 45), (4, 30), (3, 15), (2, 6), (1, 4))
# Title templates and topic words per category (titles get a branch-neutral detail appended).
TEXTS = {
    "welfare": (("节日慰问品发放不及时", "慰问品"), ("体检项目希望增加", "体检"), ("疗休养名额分配不透明", "疗休养")),
    "canteen": (("食堂饭菜太咸", "饭菜"), ("夜班食堂关门太早", "夜班"), ("食堂价格上涨", "价格")),
    "wages": (("加班费计算有误", "加班费"), ("绩效工资发放延迟", "绩效"), ("高温津贴未发放", "高温津贴")),
    "safety": (("劳保用品更换不及时", "劳保用品"), ("装置区照明不足", "照明"), ("防护面罩数量不够", "防护")),
    "commuting": (("班车发车时间不合理", "班车"), ("厂区停车位不足", "停车"), ("班车线路希望调整", "线路")),
    "dormitory": (("宿舍热水供应不稳定", "热水"), ("宿舍空调损坏", "空调"), ("宿舍网络太慢", "网络")),
    "training": (("技能培训名额太少", "培训"), ("取证培训费用报销", "报销"), ("师带徒补贴", "师带徒")),
    "rights": (("劳动合同续签问题", "劳动合同"), ("休假申请被拒", "休假"), ("岗位调整未协商", "岗位调整")),
    "other": (("文体活动场地不足", "文体活动"), ("职工书屋开放时间", "书屋"), ("建议增设母婴室", "母婴室")),
}
DETAILS = ("，希望尽快解决。", "，已经反映多次。", "，请工会协调。", "，大家意见比较大。", "。")
DEPARTMENT_NAME = "职工食堂管理科"
DAY = datetime.timedelta(days=1)


def _weighted(table: tuple) -> tuple[list, list[int]]:
    values = [v for v, _w in table]
    weights = [w for _v, w in table]
    return values, list(_cumulative(weights))


def _cumulative(weights: list[int]):
    total = 0
    for w in weights:
        total += w
        yield total


class Deadlines:
    """The working-day deadlines (the rule of ``workdays.calendar``: weekends off, with the configured
    exceptions), memoised per local day. The exceptions are read once, before any row is written: the
    rows are generated while the COPY holds the connection, so no query may run then."""

    def __init__(self, tz: ZoneInfo) -> None:
        from unionhome.workdays.models import CalendarDay

        self.tz = tz
        self.exceptions = {
            day: kind == CalendarDay.Kind.WORKING for day, kind in CalendarDay.objects.values_list("date", "kind")
        }
        self.memo: dict[datetime.date, tuple[bool, datetime.date, datetime.date]] = {}

    def is_working(self, day: datetime.date) -> bool:
        return self.exceptions.get(day, day.weekday() < 5)

    def next_working(self, day: datetime.date) -> datetime.date:
        day += DAY
        while not self.is_working(day):
            day += DAY
        return day

    def due(self, moment: datetime.datetime, ack_days: int, answer_days: int):
        local = moment.astimezone(self.tz)
        day = local.date()
        memo = self.memo.get(day)
        if memo is None:
            working = self.is_working(day)
            start = day if working else self.next_working(day)
            ack = start
            for _ in range(ack_days):
                ack = self.next_working(ack)
            answer = start
            for _ in range(answer_days):
                answer = self.next_working(answer)
            memo = self.memo[day] = (working, ack, answer)
        working, ack, answer = memo
        clock = local.time() if working else datetime.time(0, 0)
        return (
            datetime.datetime.combine(ack, clock, self.tz).astimezone(datetime.UTC),
            datetime.datetime.combine(answer, clock, self.tz).astimezone(datetime.UTC),
        )


def _setup(now: datetime.datetime):
    """Branch of each unit, the members (ids and units), one canteen department per union (with its
    routing rule), and the federation's root."""
    from django.db import transaction

    from unionhome.congress.models import HandlingDepartment
    from unionhome.org.models import Member, OrgUnit
    from unionhome.voices.models import RoutingRule

    step = OrgUnit.steplen
    units = {pk: (path, kind) for pk, path, kind in OrgUnit.objects.values_list("pk", "path", "kind")}
    by_path = {path: (pk, kind) for pk, (path, kind) in units.items()}
    branch_of: dict[int, tuple[int, str]] = {}  # unit id -> (branch id, branch path)
    union_of: dict[int, int] = {}  # branch id -> its union's id (or itself)
    for pk, (path, _kind) in units.items():
        found = (pk, path)
        for end in range(len(path), 0, -step):
            upk, ukind = by_path[path[:end]]
            if ukind != OrgUnit.Kind.GROUP:
                found = (upk, path[:end])
                break
        branch_of[pk] = found
    for pk, (path, _kind) in units.items():
        union_of[pk] = pk
        for end in range(len(path), 0, -step):
            upk, ukind = by_path[path[:end]]
            if ukind in (OrgUnit.Kind.UNION, OrgUnit.Kind.FEDERATION):
                union_of[pk] = upk
                break
    root = min(units, key=lambda pk: len(units[pk][0]))
    member_ids, member_units = array("q"), array("q")
    for pk, unit_id in Member.objects.order_by().values_list("pk", "unit_id").iterator(chunk_size=20000):
        member_ids.append(pk)
        member_units.append(unit_id)
    unions = [pk for pk, (_p, kind) in units.items() if kind == OrgUnit.Kind.UNION]
    with transaction.atomic():
        HandlingDepartment.objects.bulk_create(
            [HandlingDepartment(unit_id=pk, unit_path=units[pk][0], name=DEPARTMENT_NAME) for pk in unions],
            batch_size=2000,
            ignore_conflicts=True,
        )
        departments = dict(
            HandlingDepartment.objects.filter(name=DEPARTMENT_NAME).values_list("unit_id", "pk").iterator()
        )
        RoutingRule.objects.bulk_create(
            [
                RoutingRule(unit_id=pk, unit_path=units[pk][0], category="canteen", department_id=departments[pk])
                for pk in unions
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
    return units, branch_of, union_of, root, member_ids, member_units, departments


def _pick(rng: random.Random, values: list, cumulative: list[int]):
    x = rng.random() * cumulative[-1]
    for value, edge in zip(values, cumulative, strict=True):
        if x < edge:
            return value
    return values[-1]


def generate(appeals: int, *, seed: int, now: datetime.datetime, setup, deadlines: Deadlines):
    """Yield the appeals as dicts of column values, oldest first (runs no query)."""
    units, branch_of, union_of, root, member_ids, member_units, departments = setup
    rng = random.Random(seed)
    categories, cat_edges = _weighted(CATEGORIES)
    kinds, kind_edges = _weighted(KINDS)
    ratings, rating_edges = _weighted(RATINGS)
    tz = deadlines.tz
    span = 730 * 86400
    # Weekdays three times as busy as weekend days: draw, and keep a weekend moment one time in three.
    moments = []
    while len(moments) < appeals:
        t = rng.random() * span
        moment = now - datetime.timedelta(seconds=t)
        if moment.astimezone(tz).weekday() >= 5 and rng.random() >= 1 / 3:
            continue
        moments.append(t)
    moments.sort(reverse=True)  # oldest first
    n_members = len(member_ids)
    for i, seconds_ago in enumerate(moments):
        submitted = now - datetime.timedelta(seconds=seconds_ago)
        category = _pick(rng, categories, cat_edges)
        kind = _pick(rng, kinds, kind_edges)
        m = rng.randrange(n_members)
        member_id, unit_id = member_ids[m], member_units[m]
        branch_id, branch_path = branch_of[unit_id]
        anonymous = rng.random() < 0.2
        if anonymous:  # an anonymous appeal's time is kept to the hour
            submitted = submitted.replace(minute=0, second=0, microsecond=0)
        title, word = rng.choice(TEXTS[category])
        detail = rng.choice(DETAILS)
        ack_due, answer_due = deadlines.due(submitted, 1, 7)
        row = {
            "kind": kind,
            "category": category,
            "title": title,
            "body": f"{title}{detail}具体情况：{title}，涉及本班组多名职工，请相关部门核实处理。",
            "is_anonymous": anonymous,
            "member_id": None if anonymous else member_id,
            "unit_id": branch_id if anonymous else unit_id,
            "unit_path": branch_path if anonymous else units[unit_id][0],
            "branch_id": branch_id,
            "code_digest": hashlib.sha256(f"bench-{seed}-{i}".encode()).hexdigest() if anonymous else None,
            "handler_id": None,
            "department_id": departments.get(union_of[branch_id]) if category == "canteen" else None,
            "escalation_unit_id": None,
            "escalation_level": 0,
            "escalated_at": None,
            "status": "closed",
            "submitted_at": submitted,
            "acknowledge_due": ack_due,
            "answer_due": answer_due,
            "acknowledged_at": None,
            "closed_at": None,
            "reopen_until": None,
            "reopen_count": 0,
            "last_reminded_at": None,
            "rating_score": None,
            "keywords": [word, category_word(category)],
        }
        # Handling time in days.
        share = rng.random()
        if share < 0.85:
            took = math.exp(rng.gauss(math.log(3), 0.8))
        elif share < 0.95:
            took = rng.uniform(7, 30)
        else:
            took = rng.uniform(30, 300)
        acked = submitted + datetime.timedelta(days=min(took, math.exp(rng.gauss(math.log(0.5), 0.7))))
        done = submitted + datetime.timedelta(days=took)
        if rng.random() < 0.02:
            row["status"] = "withdrawn"
            row["closed_at"] = min(now, submitted + datetime.timedelta(days=rng.uniform(0, 2)))
        elif done <= now:
            row.update(acknowledged_at=acked, closed_at=done, reopen_until=done + 15 * DAY)
            if rng.random() < 0.6:
                row["rating_score"] = _pick(rng, ratings, rating_edges)
            if now - done < 15 * DAY and rng.random() < 0.01:
                row.update(status="reopened", reopen_count=1, answer_due=deadlines.due(done, 1, 7)[1])
        else:
            row["status"] = "acknowledged" if acked <= now else "submitted"
            if acked <= now:
                row["acknowledged_at"] = acked
        if row["status"] in ("submitted", "acknowledged", "reopened") and row["answer_due"] < now:
            late = now - row["answer_due"]
            union_id = union_of[branch_id]
            if late > 10 * DAY and union_id != root:
                row.update(escalation_unit_id=root, escalation_level=2, escalated_at=row["answer_due"] + 10 * DAY)
            else:
                row.update(escalation_unit_id=union_id, escalation_level=1, escalated_at=row["answer_due"])
            row["last_reminded_at"] = row["answer_due"]
        yield row


def category_word(category: str) -> str:
    return {"welfare": "福利", "canteen": "食堂", "wages": "工资", "safety": "安全", "commuting": "通勤",
            "dormitory": "宿舍", "training": "培训", "rights": "权益", "other": "建议"}[category]  # fmt: skip


def write(rows, batch: int, progress) -> int:
    """COPY (PostgreSQL) or bulk_create (SQLite) the rows; returns how many."""
    from django.db import connection, transaction

    from unionhome.voices.models import Appeal

    fields = [f for f in Appeal._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    written = 0
    started = time.monotonic()
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            sql = f"COPY voices_appeal ({', '.join(columns)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(
                        [
                            json.dumps(row["keywords"], ensure_ascii=False)
                            if f.attname == "keywords"
                            else row.get(f.attname, f.get_default())
                            for f in fields
                        ]  # fmt: skip
                    )
                    written += 1
                    if progress and written % 200_000 == 0:
                        progress(written, time.monotonic() - started)
        return written
    chunk: list = []
    for row in rows:
        chunk.append(Appeal(**{f.attname: row.get(f.attname, f.get_default()) for f in fields}))
        if len(chunk) >= batch:
            Appeal.objects.bulk_create(chunk)
            written += len(chunk)
            chunk = []
            if progress:
                progress(written, time.monotonic() - started)
    Appeal.objects.bulk_create(chunk)
    return written + len(chunk)


def _volumes(cursor) -> None:
    """AppealVolume and TopicVolume from the branch counts: one ``INSERT … SELECT`` per level of the tree
    (and per category, then for all) with the path cut to that level."""
    from django.db import connection

    from unionhome.org.models import OrgUnit
    from unionhome.voices.models import AppealVolume, TopicVolume

    AppealVolume.objects.all().delete()
    TopicVolume.objects.all().delete()
    step = OrgUnit.steplen
    if connection.vendor == "postgresql":
        week = "date_trunc('week', c.day)::date"
    else:
        week = "date(c.day, '-6 days', 'weekday 1')"
    cursor.execute("SELECT MAX(LENGTH(unit_path)) FROM voices_appealcount")
    levels = (cursor.fetchone()[0] or 0) // step
    for level in range(1, levels + 1):
        path, parent = f"SUBSTR(c.unit_path, 1, {level * step})", f"SUBSTR(c.unit_path, 1, {(level - 1) * step})"
        deep_enough = f"LENGTH(c.unit_path) >= {level * step}"
        for category, grouped in (("c.category", ", c.category"), ("''", "")):  # PostgreSQL groups by no constant
            cursor.execute(
                f"""INSERT INTO voices_appealvolume (unit_path, parent_path, category, week, count)
                    SELECT {path}, {parent}, {category}, {week}, SUM(c.count) FROM voices_appealcount c
                    WHERE {deep_enough} GROUP BY {path}, {parent}{grouped}, {week}"""
            )
        cursor.execute(
            f"""INSERT INTO voices_topicvolume (unit_path, word, month, count)
                SELECT {path}, c.word, c.month, SUM(c.count) FROM voices_topiccount c
                WHERE {deep_enough} GROUP BY {path}, c.word, c.month"""
        )


def rollups(seed: int, now: datetime.datetime) -> dict:
    """AppealCount and TopicCount from the appeals (in local days and months), and first-signal alerts
    for about one branch in a hundred, in one of the last 8 weeks."""
    from django.conf import settings
    from django.db import connection, transaction

    from unionhome.voices.models import AppealCount, AppealVolume, SignalAlert, TopicCount, TopicVolume

    tz = settings.TIME_ZONE
    with transaction.atomic(), connection.cursor() as cursor:
        AppealCount.objects.all().delete()
        TopicCount.objects.all().delete()
        if connection.vendor == "postgresql":
            day = f"(a.submitted_at AT TIME ZONE '{tz}')::date"
            month = f"date_trunc('month', a.submitted_at AT TIME ZONE '{tz}')::date"
            words = "jsonb_array_elements_text(a.keywords::jsonb) AS w(word)"
        else:
            offset = datetime.datetime.now(ZoneInfo(tz)).utcoffset().total_seconds() / 3600
            day = f"date(a.submitted_at, '{offset:+.0f} hours')"
            month = f"date(a.submitted_at, '{offset:+.0f} hours', 'start of month')"
            words = "json_each(a.keywords) AS w"
        word = "w.word" if connection.vendor == "postgresql" else "w.value"
        cursor.execute(
            f"""INSERT INTO voices_appealcount (branch_id, unit_path, category, day, count)
                SELECT a.branch_id, b.path, a.category, {day}, COUNT(*)
                FROM voices_appeal a JOIN org_orgunit b ON b.id = a.branch_id
                GROUP BY a.branch_id, b.path, a.category, {day}"""
        )
        cursor.execute(
            f"""INSERT INTO voices_topiccount (branch_id, unit_path, category, word, month, count)
                SELECT a.branch_id, b.path, a.category, {word}, {month}, COUNT(*)
                FROM voices_appeal a JOIN org_orgunit b ON b.id = a.branch_id, {words}
                GROUP BY a.branch_id, b.path, a.category, {word}, {month}"""
        )
        _volumes(cursor)
        SignalAlert.objects.all().delete()
        rng = random.Random(seed + 1)
        today = now.astimezone(ZoneInfo(tz)).date()
        monday = today - datetime.timedelta(days=today.weekday())
        branches = list(
            AppealCount.objects.order_by().values_list("branch_id", "unit_path").distinct().iterator(chunk_size=5000)
        )
        alerts = []
        for branch_id, path in branches:
            if rng.random() < 0.01:
                category = rng.choice([c for c, _w in CATEGORIES])
                week = monday - datetime.timedelta(weeks=rng.randrange(8))
                alerts.append(
                    SignalAlert(
                        branch_id=branch_id,
                        unit_path=path,
                        category=category,
                        week_start=week,
                        count=rng.randrange(8, 20),
                        baseline=rng.uniform(1, 3),
                    )  # fmt: skip
                )
        SignalAlert.objects.bulk_create(alerts, batch_size=2000, ignore_conflicts=True)
    return {
        "appeal_counts": AppealCount.objects.count(),
        "topic_counts": TopicCount.objects.count(),
        "appeal_volumes": AppealVolume.objects.count(),
        "topic_volumes": TopicVolume.objects.count(),
        "alerts": SignalAlert.objects.count(),
    }


def build(*, appeals: int, seed: int = 5, batch: int = 5000, progress=None) -> dict:
    """Write ``appeals`` appeals and their rollups into the current database (see the module doc)."""
    from django.conf import settings
    from django.utils import timezone

    started = time.monotonic()
    now = timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    setup = _setup(now)
    deadlines = Deadlines(tz)  # reads the calendar now: no query may run while the rows are copied
    written = write(generate(appeals, seed=seed, now=now, setup=setup, deadlines=deadlines), batch, progress)
    appeals_seconds = time.monotonic() - started
    counts = rollups(seed, now)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE voices_appeal, voices_appealcount, voices_topiccount, voices_signalalert")
    return {
        "appeals": written,
        "seed": seed,
        "built_at": now.isoformat(),
        "appeals_seconds": round(appeals_seconds, 1),
        "seconds": round(time.monotonic() - started, 1),
        **counts,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.voices_scale_data", description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionhome.settings")
    import django

    django.setup()

    def progress(done: int, seconds: float) -> None:
        print(f"  {done:,} appeals written ({seconds:.0f} s)", file=sys.stderr, flush=True)

    result = build(appeals=args.appeals, seed=args.seed, progress=progress)
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out)
    print(json.dumps(result), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
