"""The demo's notification settings: preferences for demo accounts and a switched-off example robot."""

import random

from tests import factories
from unionhome.demo import notify_data
from unionhome.notify.models import Delivery, Preferences, Robot
from unionhome.notify.services.robots import robot_announce


def test_demo_preferences_and_a_robot_that_calls_no_one(union):
    users = {name: factories.user(name) for name in ("demo-cadre", "demo-chair", "demo-member", "demo-admin")}
    counts = notify_data.build(union=union["union"], users_by_username=users, rng=random.Random(1))
    assert counts == {"preferences": 2, "robots": 1}
    cadre = Preferences.objects.get(user=users["demo-cadre"])
    assert cadre.quiet_start.hour == 22 and cadre.groups["congress"]["digest"] is True
    robot = Robot.objects.get()
    assert robot.enabled is False and "00000000-0000" in robot.webhook
    assert robot_announce(unit=union["s1"], kind="voices.appeal.routed", title="x", text="y") == []
    assert not Delivery.objects.exists()
    notify_data.build(union=union["union"], users_by_username=users, rng=random.Random(1))  # again: no duplicates
    assert Robot.objects.count() == 1 and Preferences.objects.count() == 2
