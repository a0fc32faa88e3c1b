"""The Django admin obeys the same permission policy as the pages: one place, every route."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests import factories
from unionhome.access.admin_policy import PolicyModelAdmin
from unionhome.access.models import RoleAssignment
from unionhome.audit.models import AuditEvent
from unionhome.audit.recorder import record
from unionhome.org.models import Member, OrgUnit

MEMBERS = reverse("admin:org_member_changelist")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def staff_chair(union):
    """A union chair who is also platform staff (the chair role carries member permissions)."""
    return factories.user("staff-chair", roles=(("chair", union["union"]),), is_staff=True)


@pytest.fixture
def staff_cadre(union):
    """Staff, but with a station 1 role only."""
    return factories.user("staff-cadre", roles=(("branch_cadre", union["s1"]),), is_staff=True)


def denial_of(user) -> AuditEvent:
    return AuditEvent.objects.filter(action="access.denied", actor=user).latest("id")


# --- who enters ---------------------------------------------------------------------------------


def test_every_registered_admin_follows_the_policy():
    assert admin.site._registry, "nothing registered"
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, PolicyModelAdmin), model


def test_third_party_admins_outside_the_policy_are_not_installed():
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not admin.site.is_registered(Group)
    assert not admin.site.is_registered(TOTPDevice)  # its secret keys never show in the admin


def test_registering_an_own_model_outside_the_policy_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    from unionhome.org.models import MemberTag

    with pytest.raises(ImproperlyConfigured):
        admin.site.register(MemberTag)


def test_anonymous_visitors_are_sent_to_the_platform_login(client):
    response = client.get(MEMBERS, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login") + "?next=")
    assert reverse("admin:login") not in response.redirect_chain[-1][0]


def test_the_admins_own_login_form_is_not_offered(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["cadre", "chair", "auditor", "member"])
def test_users_who_are_not_staff_are_refused_and_recorded(login_as, people, who):
    client = login_as(people[who])
    for url in [reverse("admin:index"), MEMBERS, reverse("admin:login")]:
        assert client.get(url).status_code == 403
    assert denial_of(people[who]).changes["path"] in {reverse("admin:index"), MEMBERS, reverse("admin:login")}


def test_staff_enter_only_past_the_second_factor(client, people):
    client.force_login(people["admin"], backend="unionhome.accounts.backends.LoginIdBackend")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:second_factor"))


# --- the platform admin: configuration only -----------------------------------------------------


def test_platform_admin_sees_configuration_but_no_member_record(login_as, people):
    client = login_as(people["admin"])
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    models = {m["object_name"] for app in index.context["app_list"] for m in app["models"]}
    assert models == {"OrgUnit", "RoleAssignment", "User"}
    assert client.get(MEMBERS).status_code == 403
    assert denial_of(people["admin"]).changes["path"] == MEMBERS
    member = people["member_record"]
    assert client.get(reverse("admin:org_member_change", args=[member.pk])).status_code == 404
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 403
    html = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert member.mobile not in html and member.id_number not in html


# --- members ------------------------------------------------------------------------------------


def test_member_changelist_is_scoped_like_the_directory(login_as, people, staff_cadre):
    html = login_as(staff_cadre).get(MEMBERS).content.decode()
    assert "张三" in html and "李四" in html and "王五" not in html


def test_member_changelist_masks_unless_the_viewer_may_see(login_as, people, union):
    leader = factories.user("staff-leader", roles=(("group_leader", union["s1"]),), is_staff=True)
    member = people["member_record"]
    html = login_as(leader).get(MEMBERS).content.decode()
    assert member.mobile not in html and member.mobile[:3] + "****" + member.mobile[-4:] in html
    assert member.id_number not in html


def test_member_changelist_unmasked_for_a_branch_cadre(login_as, people, staff_cadre):
    html = login_as(staff_cadre).get(MEMBERS).content.decode()
    assert people["member_record"].mobile in html


def test_member_search_uses_pinyin_initials(login_as, people, staff_cadre):
    html = login_as(staff_cadre).get(MEMBERS, {"q": "ls"}).content.decode()
    assert "李四" in html and "张三" not in html


def test_opening_a_member_goes_to_the_real_page(login_as, people, staff_cadre):
    member = people["other_s1"]
    response = login_as(staff_cadre).get(reverse("admin:org_member_change", args=[member.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("org:member_detail", args=[member.pk])


@pytest.mark.parametrize(("route", "status"), [("change", 404), ("history", 404), ("delete", 403)])
def test_a_member_outside_the_scope_is_refused_in_the_admin(login_as, people, staff_cadre, route, status):
    client = login_as(staff_cadre)
    other = people["s2_member"]
    response = client.get(reverse(f"admin:org_member_{route}", args=[other.pk]))
    assert response.status_code == status
    assert denial_of(staff_cadre).changes["path"] == reverse(f"admin:org_member_{route}", args=[other.pk])


def test_members_cannot_be_added_changed_or_deleted_in_the_admin(login_as, people, staff_chair):
    client = login_as(staff_chair)
    member = people["other_s1"]
    assert client.get(reverse("admin:org_member_add")).status_code == 403
    assert client.post(reverse("admin:org_member_delete", args=[member.pk]), {"post": "yes"}).status_code == 403
    client.post(MEMBERS, {"action": "delete_selected", "_selected_action": [member.pk], "post": "yes"})
    assert Member.objects.filter(pk=member.pk).exists()  # no bulk actions are offered at all


def test_member_changelist_query_count_does_not_grow_with_rows(login_as, people, staff_chair, union):
    client = login_as(staff_chair)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(MEMBERS).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        factories.member(union["g21"], f"孙{i}")
    few = queries()
    for i in range(45):
        factories.member(union["g11" if i % 2 else "g21"], f"周{i}")
    assert client.get(MEMBERS).context["cl"].result_count == 50
    assert queries() == few


# --- units --------------------------------------------------------------------------------------


def test_unit_add_and_rename_go_through_the_services(login_as, people, union):
    client = login_as(people["admin"])
    response = client.post(
        reverse("admin:org_orgunit_add"),
        {"parent": union["s2"].pk, "name": "二站乙班", "code": "S02-G2", "kind": "group", "district": "", "site": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    unit = OrgUnit.objects.get(code="S02-G2")
    assert unit.path.startswith(union["s2"].path) and unit.depth == 3
    created = AuditEvent.objects.get(action="org.unit.created", object_id=str(unit.pk))
    assert created.actor == people["admin"]
    response = client.post(
        reverse("admin:org_orgunit_change", args=[unit.pk]), {"name": "二站乙班组", "district": "云溪区", "site": ""}
    )
    assert response.status_code == 302
    updated = AuditEvent.objects.get(action="org.unit.updated", object_id=str(unit.pk))
    assert updated.changes == {"name": ["二站乙班", "二站乙班组"], "district": ["", "云溪区"]}


def test_unit_add_form_errors_are_shown_not_raised(login_as, people, union):
    client = login_as(people["admin"])
    response = client.post(
        reverse("admin:org_orgunit_add"),
        {"parent": union["s2"].pk, "name": "重复", "code": "S01-G1", "kind": "group"},
    )
    assert response.status_code == 200 and "already exists" in response.content.decode()
    response = client.post(reverse("admin:org_orgunit_add"), {"name": "无根", "code": "ROOTLESS", "kind": "union"})
    assert response.status_code == 200 and not OrgUnit.objects.filter(code="ROOTLESS").exists()


@pytest.mark.parametrize("object_id", ["abc", str(10**30), "-1"])
def test_malformed_ids_in_admin_urls_are_not_found(login_as, people, object_id):
    client = login_as(people["admin"])
    assert client.get(f"/admin/org/orgunit/{object_id}/change/").status_code == 404


def test_units_are_never_deleted_in_the_admin(login_as, people, union):
    client = login_as(people["admin"])
    assert client.post(reverse("admin:org_orgunit_delete", args=[union["g12"].pk]), {"post": "yes"}).status_code == 403
    assert OrgUnit.objects.filter(pk=union["g12"].pk).exists()


def test_a_staff_cadre_sees_units_of_their_station_read_only(login_as, union, staff_cadre):
    client = login_as(staff_cadre)
    html = client.get(reverse("admin:org_orgunit_changelist")).content.decode()
    assert "一站甲班" in html and "二站甲班" not in html
    assert client.get(reverse("admin:org_orgunit_add")).status_code == 403
    url = reverse("admin:org_orgunit_change", args=[union["g11"].pk])
    assert client.post(url, {"name": "改名", "district": "", "site": ""}).status_code == 403
    assert client.get(reverse("admin:org_orgunit_change", args=[union["g21"].pk])).status_code == 404


# --- roles --------------------------------------------------------------------------------------


def test_granting_and_revoking_roles_go_through_the_services(login_as, people, union):
    client = login_as(people["admin"])
    newcomer = factories.user("newcomer")
    response = client.post(
        reverse("admin:access_roleassignment_add"), {"user": newcomer.pk, "role": "auditor", "unit": union["union"].pk}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    grant = RoleAssignment.objects.get(user=newcomer)
    assert AuditEvent.objects.get(action="access.role_granted").changes == {"user": "newcomer", "role": "auditor"}
    response = client.post(reverse("admin:access_roleassignment_delete", args=[grant.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(user=newcomer).exists()
    assert AuditEvent.objects.get(action="access.role_revoked").object_id == str(grant.pk)


def test_nobody_grants_a_role_to_themselves(login_as, people, union):
    client = login_as(people["admin"])
    response = client.post(
        reverse("admin:access_roleassignment_add"),
        {"user": people["admin"].pk, "role": "chair", "unit": union["union"].pk},
    )
    assert response.status_code == 200 and "You cannot grant a role to yourself." in response.content.decode()
    assert not RoleAssignment.objects.filter(user=people["admin"], role="chair").exists()


def test_role_grants_are_never_edited(login_as, people):
    grant = RoleAssignment.objects.get(user=people["cadre"])
    client = login_as(people["admin"])
    url = reverse("admin:access_roleassignment_change", args=[grant.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"role": "chair"}).status_code == 403


def test_user_autocomplete_is_scoped(login_as, people):
    client = login_as(people["admin"])
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "access", "model_name": "roleassignment", "field_name": "user", "term": "cadre"},
    )
    assert response.status_code == 200
    assert {r["text"] for r in response.json()["results"]} == {"cadre1", "cadre2"}


# --- accounts -----------------------------------------------------------------------------------


def test_accounts_show_no_secrets(login_as, people):
    client = login_as(people["admin"])
    target = people["cadre"]
    html = client.get(reverse("admin:accounts_user_change", args=[target.pk])).content.decode()
    assert target.password not in html and "argon2" not in html and 'name="password"' not in html


def test_disabling_an_account_goes_through_the_service(login_as, people):
    client = login_as(people["admin"])
    target = people["cadre"]
    response = client.post(reverse("admin:accounts_user_change", args=[target.pk]), {})  # is_active unticked
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert AuditEvent.objects.filter(action="accounts.disabled", object_id=str(target.pk)).count() == 1


def test_nobody_disables_their_own_account_in_the_admin(login_as, people):
    client = login_as(people["admin"])
    response = client.post(reverse("admin:accounts_user_change", args=[people["admin"].pk]), {})
    assert response.status_code == 200 and "You cannot disable your own account." in response.content.decode()


def test_account_list_matches_the_account_service_rule(people, union):
    from unionhome.accounts.admin import manageable_accounts
    from unionhome.accounts.models import User
    from unionhome.accounts.services import can_manage_account

    factories.user("lonely")  # no member record, no role
    station_manager = factories.user("station-manager", roles=(("chair", union["s1"]),), is_staff=True)
    for actor in [people["admin"], people["chair"], station_manager, people["cadre"]]:
        expected = {u.username for u in User.objects.all() if can_manage_account(actor, u)}
        assert set(manageable_accounts(actor).values_list("username", flat=True)) == expected, actor


# --- the audit trail ------------------------------------------------------------------------------


def test_audit_trail_in_the_admin_is_read_only_and_scoped(login_as, people, union):
    staff_auditor = factories.user("staff-auditor", roles=(("auditor", union["s1"]),), is_staff=True)
    here = record(people["cadre"], "org.member.updated", people["other_s1"], name=["李四", "李肆"])
    elsewhere = record(people["cadre2"], "org.member.updated", people["s2_member"], name=["王五", "王伍"])
    client = login_as(staff_auditor)
    html = client.get(reverse("admin:audit_auditevent_changelist")).content.decode()
    assert "李四" in html and "王五" not in html
    change = reverse("admin:audit_auditevent_change", args=[here.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"action": "forged"}).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_delete", args=[here.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_change", args=[elsewhere.pk])).status_code == 404
    assert AuditEvent.objects.get(pk=here.pk).action == "org.member.updated"


def test_no_django_change_log_is_written(login_as, people, union):
    from django.contrib.admin.models import LogEntry

    client = login_as(people["admin"])
    client.post(
        reverse("admin:org_orgunit_change", args=[union["g11"].pk]), {"name": "甲班", "district": "", "site": ""}
    )
    assert AuditEvent.objects.filter(action="org.unit.updated").exists()
    assert not LogEntry.objects.exists()
