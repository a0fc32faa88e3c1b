"""Excel roster import: upload checks, all-or-nothing validation, idempotent upserts, scoping, the pages.

The imports run in the real django-tasks database worker (``run_tasks``) on committed data, so
these tests use a transactional database.
"""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tests import factories
from unionhome.access.policy import PermissionRefused
from unionhome.audit.models import AuditEvent
from unionhome.org.models import Member, MemberImport, MemberStatusChange, MemberTag, OrgUnit
from unionhome.org.roster_import import roster_import_progress, roster_import_start
from unionhome.org.roster_template import roster_import_template
from unionhome.org.tests.roster_workbooks import COLUMN, HEADER, HEADER_EN, row, upload, xlsx


@pytest.fixture(autouse=True)
def _english_and_private_uploads(transactional_db, settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast fixtures; logins are forced
    with translation.override("en"):
        yield


@pytest.fixture
def tags(db):
    return {
        "women": MemberTag.objects.create(code="women", name="女职工"),
        "model": MemberTag.objects.create(code="model-worker", name="劳模"),
    }


@pytest.fixture
def run_import(run_tasks):
    """Upload ``content`` as ``actor`` and let the worker run it; returns the finished import."""

    def go(actor, content: bytes, name: str = "roster.xlsx", unit=None) -> MemberImport:
        job = roster_import_start(actor=actor, upload=upload(content, name), unit=unit, language="en")
        assert MemberImport.objects.get(pk=job.pk).status == MemberImport.Status.QUEUED
        run_tasks()
        return MemberImport.objects.get(pk=job.pk)

    return go


def uploads_left(settings) -> list[str]:
    root = settings.MEDIA_ROOT / "imports"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


# --- The happy path and idempotence ----------------------------------------------------------------


def test_valid_roster_is_imported_by_the_worker(people, union, tags, run_import, settings):
    rows = [row(n, "S01-G1") for n in range(1, 5)] + [row(5, "一站乙班", 标签="女职工、劳模")]
    before = Member.objects.count()

    job = run_import(people["cadre"], xlsx(rows), name="一站花名册.xlsx")

    assert job.status == "done", job.errors
    assert (job.rows_total, job.rows_processed, job.created_count, job.updated_count, job.unchanged_count) == (
        5,
        5,
        5,
        0,
        0,
    )
    assert Member.objects.count() == before + 5
    m = Member.objects.get(employee_no="T000005")
    assert m.unit == union["g12"] and m.unit_path == union["g12"].path and m.union == union["union"]
    assert (m.name, m.name_pinyin, m.name_initials, m.gender) == ("吴用", "wuyong", "wy", "M")
    assert m.id_number == rows[4][COLUMN["身份证号"]] and m.mobile == "19800000005"
    assert m.joined_on == datetime.date(2012, 3, 1) and m.status == "active"
    assert set(m.tags.values_list("code", flat=True)) == {"women", "model-worker"}
    history = MemberStatusChange.objects.get(member=m)
    assert (history.old_status, history.new_status, history.changed_by) == ("", "active", people["cadre"])
    g11, g12 = OrgUnit.objects.get(pk=union["g11"].pk), OrgUnit.objects.get(pk=union["g12"].pk)
    assert (g11.direct_member_count, g12.direct_member_count) == (1 + 4, 1 + 1)
    event = AuditEvent.objects.get(action="org.members.imported")
    assert event.actor == people["cadre"] and event.object_id == str(job.pk)
    assert event.changes["file_name"] == "一站花名册.xlsx"
    assert (event.changes["created"], event.changes["updated"], event.changes["unchanged"]) == (5, 0, 0)
    assert uploads_left(settings) == []  # the upload is deleted once imported
    assert job.file_path == "" and job.finished_at is not None


def test_reimporting_the_same_file_changes_nothing(people, union, tags, run_import):
    content = xlsx([row(n, "S01-G1", 标签="劳模" if n % 3 == 0 else "") for n in range(1, 31)])
    first = run_import(people["cadre"], content)
    assert (first.status, first.created_count) == ("done", 30), (first.message, first.errors[:3])
    stamps = dict(Member.objects.values_list("employee_no", "updated_at"))
    audit_before = AuditEvent.objects.count()
    history_before = MemberStatusChange.objects.count()

    second = run_import(people["cadre"], content)

    assert second.status == "done"
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 30)
    assert dict(Member.objects.values_list("employee_no", "updated_at")) == stamps
    assert MemberStatusChange.objects.count() == history_before
    new_events = list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[audit_before:])
    assert new_events == ["org.members.imported"]


