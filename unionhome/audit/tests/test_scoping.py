"""Who reads which event: the rule in ``audit.selectors``."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests import factories
from unionhome.audit.recorder import record
from unionhome.audit.selectors import events_for


@pytest.fixture
def trail(people, union):
    """One event of each kind: on station 1's and station 2's records, a login, a denial, an anonymous one."""
    return {
        "s1_edit": record(people["cadre"], "org.member.updated", people["other_s1"], name=["李四", "李肆"]),
        "s2_edit": record(people["cadre2"], "org.member.updated", people["s2_member"], name=["王五", "王伍"]),
        "s1_unit": record(people["chair"], "org.unit.updated", union["s1"], site=["", "城区"]),
        "login": record(people["member"], "accounts.logged_in", people["member"]),
        "denial": record(people["cadre"], "access.denied", None, path="/org/members/3/"),
        "anonymous": record(AnonymousUser(), "access.denied", None, path="/audit/"),
    }


def visible(viewer, trail, permission="audit.view") -> set[str]:
    ids = set(events_for(viewer, permission).values_list("pk", flat=True))
    return {name for name, event in trail.items() if event.pk in ids}


def test_auditor_of_the_root_union_reads_everything(people, trail):
    assert visible(people["auditor"], trail) == set(trail)


def test_auditor_of_a_branch_reads_its_records_but_no_account_events(union, trail):
    branch_auditor = factories.user("branch-auditor", roles=(("auditor", union["s1"]),))
    assert visible(branch_auditor, trail) == {"s1_edit", "s1_unit"}


def test_export_scope_follows_the_export_permission(union, trail):
    reader = factories.user("reader", roles=(("auditor", union["s1"]),))
    assert visible(reader, trail, "audit.export") == {"s1_edit", "s1_unit"}


@pytest.mark.parametrize("who", ["member", "cadre", "chair", "admin"])
def test_nobody_without_the_audit_permission_reads_anything(people, trail, who):
    assert visible(people[who], trail) == set()


def test_union_below_a_federation_sees_its_own_account_events_not_the_unattributed(db):
    fed = factories.unit(None, "联合会", "federation", code="FED")
    a = factories.unit(fed, "甲工会", "union", code="UA")
    b = factories.unit(fed, "乙工会", "union", code="UB")
    a_member = factories.user("a-member", member=factories.member(a, "甲一"))
    b_member = factories.user("b-member", member=factories.member(b, "乙一"))
    trail = {
        "a_login": record(a_member, "accounts.logged_in", a_member),
        "b_login": record(b_member, "accounts.logged_in", b_member),
        "anonymous": record(AnonymousUser(), "access.denied", None, path="/"),
    }
    assert visible(factories.user("a-auditor", roles=(("auditor", a),)), trail) == {"a_login"}
    assert visible(factories.user("fed-auditor", roles=(("auditor", fed),)), trail) == set(trail)
