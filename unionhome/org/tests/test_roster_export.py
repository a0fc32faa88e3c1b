"""Excel roster export: exactly the viewer's scope, masking, constant query count, audit, the download page."""

import datetime
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests import factories
from unionhome.access.permissions import ROLES, Role
from unionhome.access.policy import PermissionRefused, forget_grants
from unionhome.audit.models import AuditEvent
from unionhome.org.identity import mask_id_number, mask_mobile
from unionhome.org.models import Member, MemberImport, MemberTag
from unionhome.org.names import pinyin_initials, pinyin_key
from unionhome.org.roster_export import CHUNK_SIZE, roster_export
from unionhome.org.tests.roster_workbooks import HEADER, HEADER_EN, birth_of, id_number, read_rows, upload


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    with translation.override("en"):
        yield


def exported(actor, **kwargs) -> list[tuple]:
    result = roster_export(actor=actor, **kwargs)
    with result.file:
        return read_rows(result.file.read())


def bulk_members(unit, count: int, start: int = 50_000) -> None:
    """``count`` valid members in ``unit``, inserted in bulk."""
    from unionhome.org.services import org_recount_members, union_of

    union = union_of(unit)
    members = []
    for n in range(start, start + count):
        gender = "M" if n % 2 else "F"
        members.append(
            Member(
                union=union,
                unit=unit,
                unit_path=unit.path,
                employee_no=f"B{n:06d}",
                name="钱多多",
                name_pinyin=pinyin_key("钱多多"),
                name_initials=pinyin_initials("钱多多"),
                gender=gender,
                birth_date=birth_of(n),
                id_number=id_number(birth_of(n), gender, n // 9000),
                mobile=f"166{n:08d}",
                job_category="analyst",
                employment_form="permanent",
                joined_on=datetime.date(2015, 1, 1),
            )
        )
    Member.objects.bulk_create(members, batch_size=500)
    org_recount_members([unit.path])


def test_export_holds_exactly_the_viewers_scope(people, union):
    rows = exported(people["cadre"])
    assert list(rows[0]) == [*HEADER_EN, "Unit name", "Status"]
    numbers = {r[0] for r in rows[1:]}
    assert numbers == {people["member_record"].employee_no, people["other_s1"].employee_no}
    chair_numbers = {r[0] for r in exported(people["chair"])[1:]}
    assert chair_numbers == set(Member.objects.values_list("employee_no", flat=True))
    assert {r[0] for r in exported(people["cadre2"])[1:]} == {people["s2_member"].employee_no}


def test_export_row_contents_and_unmasked_for_a_cadre(people, union):
    tag = MemberTag.objects.create(code="women", name="女职工")
    li = people["other_s1"]
    li.tags.add(tag)
    row = next(r for r in exported(people["cadre"])[1:] if r[0] == li.employee_no)
    assert row == (
        li.employee_no,
        "李四",
        "Female",
        datetime.datetime.combine(li.birth_date, datetime.time()),
        li.id_number,
        li.mobile,
        "S01-G2",
        "Quality inspector",
        "Permanent contract",
        datetime.datetime.combine(li.joined_on, datetime.time()),
        "女职工",
        "一站乙班",
        "Active",
    )


def test_export_masks_id_and_mobile_without_the_sensitive_permission(people, union, monkeypatch):
    # No standard role exports without seeing ID numbers, so this test defines one: a roster clerk.
    monkeypatch.setitem(
        ROLES,
        "roster_clerk",
        Role("roster_clerk", "Roster clerk", frozenset({"org.view_members", "org.export_members"}), True, True),
    )
    clerk = factories.user("clerk", roles=(("roster_clerk", union["s1"]),))
    forget_grants(clerk)
    rows = exported(clerk)[1:]
    assert len(rows) == 2
    for r in rows:
        member = Member.objects.get(employee_no=r[0])
        assert r[4] == mask_id_number(member.id_number) and "*" in r[4]
        assert r[5] == mask_mobile(member.mobile) and "*" in r[5]
    event = AuditEvent.objects.filter(action="org.members.exported").latest("id")
    assert (event.changes["rows"], event.changes["unmasked"]) == (2, 0)


def test_export_header_follows_the_language(people, union):
    with translation.override("zh-hans"):
        assert list(exported(people["cadre"])[0]) == [*HEADER, "单位名称", "状态"]


def test_export_status_filter(people, union):
    factories.member(union["g11"], "退休甲", status="retired")
    rows = exported(people["cadre"], status="retired")[1:]
    assert [(r[1], r[-1]) for r in rows] == [("退休甲", "Retired")]
    assert len(exported(people["cadre"], status="bogus")[1:]) == 3  # an unknown status means all


def test_export_is_audited_with_scope_and_row_count(people, union):
    exported(people["cadre"])
    event = AuditEvent.objects.get(action="org.members.exported")
    assert event.actor == people["cadre"]
    assert event.changes["rows"] == 2 and event.changes["units"] == ["S01"] and event.changes["status"] == "all"
    assert event.changes["scope"] == [union["s1"].path]


def test_export_needs_the_permission(people):
    for actor in (people["member"], people["auditor"], people["admin"]):
        with pytest.raises(PermissionRefused):
            roster_export(actor=actor)
    assert not AuditEvent.objects.filter(action="org.members.exported").exists()


def test_export_query_count_does_not_grow_with_rows(people, union):
    chair = people["chair"]
    roster_export(actor=chair).file.close()  # grants loaded and cached on the user

    def count() -> tuple[int, int, list[str]]:
        with CaptureQueriesContext(connection) as ctx:
            result = roster_export(actor=chair)
        result.file.close()
        return len(ctx.captured_queries), result.rows, [q["sql"][:100] for q in ctx.captured_queries]

    small, small_rows, _sql = count()
    bulk_members(union["g21"], CHUNK_SIZE + 500)
    big, big_rows, sql = count()
    assert big_rows == small_rows + CHUNK_SIZE + 500
    # Only the tags of each extra chunk of rows cost one more query.
    extra_chunks = -(-big_rows // CHUNK_SIZE) - -(-small_rows // CHUNK_SIZE)
    assert extra_chunks == 1
    assert big <= small + extra_chunks, sql


def test_formulas_are_written_as_text(people, union):
    factories.member(union["g11"], "=HYPERLINK(1)")
    result = roster_export(actor=people["cadre"])
    with result.file, zipfile.ZipFile(io.BytesIO(result.file.read())) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "=HYPERLINK(1)" in sheet


def test_exported_file_imports_back_unchanged(transactional_db, people, union, run_tasks):
    from unionhome.org.roster_import import roster_import_start

    result = roster_export(actor=people["chair"])
    with result.file:
        content = result.file.read()
    stamps = dict(Member.objects.values_list("employee_no", "updated_at"))
    job = roster_import_start(actor=people["chair"], upload=upload(content, result.filename), language="en")
    run_tasks()
    job = MemberImport.objects.get(pk=job.pk)
    assert (job.status, job.unchanged_count, job.updated_count, job.created_count) == ("done", 3, 0, 0), job.errors
    assert dict(Member.objects.values_list("employee_no", "updated_at")) == stamps


def test_export_download_page(login_as, people, union):
    client = login_as(people["cadre"])
    response = client.get(reverse("org:roster_export") + "?status=active")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"] and "roster-S01-" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    rows = read_rows(b"".join(response.streaming_content))
    assert {r[0] for r in rows[1:]} == {people["member_record"].employee_no, people["other_s1"].employee_no}


def test_export_page_refuses_members_and_other_roles(login_as, people):
    assert login_as(people["member"]).get(reverse("org:roster_export")).status_code == 403
    assert login_as(people["auditor"]).get(reverse("org:roster_export")).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied").count() == 2
