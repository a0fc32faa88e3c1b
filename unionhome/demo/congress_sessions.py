"""Demo data of the workers' congress: the reference union's 3rd term (第三届职工代表大会) with one delegation
per branch, representatives of a realistic composition, two sessions (the first closed, the second in
progress today with everyone checked in) and the handling departments with their handlers.

Written through the ORM in bulk, like the rest of the demo (no per-row services or audit events); the
lead's loader calls ``build`` after the roster and the demo accounts exist.
"""

import datetime
import math
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from unionhome.access.models import RoleAssignment
from unionhome.accounts.models import User
from unionhome.congress.models import CheckIn, Congress, CongressSession, Delegation, HandlingDepartment, Representative
from unionhome.org.models import Member, OrgUnit

TERM_NUMBER = 3
MEMBERS_PER_SEAT = 10
MIN_SEATS = 3
FRONT_LINE_SHARE = 0.65  # of each delegation's seats, at least
DEPARTMENTS = ("人力资源部", "安全环保部", "后勤服务中心", "财务部")
HANDLERS_PER_DEPARTMENT = 2
# Trades and the representative category they fall in.
FRONT_LINE_JOBS = {"inspector", "analyst", "sampler", "logistics"}
MANAGEMENT_JOBS = {"manager"}

Category = Representative.Category


def category_of(member: Member) -> str:
    if member.job_category in MANAGEMENT_JOBS:
        return Category.MANAGEMENT
    if member.job_category in FRONT_LINE_JOBS:
        return Category.FRONT_LINE
    return Category.TECHNICAL


def quota_for(active_members: int) -> int:
    """About one seat per ten members, at least three."""
    return max(MIN_SEATS, round(active_members / MEMBERS_PER_SEAT))


