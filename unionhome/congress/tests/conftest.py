"""Fixtures for the congress: a term with two delegations and eight seated representatives (each with a
login), a session in progress, the congress office, the proposal committee and a handling department."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from unionhome.congress.models import (
    Congress,
    CongressSession,
    Delegation,
    HandlingDepartment,
    Representative,
)

REP_NAMES = ["赵一", "钱二", "孙三", "李四四", "周五", "吴六", "郑七", "王八"]


@pytest.fixture
def congress(union, people):
    """``people`` plus a congress term of the union, its first session (in progress, nobody checked in),
    representatives ``reps`` (8 seated: 4 from station 1, 4 from station 2; users ``rep_users``, same
    order), the congress office ``office``, a proposal-committee member ``committee``, and a handling
    department ``department`` whose handler is ``handler``."""
    today = timezone.localdate()
    now = timezone.now()
    term = Congress.objects.create(
        unit=union["union"],
        unit_path=union["union"].path,
        number=3,
        name="技术中心第三届职工代表大会",
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today + datetime.timedelta(days=700),
    )
    delegations = {
        key: Delegation.objects.create(congress=term, unit=union[key], unit_path=union[key].path, quota=4)
        for key in ("s1", "s2")
    }
    reps, rep_users = [], []
    for i, name in enumerate(REP_NAMES):
        key = "s1" if i < 4 else "s2"
        group = union["g11"] if key == "s1" else union["g21"]
        member = factories.member(group, name, gender="F" if i % 3 == 0 else "M")
        rep = Representative.objects.create(
            congress=term,
            delegation=delegations[key],
            member=member,
            unit_path=delegations[key].unit_path,
            category=Representative.Category.MANAGEMENT if i == 7 else Representative.Category.FRONT_LINE,
            elected_on=term.starts_on,
        )
        reps.append(rep)
        rep_users.append(factories.user(f"rep{i + 1}", member=member, roles=(("representative", union[key]),)))
    session = CongressSession.objects.create(
        congress=term,
        unit_path=term.unit_path,
        number=2,
        title="技术中心第三届职代会第二次会议",
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=6),
        venue="中心会议室",
        status=CongressSession.Status.IN_PROGRESS,
        proposals_close_at=now + datetime.timedelta(days=10),
    )
    handler = factories.user("handler", display_name="人力资源部 刘办")
    department = HandlingDepartment.objects.create(
        unit=union["union"], unit_path=union["union"].path, name="人力资源部"
    )
    department.handlers.add(handler)
    return {
        **people,
        "union": union,
        "today": today,
        "term": term,
        "session": session,
        "delegations": delegations,
        "reps": reps,
        "rep_users": rep_users,
        "office": factories.user("office", roles=(("congress_office", union["union"]),)),
        "committee": factories.user("committee", roles=(("proposal_committee", union["union"]),)),
        "department": department,
        "handler": handler,
    }
