"""The daily sweep reminds the visiting cadres of a visit the day before it is due and once when it falls
overdue: once each, never for a visit done, and through the worker (not a page view)."""

from django.utils import timezone

from unionhome.assistance import tasks
from unionhome.assistance.models import Visit
from unionhome.assistance.services.visit_reminders import visits_remind
from unionhome.assistance.tests.visit_records import due_visit
from unionhome.notify.models import Notification


def titles(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("title", flat=True))


def test_due_tomorrow_and_overdue_since_yesterday_each_once(people, settings):
    settings.LANGUAGE_CODE = "en"  # reminders are written in the site's language
    today = timezone.localdate()
    tomorrow = due_visit(people["member_record"], due_in=1)
    late = due_visit(people["other_s1"], due_in=-1, reason="生育")
    due_visit(people["member_record"], due_in=5)  # not yet
    due_visit(people["other_s1"], due_in=-3)  # reminded when it fell overdue, not every day
    done = due_visit(people["other_s1"], due_in=1)
    Visit.objects.filter(pk=done.pk).update(status=Visit.Status.DONE, visited_on=today)

    assert visits_remind(today=today) == 2
    assert visits_remind(today=today) == 0  # a second run sends nothing more
    sent = titles(people["cadre"])  # station 1's branch cadre visits
    assert len(sent) == 2
    assert any(tomorrow.due_by.isoformat() in t and "张三" in t and "tomorrow" in t for t in sent)
    assert any(late.due_by.isoformat() in t and "李四" in t and "overdue" in t for t in sent)
    assert titles(people["cadre2"]) == []  # station 2's cadre hears nothing of station 1


def test_the_daily_task_runs_the_visit_reminders(transactional_db, people, run_tasks, settings):
    settings.LANGUAGE_CODE = "en"
    today = timezone.localdate()
    due_visit(people["member_record"], due_in=1)
    tasks.assistance_daily.enqueue(today.isoformat())
    run_tasks()
    assert [n.kind for n in Notification.objects.filter(recipient=people["cadre"])] == ["assistance.visit_due"]
    assert "unionhome.assistance.services.visit_reminders.visits_remind" in tasks.DAILY_SWEEPS
