"""Records for the sessions tests: more terms, sessions, members and representatives beside the
``congress`` fixture (unionhome/congress/tests/conftest.py)."""

import datetime
import itertools

from django.utils import timezone

from tests import factories
from unionhome.congress.models import Congress, CongressSession, Delegation, Representative

_names = itertools.count(1)


def member(unit, name: str | None = None, *, gender: str = "M", **fields):
    return factories.member(unit, name or f"新代表{next(_names)}", gender=gender, **fields)


def session(term: Congress, *, number: int, status: str = "planned", days: int = 0) -> CongressSession:
    starts = timezone.now() + datetime.timedelta(days=days)
    return CongressSession.objects.create(
        congress=term,
        unit_path=term.unit_path,
        number=number,
        title=f"{term.name}第{number}次会议",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=8),
        status=status,
    )


def other_term(union_unit, *, number: int = 2) -> Congress:
    today = timezone.localdate()
    return Congress.objects.create(
        unit=union_unit,
        unit_path=union_unit.path,
        number=number,
        name=f"第{number}届职工代表大会",
        starts_on=today - datetime.timedelta(days=2000),
        ends_on=today - datetime.timedelta(days=400),
    )


def seat(term: Congress, unit, member, *, quota: int = 10, category: str = "front_line") -> Representative:
    delegation, _ = Delegation.objects.get_or_create(
        congress=term, unit=unit, defaults={"unit_path": unit.path, "quota": quota}
    )
    return Representative.objects.create(
        congress=term,
        delegation=delegation,
        member=member,
        unit_path=delegation.unit_path,
        category=category,
        elected_on=term.starts_on,
    )
