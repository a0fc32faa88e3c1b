import pytest

from unionhome.access.policy import PermissionRefused, can, require, scope_q
from unionhome.org.models import Member


def test_cadre_of_station_sees_station_and_below_only(people, union):
    cadre = people["cadre"]
    assert can(cadre, "org.view_members", union["s1"])
    assert can(cadre, "org.view_members", union["g11"])
    assert can(cadre, "org.view_members", people["other_s1"])
    assert not can(cadre, "org.view_members", union["s2"])
    assert not can(cadre, "org.view_members", people["s2_member"])
    assert not can(cadre, "org.view_members", union["union"])


def test_scope_filter_matches_can(people):
    visible = set(Member.objects.filter(scope_q(people["cadre"], "org.view_members", "unit_path")))
    assert visible == {people["member_record"], people["other_s1"]}
    assert set(Member.objects.filter(scope_q(people["chair"], "org.view_members", "unit_path"))) == set(
        Member.objects.all()
    )
    assert not Member.objects.filter(scope_q(people["member"], "org.view_members", "unit_path")).exists()


def test_member_reads_own_record_only(people):
    member = people["member"]
    assert can(member, "org.view_member_sensitive", people["member_record"])
    assert not can(member, "org.view_members", people["other_s1"])
    assert not can(member, "org.edit_member", people["member_record"])


def test_denial_names_the_permission(people):
    with pytest.raises(PermissionRefused) as exc:
        require(people["auditor"], "org.edit_member", people["member_record"])
    assert "org.edit_member" in str(exc.value)


def test_admin_has_no_default_access_to_member_records(people):
    admin = people["admin"]
    assert not can(admin, "org.view_members", people["member_record"])
    assert not can(admin, "org.view_member_sensitive", people["member_record"])


def test_unknown_permission_is_a_programming_error(people):
    with pytest.raises(KeyError):
        can(people["chair"], "org.fly_to_the_moon", people["member_record"])