def test_changed_rows_are_updated_and_others_left_alone(people, union, tags, run_import):
    rows = [row(n, "S01-G1", 标签="劳模") for n in range(1, 5)]
    run_import(people["cadre"], xlsx(rows))
    untouched = Member.objects.get(employee_no="T000001").updated_at
    rows[1][COLUMN["姓名"]] = "欧阳锋"  # rename
    rows[2][COLUMN["所属单位"]] = "S01-G2"  # move to the other group
    rows[3][COLUMN["标签"]] = "女职工"  # retag

    job = run_import(people["cadre"], xlsx(rows))

    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 3, 1)
    renamed = Member.objects.get(employee_no="T000002")
    assert (renamed.name, renamed.name_initials) == ("欧阳锋", "oyf")
    moved = Member.objects.get(employee_no="T000003")
    assert moved.unit_id == union["g12"].pk and moved.unit_path == union["g12"].path
    assert list(Member.objects.get(employee_no="T000004").tags.values_list("code", flat=True)) == ["women"]
    assert Member.objects.get(employee_no="T000001").updated_at == untouched
    assert OrgUnit.objects.get(pk=union["g12"].pk).direct_member_count == 2


def test_existing_member_is_matched_by_employee_number(people, union, run_import):
    """A member created by hand is updated, not duplicated; columns left out of the file stay as they were."""
    existing = people["other_s1"]
    header = ["工号", "姓名", "性别", "出生日期", "所属单位", "岗位类别", "用工形式", "入会日期"]
    values = [
        existing.employee_no,
        "李四娘",
        "女",
        existing.birth_date,
        "S01-G2",
        "Laboratory analyst",  # the label is accepted as well as the code
        "fixed_term",
        existing.joined_on,
    ]
    job = run_import(people["cadre"], xlsx([values], header))
    assert (job.status, job.created_count, job.updated_count) == ("done", 0, 1), job.errors
    existing.refresh_from_db()
    assert (existing.name, existing.job_category, existing.employment_form) == ("李四娘", "analyst", "fixed_term")
    assert existing.id_number and existing.mobile  # not in the file: kept


def test_english_headers_excel_day_numbers_and_blank_rows(people, union, run_import):
    rows = [row(1, "S01-G1"), [None] * len(HEADER), row(2, "S01-G1")]
    rows[2][COLUMN["入会日期"]] = 41000  # a date typed into a cell formatted as a number: 2012-04-01
    rows[2][COLUMN["工号"]] = 20001  # numbers are fine as employee numbers
    job = run_import(people["cadre"], xlsx(rows, HEADER_EN))
    assert (job.status, job.created_count, job.rows_total) == ("done", 2, 2), job.errors
    assert Member.objects.get(employee_no="20001").joined_on == datetime.date(2012, 4, 1)


# --- All or nothing --------------------------------------------------------------------------------------


def test_one_bad_row_among_good_ones_writes_nothing(people, union, run_import, settings):
    rows = [row(n, "S01-G1") for n in range(1, 6)]
    good_id = rows[3][COLUMN["身份证号"]]
    rows[3][COLUMN["身份证号"]] = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")  # break the check digit
    members, history, audit = Member.objects.count(), MemberStatusChange.objects.count(), AuditEvent.objects.count()

    job = run_import(people["cadre"], xlsx(rows))

    assert job.status == "failed"
    assert (Member.objects.count(), MemberStatusChange.objects.count()) == (members, history)
    assert job.error_count == 1
    assert job.errors == [
        {"row": 5, "column": "身份证号", "cell": "E5", "message": "The ID number's check digit is wrong."}
    ]
    assert "Nothing was imported" in job.message
    assert job.created_count == 0 and job.rows_total == 5
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[audit:])
    assert actions == ["org.members.import_failed"]
    assert uploads_left(settings) == []


