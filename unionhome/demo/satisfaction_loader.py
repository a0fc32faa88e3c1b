"""The reference union's satisfaction data: two years of rated appeals with the dashboard's story
(``satisfaction_data``) and its surveys (``surveys_data``). Loaded after the assistance centre, so that the
first-signal job that ends it sees every rating."""

import random

from django.db import transaction

from unionhome.accounts.models import User
from unionhome.demo import satisfaction_data, surveys_data
from unionhome.org.models import Member, OrgUnit


@transaction.atomic
def load_satisfaction(*, seed: int, union: OrgUnit, members: list[Member]) -> dict[str, int]:
    """Build it all for ``union`` (the reference union); returns the counts of what was made."""
    users = {user.username: user for user in User.objects.filter(username__startswith="demo-").select_related("member")}
    made = {
        f"surveys_{k}": v
        for k, v in surveys_data.build(
            union=union, users_by_username=users, rng=random.Random(f"{seed}-surveys")
        ).items()
    }
    rng = random.Random(f"{seed}-satisfaction")
    return made | satisfaction_data.build(union=union, members=members, users_by_username=users, rng=rng)