def _slots(quota: int, rng: random.Random, women_share: float) -> list[tuple[str, str]]:
    """(category, gender) for each seat: front-line ≥ 65%, at most one manager (none below 5 seats), the
    rest technical staff; women in about their share of the branch's workforce."""
    management = 1 if quota >= 5 else 0
    front = max(math.ceil(quota * FRONT_LINE_SHARE), quota - management - max(1, quota // 5))
    technical = quota - front - management
    categories = [Category.MANAGEMENT] * management + [Category.FRONT_LINE] * front + [Category.TECHNICAL] * technical
    women = round(quota * women_share)
    genders = ["F"] * women + ["M"] * (quota - women)
    rng.shuffle(genders)
    return list(zip(categories, genders, strict=True))


def _pick(pool: list[Member], category: str, gender: str, rng: random.Random) -> Member | None:
    for fits in (
        lambda m: category_of(m) == category and m.gender == gender,
        lambda m: category_of(m) == category,
        lambda m: category_of(m) != Category.MANAGEMENT,
        lambda m: True,
    ):
        choices = [m for m in pool if fits(m)]
        if choices:
            chosen = rng.choice(choices)
            pool.remove(chosen)
            return chosen
    return None


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@transaction.atomic
def build(*, union: OrgUnit, members: list[Member], rng: random.Random) -> CongressSession:
    """Build the term, its delegations, representatives, sessions, check-ins and departments; return the
    session in progress (第二次会议), where ``demo-rep`` sits for 第一检验站."""
    today = timezone.localdate()
    now = timezone.now()
    active = [m for m in members if m.status == Member.Status.ACTIVE and m.unit_path.startswith(union.path)]
    women_share = sum(m.gender == "F" for m in active) / len(active) if active else 0.3
    term = Congress.objects.create(
        unit=union,
        unit_path=union.path,
        number=TERM_NUMBER,
        name=f"{union.name.removesuffix('工会')}第三届职工代表大会",
        starts_on=today - datetime.timedelta(days=420),
        ends_on=today - datetime.timedelta(days=420) + datetime.timedelta(days=5 * 365),
        min_front_line_percent=55,
        min_women_percent=max(0, math.floor(women_share * 100) - 5),
        max_management_percent=15,
    )
    demo_rep = User.objects.filter(username="demo-rep").select_related("member").first()
    # Members elected by their branch (the loader's "representative" accounts) keep their seat here.
    elected = set(
        RoleAssignment.objects.filter(role="representative", user__member__isnull=False).values_list(
            "user__member_id", flat=True
        )
    )
    if demo_rep is not None and demo_rep.member_id:
        elected.add(demo_rep.member_id)
    branches = list(OrgUnit.objects.filter(path__startswith=union.path, depth=union.depth + 1).order_by("path"))
    by_branch: dict[int, list[Member]] = defaultdict(list)
    for member in active:
        for branch in branches:
            if member.unit_path.startswith(branch.path):
                by_branch[branch.pk].append(member)
                break
    reps: list[Representative] = []
    for branch in branches:
        pool = sorted(by_branch[branch.pk], key=lambda m: m.pk)
        if not pool:
            continue
        quota = quota_for(len(pool))
        delegation = Delegation.objects.create(congress=term, unit=branch, unit_path=branch.path, quota=quota)
        branch_women = sum(m.gender == "F" for m in pool) / len(pool)
        chosen = [m for m in pool if m.pk in elected]
        for m in chosen:
            pool.remove(m)
        slots = _slots(quota, rng, branch_women)
        for m in chosen:  # an elected member takes the slot of their own category, if there is one
            slot = next((s for s in slots if s[0] == category_of(m)), slots[-1])
            slots.remove(slot)
        picked = chosen + [m for c, g in slots if (m := _pick(pool, c, g, rng)) is not None]
        for m in picked:
            reps.append(
                Representative(
                    congress=term,
                    delegation=delegation,
                    member=m,
                    unit_path=delegation.unit_path,
                    category=category_of(m),
                    elected_on=term.starts_on,
                )
            )
    Representative.objects.bulk_create(reps)
    reps = list(Representative.objects.filter(congress=term).order_by("id"))

    short = term.name
    first = CongressSession.objects.create(
        congress=term,
        unit_path=term.unit_path,
        number=1,
        title=f"{short}第一次会议",
        starts_at=_at(term.starts_on + datetime.timedelta(days=12), 8, 30),
        ends_at=_at(term.starts_on + datetime.timedelta(days=13), 17, 30),
        venue="技术中心大会议室",
        status=CongressSession.Status.CLOSED,
        proposals_close_at=_at(term.starts_on + datetime.timedelta(days=5), 18),
    )
    second = CongressSession.objects.create(
        congress=term,
        unit_path=term.unit_path,
        number=2,
        title=f"{short}第二次会议",
        starts_at=_at(today, 8, 30),
        ends_at=max(_at(today, 17, 30), now + datetime.timedelta(hours=6)),
        venue="技术中心大会议室",
        status=CongressSession.Status.IN_PROGRESS,
        proposals_close_at=now + datetime.timedelta(days=14),
    )
    clerk = (
        User.objects.filter(role_assignments__role="congress_office", role_assignments__unit=union).first()
        or User.objects.filter(username="demo-chair").first()
    )
    CheckIn.objects.bulk_create(
        [CheckIn(session=second, representative=r, method=CheckIn.Method.CLERK, recorded_by=clerk) for r in reps]
        + [CheckIn(session=first, representative=r, method=CheckIn.Method.QR_CODE) for r in reps if rng.random() < 0.96]
    )
    _departments(union, members, rng)
    return second


def _departments(union: OrgUnit, members: list[Member], rng: random.Random) -> None:
    """The four handling departments, each with handlers: plain accounts without a usable password."""
    with_account = set(User.objects.filter(member__isnull=False).values_list("member_id", flat=True))
    candidates = [
        m
        for m in members
        if m.status == Member.Status.ACTIVE
        and m.pk not in with_account
        and m.job_category in ("manager", "administrative", "engineer")
        and m.unit_path.startswith(union.path)
    ]
    candidates.sort(key=lambda m: m.pk)
    rng.shuffle(candidates)
    for name in DEPARTMENTS:
        department = HandlingDepartment.objects.create(unit=union, unit_path=union.path, name=name)
        for _ in range(HANDLERS_PER_DEPARTMENT):
            if not candidates:
                break
            member = candidates.pop()
            user = User(username=f"handler-{member.employee_no}", display_name=f"{name} {member.name}", member=member)
            user.set_unusable_password()
            user.is_demo = True
            user.save()
            department.handlers.add(user)
