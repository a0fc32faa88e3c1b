"""The assistance demo's plan for the reference union: the hand-shaped files, requests, deliveries and
visits, and who plays which part."""

import datetime
import random
from collections.abc import Sequence

from unionhome.access.models import RoleAssignment
from unionhome.accounts.models import User
from unionhome.assistance.models import Occasion
from unionhome.demo.assistance_centre import Staff, Who
from unionhome.demo.assistance_clock import age_on
from unionhome.org.models import Member

# --- The reference union: a small, hand-shaped set ------------------------------------------------

# (state, variant, branch suffix, days since the file reached its state)
FILE_PLAN: tuple[tuple[str, str, str, int], ...] = (
    ("draft", "", "S01", 2),
    ("draft", "", "S05", 6),
    ("draft", "", "S09", 12),
    ("submitted", "", "S01", 1),
    ("submitted", "", "S01", 4),
    ("submitted", "", "S03", 3),
    ("submitted", "", "S07", 9),
    ("branch_reviewed", "", "S01", 2),
    ("branch_reviewed", "", "S04", 5),
    ("branch_reviewed", "", "S08", 8),
    ("publicity", "objection", "S02", 2),
    ("publicity", "", "S01", 7),  # publicity over: ready to activate
    ("publicity", "dismissed", "S06", 6),
    ("active", "demo_member", "S01", 200),
    ("active", "", "S01", 420),  # re-review 55 days overdue
    ("active", "", "S02", 379),  # re-review 14 days overdue
    ("active", "", "S05", 368),  # re-review 3 days overdue
    ("active", "", "S01", 362),  # re-review due this week
    ("active", "", "S07", 360),  # re-review due this week
    ("active", "re_reviewed", "S03", 560),
    ("active", "re_reviewed", "S08", 610),
    ("active", "re_reviewed", "S01", 450),
    ("active", "", "S02", 300),
    ("active", "", "S04", 250),
    ("active", "", "S06", 180),
    ("active", "", "S09", 140),
    ("active", "", "S03", 95),
    ("active", "", "S08", 60),
    ("active", "", "S05", 40),
    ("active", "", "S07", 24),
    ("active", "", "S04", 12),
    ("exited", "exit_on_review", "S02", 30),
    ("exited", "exit_on_review", "S06", 150),
    ("exited", "", "S01", 260),
    ("exited", "", "S09", 330),
    ("exited", "", "S05", 90),
    ("rejected", "", "S03", 20),
    ("rejected", "rejected_by_union", "S07", 45),
    ("rejected", "", "S08", 120),
    ("rejected", "rejected_by_union", "S01", 200),
)
# Requests still in the queue: (days ago, status).
RECENT_REQUESTS = tuple((d, "requested" if d % 2 else "approved") for d in range(1, 17))
# Recently delivered help whose first follow-up is due this week or overdue: (days ago, overdue?).
RECENT_DELIVERIES = ((27, False), (29, False), (33, False), (35, True), (40, True), (62, False), (86, False))
ONE_OFF_KINDS = ("cash", "legal", "job", "medical", "schooling", "cash", "legal", "goods") * 2
# (occasion, status, due by in days from today): visits made due by the union's rules.
VISIT_PLAN: tuple[tuple[str, str, int], ...] = (
    (Occasion.ILLNESS, "due", 2),
    (Occasion.ILLNESS, "due", 5),
    (Occasion.ILLNESS, "due", -3),
    (Occasion.ILLNESS, "due", -9),
    (Occasion.ILLNESS, "done", -20),
    (Occasion.ILLNESS, "done", -48),
    (Occasion.ILLNESS, "done", -120),
    (Occasion.ILLNESS, "done", -260),
    (Occasion.ILLNESS, "cancelled", -30),
    (Occasion.BEREAVEMENT, "due", -2),
    (Occasion.BEREAVEMENT, "done", -40),
    (Occasion.BEREAVEMENT, "done", -210),
    (Occasion.CHILDBIRTH, "due", 6),
    (Occasion.CHILDBIRTH, "done", -60),
    (Occasion.CHILDBIRTH, "done", -300),
    (Occasion.MARRIAGE, "due", 10),
    (Occasion.MARRIAGE, "done", -15),
    (Occasion.MARRIAGE, "done", -250),
    (Occasion.RETIREMENT, "done", -75),
    (Occasion.RETIREMENT, "due", 20),
    (Occasion.DISASTER, "done", -100),
    (Occasion.DISASTER, "due", -1),
    (Occasion.FESTIVAL, "done", -240),
    (Occasion.FESTIVAL, "done", -320),
)


class Picker:
    """Hands out members of the reference union, each once, preferring a branch and an age range."""

    def __init__(self, rng: random.Random, people: Sequence[Who], taken: set[int], today: datetime.date):
        self.rng, self.people, self.taken, self.today = rng, list(people), set(taken), today

    def take(
        self, branch: str | None = None, *, statuses: Sequence[str] = ("active",), ages: tuple[int, int] = (20, 70)
    ) -> Who | None:
        def fits(p: Who, same_branch: bool) -> bool:
            return (
                p.id not in self.taken
                and p.status in statuses
                and ages[0] <= age_on(p.birth_date, self.today) <= ages[1]
                and (not same_branch or branch is None or p.branch == branch)
            )

        choices = [p for p in self.people if fits(p, True)] or [p for p in self.people if fits(p, False)]
        if not choices:
            return None
        who = self.rng.choice(choices)
        self.taken.add(who.id)
        return who


def reference_people(union_id: int) -> list[Who]:
    tagged: dict[int, set[str]] = {}
    tags = Member.tags.through.objects.filter(member__union_id=union_id).values_list("member_id", "membertag__code")
    for member_id, code in tags:
        tagged.setdefault(member_id, set()).add(code)
    rows = (
        Member.objects.filter(union_id=union_id)
        .order_by("id")
        .values_list("id", "unit_path", "unit__code", "name", "gender", "birth_date", "status", "employee_no")
    )
    return [
        Who(
            pk,
            path,
            code.split("-")[1] if "-" in code else "",
            name,
            gender,
            birth,
            status,
            number,
            frozenset(tagged.get(pk, ())),
        )
        for pk, path, code, name, gender, birth, status, number in rows
    ]


def reference_staff(union_path: str) -> Staff | None:
    """The demo logins and cadres of the reference union (``None`` when the chair or the officer is missing)."""
    users = dict(User.objects.filter(username__in=["demo-officer", "demo-chair"]).values_list("username", "pk"))
    if len(users) < 2:
        return None
    staff = Staff(users["demo-officer"], users["demo-chair"])
    grants = RoleAssignment.objects.filter(
        role__in=["branch_cadre", "assistance_officer"], unit__kind="branch", unit__path__startswith=union_path
    ).values_list("role", "unit__code", "user_id")
    for role, code, user_id in grants:
        (staff.branch_cadres if role == "branch_cadre" else staff.station_officers)[code.split("-")[-1]] = user_id
    member = User.objects.filter(username="demo-member", member__isnull=False).values_list("member_id", "pk").first()
    if member:
        staff.member_users[member[0]] = member[1]
    return staff


def cause_kinds(causes: Sequence[str]) -> list[str]:
    kinds = ["cash", "goods"]
    if "illness" in causes or "disability" in causes:
        kinds += ["medical", "medical"]
    if "schooling" in causes or "single_parent" in causes:
        kinds += ["schooling"]
    if "low_income" in causes:
        kinds += ["job"]
    if "disaster" in causes:
        kinds += ["cash", "legal"]
    return kinds
