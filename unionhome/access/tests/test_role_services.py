"""Granting and revoking roles: permission first, no self-grant, audited in the same transaction."""

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from unionhome.access.models import RoleAssignment
from unionhome.access.policy import PermissionRefused, can
from unionhome.access.services import role_grant, role_revoke
from unionhome.audit.models import AuditEvent


def test_grant_then_revoke(people, union):
    newcomer = factories.user("newcomer")
    grant = role_grant(actor=people["chair"], user=newcomer, role="group_leader", unit=union["g21"])
    assert can(newcomer, "org.view_members", people["s2_member"])
    event = AuditEvent.objects.get(action="access.role_granted")
    assert (event.actor, event.unit_path, event.changes) == (
        people["chair"],
        union["g21"].path,
        {"user": "newcomer", "role": "group_leader"},
    )
    role_revoke(actor=people["chair"], assignment=grant)
    assert not RoleAssignment.objects.filter(user=newcomer).exists()
    revoked = AuditEvent.objects.get(action="access.role_revoked")
    assert revoked.object_id == str(grant.pk) and revoked.unit_path == union["g21"].path


@pytest.mark.parametrize("who", ["member", "cadre", "auditor"])
def test_only_holders_of_assign_roles_grant(people, union, who):
    with pytest.raises(PermissionRefused):
        role_grant(actor=people[who], user=people["member"], role="representative", unit=union["g11"])
    assert not AuditEvent.objects.filter(action="access.role_granted").exists()


def test_grant_outside_the_actors_subtree_is_refused(union):
    station_chair = factories.user("station-chair", roles=(("chair", union["s1"]),))
    with pytest.raises(PermissionRefused):
        role_grant(actor=station_chair, user=factories.user("x"), role="group_leader", unit=union["g21"])


@pytest.mark.parametrize(
    ("role", "message"),
    [("emperor", "Unknown role."), ("branch_cadre", "already holds this role")],
)
def test_bad_grants_write_nothing(people, union, role, message):
    before = (RoleAssignment.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match=message):
        role_grant(actor=people["chair"], user=people["cadre"], role=role, unit=union["s1"])
    assert (RoleAssignment.objects.count(), AuditEvent.objects.count()) == before


def test_nobody_grants_themselves_a_role(people, union):
    with pytest.raises(ValidationError, match="yourself"):
        role_grant(actor=people["admin"], user=people["admin"], role="chair", unit=union["union"])
    assert not can(people["admin"], "org.view_members", people["member_record"])
