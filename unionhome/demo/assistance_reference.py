"""The assistance demo's reference union: a small, hand-shaped set that shows every state."""

import datetime
import random

from unionhome.accounts.models import User
from unionhome.assistance.models import Occasion
from unionhome.demo.assistance_centre import Who, open_centre, settle
from unionhome.demo.assistance_clock import Clock, age_on, plus, yuan
from unionhome.demo.assistance_education_aid import build_aid_application, build_aid_campaign
from unionhome.demo.assistance_files import FileCase, build_file
from unionhome.demo.assistance_help import MONEY_KINDS, build_assistance
from unionhome.demo.assistance_reference_plan import (
    FILE_PLAN,
    ONE_OFF_KINDS,
    RECENT_DELIVERIES,
    RECENT_REQUESTS,
    VISIT_PLAN,
    Picker,
    cause_kinds,
    reference_people,
    reference_staff,
)
from unionhome.demo.assistance_rows import Rows
from unionhome.demo.assistance_visits import build_campaign, build_visit
from unionhome.org.models import MemberTag


def load_reference(rows: Rows, clock: Clock, seed: int, union_id: int, union_path: str) -> None:
    """The reference union's centre: every state, kind and status, things due this week and overdue."""
    staff = reference_staff(union_path)
    people = reference_people(union_id)
    if staff is None or not people:
        return
    cadres = User.objects.filter(member__union_id=union_id, role_assignments__isnull=False)
    staff.cadre_members = set(cadres.values_list("member_id", flat=True))
    rng = random.Random(f"unionhome-demo-assistance:{seed}:reference")
    centre = open_centre(rows, clock, union_id=union_id, union_path=union_path, staff=staff, scale=1)
    by_id = {p.id: p for p in people}
    demo_member = next(iter(staff.member_users), None)
    picker = Picker(rng, people, staff.cadre_members | {demo_member}, clock.today)
    first = datetime.date(clock.year - 1, 1, 1)

    # Hardship files in every state; demo-member's is active.
    cases: list[FileCase] = []
    for state, variant, branch, days_ago in FILE_PLAN:
        if variant == "demo_member":
            who = by_id.get(demo_member) if demo_member else None
        else:
            statuses = ("active", "retired") if state in ("active", "exited") else ("active",)
            who = picker.take(branch, statuses=statuses, ages=(24, 62))
        if who is not None:
            mine = variant == "demo_member"
            cases.append(
                build_file(
                    rows,
                    rng,
                    clock,
                    centre,
                    staff,
                    who,
                    state=state,
                    entered=clock.day(-days_ago),
                    level="relative" if mine else None,
                    variant="" if mine else variant,
                )
            )

    # Assistance: what the active and exited files received over time, and one-off help for others;
    # a few rejected, cancelled, one reversed, the rest delivered.
    plans: list[tuple[FileCase | None, Who, str, datetime.date]] = []
    for case in cases:
        if case.state not in ("active", "exited") or case.who.id == demo_member:
            continue
        start, end = case.activated_on, case.closed_on or clock.day(-20)
        span = max(1, (end - start).days)
        count = 3 + (rng.random() < 0.5) + (span > 300)
        kinds = ["cash"] + [rng.choice(cause_kinds(case.causes)) for _ in range(count - 1)]
        for i, kind in enumerate(kinds):
            day = plus(start, 1 + span * i // count + rng.randint(0, max(1, span // (count * 2))))
            plans.append((case, case.who, kind, max(first, min(day, clock.day(-20)))))
    for kind in ONE_OFF_KINDS:
        who = picker.take()
        if who is not None:
            plans.append((None, who, kind, max(first, clock.day(-rng.randint(25, 700)))))
    order = list(range(len(plans)))
    rng.shuffle(order)
    reversed_one = [i for i in order if plans[i][2] in MONEY_KINDS][:1]
    rest = [i for i in order if i not in reversed_one]
    statuses = dict.fromkeys(rest[:6], "rejected") | dict.fromkeys(rest[6:11], "cancelled")
    statuses |= dict.fromkeys(reversed_one, "reversed")
    for i, (case, who, kind, day) in enumerate(plans):
        build_assistance(
            rows,
            rng,
            clock,
            centre,
            who=who,
            file=case,
            kind=kind,
            status=statuses.get(i, "delivered"),
            requested_on=day,
            requester=staff.officer_for(who),
        )
    active = [c for c in cases if c.state == "active" and c.who.id != demo_member]
    for days_ago, status in RECENT_REQUESTS if active else ():
        case = active[days_ago % len(active)]
        build_assistance(
            rows,
            rng,
            clock,
            centre,
            who=case.who,
            file=case,
            kind=rng.choice(cause_kinds(case.causes)),
            status=status,
            requested_on=clock.day(-days_ago),
            requester=staff.officer_for(case.who),
        )
    for i, (days_ago, overdue) in enumerate(RECENT_DELIVERIES if active else ()):
        case = active[(i * 3 + 1) % len(active)]
        build_assistance(
            rows,
            rng,
            clock,
            centre,
            who=case.who,
            file=case,
            kind=("cash", "goods", "medical")[i % 3],
            status="delivered",
            requested_on=clock.day(-days_ago - 4),
            delivered_on=clock.day(-days_ago),
            requester=staff.officer_for(case.who),
            overdue_follow_up=overdue,
            rated=not overdue and i % 2 == 0,
        )
    mine = next((c for c in cases if c.who.id == demo_member), None)
    if mine is not None:
        # Help delivered last month and rated; help delivered this week, awaiting the member's rating; a request.
        common = {"who": mine.who, "file": mine, "requester": staff.officer_for(mine.who)}
        build_assistance(
            rows,
            rng,
            clock,
            centre,
            kind="cash",
            status="delivered",
            requested_on=clock.day(-55),
            delivered_on=clock.day(-50),
            rated=True,
            **common,
        )
        build_assistance(
            rows,
            rng,
            clock,
            centre,
            kind="goods",
            status="delivered",
            requested_on=clock.day(-9),
            delivered_on=clock.day(-4),
            rated=False,
            **common,
        )
        build_assistance(
            rows, rng, clock, centre, kind="medical", status="requested", requested_on=clock.day(-2), **common
        )

    # Education aid: last year's campaign closed and paid, this year's open; every third applicant has a file.
    open_files = {c.who.id: c for c in cases if c.state == "active"}
    for year, state, aid_statuses in (
        (clock.year - 1, "closed", ["paid"] * 9 + ["rejected", "rejected", "withdrawn"]),
        (clock.year, "open", ["submitted"] * 6 + ["reviewed"] * 4 + ["approved"] * 3 + ["rejected", "withdrawn"]),
    ):
        campaign = build_aid_campaign(rows, clock, centre, year=year, state=state)
        holders = [c.who for c in open_files.values() if 40 <= age_on(c.who.birth_date, clock.today) <= 58]
        for i, status in enumerate(aid_statuses):
            if i % 3 == 0 and holders:
                who: Who | None = holders.pop(rng.randrange(len(holders)))
            else:
                who = picker.take(ages=(40, 56))
            if who is not None:
                build_aid_application(
                    rows,
                    rng,
                    clock,
                    staff,
                    campaign,
                    who,
                    status=status,
                    file=open_files.get(who.id),
                    rated=state == "closed" and i % 3 == 0,
                )

    # Visits: this winter's campaign under way, last winter's and last summer's done, visits due by rules.
    retirees = [p for p in people if p.status == "retired"]
    winter = build_campaign(
        rows, clock, centre, occasion=Occasion.WINTER, due_by=clock.day(10), include_files=True, include_retirees=True
    )
    seen: set[int] = set()
    for i, case in enumerate(c for c in cases if c.state == "active"):
        seen.add(case.who.id)
        build_visit(
            rows,
            rng,
            clock,
            centre,
            staff,
            case.who,
            occasion=Occasion.WINTER,
            due_by=winter.due_by,
            status="done" if i % 3 == 0 else "due",
            campaign=winter,
            money=yuan(500),
            rated=i % 6 == 3,
        )
    for i, who in enumerate(p for p in retirees if p.id not in seen):
        build_visit(
            rows,
            rng,
            clock,
            centre,
            staff,
            who,
            occasion=Occasion.WINTER,
            due_by=winter.due_by,
            status="done" if i % 4 == 0 else "due",
            campaign=winter,
            money=False,
        )
    last_winter = build_campaign(
        rows, clock, centre, occasion=Occasion.WINTER, due_by=clock.day(-355), include_files=True, include_retirees=True
    )
    then = last_winter.due_by
    files_then = [
        c.who for c in cases if c.activated_on and c.activated_on < then and (c.closed_on is None or c.closed_on > then)
    ]
    seen = set()
    for i, who in enumerate(files_then + retirees):
        if who.id not in seen:
            seen.add(who.id)
            build_visit(
                rows,
                rng,
                clock,
                centre,
                staff,
                who,
                occasion=Occasion.WINTER,
                due_by=then,
                status="cancelled" if i == 5 else "done",
                campaign=last_winter,
                money=yuan(500) if i < len(files_then) else False,
                rated=i % 4 == 1,
            )
    model_worker = MemberTag.objects.filter(code="model_worker").values_list("pk", flat=True).first()
    summer = build_campaign(
        rows,
        clock,
        centre,
        occasion=Occasion.SUMMER,
        due_by=clock.day(-130),
        include_files=False,
        include_retirees=False,
        tags=[model_worker] if model_worker else [],
    )
    for who in people:
        if "model_worker" in who.tags and who.status == "active" and who.id not in staff.cadre_members:
            build_visit(
                rows,
                rng,
                clock,
                centre,
                staff,
                who,
                occasion=Occasion.SUMMER,
                due_by=summer.due_by,
                status="done",
                campaign=summer,
                money=False,
                rated=False,
            )
    for occasion, status, due_in in VISIT_PLAN:
        if occasion == Occasion.RETIREMENT:
            who = picker.take(statuses=("retired",)) or picker.take(ages=(54, 62))
        elif occasion in (Occasion.CHILDBIRTH, Occasion.MARRIAGE):
            who = picker.take(ages=(23, 36))
        else:
            who = picker.take()
        if who is not None:
            build_visit(
                rows, rng, clock, centre, staff, who, occasion=occasion, due_by=clock.day(due_in), status=status
            )
    if mine is not None:
        # A hospital stay last month: visited, with condolence money; awaiting the member's rating.
        build_visit(
            rows,
            rng,
            clock,
            centre,
            staff,
            mine.who,
            occasion=Occasion.ILLNESS,
            due_by=clock.day(-16),
            status="done",
            money=yuan(800),
            rated=False,
            findings=True,
        )
    settle(rows, clock, centre)
