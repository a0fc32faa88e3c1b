"""The notification storm's sender: recipients whose preferences send to a group robot, then N notifications
through ``notify.services.notification_send``, as the application's services send them.

Run as ``python -m bench.voices_notify_data --robot URL --count 10000 --users 100 --first 0 --out FILE``
with the benchmark's environment (DATABASE_URL or UNIONHOME_SQLITE_PATH, after ``manage.py migrate``).
It makes (or reuses) ``--users`` accounts ``ns-user-NNNN`` without an email address; four in five send to a
WeCom robot, one in five to a DingTalk robot with a signing secret, both at ``--robot`` (the local robot
of ``bench.voices_webhook``, whose host the benchmark's settings allow). Then it sends the notifications,
``--batch`` per transaction (each commit queues its deliveries' tasks), round-robin over the users, each
with a unique marker ``NS-NNNNNN`` in its title so that the robot can count every message. Writes
``{"first_enqueue": t, "last_enqueue": t, "markers": [...], "users": n}`` (wall-clock times) to FILE.
"""

import argparse
import json
import os
import sys
import time

USERNAME = "ns-user-{:04d}"
KIND = "voices.appeal.reminder"


def recipients(users: int, robot: str) -> list:
    """``users`` accounts, each with its robot webhook at ``robot`` (set again on every run: the robot's
    port changes)."""
    from django.db import transaction

    from unionhome.accounts.models import User
    from unionhome.notify.models import Preferences

    people = []
    with transaction.atomic():
        for i in range(users):
            user, created = User.objects.get_or_create(
                username=USERNAME.format(i + 1), defaults={"display_name": f"压测接收人{i + 1}"}
            )
            if created:
                user.set_unusable_password()
                user.save()
            dingtalk = i % 5 == 4
            fields = {
                "wecom_webhook": "" if dingtalk else f"{robot}/cgi-bin/webhook/send?key=bench-wecom-{i + 1:04d}",
                "dingtalk_webhook": f"{robot}/robot/send?access_token=bench-ding-{i + 1:04d}" if dingtalk else "",
                "dingtalk_secret": f"SECbench{i + 1:04d}" if dingtalk else "",
            }
            Preferences.objects.update_or_create(user=user, defaults=fields)
            people.append(user)
    return people


def marker(n: int) -> str:
    return f"NS-{n:06d}"


def send(people: list, *, count: int, first: int, batch: int) -> dict:
    from django.db import transaction

    from unionhome.notify.services import notification_send

    markers = [marker(first + i) for i in range(count)]
    started = time.time()
    for start in range(0, count, batch):
        with transaction.atomic():
            for i in range(start, min(start + batch, count)):
                notification_send(
                    recipient=people[i % len(people)],
                    kind=KIND,
                    title=f"{markers[i]} 职工诉求即将超期，请及时答复",
                    body="第一检验站分工会：职工反映食堂饭菜偏咸（SQ0001234），答复期限明天到期。",
                    url="/voices/queue/",
                    dedupe_key=f"bench-storm-{markers[i]}",
                )
    return {"first_enqueue": started, "last_enqueue": time.time(), "markers": markers, "users": len(people)}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.voices_notify_data", description=__doc__.splitlines()[0])
    parser.add_argument("--robot", required=True, help="the local robot's base URL, http://127.0.0.1:PORT")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--first", type=int, default=0, help="the first marker number (unique per scenario)")
    parser.add_argument("--batch", type=int, default=100, help="notifications per transaction")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.voices_notify_settings")
    import django

    django.setup()
    people = recipients(args.users, args.robot)
    result = send(people, count=args.count, first=args.first, batch=args.batch)
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
