"""The voices demo data: routing, deadlines and appeals in every state, on a small union."""

import random

from django.utils import timezone

from unionhome.demo import voices_data
from unionhome.org.models import Member
from unionhome.satisfaction.models import Rating
from unionhome.voices.models import Appeal, AppealCount, CategoryPolicy, RoutingRule
from unionhome.voices.selectors.appeals import appeal_by_code, appeal_prompts


def test_the_demo_appeals(people, union, settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path
    members = list(Member.objects.all())
    made = voices_data.build(
        union=union["union"], members=members, users_by_username={"demo-member": people["member"]}, rng=random.Random(7)
    )
    assert made["appeals"] == Appeal.objects.count() == 40 and made["anonymous"] == 10
    assert set(RoutingRule.objects.values_list("category", "department__name")) == {
        ("canteen", "后勤服务中心"),
        ("safety", "安全环保部"),
        ("wages", "人力资源部"),
    }
    assert CategoryPolicy.objects.get(category="safety").answer_days == 3
    assert not Appeal.objects.filter(is_anonymous=True, member__isnull=False).exists()
    assert all(a.submitted_at.minute == 0 for a in Appeal.objects.filter(is_anonymous=True))
    statuses = set(Appeal.objects.values_list("status", flat=True))
    assert {"submitted", "acknowledged", "closed", "reopened", "withdrawn"} <= statuses
    now = timezone.now()
    overdue = [a for a in Appeal.objects.filter(status__in=Appeal.OPEN_STATUSES) if a.answer_due < now]
    assert overdue
    assert Rating.objects.filter(service_line="appeals").count() == made["rated"] > 10
    assert appeal_by_code(voices_data.DEMO_CODE, client="demo").is_anonymous
    prompts = appeal_prompts(people["member"])
    assert len(prompts) == 1
    assert sum(AppealCount.objects.values_list("count", flat=True)) == 40
    assert voices_data.build(union=union["union"], members=members, users_by_username={}, rng=random.Random(7)) == {
        "appeals": 0
    }
