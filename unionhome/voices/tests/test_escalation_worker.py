"""The appeals sweep run by the real task worker on committed data."""

import datetime

import pytest
from django.utils import timezone

from unionhome.notify.models import Notification
from unionhome.voices.tasks import voices_hourly
from unionhome.voices.tests.records import appeal_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _committed(transactional_db, settings):
    settings.LANGUAGE_CODE = "en"


def test_the_task_escalates_once_however_often_it_runs(voices, run_tasks):
    monday = timezone.make_aware(datetime.datetime(2025, 3, 10, 10))
    appeal = appeal_of(voices["member_record"], category="canteen", submitted_at=monday)
    for _ in range(2):
        voices_hourly.enqueue(timezone.make_aware(datetime.datetime(2025, 3, 11, 10, 30)).isoformat())
        run_tasks()
    appeal.refresh_from_db()
    assert (appeal.escalation_level, appeal.escalation_unit) == (1, voices["union"]["s1"])
    assert Notification.objects.filter(recipient=voices["cadre"], kind="voices.appeal.escalated").count() == 1
    assert Notification.objects.filter(recipient=voices["canteen_handler"], kind="voices.appeal.due").count() == 1
