"""The assistance demo's other unions of a federation: data in proportion to the roster (benchmarks)."""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass

from unionhome.access.models import RoleAssignment
from unionhome.accounts.models import User
from unionhome.assistance.models import Occasion
from unionhome.demo import shape
from unionhome.demo.assistance_centre import Staff, Who, open_centre, settle
from unionhome.demo.assistance_clock import Clock, age_on, plus, random_day
from unionhome.demo.assistance_education_aid import build_aid_application, build_aid_campaign
from unionhome.demo.assistance_files import FileCase, build_file
from unionhome.demo.assistance_help import build_assistance
from unionhome.demo.assistance_rows import Rows
from unionhome.demo.assistance_visits import build_campaign, build_visit
from unionhome.org.models import Member

# Proportions of a federation's data per member of the unions other than the reference union.
FILE_SHARE = 0.05
ASSISTANCE_PER_MEMBER = 0.5
AID_APPLICATIONS_PER_MEMBER = 0.01  # per campaign (one a year)
VISITS_PER_MEMBER = (0, 1, 2, 3, 4)
VISITS_PER_MEMBER_WEIGHTS = (10, 25, 30, 20, 15)  # 2.05 a member still on the roll: about 2 a member

# --- A federation's other unions: data in proportion to the roster --------------------------------

STATE_WEIGHTS = {
    "active": 52,
    "exited": 22,
    "rejected": 6,
    "draft": 3,
    "submitted": 6,
    "branch_reviewed": 4,
    "publicity": 7,
}
STATUS_WEIGHTS = {"delivered": 78, "approved": 5, "requested": 6, "rejected": 5, "cancelled": 5, "reversed": 1}
KIND_WEIGHTS = {"cash": 38, "goods": 20, "medical": 15, "schooling": 10, "job": 9, "legal": 8}
OCCASION_WEIGHTS = {
    Occasion.FESTIVAL: 28,
    Occasion.WINTER: 24,
    Occasion.SUMMER: 22,
    Occasion.ILLNESS: 12,
    Occasion.BEREAVEMENT: 5,
    Occasion.CHILDBIRTH: 3,
    Occasion.MARRIAGE: 3,
    Occasion.DISASTER: 2,
    Occasion.RETIREMENT: 1,
}


@dataclass(frozen=True)
class UnionRef:
    number: int
    pk: int
    path: str


def union_people(union: UnionRef) -> list[Who]:
    rows = (
        Member.objects.filter(union_id=union.pk)
        .order_by("id")
        .values_list("id", "unit_path", "name", "gender", "birth_date", "status", "employee_no")
    )
    return [
        Who(pk, path, "", name, gender, birth, status, number) for pk, path, name, gender, birth, status, number in rows
    ]


def union_staff(union: UnionRef, people: Sequence[Who], unusable: str) -> Staff | None:
    """An assistance officer and a chair for a union of the federation (no password: they never sign in)."""
    chosen = [p for p in people if p.status == "active"][:2]
    if len(chosen) < 2:
        return None
    users = User.objects.bulk_create(
        [
            User(
                username=f"{role.replace('_', '-')}-{who.employee_no}",
                display_name=who.name,
                member_id=who.id,
                is_demo=True,
                password=unusable,
            )
            for who, role in zip(chosen, ("assistance_officer", "chair"), strict=True)
        ]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role=r, unit_id=union.pk)
            for u, r in zip(users, ("assistance_officer", "chair"), strict=True)
        ]
    )
    return Staff(officer=users[0].pk, chair=users[1].pk, cadre_members={p.id for p in chosen})


