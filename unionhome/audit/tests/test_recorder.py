"""What ``record`` stores: where an event belongs, and never a raw ID number, mobile or secret."""

import json
import random

from tests import factories
from unionhome.audit.models import AuditEvent
from unionhome.audit.recorder import record
from unionhome.demo.identities import synthetic_id_number
from unionhome.org import services


def test_editing_an_id_number_records_masked_values_only(people):
    member = people["member_record"]
    old_id = member.id_number
    new_id = synthetic_id_number(random.Random(5), member.birth_date, member.gender, 777)
    assert new_id != old_id
    services.member_update(actor=people["cadre"], member=member, data={"id_number": new_id})
    event = AuditEvent.objects.get(action="org.member.updated", object_id=str(member.pk))
    before, after = event.changes["id_number"]
    assert before == old_id[:3] + "*" * 11 + old_id[-4:]
    assert after == new_id[:3] + "*" * 11 + new_id[-4:]
    stored = json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)
    assert old_id not in stored and new_id not in stored


def test_editing_a_mobile_records_masked_values_only(people):
    member = people["member_record"]
    old = member.mobile
    services.member_update(actor=people["cadre"], member=member, data={"mobile": "13912345678"})
    event = AuditEvent.objects.get(action="org.member.updated", object_id=str(member.pk))
    assert event.changes["mobile"] == [old[:3] + "****" + old[-4:], "139****5678"]


def test_record_masks_raw_values_a_caller_forgot_to_mask(people):
    member = people["member_record"]
    raw_id, raw_mobile = member.id_number, member.mobile
    event = record(
        people["chair"],
        "org.member.noted",
        member,
        id_number=raw_id,
        mobile=[raw_mobile, "13800001111"],
        reason=f"called {raw_mobile} about ID {raw_id}",
        nested={"id_number": raw_id, "note": f"身份证{raw_id}号"},
        password="hunter2-hunter2",
        api_token="abc123",
        rows=3,
        truncated=False,
    )
    event.refresh_from_db()
    stored = json.dumps(event.changes, ensure_ascii=False)
    assert raw_id not in stored and raw_mobile not in stored and "13800001111" not in stored
    assert event.changes["id_number"] == raw_id[:3] + "*" * 11 + raw_id[-4:]
    assert (
        event.changes["reason"]
        == f"called {raw_mobile[:3]}****{raw_mobile[-4:]} about ID {raw_id[:3]}{'*' * 11}{raw_id[-4:]}"
    )
    assert event.changes["nested"]["note"] == f"身份证{raw_id[:3]}{'*' * 11}{raw_id[-4:]}号"
    assert event.changes["password"] == "[redacted]" and event.changes["api_token"] == "[redacted]"
    assert event.changes["rows"] == 3 and event.changes["truncated"] is False


def test_numbers_that_are_not_id_numbers_are_kept(people):
    event = record(people["chair"], "org.member.noted", people["member_record"], note="ref 123456789012345678")
    assert event.changes["note"] == "ref 123456789012345678"  # 18 digits, but the check digit is wrong


def test_an_event_on_an_org_record_belongs_to_its_unit(people, union):
    event = record(people["cadre"], "org.member.noted", people["other_s1"])
    assert event.unit_path == union["g12"].path and event.union_path == ""


def test_account_events_belong_to_the_union_of_the_person(people, union):
    login = record(people["member"], "accounts.logged_in", people["member"])
    assert login.unit_path == "" and login.union_path == union["union"].path
    cadre_login = record(people["cadre"], "accounts.logged_in", people["cadre"])  # no member record: by role
    assert cadre_login.unit_path == "" and cadre_login.union_path == union["union"].path
    denial = record(people["cadre2"], "access.denied", None, path="/org/members/1/")
    assert denial.unit_path == "" and denial.union_path == union["union"].path


def test_an_event_about_an_account_belongs_to_the_account_not_the_actor(people, union):
    other = factories.unit(None, "另一工会", "union", code="OTHER")
    stranger = factories.user("stranger", member=factories.member(other, "钱七"))
    event = record(people["chair"], "accounts.disabled", stranger)
    assert event.union_path == other.path


def test_events_of_nobody_in_particular_belong_to_no_union(db):
    from django.contrib.auth.models import AnonymousUser

    event = record(AnonymousUser(), "access.denied", None, path="/audit/")
    assert (event.unit_path, event.union_path, event.actor_id, event.actor_label) == ("", "", None, "")


def test_roles_in_two_unions_are_attributed_to_their_federation(db):
    fed = factories.unit(None, "石化工会联合会", "federation", code="FED")
    a = factories.unit(fed, "甲工会", "union", code="UA")
    b = factories.unit(fed, "乙工会", "union", code="UB")
    both = factories.user("both", roles=(("chair", a), ("vice_chair", factories.unit(b, "乙一分会", "branch"))))
    assert record(both, "accounts.logged_in", both).union_path == fed.path
