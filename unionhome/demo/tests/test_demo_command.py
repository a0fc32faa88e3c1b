"""``manage.py demo``: the reference union's shape, valid and unique identities, accounts, determinism."""

import base64
import hashlib
import io
from collections import Counter

import phonenumbers
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.cn import ric

from unionhome.access.models import RoleAssignment
from unionhome.access.permissions import ROLES
from unionhome.access.policy import can, requires_second_factor
from unionhome.accounts.models import User
from unionhome.demo import shape
from unionhome.demo.loader import DEMO_PASSWORD, DEMO_TOTP_SECRET
from unionhome.org.member_fields import EDITABLE_FIELDS, clean_member_fields
from unionhome.org.models import Member, MemberStatusChange, MemberTag, OrgUnit
from unionhome.org.names import pinyin_initials, pinyin_key


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def roster_digest() -> str:
    rows = Member.objects.order_by("employee_no").values_list(
        "employee_no", "name", "id_number", "mobile", "birth_date", "job_category", "status", "unit__code"
    )
    tags = Member.tags.through.objects.order_by("member__employee_no", "membertag__code").values_list(
        "member__employee_no", "membertag__code"
    )
    roles = RoleAssignment.objects.order_by("user__username", "role").values_list(
        "user__username", "role", "unit__code"
    )
    return hashlib.sha256(repr((list(rows), list(tags), list(roles))).encode()).hexdigest()


def assert_roster_consistent() -> None:
    """Every member sits in a group of their union, with the derived columns right; counters match the roster."""
    wrong_path = Member.objects.exclude(unit_path=F("unit__path")).count()
    assert wrong_path == 0
    for member in Member.objects.select_related("unit", "union").iterator():
        assert member.unit.kind == OrgUnit.Kind.GROUP
        assert member.union.kind == OrgUnit.Kind.UNION and member.unit.path.startswith(member.union.path)
        assert (member.name_pinyin, member.name_initials) == (pinyin_key(member.name), pinyin_initials(member.name))
    active = dict(
        Member.objects.filter(status=Member.Status.ACTIVE)
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    for unit_id, count in OrgUnit.objects.values_list("id", "direct_member_count"):
        assert count == active.get(unit_id, 0)
    assert all(not problems for problems in OrgUnit.objects.find_problems())


@pytest.mark.django_db
def test_reference_union_has_the_shape_of_domain_md():
    output = run_demo()

    union = OrgUnit.objects.get(kind=OrgUnit.Kind.UNION)
    assert (union.name, union.code, union.depth) == ("技术中心工会", "TC", 1)
    assert not OrgUnit.objects.filter(kind=OrgUnit.Kind.FEDERATION).exists()
    branches = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH))
    assert len(branches) == 9
    names = {b.name for b in branches}
    assert {f"第{n}检验站分工会" for n in "一二三四五六七"} <= names
    assert "煤炭检验分工会" in names and "原料检验分工会" in names
    assert {b.district for b in branches} == {"城区", "云溪区"}
    groups = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.GROUP).values_list("path", flat=True))
    per_branch = [sum(1 for g in groups if g.startswith(b.path)) for b in branches]
    assert all(3 <= n <= 4 for n in per_branch) and 28 <= sum(per_branch) <= 32

    assert Member.objects.count() == 900
    assert Member.objects.filter(union=union).count() == 900
    assert_roster_consistent()
    assert (
        sum(OrgUnit.objects.values_list("direct_member_count", flat=True))
        == Member.objects.filter(status="active").count()
    )

    # Identities: checksum-valid IDs that agree with birth date and gender, valid mobiles, all unique.
    rows = list(Member.objects.values(*EDITABLE_FIELDS))
    for row in rows:
        assert ric.is_valid(row["id_number"]), row
        assert ric.get_birth_date(row["id_number"]) == row["birth_date"]
        assert phonenumbers.is_valid_number(phonenumbers.parse(row["mobile"], "CN")), row
        clean_member_fields(row)  # the same rules as the form, the API and the import: raises if not
    for column in ("employee_no", "id_number", "mobile"):
        assert len({row[column] for row in rows}) == 900, column

    # A workforce like the Technical Centre's: both genders, ages 20-60 among the active, every job and form.
    assert 0.3 < Member.objects.filter(gender="F").count() / 900 < 0.5
    ages = [2026 - row["birth_date"].year for row in rows]
    assert min(ages) >= 20 and max(ages) <= 64
    assert set(Member.objects.values_list("job_category", flat=True)) == set(Member.JobCategory.values)
    assert set(Member.objects.values_list("employment_form", flat=True)) == set(Member.EmploymentForm.values)
    assert Member.objects.filter(employment_form="permanent").count() > 450
    given_lengths = Counter(len(row["name"]) for row in rows)
    assert given_lengths[2] > 50 and given_lengths[3] > 500

    # Some retired and departed members, each with the step in their history; everyone's join recorded.
    for status in ("retired", "left"):
        leavers = Member.objects.filter(status=status)
        assert leavers.exists()
        for member in leavers:
            assert member.status_changes.filter(old_status="active", new_status=status).count() == 1
    assert MemberStatusChange.objects.filter(old_status="", new_status="active").count() == 900

    # Segments: all women are 女职工, most inspectors are 一线职工, a handful of 劳模.
    tags = {t.code: t for t in MemberTag.objects.all()}
    assert {tags["female"].name, tags["model_worker"].name, tags["frontline"].name} == {"女职工", "劳模", "一线职工"}
    women = Member.objects.filter(gender="F")
    assert women.filter(tags=tags["female"]).count() == women.count()
    assert not Member.objects.filter(gender="M", tags=tags["female"]).exists()
    inspectors = Member.objects.filter(job_category="inspector")
    assert inspectors.filter(tags=tags["frontline"]).count() > 0.8 * inspectors.count()
    assert 1 <= Member.objects.filter(tags=tags["model_worker"]).count() <= 30

    assert "demo-chair" in output and DEMO_TOTP_SECRET in output and DEMO_PASSWORD in output