def load_union(rows: Rows, clock: Clock, seed: int, union: UnionRef, unusable: str) -> int:
    """One union of the federation: files for about 5 % of members, 0.5 assistance and 2 visits a member."""
    people = union_people(union)
    staff = union_staff(union, people, unusable)
    if staff is None:
        return len(people)
    rng = random.Random(f"unionhome-demo-assistance:{seed}:{union.number}")
    scale = max(0.05, len(people) / shape.REFERENCE_SIZE)
    centre = open_centre(rows, clock, union_id=union.pk, union_path=union.path, staff=staff, scale=scale)
    first = datetime.date(clock.year - 1, 1, 1)
    eligible = [p for p in people if p.status in ("active", "retired") and p.id not in staff.cadre_members]
    active_people = [p for p in eligible if p.status == "active"]

    # Hardship files.
    cases: list[FileCase] = []
    states, state_weights = tuple(STATE_WEIGHTS), tuple(STATE_WEIGHTS.values())
    for who in rng.sample(eligible, min(len(eligible), round(len(people) * FILE_SHARE))):
        state = rng.choices(states, state_weights)[0]
        variant = ""
        if state == "active":
            entered = random_day(rng, plus(first, 30), clock.day(-5))
            # Past the first re-review date: mostly re-reviewed in time, now and then overdue.
            if (clock.today - entered).days > 365 and rng.random() < 0.85:
                variant = "re_reviewed"
        elif state == "exited":
            entered = random_day(rng, plus(first, 120), clock.day(-1))
            variant = "exit_on_review" if rng.random() < 0.5 else ""
        elif state == "rejected":
            entered = random_day(rng, first, clock.day(-1))
            variant = "rejected_by_union" if rng.random() < 0.4 else ""
        elif state == "publicity":
            entered = clock.day(-rng.randint(0, centre.settings.publicity_days + 2))
            variant = "objection" if rng.random() < 0.1 else ""
        else:
            entered = clock.day(-rng.randint(0, 20))
        cases.append(build_file(rows, rng, clock, centre, staff, who, state=state, entered=entered, variant=variant))
    helped = [c for c in cases if c.state in ("active", "exited")]

    # Assistance: most of it to members with a file, the rest one-off help.
    statuses, status_weights = tuple(STATUS_WEIGHTS), tuple(STATUS_WEIGHTS.values())
    kinds, kind_weights = tuple(KIND_WEIGHTS), tuple(KIND_WEIGHTS.values())
    for _ in range(round(len(people) * ASSISTANCE_PER_MEMBER)):
        status = rng.choices(statuses, status_weights)[0]
        case = rng.choice(helped) if helped and rng.random() < 0.6 else None
        if case is not None and status in ("requested", "approved") and case.state != "active":
            case = None
        who = case.who if case else rng.choice(active_people)
        if status in ("requested", "approved"):
            requested = clock.day(-rng.randint(0, 30))
        elif case is not None:
            requested = random_day(rng, max(first, case.activated_on), case.closed_on or clock.today)
        else:
            requested = random_day(rng, first, clock.today)
        build_assistance(
            rows,
            rng,
            clock,
            centre,
            who=who,
            file=case,
            kind=rng.choices(kinds, kind_weights)[0],
            status=status,
            requested_on=requested,
            requester=staff.officer,
        )

    # Education aid: last year's campaign paid out, this year's open.
    open_files = {c.who.id: c for c in cases if c.state == "active"}
    applicants = [p for p in active_people if 40 <= age_on(p.birth_date, clock.today) <= 56]
    for year, state, pool in (
        (clock.year - 1, "closed", ("paid",) * 8 + ("rejected", "withdrawn")),
        (clock.year, "open", ("submitted",) * 5 + ("reviewed",) * 3 + ("approved",) * 2),
    ):
        campaign = build_aid_campaign(rows, clock, centre, year=year, state=state)
        for who in rng.sample(applicants, min(len(applicants), round(len(people) * AID_APPLICATIONS_PER_MEMBER))):
            build_aid_application(
                rows,
                rng,
                clock,
                staff,
                campaign,
                who,
                status=rng.choice(pool),
                file=open_files.get(who.id),
                rated=rng.random() < 0.3,
            )

    # Visits: about two a member over this and last year, from festival campaigns and from rules.
    campaigns = {
        Occasion.WINTER: [
            build_campaign(
                rows,
                clock,
                centre,
                occasion=Occasion.WINTER,
                due_by=clock.day(due),
                include_files=True,
                include_retirees=True,
            )
            for due in (-355, 10)
        ],
        Occasion.SUMMER: [
            build_campaign(
                rows,
                clock,
                centre,
                occasion=Occasion.SUMMER,
                due_by=clock.day(due),
                include_files=False,
                include_retirees=False,
            )
            for due in (-495, -130)
        ],
    }
    occasions, occasion_weights = tuple(OCCASION_WEIGHTS), tuple(OCCASION_WEIGHTS.values())
    last_day = clock.day(30)
    for who in eligible:
        free = {occasion: list(rounds) for occasion, rounds in campaigns.items()}
        for _ in range(rng.choices(VISITS_PER_MEMBER, VISITS_PER_MEMBER_WEIGHTS)[0]):
            occasion = rng.choices(occasions, occasion_weights)[0]
            if occasion == Occasion.RETIREMENT and who.status != "retired":
                occasion = Occasion.FESTIVAL
            campaign = None
            if occasion in free:
                if free[occasion]:
                    campaign = free[occasion].pop(rng.randrange(len(free[occasion])))
                else:
                    occasion = Occasion.FESTIVAL
            due_by = campaign.due_by if campaign else random_day(rng, plus(first, 20), last_day)
            late = (clock.today - due_by).days
            if late > 30:
                status = rng.choices(("done", "cancelled", "due"), (96, 3, 1))[0]
            elif late > 0:
                status = rng.choices(("done", "cancelled", "due"), (75, 3, 22))[0]
            else:
                status = "done" if rng.random() < 0.2 else "due"
            build_visit(
                rows,
                rng,
                clock,
                centre,
                staff,
                who,
                occasion=occasion,
                due_by=due_by,
                status=status,
                campaign=campaign,
                visitors=False,
                money=True if occasion == Occasion.WINTER and who.id in open_files else None,
            )
    settle(rows, clock, centre)
    return len(people)
