import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests import factories
from unionhome.access.policy import PermissionRefused
from unionhome.audit.models import AuditEvent
from unionhome.org import services
from unionhome.org.models import Member, MemberTag, OrgUnit

VALID = {
    "employee_no": "T0001",
    "name": "赵敏",
    "gender": "F",
    "birth_date": "1990-03-07",
    "id_number": "430603199003074322",
    "mobile": "13812345678",
    "job_category": "inspector",
    "employment_form": "permanent",
    "joined_on": "2015-07-01",
}


def _valid_id(birth: str, gender: str) -> str:
    import random

    from unionhome.demo.identities import synthetic_id_number

    return synthetic_id_number(random.Random(7), datetime.date.fromisoformat(birth), gender, 42)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def valid():
    return {**VALID, "id_number": _valid_id(VALID["birth_date"], VALID["gender"])}


def test_create_member_happy_path(people, union, valid):
    cadre = people["cadre"]
    tag = MemberTag.objects.create(code="female", name="女职工")
    member = services.member_create(actor=cadre, unit=union["g11"], data=valid, tags=[tag])
    assert member.union == union["union"]
    assert member.unit_path == union["g11"].path
    assert member.name_pinyin == "zhaomin" and member.name_initials == "zm"
    assert list(member.tags.all()) == [tag]
    assert member.status_changes.count() == 1
    union["g11"].refresh_from_db()
    assert union["g11"].direct_member_count == 2  # 张三 from the fixture + 赵敏
    event = AuditEvent.objects.get(action="org.member.created", object_id=str(member.pk))
    assert event.actor == cadre
    assert event.changes["id_number"].startswith(valid["id_number"][:3]) and "*" in event.changes["id_number"]
    assert valid["id_number"] not in str(event.changes)


