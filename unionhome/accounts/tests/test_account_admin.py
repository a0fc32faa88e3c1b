"""Account administration by cadres with ``accounts.manage``: create a login, reset a password or authenticator,
disable and enable; always within scope, always audited; one-time passwords must be changed at first login."""

import re

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from unionhome.access.policy import PermissionRefused
from unionhome.accounts import services
from unionhome.accounts.models import ApiToken, User, UserSession
from unionhome.accounts.tests.login_steps import GENERIC, logged_in_user_id, post_login
from unionhome.audit.models import AuditEvent

PASSWORD = factories.PASSWORD
ONE_TIME = re.compile(r'id="one-time-password" class="num">([a-z0-9-]+)<')


@pytest.fixture
def other_union_chair(db):
    other = factories.unit(None, "化工厂工会", "union", code="X-CHEM")  # sorts after TC: paths stay put
    return factories.user("chem-chair", roles=(("chair", other),))


# --- Services ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["chair", "admin"])
def test_chair_and_platform_admin_create_a_login_with_a_one_time_password(people, who):
    member = people["other_s1"]
    user, password = services.account_create_for_member(actor=people[who], member=member)
    user.refresh_from_db()
    assert user.member == member
    assert user.must_change_password
    assert user.password.startswith("argon2")
    assert user.check_password(password)
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
    event = AuditEvent.objects.get(action="accounts.login_created")
    assert event.actor == people[who]
    assert event.object_id == str(user.pk)
    assert event.union_path == people["chair"].role_assignments.get().unit.path  # the union's auditors see it
    assert password not in str(event.changes)


@pytest.mark.parametrize("who", ["member", "cadre", "cadre2", "auditor"])
def test_other_roles_may_not_create_logins(people, who):
    with pytest.raises(PermissionRefused) as exc:
        services.account_create_for_member(actor=people[who], member=people["other_s1"])
    assert exc.value.permission == "accounts.manage"
    assert not User.objects.filter(member=people["other_s1"]).exists()
    assert not AuditEvent.objects.filter(action="accounts.login_created").exists()


def test_a_chair_of_another_union_may_not_touch_our_members(people, other_union_chair):
    with pytest.raises(PermissionRefused):
        services.account_create_for_member(actor=other_union_chair, member=people["other_s1"])
    for service in (services.password_reset, services.second_factor_reset):
        with pytest.raises(PermissionRefused):
            service(actor=other_union_chair, user=people["member"])
    with pytest.raises(PermissionRefused):
        services.account_set_active(actor=other_union_chair, user=people["member"], active=False)
    assert User.objects.get(pk=people["member"].pk).is_active


def test_a_member_with_a_login_or_who_left_gets_no_new_one(people, union):
    with pytest.raises(ValidationError, match="already has a login"):
        services.account_create_for_member(actor=people["chair"], member=people["member_record"])
    leaver = factories.member(union["g12"], "钱七", status="left")
    with pytest.raises(ValidationError, match="has left the union"):
        services.account_create_for_member(actor=people["chair"], member=leaver)
    assert User.objects.filter(member__in=[people["member_record"], leaver]).count() == 1


def test_password_reset_gives_a_one_time_password_and_ends_everything(people, new_client):
    member = people["member"]
    browser = new_client()
    post_login(browser, "member", PASSWORD)
    services.api_token_issue(user=member)
    for i in range(3):
        post_login(new_client(), "member", f"forgotten-{i}")
    assert AccessAttempt.objects.filter(username="member").exists()

    password = services.password_reset(actor=people["chair"], user=member)
    member.refresh_from_db()
    assert member.must_change_password
    assert member.check_password(password)
    assert not member.check_password(PASSWORD)
    assert browser.get("/").status_code == 302
    assert not ApiToken.objects.filter(user=member).exists()
    assert not UserSession.objects.filter(user=member).exists()
    assert not AccessAttempt.objects.filter(username="member").exists()  # the lockout is lifted
    assert AuditEvent.objects.filter(actor=people["chair"], action="accounts.password_reset").exists()


def test_password_reset_of_oneself_and_by_other_roles_is_refused(people):
    with pytest.raises(ValidationError, match="password page"):
        services.password_reset(actor=people["chair"], user=people["chair"])
    for who in ["member", "cadre", "auditor"]:
        with pytest.raises(PermissionRefused):
            services.password_reset(actor=people[who], user=people["member"])
    assert User.objects.get(pk=people["member"].pk).check_password(PASSWORD)