def _bad(n: int, **changes) -> list:
    return row(n, "S01-G1", **changes)


def _broken_check_digit(n: int) -> str:
    good = row(n, "S01-G1")[COLUMN["身份证号"]]
    return good[:-1] + ("0" if good[-1] != "0" else "1")


@pytest.mark.parametrize(
    ("bad_row", "column", "message"),
    [
        (_bad(9, 身份证号=_broken_check_digit(9)), "身份证号", "check digit is wrong"),
        (_bad(9, 工号="T000001"), "工号", "already on row 2 of this file"),
        (_bad(9, 所属单位="NOPE-99"), "所属单位", "There is no unit with the code or name “NOPE-99”"),
        (_bad(9, 所属单位="S02-G1"), "所属单位", "outside your scope"),
        (_bad(9, 所属单位="二站甲班"), "所属单位", "outside your scope"),
        (_bad(9, 出生日期="1990-13-45"), "出生日期", "is not a date"),
        (_bad(9, 入会日期="yesterday"), "入会日期", "is not a date"),
        (_bad(9, 入会日期=datetime.date(2999, 1, 1)), "入会日期", "cannot be in the future"),
        (_bad(9, 姓名="很" * 51), "姓名", "At most 50 characters"),
        (_bad(9, 工号="E" * 33), "工号", "At most 32 characters"),
        (_bad(9, 姓名=""), "姓名", "This field is required"),
        (_bad(9, 性别="X"), "性别", "is not one of the allowed values"),
        (_bad(9, 岗位类别="astronaut"), "岗位类别", "is not one of the allowed values"),
        (_bad(9, 手机号="12345"), "手机号", "mobile"),
        (_bad(9, 手机号="19800000001"), "手机号", "already on row 2 of this file"),
        (_bad(9, 出生日期=datetime.date(1980, 1, 1)), "出生日期", "does not match the ID number"),
        (_bad(9, 标签="宇航员"), "标签", "Unknown tags: 宇航员"),
    ],
)
def test_each_bad_row_is_reported_and_nothing_written(people, union, run_import, bad_row, column, message):
    members = Member.objects.count()
    job = run_import(people["cadre"], xlsx([row(1, "S01-G1"), row(2, "S01-G1"), bad_row]))
    assert job.status == "failed"
    assert Member.objects.count() == members
    assert [(e["row"], e["column"]) for e in job.errors] == [(4, column)], job.errors
    assert message in job.errors[0]["message"]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("id_number", "Another member of this union already has this ID number."),
        ("mobile", "Another member already uses this mobile number."),
    ],
)
def test_clash_with_another_members_id_or_mobile_in_the_database(people, union, run_import, field, message):
    other = people["other_s1"]
    header_name = {"id_number": "身份证号", "mobile": "手机号"}[field]
    bad = row(7, "S01-G1", **{header_name: getattr(other, field)})
    if field == "id_number":
        bad[COLUMN["出生日期"]] = other.birth_date
        bad[COLUMN["性别"]] = other.gender
    job = run_import(people["cadre"], xlsx([row(1, "S01-G1"), bad]))
    assert job.status == "failed"
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [(3, header_name, message)]
    assert not Member.objects.filter(employee_no__in=["T000001", "T000007"]).exists()


def test_employee_number_of_a_member_outside_the_scope_is_refused(people, union, run_import):
    """Upserting by employee number must not pull another station's member into this one."""
    outsider = people["s2_member"]
    job = run_import(people["cadre"], xlsx([row(1, "S01-G1", 工号=outsider.employee_no)]))
    assert job.status == "failed"
    assert job.errors[0]["column"] == "工号" and "outside your scope" in job.errors[0]["message"]
    outsider.refresh_from_db()
    assert outsider.unit_id == union["g21"].pk


