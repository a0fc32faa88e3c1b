"""``org.services.unit_update``: rename a unit or change its district or site."""

import pytest
from django.core.exceptions import ValidationError

from unionhome.access.policy import PermissionRefused
from unionhome.audit.models import AuditEvent
from unionhome.org import services


def test_rename_records_old_and_new(people, union):
    unit = services.unit_update(actor=people["chair"], unit=union["g11"], name=" 一站早班 ")
    assert unit.name == "一站早班" and unit.code == "S01-G1"
    assert AuditEvent.objects.get(action="org.unit.updated").changes == {"name": ["一站甲班", "一站早班"]}


def test_nothing_changed_records_nothing(people, union):
    services.unit_update(actor=people["chair"], unit=union["g11"], name="一站甲班", district="")
    assert not AuditEvent.objects.filter(action="org.unit.updated").exists()


@pytest.mark.parametrize("who", ["cadre", "auditor", "member"])
def test_needs_manage_units(people, union, who):
    with pytest.raises(PermissionRefused):
        services.unit_update(actor=people[who], unit=union["g11"], name="改")


@pytest.mark.parametrize(("fields", "field"), [({"name": "  "}, "name"), ({"site": "站" * 101}, "site")])
def test_bad_input_writes_nothing(people, union, fields, field):
    with pytest.raises(ValidationError) as exc:
        services.unit_update(actor=people["chair"], unit=union["g11"], **fields)
    assert field in exc.value.message_dict
    union["g11"].refresh_from_db()
    assert union["g11"].name == "一站甲班" and not AuditEvent.objects.filter(action="org.unit.updated").exists()
