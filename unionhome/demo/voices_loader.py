"""The reference union's workers' voices (appeals, routing, first-signal history) and the demo users'
notification preferences. Small data, written through the ORM and the services."""

import random

from django.db import transaction

from unionhome.accounts.models import User
from unionhome.demo import notify_data, voices_data, voices_signals
from unionhome.org.models import Member, OrgUnit


@transaction.atomic
def load_voices(*, seed: int, union: OrgUnit, members: list[Member]) -> dict[str, int]:
    """Build it all for ``union`` (the reference union); returns the counts of what was made."""
    users = {user.username: user for user in User.objects.filter(username__startswith="demo-").select_related("member")}
    made = voices_data.build(union=union, members=members, users_by_username=users, rng=random.Random(f"{seed}-voices"))
    made |= {
        f"signals_{k}": v for k, v in voices_signals.build(union=union, rng=random.Random(f"{seed}-signals")).items()
    }
    made |= {
        f"notify_{k}": v
        for k, v in notify_data.build(union=union, users_by_username=users, rng=random.Random(f"{seed}-notify")).items()
    }
    return made