def test_platform_staff_accounts_are_managed_by_platform_staff_only(people):
    with pytest.raises(PermissionRefused):
        services.password_reset(actor=people["chair"], user=people["admin"])
    with pytest.raises(PermissionRefused):
        services.account_set_active(actor=people["chair"], user=people["admin"], active=False)
    # The platform admin (staff, accounts.manage on the union) may reset the chair.
    assert services.password_reset(actor=people["admin"], user=people["chair"])


def test_accounts_with_roles_beyond_the_actors_scope_are_out_of_reach(people, union, other_union_chair):
    other = other_union_chair.role_assignments.get().unit
    double = factories.user("double-hat", member=people["other_s1"], roles=(("branch_cadre", other),))
    with pytest.raises(PermissionRefused):
        services.password_reset(actor=people["chair"], user=double)
    assert not services.can_manage_account(people["chair"], double)
    assert services.can_manage_account(people["chair"], people["cadre"])


def test_nobody_disables_their_own_account(people):
    with pytest.raises(ValidationError, match="your own account"):
        services.account_set_active(actor=people["chair"], user=people["chair"], active=False)
    assert User.objects.get(pk=people["chair"].pk).is_active


def test_second_factor_reset_removes_the_authenticator(people):
    cadre = people["cadre"]
    assert TOTPDevice.objects.filter(user=cadre).exists()
    services.second_factor_reset(actor=people["chair"], user=cadre)
    assert not TOTPDevice.objects.filter(user=cadre).exists()
    assert AuditEvent.objects.filter(action="accounts.second_factor_reset", object_id=str(cadre.pk)).exists()
    with pytest.raises(PermissionRefused):
        services.second_factor_reset(actor=people["cadre2"], user=people["chair"])


# --- Pages ----------------------------------------------------------------------------------------------------


def test_member_page_links_to_the_login_page_only_for_those_who_manage_accounts(client, people, login_as):
    url = f"/org/members/{people['other_s1'].pk}/"
    target = f"/accounts/manage/members/{people['other_s1'].pk}/"
    login_as(people["chair"])
    assert target in client.get(url).content.decode()
    login_as(people["cadre"])  # sees the member, may edit them, but does not manage logins
    page = client.get(url)
    assert page.status_code == 200
    assert target not in page.content.decode()


def test_login_pages_are_refused_to_other_roles(client, people, login_as):
    pk = people["other_s1"].pk
    for who in ["member", "cadre", "auditor"]:
        login_as(people[who])
        assert client.get("/accounts/manage/").status_code == 403, who
        assert client.get(f"/accounts/manage/members/{pk}/").status_code == 403, who
        assert client.post(f"/accounts/manage/members/{pk}/create/").status_code == 403, who
    assert not User.objects.filter(member=people["other_s1"]).exists()
    assert AuditEvent.objects.filter(action="access.denied", actor=people["cadre"]).exists()


def test_a_member_outside_the_scope_is_not_found(client, people, login_as, other_union_chair):
    login_as(other_union_chair)
    pk = people["other_s1"].pk
    assert client.get(f"/accounts/manage/members/{pk}/").status_code == 404
    assert client.post(f"/accounts/manage/members/{pk}/create/").status_code == 404
    assert client.post(f"/accounts/manage/members/{pk}/reset-password/").status_code == 404
    assert not User.objects.filter(member=people["other_s1"]).exists()


def test_actions_need_post(client, people, login_as):
    login_as(people["chair"])
    pk = people["member_record"].pk
    for action in ["create", "reset-password", "active", "reset-second-factor"]:
        assert client.get(f"/accounts/manage/members/{pk}/{action}/").status_code == 405


def test_login_list_shows_state_and_searches(client, people, login_as, union):
    login_as(people["chair"])
    page = client.get("/accounts/manage/")
    html = page.content.decode()
    assert page.status_code == 200
    for name in ["张三", "李四", "王五"]:
        assert name in html
    assert "No login" in html and "Active" in html
    found = client.get("/accounts/manage/?q=ls").content.decode()
    assert "李四" in found and "张三" not in found


def test_login_list_query_count_does_not_grow_with_rows(client, people, login_as, union):
    login_as(people["chair"])
    client.get("/accounts/manage/")
    with CaptureQueriesContext(connection) as few:
        client.get("/accounts/manage/")
    for i in range(12):
        m = factories.member(union["g21"], f"孙{i}")
        if i % 2:
            factories.user(f"sun-{i}", member=m)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/accounts/manage/")
    assert page.content.decode().count("/accounts/manage/members/") >= 15
    assert len(many) == len(few)