def test_every_bad_row_is_listed_and_the_stored_list_is_capped(people, union, run_import):
    rows = [row(n, "S01-G1", 出生日期="not a date") for n in range(1, 1006)]
    rows.append(row(2000, "S01-G1", 所属单位="NOPE"))
    job = run_import(people["cadre"], xlsx(rows))
    assert job.status == "failed"
    assert job.error_count == 1006
    assert len(job.errors) == MemberImport.MAX_STORED_ERRORS
    assert job.errors[0]["row"] == 2 and job.errors[-1]["row"] == 1001
    assert not Member.objects.filter(employee_no__startswith="T").exists()


def test_more_rows_than_allowed_is_refused_by_the_worker_too(people, union, run_tasks, settings):
    settings.UNIONHOME_IMPORT_MAX_ROWS = 3
    job = roster_import_start(
        actor=people["cadre"], upload=upload(xlsx([row(n, "S01-G1") for n in range(1, 4)])), language="en"
    )
    settings.UNIONHOME_IMPORT_MAX_ROWS = 2  # lowered while the file waits in the queue
    run_tasks()
    job.refresh_from_db()
    assert job.status == "failed" and "more than 2 rows" in job.message
    assert not Member.objects.filter(employee_no__startswith="T").exists()


# --- Upload checks: nothing stored ------------------------------------------------------------------------


def _no_header_workbook() -> bytes:
    return xlsx([row(1, "S01-G1")], header=False)


def _damaged_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not really a workbook")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"employee_no,name\nT1,Zhang\n", "roster.csv", "not an Excel workbook"),
        (b"employee_no,name\nT1,Zhang\n", "roster.xlsx", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xlsx", "not an Excel workbook"),  # .xls / encrypted
        (b"", "empty.xlsx", "The file is empty"),
        (b"PK\x03\x04" + b"garbage" * 50, "broken.xlsx", "damaged"),
        (_damaged_zip(), "broken.xlsx", "damaged"),
        (xlsx([]), "header-only.xlsx", "no member rows"),
        (_no_header_workbook(), "no-header.xlsx", "Columns missing from the first row"),
        (xlsx([row(1, "S01-G1")[:3]], HEADER[:3]), "short.xlsx", "出生日期 (Birth date)"),
        (xlsx([row(1, "S01-G1") + ["x"]], [*HEADER, "血型"]), "extra.xlsx", "Unknown columns: 血型"),
        (xlsx([row(1, "S01-G1") + ["T9"]], [*HEADER, "Employee number"]), "twice.xlsx", "Columns given twice"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message(people, union, settings, content, name, message):
    with pytest.raises(ValidationError) as exc:
        roster_import_start(actor=people["cadre"], upload=upload(content, name))
    assert message in " ".join(exc.value.messages)
    assert not MemberImport.objects.exists()
    assert uploads_left(settings) == []


def test_too_big_and_too_many_rows_are_refused(people, union, settings):
    content = xlsx([row(n, "S01-G1") for n in range(1, 6)])
    settings.UNIONHOME_MAX_UPLOAD_BYTES = len(content) - 1
    with pytest.raises(ValidationError, match="larger than"):
        roster_import_start(actor=people["cadre"], upload=upload(content))
    settings.UNIONHOME_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    settings.UNIONHOME_IMPORT_MAX_ROWS = 4
    with pytest.raises(ValidationError, match="more than 4 rows"):
        roster_import_start(actor=people["cadre"], upload=upload(content))
    assert not MemberImport.objects.exists() and uploads_left(settings) == []


def test_import_needs_the_permission_in_the_chosen_unit(people, union):
    content = xlsx([row(1, "S01-G1")])
    for actor in (people["member"], people["auditor"], people["admin"]):
        with pytest.raises(PermissionRefused):
            roster_import_start(actor=actor, upload=upload(content))
    with pytest.raises(PermissionRefused):
        roster_import_start(actor=people["cadre"], upload=upload(content), unit=union["s2"])
    assert not MemberImport.objects.exists()


def test_import_into_a_chosen_subtree_refuses_units_elsewhere(people, union, run_import):
    job = run_import(people["chair"], xlsx([row(1, "S01-G1"), row(2, "S02-G1")]), unit=union["s1"])
    assert job.status == "failed"
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "所属单位")]


