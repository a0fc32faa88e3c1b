"""Follow-up and effectiveness review (跟踪问效): scheduling, recording, reminders and escalation."""

import datetime

from unionhome.assistance.models import Assistance, AssistanceSettings, FollowUp, default_follow_up_days


def follow_ups_schedule(*, assistance: Assistance) -> list[FollowUp]:
    """Create the follow-ups of a just-delivered assistance, one per day count in the union's settings.

    Called inside the delivering service's transaction (no permission check of its own)."""
    rules = AssistanceSettings.objects.filter(union_id=assistance.member.union_id).first()
    days = sorted(set(rules.follow_up_days if rules else default_follow_up_days()))
    start = assistance.delivered_on or datetime.date.today()
    return FollowUp.objects.bulk_create(
        FollowUp(
            assistance=assistance,
            unit_path=assistance.unit_path,
            sequence=n,
            due_on=start + datetime.timedelta(days=d),
            responsible_id=assistance.responsible_id,
        )
        for n, d in enumerate(days, start=1)
    )
