"""Every org service write records exactly one audit event, in the same transaction, with who,
from which address and which browser when it comes through a request."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from unionhome.audit.middleware import RequestContextMiddleware
from unionhome.audit.models import AuditEvent
from unionhome.org import services
from unionhome.org.models import Member, OrgUnit

CLIENT = {"REMOTE_ADDR": "10.20.30.40", "HTTP_USER_AGENT": "Mozilla/5.0 (Android 14) UnionHome-test"}


def new_events(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("id")[before:])


def through_a_request(call):
    """Run ``call`` below the real request-context middleware, as a view would."""
    request = RequestFactory().post("/", **CLIENT)
    result = {}

    def view(_request):
        result["value"] = call()
        return None

    RequestContextMiddleware(view)(request)
    return result["value"]


def assert_one_event(before, action, actor, obj):
    events = new_events(before)
    assert [e.action for e in events] == [action]
    event = events[0]
    assert event.actor_id == actor.pk and event.actor_label == actor.username
    assert (event.object_type, event.object_id) == (obj._meta.label_lower, str(obj.pk))
    assert event.ip_address == CLIENT["REMOTE_ADDR"] and event.user_agent == CLIENT["HTTP_USER_AGENT"]
    assert len(event.request_id) == 32
    return event


def member_form(member, **changes):
    data = {
        "employee_no": member.employee_no,
        "name": member.name,
        "gender": member.gender,
        "birth_date": member.birth_date.isoformat(),
        "id_number": member.id_number,
        "mobile": member.mobile,
        "job_category": member.job_category,
        "employment_form": member.employment_form,
        "joined_on": member.joined_on.isoformat(),
    }
    return {**data, **changes}


def test_member_update_through_the_edit_page(login_as, people):
    member = people["other_s1"]
    client = login_as(people["cadre"])
    before = AuditEvent.objects.count()
    url = reverse("org:member_edit", args=[member.pk])
    response = client.post(url, member_form(member, name="李肆"), **CLIENT)
    assert response.status_code == 302
    event = assert_one_event(before, "org.member.updated", people["cadre"], member)
    assert event.changes == {"name": ["李四", "李肆"]} and event.unit_path == member.unit_path


def test_member_change_status_through_the_status_page(login_as, people):
    member = people["other_s1"]
    client = login_as(people["cadre"])
    before = AuditEvent.objects.count()
    url = reverse("org:member_status", args=[member.pk])
    data = {"status": "retired", "effective_on": "2026-01-31", "reason": "退休"}
    assert client.post(url, data, **CLIENT).status_code == 302
    event = assert_one_event(before, "org.member.status_changed", people["cadre"], member)
    assert event.changes["status"] == ["active", "retired"]


def test_member_create(people, union):
    before = AuditEvent.objects.count()
    data = member_form(people["member_record"], employee_no="N0001", name="赵敏", id_number="", mobile="")
    member = through_a_request(lambda: services.member_create(actor=people["cadre"], unit=union["g11"], data=data))
    assert_one_event(before, "org.member.created", people["cadre"], member)


def test_member_move(people, union):
    member = people["other_s1"]
    before = AuditEvent.objects.count()
    through_a_request(lambda: services.member_move(actor=people["cadre"], member=member, unit=union["g11"]))
    event = assert_one_event(before, "org.member.moved", people["cadre"], member)
    assert event.changes == {"unit": [union["g12"].path, union["g11"].path]}
    assert event.unit_path == union["g11"].path


def test_unit_create(people, union):
    before = AuditEvent.objects.count()
    unit = through_a_request(
        lambda: services.unit_create(
            actor=people["chair"], parent=union["s2"], name="二站乙班", code="S02-G2", kind="group"
        )
    )
    event = assert_one_event(before, "org.unit.created", people["chair"], unit)
    assert event.unit_path == unit.path


def test_unit_update(people, union):
    before = AuditEvent.objects.count()
    through_a_request(lambda: services.unit_update(actor=people["chair"], unit=union["s2"], name="二站", site="云溪"))
    event = assert_one_event(before, "org.unit.updated", people["chair"], union["s2"])
    assert event.changes == {"name": ["第二检验站分工会", "二站"], "site": ["", "云溪"]}


WRITES = {
    "member_create": lambda p, u: services.member_create(
        actor=p["cadre"],
        unit=u["g11"],
        data=member_form(p["member_record"], employee_no="N0002", name="赵敏", id_number="", mobile=""),
    ),
    "member_update": lambda p, u: services.member_update(actor=p["cadre"], member=p["other_s1"], data={"name": "李肆"}),
    "member_move": lambda p, u: services.member_move(actor=p["cadre"], member=p["other_s1"], unit=u["g11"]),
    "member_change_status": lambda p, u: services.member_change_status(
        actor=p["cadre"], member=p["other_s1"], status="retired", effective_on=datetime.date(2026, 1, 1)
    ),
    "unit_create": lambda p, u: services.unit_create(
        actor=p["chair"], parent=u["s1"], name="一站丙班", code="S01-G3", kind="group"
    ),
}


def snapshot():
    return (
        AuditEvent.objects.count(),
        list(Member.objects.order_by("pk").values_list("pk", "name", "unit_id", "status")),
        list(OrgUnit.objects.order_by("pk").values_list("pk", "name", "direct_member_count")),
    )


@pytest.mark.parametrize("write", WRITES)
def test_each_write_records_exactly_one_event_inside_its_transaction(people, union, write):
    """When the surrounding transaction fails after the write, the event goes with it: same transaction."""
    before = snapshot()

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        WRITES[write](people, union)
        assert AuditEvent.objects.count() == before[0] + 1
        raise Abort
    assert snapshot() == before
    WRITES[write](people, union)
    assert AuditEvent.objects.count() == before[0] + 1


FAILING = {
    "member_create: duplicate employee number": lambda p, u: services.member_create(
        actor=p["cadre"], unit=u["g11"], data=member_form(p["member_record"], id_number="", mobile="")
    ),
    "member_update: bad ID number": lambda p, u: services.member_update(
        actor=p["cadre"], member=p["other_s1"], data={"id_number": "110101199003074515"}
    ),
    "member_move: out of scope": lambda p, u: services.member_move(
        actor=p["cadre"], member=p["other_s1"], unit=u["g21"]
    ),
    "member_change_status: same status": lambda p, u: services.member_change_status(
        actor=p["cadre"], member=p["other_s1"], status="active", effective_on=datetime.date(2026, 1, 1)
    ),
    "unit_create: duplicate code": lambda p, u: services.unit_create(
        actor=p["chair"], parent=u["s1"], name="重复", code="S01-G1", kind="group"
    ),
}


@pytest.mark.parametrize("write", FAILING)
def test_a_refused_write_records_nothing_and_writes_nothing(people, union, write):
    from unionhome.access.policy import PermissionRefused

    before = snapshot()
    with pytest.raises((ValidationError, PermissionRefused)):
        FAILING[write](people, union)
    assert snapshot() == before