@pytest.mark.django_db
def test_demo_accounts_have_their_roles_and_a_working_second_factor():
    run_demo()
    union = OrgUnit.objects.get(code="TC")
    station1 = OrgUnit.objects.get(name="第一检验站分工会")
    station2 = OrgUnit.objects.get(name="第二检验站分工会")
    expected = {
        "demo-member": set(),
        "demo-rep": {"representative"},
        "demo-cadre": {"branch_cadre", "assistance_officer"},
        "demo-chair": {"chair"},
        "demo-officer": {"assistance_officer"},
        "demo-auditor": {"auditor"},
        "demo-admin": {"platform_admin"},
    }
    code = f"{totp(base64.b32decode(DEMO_TOTP_SECRET)):06d}"
    for username, roles in expected.items():
        user = User.objects.get(username=username)
        assert user.is_demo and user.is_active and user.check_password(DEMO_PASSWORD)
        assert user.display_name and not user.display_name.isascii()
        assert set(user.role_assignments.values_list("role", flat=True)) == roles
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
        if requires_second_factor(user):
            assert devices.count() == 1
            assert devices.get().verify_token(code), username
        else:
            assert not devices.exists()
    assert User.objects.get(username="demo-admin").is_staff
    assert not requires_second_factor(User.objects.get(username="demo-member"))
    assert not requires_second_factor(User.objects.get(username="demo-rep"))

    for username in ("demo-member", "demo-rep", "demo-cadre"):
        assert User.objects.get(username=username).member.unit_path.startswith(station1.path), username
    rep = User.objects.get(username="demo-rep")
    assert rep.role_assignments.get().unit_id == rep.member.unit_id
    assert {r.unit for r in RoleAssignment.objects.filter(user__username="demo-cadre")} == {station1}
    for username in ("demo-chair", "demo-officer", "demo-auditor", "demo-admin"):
        assert RoleAssignment.objects.get(user__username=username).unit == union

    # The grants do what the accounts are for.
    cadre = User.objects.get(username="demo-cadre")
    inside = Member.objects.filter(unit_path__startswith=station1.path).first()
    outside = Member.objects.filter(unit_path__startswith=station2.path).first()
    assert can(cadre, "org.edit_member", inside) and not can(cadre, "org.view_members", outside)
    assert can(User.objects.get(username="demo-chair"), "org.view_members", outside)
    assert can(User.objects.get(username="demo-auditor"), "audit.view", union)

    # The other cadres: every role of the policy is held by someone, a branch cadre per branch, a leader per group.
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(ROLES)
    branch_cadres = RoleAssignment.objects.filter(role="branch_cadre", unit__kind="branch")
    assert branch_cadres.values("unit").distinct().count() == 9
    assert (
        RoleAssignment.objects.filter(role="group_leader").values("unit").distinct().count()
        == OrgUnit.objects.filter(kind="group").count()
    )
    reps = RoleAssignment.objects.filter(role="representative").select_related("user__member", "unit")
    assert 5 <= reps.count() <= 30
    assert all(r.unit_id == r.user.member.unit_id for r in reps)
    women_committee = RoleAssignment.objects.select_related("user__member").get(role="women_committee")
    assert women_committee.user.member.gender == "F"
    # Nobody but the demo logins can sign in with a password.
    assert {u.username for u in User.objects.all() if u.has_usable_password()} == set(expected)
    assert not User.objects.filter(is_demo=False).exists()
    assert (
        User.objects.filter(member__isnull=False).values("member").distinct().count()
        == User.objects.filter(member__isnull=False).count()
    )


