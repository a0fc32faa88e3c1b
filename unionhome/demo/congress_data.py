"""The reference union's democratic life: its congress (term, sessions, representatives checked in,
departments), motions and votes, disclosure notices, proposals, and a decision followed from its
opinion call to its implementation. Small data, written through the ORM and the services."""

import random

from django.db import transaction

from unionhome.congress.models import CongressSession
from unionhome.demo import congress_decisions, congress_proposals, congress_sessions, congress_votes, disclosure_data
from unionhome.org.models import Member, OrgUnit


@transaction.atomic
def load_congress(*, seed: int, union: OrgUnit, members: list[Member]) -> CongressSession:
    """Build it all for ``union`` (the reference union); returns the session in progress."""
    session = congress_sessions.build(union=union, members=members, rng=random.Random(f"{seed}-congress"))
    congress_votes.build(union=union, session=session, rng=random.Random(f"{seed}-votes"))
    congress_proposals.build(union=union, session=session, rng=random.Random(f"{seed}-proposals"))
    disclosure_data.build(union=union, session=session, rng=random.Random(f"{seed}-disclosure"))
    congress_decisions.build(union=union, session=session, rng=random.Random(f"{seed}-decisions"))
    return session
