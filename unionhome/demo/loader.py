"""Writing the demo data set: the org tree, the roster, cadres and the demo accounts, in bulk.

Demo data is loaded into an empty database, so this module writes with ``bulk_create`` in batches
instead of calling the per-row services: no per-row permission checks or audit events (one audit
event records the load), bounded memory (one batch of people at a time), and the org tree's
materialised paths computed here rather than by a query per node. ``direct_member_count`` is
recomputed from the roster at the end with ``org_recount_members``.
"""

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from unionhome.access.models import RoleAssignment
from unionhome.access.permissions import ROLES
from unionhome.access.policy import requires_second_factor
from unionhome.accounts.models import User
from unionhome.accounts.services import totp_key_from_base32
from unionhome.audit.recorder import record
from unionhome.demo import assistance_data, congress_data, satisfaction_loader, shape, voices_loader
from unionhome.demo.people import JOINED_REASON, Identities, Person, make_person, pinyin_pair
from unionhome.org.models import Member, MemberStatusChange, MemberTag, OrgUnit
from unionhome.org.services import org_recount_members

DEMO_PASSWORD = "unionhome-demo"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"
DEFAULT_SEED = 2026
DEFAULT_BATCH = 5000

TAGS = (("female", "女职工"), ("model_worker", "劳模"), ("frontline", "一线职工"))


@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    role: str | None  # the role held on ``unit_code``; None for a plain member
    unit_code: str | None
    member_from: str | None  # the branch the account's member record is picked from
    is_staff: bool = False
    more_roles: tuple[tuple[str, str], ...] = ()  # further (role, unit code) grants


def demo_logins() -> tuple[DemoLogin, ...]:
    tc = shape.REFERENCE_UNION_CODE
    s01 = f"{tc}-S01"
    return (
        DemoLogin("demo-member", "演示会员", None, None, s01),
        DemoLogin("demo-rep", "演示职工代表", "representative", None, s01),
        # The station's cadre also reviews its hardship files, so that "a branch cadre reviews" works in the demo.
        DemoLogin(
            "demo-cadre",
            "演示分工会干部（第一检验站）",
            "branch_cadre",
            s01,
            s01,
            more_roles=(("assistance_officer", s01),),
        ),
        DemoLogin("demo-chair", "演示工会主席", "chair", tc, tc),
        DemoLogin("demo-officer", "演示帮扶专干", "assistance_officer", tc, tc),
        DemoLogin("demo-auditor", "演示经审委员", "auditor", tc, tc),
        DemoLogin("demo-admin", "演示平台管理员", "platform_admin", tc, None, is_staff=True),
    )


def needs_second_factor(login: DemoLogin) -> bool:
    return login.is_staff or (login.role is not None and ROLES[login.role].requires_second_factor)


@dataclass
class UnitRef:
    pk: int
    path: str
    kind: str
    union_pk: int


@dataclass
class LoadResult:
    seed: int
    members: int
    unions: int
    units: int
    federation: bool
    seconds: float = 0.0
    centre: assistance_data.CentreResult | None = None


Progress = Callable[[int, int, float], None]