def test_chair_creates_a_login_and_the_member_must_choose_a_password(client, new_client, people, login_as):
    record = people["other_s1"]
    login_as(people["chair"])
    page = client.get(f"/accounts/manage/members/{record.pk}/")
    assert "Create a login" in page.content.decode()
    response = client.post(f"/accounts/manage/members/{record.pk}/create/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    password = ONE_TIME.search(response.content.decode()).group(1)
    assert record.employee_no in response.content.decode()
    account = User.objects.get(member=record)
    assert "One-time password given" in client.get(f"/accounts/manage/members/{record.pk}/").content.decode()
    assert password not in client.get(f"/accounts/manage/members/{record.pk}/").content.decode()

    worker = new_client()
    response = post_login(worker, record.employee_no, password, next_url="/accounts/me/")
    assert response.status_code == 302
    assert response.url == "/accounts/password/"
    for path in ["/", "/accounts/me/", "/accounts/me/download/", "/org/members/"]:
        blocked = worker.get(path)
        assert blocked.status_code == 302 and blocked.url == "/accounts/password/", path
    form = worker.get("/accounts/password/")
    assert "You logged in with a one-time password." in form.content.decode()
    response = worker.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password": "my-own-secret-phrase-8",
            "new_password_again": "my-own-secret-phrase-8",
        },
    )
    assert response.status_code == 302
    assert response.url == "/"
    assert worker.get("/").status_code == 200
    account.refresh_from_db()
    assert not account.must_change_password
    assert logged_in_user_id(worker) == str(account.pk)


def test_chair_resets_a_password_through_the_page(client, new_client, people, login_as):
    member = people["member"]
    worker = new_client()
    post_login(worker, "member", PASSWORD)
    login_as(people["chair"])
    response = client.post(f"/accounts/manage/members/{people['member_record'].pk}/reset-password/")
    assert response["Cache-Control"] == "no-store"
    password = ONE_TIME.search(response.content.decode()).group(1)
    assert worker.get("/").status_code == 302  # the member's session ended
    assert GENERIC in post_login(new_client(), "member", PASSWORD).content.decode()
    assert post_login(new_client(), "member", password).url == "/accounts/password/"
    member.refresh_from_db()
    assert member.must_change_password


def test_chair_disables_and_enables_a_login_through_the_page(client, new_client, people, login_as):
    pk = people["member_record"].pk
    worker = new_client()
    post_login(worker, "member", PASSWORD)
    login_as(people["chair"])
    response = client.post(f"/accounts/manage/members/{pk}/active/", {"active": "0"}, follow=True)
    assert "The login is disabled." in response.content.decode()
    assert "Enable login" in response.content.decode()
    assert worker.get("/").status_code == 302
    assert GENERIC in post_login(new_client(), "member", PASSWORD).content.decode()
    response = client.post(f"/accounts/manage/members/{pk}/active/", {"active": "1"}, follow=True)
    assert "The login is enabled." in response.content.decode()
    assert post_login(new_client(), "member", PASSWORD).status_code == 302
    actions = list(AuditEvent.objects.filter(actor=people["chair"]).values_list("action", flat=True))
    assert "accounts.disabled" in actions and "accounts.enabled" in actions


def test_an_action_on_a_member_without_login_explains_itself(client, people, login_as):
    login_as(people["chair"])
    pk = people["other_s1"].pk
    response = client.post(f"/accounts/manage/members/{pk}/reset-password/", follow=True)
    assert "has no login yet" in response.content.decode()
    response = client.post(f"/accounts/manage/members/{pk}/create/")
    assert response.status_code == 200
    again = client.post(f"/accounts/manage/members/{pk}/create/", follow=True)
    assert "already has a login" in again.content.decode()
    assert User.objects.filter(member_id=pk).count() == 1


def test_chair_resets_an_authenticator_and_the_cadre_enrols_again(client, new_client, people, login_as, union):
    cadre_member = factories.member(union["g11"], "周八")
    cadre = factories.user("cadre-zhou", member=cadre_member, roles=(("branch_cadre", union["s1"]),))
    login_as(people["chair"])
    page = client.get(f"/accounts/manage/members/{cadre_member.pk}/")
    assert "Reset authenticator" in page.content.decode()
    client.post(f"/accounts/manage/members/{cadre_member.pk}/reset-second-factor/")
    assert not TOTPDevice.objects.filter(user=cadre, confirmed=True).exists()
    browser = new_client()
    response = post_login(browser, "cadre-zhou", PASSWORD)
    assert "totp-secret" in browser.get(response.url).content.decode()