@pytest.mark.django_db
def test_same_seed_same_data_other_seed_other_data():
    def build(*args: str) -> str:
        with transaction.atomic():
            run_demo(*args)
            digest = roster_digest()
            transaction.set_rollback(True)
        return digest

    first = build("--seed", "7", "--members", "300")
    assert Member.objects.count() == 0
    assert build("--seed", "7", "--members", "300") == first
    assert build("--seed", "8", "--members", "300") != first


@pytest.mark.django_db
def test_if_empty_loads_once_and_a_second_plain_run_is_refused():
    run_demo("--if-empty", "--members", "200")
    before = (OrgUnit.objects.count(), Member.objects.count(), User.objects.count(), roster_digest())
    out = run_demo("--if-empty", "--members", "200")
    assert "not loaded" in out
    assert (OrgUnit.objects.count(), Member.objects.count(), User.objects.count(), roster_digest()) == before
    with pytest.raises(CommandError):
        run_demo("--members", "200")
    assert Member.objects.count() == before[1]


@pytest.mark.django_db
def test_bulk_run_builds_a_federation_of_unions_shaped_like_the_reference():
    run_demo("--members", "5000", "--batch-size", "700", "--verbosity", "0")

    root = OrgUnit.objects.get(kind=OrgUnit.Kind.FEDERATION)
    assert OrgUnit.objects.get_root_nodes().get() == root
    unions = OrgUnit.objects.filter(kind=OrgUnit.Kind.UNION)
    assert unions.count() == 6 and all(u.depth == 2 for u in unions)
    assert unions.filter(code="TC", name=shape.REFERENCE_UNION_NAME).exists()
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).count() == 6 * 9
    assert Member.objects.count() == 5000
    sizes = dict(Member.objects.values_list("union__code").annotate(n=Count("id")).values_list("union__code", "n"))
    assert sizes["TC"] == 900 and all(800 <= n <= 900 for n in sizes.values())
    assert_roster_consistent()
    for column in ("employee_no", "id_number", "mobile"):
        assert Member.objects.values(column).distinct().count() == 5000, column
    invalid = [n for n in Member.objects.values_list("id_number", flat=True).iterator() if not ric.is_valid(n)]
    assert invalid == []
    assert (
        MemberStatusChange.objects.filter(~Q(new_status="active")).count()
        == Member.objects.exclude(status="active").count()
    )
    chair = User.objects.get(username="demo-chair")
    assert chair.role_assignments.get().unit.code == "TC"


@pytest.mark.django_db
def test_the_reference_union_is_the_same_alone_and_inside_a_federation():
    def reference_rows() -> list:
        return list(
            Member.objects.filter(union__code="TC")
            .order_by("employee_no")
            .values_list("employee_no", "name", "id_number", "mobile", "unit__code")
        )

    with transaction.atomic():
        run_demo("--members", "900")
        alone = reference_rows()
        transaction.set_rollback(True)
    run_demo("--members", "1000", "--verbosity", "0")
    assert reference_rows() == alone