def plan_unions(members: int) -> list[tuple[int, int]]:
    """(union number, size) for each union: the reference union first with up to 900 members."""
    if members <= shape.REFERENCE_SIZE:
        return [(1, members)]
    others = -(-(members - shape.REFERENCE_SIZE) // shape.REFERENCE_SIZE)
    sizes = [shape.REFERENCE_SIZE] + shape.apportion(members - shape.REFERENCE_SIZE, [1.0] * others)
    return list(enumerate(sizes, start=1))


def _unit_specs(total_unions: int, federation: bool) -> Iterator[tuple[str | None, dict]]:
    """(parent code, fields) for every unit, parents first, siblings in code order."""
    parent = None
    if federation:
        yield None, {"name": shape.FEDERATION_NAME, "code": shape.FEDERATION_CODE, "kind": "federation"}
        parent = shape.FEDERATION_CODE
    for number in range(1, total_unions + 1):
        code = shape.union_code(number, total_unions)
        yield parent, {"name": shape.union_name(number), "code": code, "kind": "union", "site": ""}
        for branch in shape.BRANCHES:
            bcode = f"{code}-{branch.suffix}"
            yield code, {"name": branch.name, "code": bcode, "kind": "branch", "district": branch.district,
                         "site": branch.site}  # fmt: skip
            for group in branch.groups:
                yield bcode, {"name": group.name, "code": f"{bcode}-{group.suffix}", "kind": "group",
                              "district": branch.district, "site": branch.site}  # fmt: skip


def create_units(total_unions: int, federation: bool, batch_size: int) -> dict[str, UnitRef]:
    """The whole tree with paths computed here (treebeard's layout: ``steplen`` characters per level)."""
    refs: dict[str, UnitRef] = {}
    children: dict[str | None, int] = {}
    pending: list[OrgUnit] = []
    pending_meta: list[tuple[str, str | None]] = []
    numchild: dict[str, int] = {}
    paths: dict[str, str] = {}

    def flush() -> None:
        with transaction.atomic():
            OrgUnit.objects.bulk_create(pending, batch_size=batch_size)
        for unit, (code, parent_code) in zip(pending, pending_meta, strict=True):
            union_pk = unit.pk if unit.kind == "union" else (refs[parent_code].union_pk if parent_code else 0)
            refs[code] = UnitRef(unit.pk, unit.path, unit.kind, union_pk)
        pending.clear()
        pending_meta.clear()

    for parent_code, fields in _unit_specs(total_unions, federation):
        step = children[parent_code] = children.get(parent_code, 0) + 1
        if parent_code is None:
            path, depth = OrgUnit._get_path(None, 1, step), 1
        else:
            parent_path = paths[parent_code]
            depth = len(parent_path) // OrgUnit.steplen + 1
            path = OrgUnit._get_path(parent_path, depth, step)
            numchild[parent_code] = step
        paths[fields["code"]] = path
        pending.append(OrgUnit(path=path, depth=depth, numchild=0, **fields))
        pending_meta.append((fields["code"], parent_code))
        if len(pending) >= batch_size:
            flush()
    if pending:
        flush()
    with transaction.atomic():
        parents = list(OrgUnit.objects.filter(code__in=list(numchild)).only("pk", "code"))
        for unit in parents:
            unit.numchild = numchild[unit.code]
        OrgUnit.objects.bulk_update(parents, ["numchild"], batch_size=batch_size)
    return refs


def generate_union(
    seed: int, number: int, size: int, union_code: str, identities: Identities
) -> tuple[list[Person], random.Random]:
    """The people of one union, independent of every other union's (one random stream per union)."""
    rng = random.Random(f"unionhome-demo:{seed}:{number}")
    weights = shape.group_weights()
    people: list[Person] = []
    for (branch, group, _), count in zip(weights, shape.apportion(size, [w for *_, w in weights]), strict=True):
        code = f"{union_code}-{branch.suffix}-{group.suffix}"
        people.extend(make_person(rng, code, group.kind) for _ in range(count))
    identities.assign(rng, people, number)
    return people, rng


class RosterWriter:
    """Buffers people and writes them, their tags and their status history in batches."""

    def __init__(self, refs: dict[str, UnitRef], tags: dict[str, int], batch_size: int):
        self.refs, self.tags, self.batch_size = refs, tags, batch_size
        self.pending: list[tuple[Person, Member]] = []
        self.written = 0
        self.through = Member.tags.through

    def add(self, people: list[Person]) -> list[Member]:
        rows = [(p, self._member(p)) for p in people]
        self.pending.extend(rows)
        if len(self.pending) >= self.batch_size:
            self.flush()
        return [m for _, m in rows]

    def _member(self, p: Person) -> Member:
        unit = self.refs[p.unit_code]
        pinyin, initials = pinyin_pair(p.name)
        return Member(
            union_id=unit.union_pk,
            unit_id=unit.pk,
            unit_path=unit.path,
            employee_no=p.employee_no,
            name=p.name,
            name_pinyin=pinyin,
            name_initials=initials,
            gender=p.gender,
            birth_date=p.birth_date,
            id_number=p.id_number,
            mobile=p.mobile,
            job_category=p.job_category,
            employment_form=p.employment_form,
            joined_on=p.joined_on,
            status=p.status,
        )

    def flush(self) -> None:
        if not self.pending:
            return
        with transaction.atomic():
            Member.objects.bulk_create([m for _, m in self.pending], batch_size=self.batch_size)
            links, history = [], []
            for p, m in self.pending:
                links.extend(self.through(member_id=m.pk, membertag_id=self.tags[code]) for code in p.tags)
                history.append(
                    MemberStatusChange(
                        member_id=m.pk,
                        old_status="",
                        new_status="active",
                        effective_on=p.joined_on,
                        reason=JOINED_REASON,
                    )
                )
                if p.status != "active":
                    history.append(
                        MemberStatusChange(
                            member_id=m.pk,
                            old_status="active",
                            new_status=p.status,
                            effective_on=p.status_on,
                            reason=p.status_reason,
                        )
                    )
            self.through.objects.bulk_create(links, batch_size=self.batch_size)
            MemberStatusChange.objects.bulk_create(history, batch_size=self.batch_size)
        self.written += len(self.pending)
        self.pending.clear()


@dataclass(frozen=True)
class Appointment:
    """A role in the reference union: who (index into its people) holds ``role`` on ``unit_code``."""

    login: DemoLogin | None
    role: str | None
    unit_code: str | None
    person: int | None


# Cadres are managers or engineers by trade.
CADRE_JOBS = {"branch_cadre": "manager", "chair": "manager", "auditor": "engineer", "assistance_officer": "manager"}


def cast_reference_union(rng: random.Random, people: list[Person]) -> list[Appointment]:
    """Pick the members behind the demo accounts and the cadres among the reference union's active people."""
    tc = shape.REFERENCE_UNION_CODE
    taken: set[int] = set()

    def pick(prefix: str, gender: str | None = None, job: str | None = None) -> int | None:
        choices = [
            i
            for i, p in enumerate(people)
            if i not in taken
            and p.status == "active"
            and p.employment_form == "permanent"
            and p.unit_code.startswith(prefix)
            and (gender is None or p.gender == gender)
        ]
        if not choices:
            return None
        i = rng.choice(choices)
        taken.add(i)
        if job and people[i].job_category not in ("manager", "engineer"):
            people[i].job_category = job  # cadres are managers or engineers by trade
        return i

    cast: list[Appointment] = []
    for login in demo_logins():
        job = CADRE_JOBS.get(login.role or "")
        i = pick(login.member_from, job=job) if login.member_from else None
        unit_code = login.unit_code or (people[i].unit_code if i is not None else None)
        cast.append(Appointment(login, login.role, unit_code, i))
    # The union's assistance officer is demo-officer.
    for role, gender in (
        ("vice_chair", None),
        ("congress_office", None),
        ("proposal_committee", None),
        ("women_committee", "F"),
    ):
        cast.append(Appointment(None, role, tc, pick(f"{tc}-", gender, job="manager")))
    for branch in shape.BRANCHES:
        bcode = f"{tc}-{branch.suffix}"
        if branch.suffix != "S01":  # demo-cadre leads 第一检验站
            cast.append(Appointment(None, "branch_cadre", bcode, pick(bcode, job="manager")))
        for group in branch.groups:
            gcode = f"{bcode}-{group.suffix}"
            cast.append(Appointment(None, "group_leader", gcode, pick(gcode)))
        if branch.suffix != "S01":  # demo-rep represents 第一检验站
            rep = pick(bcode)
            cast.append(Appointment(None, "representative", people[rep].unit_code if rep is not None else None, rep))
    return [a for a in cast if a.login is not None or a.person is not None]


def create_accounts(cast: list[Appointment], members: list[Member], refs: dict[str, UnitRef]) -> list[User]:
    """Demo logins (password and TOTP) and the other cadres (no usable password), with their roles."""
    demo_hash = make_password(DEMO_PASSWORD)
    key = totp_key_from_base32(DEMO_TOTP_SECRET)
    logins: list[User] = []
    for appointment in cast:
        login, role = appointment.login, appointment.role
        member = members[appointment.person] if appointment.person is not None else None
        if login is not None:
            user = User(username=login.username, display_name=login.display_name, is_staff=login.is_staff)
            user.password = demo_hash
        else:
            user = User(username=f"{role.replace('_', '-')}-{member.employee_no}", display_name=member.name)
            user.set_unusable_password()
        user.member = member
        user.is_demo = True
        user.save()
        if role is not None:
            RoleAssignment.objects.create(user=user, role=role, unit_id=refs[appointment.unit_code].pk)
        for more_role, unit_code in login.more_roles if login is not None else ():
            RoleAssignment.objects.create(user=user, role=more_role, unit_id=refs[unit_code].pk)
        if login is not None:
            logins.append(user)
            if requires_second_factor(User.objects.get(pk=user.pk)):
                TOTPDevice.objects.create(user=user, name="演示身份验证器", key=key, confirmed=True)
    return logins


def ensure_tags() -> dict[str, int]:
    tags = {}
    for code, name in TAGS:
        tag, _ = MemberTag.objects.update_or_create(code=code, defaults={"name": name})
        tags[code] = tag.pk
    return tags


ANALYZED_TABLES = (
    "org_orgunit, org_member, org_member_tags, org_memberstatuschange, assistance_hardshipfile, "
    "assistance_householdmember, assistance_fileevent, assistance_assistance, assistance_payment, "
    "assistance_followup, assistance_aidapplication, assistance_visit, assistance_budgetline, satisfaction_rating"
)


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load, so the first queries get good plans."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {ANALYZED_TABLES}")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def load(
    *, seed: int = DEFAULT_SEED, members: int = shape.REFERENCE_SIZE, batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None, centre_progress: Progress | None = None,
) -> LoadResult:  # fmt: skip
    """Build the reference union (``members`` ≤ 900) or a federation of unions shaped like it, and the
    Hardship Assistance Centre's data for them (``assistance_data``)."""
    started = time.monotonic()
    plan = plan_unions(members)
    federation = members > shape.REFERENCE_SIZE
    with transaction.atomic():
        tags = ensure_tags()
    refs = create_units(len(plan), federation, batch_size)
    identities = Identities()
    writer = RosterWriter(refs, tags, batch_size)
    cast: list[Appointment] = []
    reference_members: list[Member] = []
    last_report = 0
    for number, size in plan:
        code = shape.union_code(number, len(plan))
        people, rng = generate_union(seed, number, size, code, identities)
        if number == 1:
            cast = cast_reference_union(rng, people)
            reference_members = writer.add(people)
        else:
            writer.add(people)
        if progress and writer.written - last_report >= 50_000:
            last_report = writer.written
            progress(writer.written, members, time.monotonic() - started)
    writer.flush()
    with transaction.atomic():
        create_accounts(cast, reference_members, refs)
        org_recount_members()
    reference = OrgUnit.objects.get(pk=refs[shape.union_code(1, len(plan))].pk)
    congress_data.load_congress(seed=seed, union=reference, members=reference_members)
    voices_loader.load_voices(seed=seed, union=reference, members=reference_members)
    unions = [
        assistance_data.UnionRef(number, refs[code].pk, refs[code].path)
        for number, _ in plan
        for code in [shape.union_code(number, len(plan))]
    ]
    centre = assistance_data.load_centre(
        seed=seed, reference=unions[0], others=unions[1:], batch_size=batch_size, progress=centre_progress,
        total_members=members - plan[0][1],
    )  # fmt: skip
    satisfaction_loader.load_satisfaction(seed=seed, union=reference, members=reference_members)
    with transaction.atomic():
        record(None, "demo.loaded", None, seed=seed, members=members, unions=len(plan), hardship_files=centre.files,
               assistance=centre.assistance, visits=centre.visits)  # fmt: skip
    analyze()
    return LoadResult(
        seed=seed,
        members=writer.written,
        unions=len(plan),
        units=len(refs),
        federation=federation,
        seconds=time.monotonic() - started,
        centre=centre,
    )
