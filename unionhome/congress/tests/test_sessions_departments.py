"""Handling departments: create, rename, deactivate, handlers; guards and permissions; the pages."""

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from unionhome.access.policy import PermissionRefused
from unionhome.audit.models import AuditEvent
from unionhome.congress.models import HandlingDepartment
from unionhome.congress.services import departments as services

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_a_department_is_created_renamed_deactivated_and_reactivated(congress):
    office, union = congress["office"], congress["union"]["union"]
    department = services.department_create(actor=office, union=union, name=" 安全环保部 ")
    assert (department.name, department.unit_path, department.is_active) == ("安全环保部", union.path, True)
    department = services.department_rename(actor=office, department=department, name="安全环保处")
    assert HandlingDepartment.objects.get(pk=department.pk).name == "安全环保处"
    services.department_set_active(actor=office, department=department, is_active=False)
    assert not HandlingDepartment.objects.get(pk=department.pk).is_active
    services.department_set_active(actor=office, department=department, is_active=True)
    actions = list(
        AuditEvent.objects.filter(object_id=str(department.pk)).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "congress.department.created",
        "congress.department.renamed",
        "congress.department.deactivated",
        "congress.department.activated",
    ]


def test_names_are_unique_per_union_and_required(congress):
    office, union = congress["office"], congress["union"]["union"]
    with pytest.raises(ValidationError) as exc:
        services.department_create(actor=office, union=union, name="人力资源部")  # the fixture's
    assert "already has a department" in exc.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as exc:
        services.department_create(actor=office, union=union, name="   ")
    assert "name" in exc.value.message_dict
    other = services.department_create(actor=office, union=union, name="财务部")
    with pytest.raises(ValidationError):
        services.department_rename(actor=office, department=other, name="人力资源部")
    with pytest.raises(ValidationError) as exc:
        services.department_create(actor=office, union=congress["union"]["s1"], name="站内部门")
    assert "union" in exc.value.message_dict
    assert HandlingDepartment.objects.count() == 2


def test_handlers_are_added_once_and_removed(congress):
    office, department = congress["office"], congress["department"]
    newcomer = factories.user("handler-2")
    services.department_add_handler(actor=office, department=department, user=newcomer)
    services.department_add_handler(actor=office, department=department, user=newcomer)  # no-op
    assert set(department.handlers.values_list("username", flat=True)) == {"handler", "handler-2"}
    assert AuditEvent.objects.filter(action="congress.department.handler_added").count() == 1
    services.department_remove_handler(actor=office, department=department, user=congress["handler"])
    with pytest.raises(ValidationError, match="not a handler"):
        services.department_remove_handler(actor=office, department=department, user=congress["handler"])
    assert list(department.handlers.values_list("username", flat=True)) == ["handler-2"]


def test_inactive_accounts_and_departments_take_no_handlers(congress):
    office, department = congress["office"], congress["department"]
    gone = factories.user("gone", is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.department_add_handler(actor=office, department=department, user=gone)
    assert "user" in exc.value.message_dict
    services.department_set_active(actor=office, department=department, is_active=False)
    with pytest.raises(ValidationError, match="inactive"):
        services.department_add_handler(actor=office, department=department, user=factories.user("x"))
    assert department.handlers.count() == 1


@pytest.mark.parametrize("who", ["cadre", "committee", "handler", "member"])
def test_only_the_office_and_chairs_set_up_departments(congress, who):
    with pytest.raises(PermissionRefused, match="congress.manage_departments"):
        services.department_create(actor=congress[who], union=congress["union"]["union"], name="新部门")
    with pytest.raises(PermissionRefused):
        services.department_add_handler(actor=congress[who], department=congress["department"], user=congress[who])
    assert HandlingDepartment.objects.count() == 1


# --- pages ---------------------------------------------------------------------------------------


def test_the_office_adds_a_department_and_a_handler_found_by_pinyin(congress, login_as):
    client = login_as(congress["office"])
    response = client.post("/congress/departments/", {"name": "后勤服务中心"}, **EN)
    department = HandlingDepartment.objects.get(name="后勤服务中心")
    assert response.status_code == 302 and response["Location"] == f"/congress/departments/{department.pk}/"
    # 张三 (initials zs) logs in as "member".
    page = client.get(f"/congress/departments/{department.pk}/", {"q": "zs"}, **EN)
    assert page.status_code == 200 and [u.username for u in page.context["candidates"]] == ["member"]
    user = page.context["candidates"][0]
    client.post(f"/congress/departments/{department.pk}/", {"action": "add", "user": user.pk}, **EN)
    assert list(department.handlers.values_list("username", flat=True)) == ["member"]
    by_username = client.get(f"/congress/departments/{department.pk}/", {"q": "handler"}, **EN)
    assert [u.username for u in by_username.context["candidates"]] == ["handler"]
    client.post(f"/congress/departments/{department.pk}/", {"action": "rename", "name": ""}, **EN)
    assert HandlingDepartment.objects.get(pk=department.pk).name == "后勤服务中心"
    client.post(f"/congress/departments/{department.pk}/", {"action": "deactivate"}, **EN)
    assert not HandlingDepartment.objects.get(pk=department.pk).is_active


def test_department_pages_refuse_others(congress, login_as):
    client = login_as(congress["cadre"])
    assert client.get("/congress/departments/", **EN).status_code == 403
    assert client.get(f"/congress/departments/{congress['department'].pk}/", **EN).status_code == 404


def test_the_department_list_has_a_constant_query_count(congress, login_as, django_assert_max_num_queries):
    client = login_as(congress["office"])
    client.get("/congress/departments/", **EN)
    with django_assert_max_num_queries(14) as few:
        client.get("/congress/departments/", **EN)
    for i in range(6):
        department = services.department_create(
            actor=congress["office"], union=congress["union"]["union"], name=f"部门{i}"
        )
        department.handlers.add(factories.user(f"h{i}"), factories.user(f"hh{i}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/congress/departments/", **EN)
    assert len(response.context["departments"]) == 7