@pytest.mark.parametrize("role", ["member", "cadre2", "auditor", "admin"])
def test_create_member_denied(people, union, valid, role):
    with pytest.raises(PermissionRefused):
        services.member_create(actor=people[role], unit=union["g11"], data=valid)
    assert not Member.objects.filter(employee_no=valid["employee_no"]).exists()
    assert not AuditEvent.objects.filter(action="org.member.created").exists()


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("id_number", "430603199003074321", "check digit"),
        ("id_number", "12345", "18 characters"),
        ("mobile", "12345678901", "mobile"),
        ("birth_date", "1990-02-30", "date"),
        ("birth_date", "1980-03-07", "does not match"),
        ("joined_on", "2999-01-01", "future"),
        ("name", "名" * 51, "At most"),
        ("employee_no", "", "required"),
        ("gender", "X", "allowed values"),
        ("job_category", "astronaut", "allowed values"),
    ],
)
def test_create_member_bad_input_writes_nothing(people, union, valid, field, value, fragment):
    before = (Member.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.member_create(actor=people["cadre"], unit=union["g11"], data={**valid, field: value})
    assert field in exc.value.message_dict
    assert fragment.lower() in " ".join(exc.value.message_dict[field]).lower()
    assert (Member.objects.count(), AuditEvent.objects.count()) == before


def test_duplicate_keys_are_refused(people, union, valid):
    existing = people["member_record"]
    for field in ("employee_no", "id_number", "mobile"):
        data = {**valid, field: getattr(existing, field)}
        if field == "id_number":
            data.update(birth_date=existing.birth_date.isoformat(), gender=existing.gender)
        with pytest.raises(ValidationError) as exc:
            services.member_create(actor=people["chair"], unit=union["g11"], data=data)
        assert field in exc.value.message_dict


def test_update_records_old_and_new_and_masks(people):
    member = people["member_record"]
    services.member_update(actor=people["cadre"], member=member, data={"name": "张三丰", "mobile": "13900001111"})
    member.refresh_from_db()
    assert member.name == "张三丰" and member.name_initials == "zsf"
    event = AuditEvent.objects.get(action="org.member.updated")
    assert event.changes["name"] == ["张三", "张三丰"]
    assert event.changes["mobile"][1] == "139****1111"


def test_update_without_change_records_nothing(people):
    member = people["member_record"]
    services.member_update(actor=people["cadre"], member=member, data={"name": member.name})
    assert not AuditEvent.objects.filter(action="org.member.updated").exists()


def test_cadre_cannot_update_other_station(people):
    with pytest.raises(PermissionRefused):
        services.member_update(actor=people["cadre"], member=people["s2_member"], data={"name": "改名"})
    people["s2_member"].refresh_from_db()
    assert people["s2_member"].name == "王五"


def test_status_change_keeps_history_and_counts(people, union):
    member = people["member_record"]
    services.member_change_status(
        actor=people["cadre"],
        member=member,
        status="retired",
        effective_on=datetime.date(2026, 1, 1),
        reason="到龄退休",
    )
    member.refresh_from_db()
    assert member.status == "retired"
    assert [c.new_status for c in member.status_changes.all()] == ["retired", "active"]
    union["g11"].refresh_from_db()
    assert union["g11"].direct_member_count == 0
    with pytest.raises(ValidationError):
        services.member_change_status(
            actor=people["cadre"], member=member, status="retired", effective_on=datetime.date(2026, 1, 2)
        )
    with pytest.raises(ValidationError):
        services.member_change_status(
            actor=people["cadre"], member=member, status="dancing", effective_on=datetime.date(2026, 1, 2)
        )


def test_move_within_scope_only(people, union):
    member = people["member_record"]
    services.member_move(actor=people["cadre"], member=member, unit=union["g12"])
    member.refresh_from_db()
    assert member.unit_path == union["g12"].path
    with pytest.raises(PermissionRefused):
        services.member_move(actor=people["cadre"], member=member, unit=union["g21"])
    union["g11"].refresh_from_db(), union["g12"].refresh_from_db()
    assert (union["g11"].direct_member_count, union["g12"].direct_member_count) == (0, 2)


def test_unit_create(people, union):
    unit = services.unit_create(actor=people["chair"], parent=union["s1"], name="一站丙班", code="S01-G3", kind="group")
    assert unit.path.startswith(union["s1"].path) and unit.depth == 3
    with pytest.raises(PermissionRefused):
        services.unit_create(actor=people["cadre"], parent=union["s1"], name="x", code="S01-G4", kind="group")
    with pytest.raises(ValidationError):
        services.unit_create(actor=people["chair"], parent=union["s1"], name="dup", code="S01-G3", kind="group")
    with pytest.raises(PermissionRefused):
        services.unit_create(actor=people["chair"], parent=None, name="root", code="R", kind="union")
    assert OrgUnit.objects.filter(code="S01-G3").count() == 1


def test_recount_matches_roster(people, union):
    OrgUnit.objects.update(direct_member_count=99)
    services.org_recount_members()
    counts = dict(OrgUnit.objects.values_list("code", "direct_member_count"))
    assert counts == {"TC": 0, "S01": 0, "S02": 0, "S01-G1": 1, "S01-G2": 1, "S02-G1": 1}


def test_factories_make_valid_members(union):
    m = factories.member(union["g11"], "钱七")
    from unionhome.org.member_fields import EDITABLE_FIELDS, clean_member_fields

    clean_member_fields({f: getattr(m, f) for f in EDITABLE_FIELDS})


def test_new_units_never_renumber_existing_paths(people, union):
    """Member.unit_path copies unit paths, so adding a unit must not move any existing one."""
    before = dict(OrgUnit.objects.values_list("code", "path"))
    services.unit_create(actor=people["chair"], parent=union["union"], name="零站", code="A00", kind="branch")
    services.unit_create(actor=people["chair"], parent=union["s1"], name="一站零班", code="0-G0", kind="group")
    after = dict(OrgUnit.objects.values_list("code", "path"))
    assert {code: after[code] for code in before} == before
    for member in Member.objects.select_related("unit"):
        assert member.unit_path == member.unit.path