def test_a_revoked_importer_gets_nothing_written(people, union, run_tasks):
    job = roster_import_start(actor=people["cadre"], upload=upload(xlsx([row(1, "S01-G1")])))
    people["cadre"].role_assignments.all().delete()
    run_tasks()
    job.refresh_from_db()
    assert job.status == "failed" and "no longer" in job.message
    assert not Member.objects.filter(employee_no="T000001").exists()


# --- The template ---------------------------------------------------------------------------------------


def test_template_has_the_columns_units_and_allowed_values(people, union):
    with translation.override("zh-hans"):
        content = roster_import_template(actor=people["cadre"]).getvalue()
    workbook = load_workbook(io.BytesIO(content))
    roster, _notes, units, values = workbook.worksheets
    assert [c.value.rstrip(" *") for c in roster[1]] == HEADER
    codes = [r[0] for r in units.iter_rows(min_row=2, values_only=True)]
    assert codes == ["S01", "S01-G1", "S01-G2"]  # the cadre's own scope only
    assert "inspector" not in [v for r in values.iter_rows(values_only=True) for v in r]
    with pytest.raises(PermissionRefused):
        roster_import_template(actor=people["member"])


def test_the_filled_template_imports(people, union, run_import):
    workbook = load_workbook(roster_import_template(actor=people["cadre"]))
    sheet = workbook.worksheets[0]
    for values in (row(1, "S01-G1"), row(2, "一站乙班")):
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    job = run_import(people["cadre"], out.getvalue())
    assert (job.status, job.created_count) == ("done", 2), job.errors


# --- Progress ----------------------------------------------------------------------------------------------


def test_progress_runs_from_queued_to_done(people, union, run_tasks):
    job = roster_import_start(actor=people["cadre"], upload=upload(xlsx([row(n, "S01-G1") for n in range(1, 11)])))
    queued = roster_import_progress(job)
    assert (queued.status, queued.percent, queued.total) == ("queued", 0, 10)
    MemberImport.objects.filter(pk=job.pk).update(status="validating", rows_processed=5)
    job.refresh_from_db()
    assert roster_import_progress(job).percent == 25
    MemberImport.objects.filter(pk=job.pk).update(status="queued", rows_processed=0)
    run_tasks()
    job.refresh_from_db()
    done = roster_import_progress(job)
    assert (done.status, done.percent, done.processed) == ("done", 100, 10)


# --- Pages -------------------------------------------------------------------------------------------------


