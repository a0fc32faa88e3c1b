"""First-signal demo data for the reference union: ten weeks of history on the dashboard and one spike.

What is added, on top of the counts the demo appeals already keep (``voices_data`` calls
``appeal_counted`` for each of its appeals), so that the dashboard has something to show:

* **Background history** (``AppealCount``, and the ``AppealVolume`` of the branch and the units above):
  for every branch below the union and seven categories (canteen, wages, welfare, commuting, safety,
  dormitory, training), the ten full weeks before this one,
  0 to 2 appeals a week per branch and category on working days (drawn from ``rng``: the same every run).
  These stand for appeals older than the demo's appeals; no ``Appeal`` rows are written for them.
* **Background topics** (``TopicCount`` and ``TopicVolume``): for the same counts, one or two topic words
  of the category (饭菜, 夜班补贴, 班车…) per appeal, by month.
* **One spike**: the first station's canteen gets 7 appeals this week (from Monday up to today), with
  the words 饭菜, 分量 and 排队; then the first-signal job runs once (``signals_raise``), which raises
  its alert and puts it in the inboxes of the station's supervisors and the union's chair.
"""

import datetime
import random

from django.utils import timezone

from unionhome.org.models import OrgUnit
from unionhome.voices.counting import appeals_counted, words_counted
from unionhome.voices.first_signal import week_start
from unionhome.voices.services.signals import signals_raise

HISTORY_WEEKS = 10
SPIKE = 7
WORDS = {
    "canteen": ["饭菜", "食堂", "排队", "分量"],
    "wages": ["夜班补贴", "绩效工资", "加班费"],
    "welfare": ["体检", "高温津贴", "劳保用品"],
    "commuting": ["班车", "通勤车", "停车场"],
    "safety": ["防护用品", "安全帽", "通风"],
    "dormitory": ["宿舍", "热水器", "空调"],
    "training": ["技能培训", "技能鉴定", "职称评审"],
}


def build(*, union: OrgUnit, rng: random.Random) -> dict[str, int]:
    """Write the first-signal demo for ``union``; returns what was added and raised."""
    today = timezone.localdate()
    this_week = week_start(today)
    branches = list(
        OrgUnit.objects.filter(path__startswith=union.path, depth=union.depth + 1, kind=OrgUnit.Kind.BRANCH).order_by(
            "path"
        )
    )
    added = 0
    for branch in branches:
        for category, words in WORDS.items():
            for weeks_ago in range(HISTORY_WEEKS, 0, -1):
                n = rng.choice((0, 0, 0, 1, 1, 2))
                if not n:
                    continue
                day = this_week - datetime.timedelta(weeks=weeks_ago) + datetime.timedelta(days=rng.randrange(5))
                appeals_counted(branch, category, day, n)
                for _ in range(n):
                    words_counted(branch, category, day, rng.sample(words, rng.choice((1, 2))))
                added += n
    if branches:
        station = branches[0]
        days = (today - this_week).days + 1
        for i in range(SPIKE):
            day = this_week + datetime.timedelta(days=i % days)
            appeals_counted(station, "canteen", day)
            words_counted(station, "canteen", day, ("饭菜", "分量", "排队") if i % 2 else ("饭菜", "食堂"))
    result = signals_raise(today=today)
    return {"history": added, "spike": SPIKE if branches else 0, **result}
