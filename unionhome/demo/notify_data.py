"""Demo notification settings: sensible preferences for the demo accounts and a unit robot that calls no one.

``build(union=..., users_by_username=..., rng=...)`` (the loader passes the demo users by username):

* ``demo-cadre``: quiet hours 22:00–07:00, congress events in the daily digest at 18:00, everything else
  at once (to the channels they set up: none by default, so the inbox only until they add one);
* ``demo-chair``: hardship-assistance and disclosure events in the digest at 08:00;
* ``demo-member``: the defaults (everything at once to any channel set up);
* a **switched-off** WeCom robot on the union, taking workers' appeals of the whole union, with an example
  address (``key=00000000-0000-0000-0000-000000000000``): it is never called; an admin pastes the real
  address and switches it on at /notify/robots/.

Nothing here adds an email address or a personal webhook, so loading the demo sends nothing anywhere.
"""

import datetime
import random

from unionhome.notify.models import Preferences, Robot
from unionhome.org.models import OrgUnit

EXAMPLE_WEBHOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=00000000-0000-0000-0000-000000000000"


def build(*, union: OrgUnit, users_by_username: dict, rng: random.Random) -> dict[str, int]:
    preferences = {
        "demo-cadre": {
            "quiet_start": datetime.time(22),
            "quiet_end": datetime.time(7),
            "digest_hour": 18,
            "groups": {"congress": {"channels": ["email", "wecom", "dingtalk"], "digest": True}},
        },
        "demo-chair": {
            "digest_hour": 8,
            "groups": {
                "assistance": {"channels": ["email", "wecom", "dingtalk"], "digest": True},
                "disclosure": {"channels": ["email", "wecom", "dingtalk"], "digest": True},
            },
        },
    }
    made = 0
    for username, fields in preferences.items():
        user = users_by_username.get(username)
        if user is None:
            continue
        Preferences.objects.update_or_create(user=user, defaults=fields)
        made += 1
    robot, _ = Robot.objects.get_or_create(
        unit=union,
        name="工会职工诉求群（示例）",
        defaults={
            "unit_path": union.path,
            "platform": "wecom",
            "webhook": EXAMPLE_WEBHOOK,
            "groups": ["voices"],
            "include_subtree": True,
            "enabled": False,
            "created_by": users_by_username.get("demo-admin"),
        },
    )
    return {"preferences": made, "robots": 1 if robot else 0}