def test_upload_page_progress_fragment_and_result(login_as, people, union, run_tasks):
    client = login_as(people["cadre"])
    page = client.get(reverse("org:roster_import"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="file"' in html and 'name="unit"' not in html  # one scope: nothing to choose
    assert reverse("org:roster_import_template") in html

    content = xlsx([row(n, "S01-G1") for n in range(1, 4)])
    response = client.post(reverse("org:roster_import"), {"file": upload(content)})
    assert response.status_code == 302
    job = MemberImport.objects.get()
    assert response["Location"] == reverse("org:roster_import_detail", args=[job.pk])

    detail = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in detail and "<progress" in detail
    fragment = client.get(reverse("org:roster_import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and 'hx-trigger="every 1s"' in fragment.content.decode()

    run_tasks()

    finished = client.get(reverse("org:roster_import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = finished.content.decode()
    assert "hx-trigger" not in html  # polling stops
    assert 'value="100"' in html and '<dd class="num" id="count-created">3</dd>' in html
    assert Member.objects.filter(employee_no__in=["T000001", "T000002", "T000003"]).count() == 3


def test_failed_import_page_shows_the_error_table(login_as, people, union, run_tasks):
    client = login_as(people["cadre"])
    content = xlsx([row(1, "S01-G1"), row(2, "S01-G1", 所属单位="S02-G1")])
    response = client.post(reverse("org:roster_import"), {"file": upload(content)})
    run_tasks()
    html = client.get(response["Location"]).content.decode()
    assert 'id="import-errors"' in html and "hx-trigger" not in html
    assert '<td data-label="Row" class="num">3</td>' in html and "outside your scope" in html
    assert not Member.objects.filter(employee_no="T000001").exists()


def test_bad_upload_through_the_page_is_a_400_with_the_message(login_as, people, union):
    client = login_as(people["cadre"])
    response = client.post(reverse("org:roster_import"), {"file": upload(b"hello", "roster.xlsx")})
    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()
    assert not MemberImport.objects.exists()
    missing = client.post(reverse("org:roster_import"), {})
    assert missing.status_code == 400


def test_too_big_upload_through_the_page_is_a_413(login_as, people, union, settings):
    settings.UNIONHOME_MAX_UPLOAD_BYTES = 2000
    client = login_as(people["cadre"])
    big = xlsx([row(n, "S01-G1") for n in range(1, 200)])
    response = client.post(reverse("org:roster_import"), {"file": upload(big)})
    assert response.status_code == 413
    assert "larger than" in response.content.decode()
    assert not MemberImport.objects.exists() and uploads_left(settings) == []


def test_upload_without_csrf_token_is_refused(people, union):
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(enforce_csrf_checks=True)
    client.force_login(people["cadre"], backend="unionhome.accounts.backends.LoginIdBackend")
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=people["cadre"]).persistent_id
    session.save()
    assert client.get(reverse("org:roster_import")).status_code == 200
    response = client.post(reverse("org:roster_import"), {"file": upload(xlsx([row(1, "S01-G1")]))})
    assert response.status_code == 403
    assert not MemberImport.objects.exists()


def test_pages_are_scoped(login_as, people, union, run_tasks):
    job = roster_import_start(actor=people["cadre"], upload=upload(xlsx([row(1, "S01-G1")])))
    client = login_as(people["cadre2"])
    assert client.get(reverse("org:roster_import_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("org:roster_import_progress", args=[job.pk])).status_code == 404
    chair = login_as(people["chair"])
    assert chair.get(reverse("org:roster_import_detail", args=[job.pk])).status_code == 200
    member = login_as(people["member"])
    assert member.get(reverse("org:roster_import")).status_code == 403


def test_chair_with_several_scopes_chooses_the_unit(login_as, people, union, run_tasks):
    both = factories.user("two-stations", roles=(("branch_cadre", union["s1"]), ("branch_cadre", union["s2"])))
    client = login_as(both)
    html = client.get(reverse("org:roster_import")).content.decode()
    assert 'name="unit"' in html
    content = xlsx([row(1, "S02-G1")])
    response = client.post(reverse("org:roster_import"), {"file": upload(content), "unit": union["s2"].pk})
    assert response.status_code == 302
    run_tasks()
    job = MemberImport.objects.get()
    assert (job.status, job.scope_unit) == ("done", union["s2"])
    with pytest.raises(ValidationError):
        roster_import_start(actor=both, upload=upload(content))  # no unit chosen


def test_directory_links_only_when_permitted(login_as, people, union):
    html = login_as(people["cadre"]).get(reverse("org:directory")).content.decode()
    assert reverse("org:roster_import") in html and reverse("org:roster_export") in html
    rep = factories.user("leader", roles=(("group_leader", union["g11"]),))
    html = login_as(rep).get(reverse("org:directory")).content.decode()
    assert reverse("org:roster_import") not in html and reverse("org:roster_export") not in html
