"""The first-signal demo: ten weeks of background counts and one canteen spike that raises an alert."""

import random

from unionhome.demo import voices_signals
from unionhome.voices.models import AppealCount, SignalAlert, TopicCount


def test_the_demo_builds_history_and_one_alert(voices):
    union = voices["union"]
    result = voices_signals.build(union=union["union"], rng=random.Random(5))
    assert result["raised"] == 1 and result["history"] > 20
    alert = SignalAlert.objects.get()
    assert (alert.branch, alert.category, alert.count) == (union["s1"], "canteen", 7)
    assert AppealCount.objects.filter(branch=union["s2"]).exists()
    assert TopicCount.objects.filter(word="饭菜").exists()
