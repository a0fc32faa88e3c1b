"""Hardship-file pages: applying on a phone, the officers' list and export, one file with its next steps,
the member's own files, the publicity board and its PDF, the admin; scope, masking and audit on each."""

import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from tests import factories
from unionhome.assistance.models import ConsentRecord, FileEvent, HardshipFile, Objection
from unionhome.assistance.services import files as services
from unionhome.assistance.tests import records
from unionhome.assistance.tests.file_records import walk, without_sensitive
from unionhome.audit.models import AuditEvent


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def application(*rows, consent=True, submit=True, **fields) -> dict:
    """The application form as a browser posts it (household rows as a Django formset)."""
    data = {
        "causes": ["illness", "low_income"],
        "situation": "爱人患尿毒症，每周透析三次。",
        "household-TOTAL_FORMS": str(len(rows)),
        "household-INITIAL_FORMS": "1",
        "household-MIN_NUM_FORMS": "0",
        "household-MAX_NUM_FORMS": "20",
        **fields,
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"household-{i}-{key}"] = value
    if consent:
        data["consent"] = "on"
    data["submit_now" if submit else "save"] = "1"
    return data


SELF = {"relation": "self", "age": "45", "health": "healthy", "monthly_income": "2600", "employment": "employed"}
SPOUSE = {
    "relation": "spouse",
    "age": "44",
    "health": "serious",
    "health_note": "尿毒症",
    "monthly_income": "0",
    "employment": "unable",
}
EMPTY = {"relation": "", "age": "", "health": "", "monthly_income": "", "employment": ""}


# --- applying ------------------------------------------------------------------------------------


def test_a_member_applies_from_the_phone_form(centre, login_as):
    client = login_as(centre["member"])
    page = html(client.get(reverse("assistance:file_new")))
    assert 'name="consent"' in page and 'name="level"' not in page and "household-0-relation" in page
    assert "js/household.js" in page  # "add another person" works in place where JavaScript runs
    response = client.post(reverse("assistance:file_new"), application(SELF, SPOUSE, EMPTY))
    file = HardshipFile.objects.get()
    assert response.status_code == 302 and response.url == reverse("assistance:file_detail", args=[file.pk])
    assert (file.state, file.household_size, file.income_per_head) == ("submitted", 2, Decimal("1300.00"))
    assert ConsentRecord.objects.get(file=file).method == "online"
    assert file.household.get(relation="spouse").health_note == "尿毒症"


def test_a_member_saves_a_draft_first(centre, login_as):
    client = login_as(centre["member"])
    client.post(reverse("assistance:file_new"), application(SELF, submit=False))
    assert HardshipFile.objects.get().state == "draft"


def test_without_consent_no_file_is_opened(centre, login_as):
    client = login_as(centre["member"])
    page = html(client.post(reverse("assistance:file_new"), application(SELF, consent=False)))
    assert "No consent, no file" in page
    assert not HardshipFile.objects.exists() and not ConsentRecord.objects.exists()


def test_household_problems_are_shown_next_to_the_household(centre, login_as):
    client = login_as(centre["member"])
    spouse_only = {**SPOUSE}
    page = html(client.post(reverse("assistance:file_new"), application(spouse_only)))
    household = page.split('class="household"', 1)[1]
    assert "exactly once" in household
    assert not HardshipFile.objects.exists()


def test_add_another_person_without_javascript(centre, login_as):
    client = login_as(centre["member"])
    data = application(SELF, SPOUSE)
    data.pop("submit_now")
    data["add_person"] = "1"
    page = html(client.post(reverse("assistance:file_new"), data))
    assert 'name="household-TOTAL_FORMS" value="3"' in page
    assert 'name="household-2-relation"' in page and 'value="尿毒症"' in page  # kept what was typed
    assert 'class="error"' not in page  # nothing was checked yet
    assert not HardshipFile.objects.exists()


def test_a_cadre_finds_the_member_then_opens_the_file(centre, login_as):
    client = login_as(centre["officer_s1"])
    page = html(client.get(reverse("assistance:file_new")))
    assert 'role="search"' in page
    found = html(client.get(reverse("assistance:file_new"), {"q": "李"}))
    assert f"?member={centre['other_s1'].pk}" in found
    assert "王五" not in html(client.get(reverse("assistance:file_new"), {"q": "王"}))  # another station
    url = reverse("assistance:file_new") + f"?member={centre['other_s1'].pk}"
    page = html(client.get(url))
    assert 'name="consent_method"' in page and 'name="level"' in page
    data = application(SELF, consent=False, submit=False, consent_method="paper", level="sudden")
    assert client.post(url, data).status_code == 302
    file = HardshipFile.objects.get()
    assert (file.member, file.level, file.opened_on_behalf) == (centre["other_s1"], "sudden", True)


def test_a_cadre_cannot_open_a_file_for_a_member_out_of_scope(centre, login_as):
    url = reverse("assistance:file_new") + f"?member={centre['s2_member'].pk}"
    assert login_as(centre["officer_s1"]).get(url).status_code == 404
    assert login_as(centre["cadre"]).get(url).status_code == 403
    assert login_as(centre["admin"]).get(reverse("assistance:file_new")).status_code == 403


def test_the_applicant_edits_a_returned_draft(centre, login_as):
    file = walk(centre, "submitted")
    services.file_return(actor=centre["officer_s1"], file=file, note="请补充配偶收入")
    client = login_as(centre["member"])
    url = reverse("assistance:file_edit", args=[file.pk])
    page = html(client.get(url))
    assert 'name="household-1-relation"' in page and "consent" not in page.split("<form", 2)[2].split("household")[0]
    data = application(SELF, {**SPOUSE, "monthly_income": "600"}, consent=False)
    data["household-INITIAL_FORMS"] = "2"
    assert client.post(url, data).status_code == 302
    file.refresh_from_db()
    assert (file.state, file.household_monthly_income) == ("submitted", Decimal("3200.00"))


def test_only_drafts_open_for_editing(centre, login_as):
    file = walk(centre, "submitted")
    response = login_as(centre["member"]).get(reverse("assistance:file_edit", args=[file.pk]))
    assert response.status_code == 302 and response.url == reverse("assistance:file_detail", args=[file.pk])


# --- the officers' list --------------------------------------------------------------------------


def test_list_shows_the_officers_scope_without_health_or_income(centre, login_as):
    mine = walk(centre, "submitted")
    other = records.hardship_file(centre["s2_member"], state="active")
    page = html(login_as(centre["officer_s1"]).get(reverse("assistance:file_list")))
    assert "张三" in page and "王五" not in page
    assert "Low household income per head" in page and "Relative hardship" in page
    for secret in ("2000", "1000.00", "chronic", "Chronic illness"):
        assert secret not in page
    page = html(login_as(centre["chair"]).get(reverse("assistance:file_list")))
    assert "张三" in page and "王五" in page
    assert mine.pk and other.pk


def test_list_filters_by_state_and_name(centre, login_as):
    walk(centre, "submitted")
    records.hardship_file(centre["other_s1"], state="active")
    client = login_as(centre["officer_s1"])
    table = html(client.get(reverse("assistance:file_list"), {"state": "active"})).split("<tbody>")[1]
    assert "李四" in table and "张三" not in table
    table = html(client.get(reverse("assistance:file_list"), {"q": "zs"})).split("<tbody>")[1]
    assert "张三" in table and "李四" not in table


@pytest.mark.parametrize("who", ["member", "cadre", "auditor", "admin"])
def test_list_is_closed_to_those_without_view_file(centre, login_as, who):
    assert login_as(centre[who]).get(reverse("assistance:file_list")).status_code == 403


def test_list_query_count_does_not_grow_with_rows(centre, login_as, union):
    client = login_as(centre["chair"])
    records.hardship_file(centre["member_record"], state="active")
    url = reverse("assistance:file_list")
    before = queries_for(client, url)
    for i in range(25):
        member = factories.member(union["g11" if i % 2 else "g21"], f"周{i}")
        records.hardship_file(member, state="submitted")
    assert queries_for(client, url) == before


def test_list_pages_by_keyset(centre, login_as, union, monkeypatch):
    monkeypatch.setattr("unionhome.assistance.selectors.files.PAGE_SIZE", 2)
    from unionhome.assistance.selectors import files as selectors

    for i in range(5):
        records.hardship_file(factories.member(union["g11"], f"赵{i}"), state="active")
    client = login_as(centre["chair"])
    seen, url, pages = [], reverse("assistance:file_list"), 0
    while url:
        response = client.get(url)
        seen += [f.pk for f in response.context["page"].items]
        cursor = response.context["page"].next_cursor
        url = f"{reverse('assistance:file_list')}?after={cursor}" if cursor else None
        pages += 1
    assert pages == 3 and sorted(seen) == sorted(HardshipFile.objects.values_list("pk", flat=True))
    assert len(seen) == len(set(seen)) and selectors.PAGE_SIZE == 2
    assert client.get(reverse("assistance:file_list"), {"after": "garbage!"}).status_code == 200


# --- the export ----------------------------------------------------------------------------------


def export_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_export_of_the_officers_scope_is_audited(centre, login_as):
    records.hardship_file(centre["member_record"], state="active")
    records.hardship_file(centre["s2_member"], state="active")
    rows = export_rows(login_as(centre["officer_s1"]).get(reverse("assistance:file_export")))
    assert rows[0][:2] == ("File", "Name") and len(rows) == 2
    assert rows[1][1] == "张三" and rows[1][8] == 2000 and rows[1][9] == 1000
    event = AuditEvent.objects.get(action="assistance.file.exported")
    assert event.actor == centre["officer_s1"] and event.changes["rows"] == 1 and event.changes["unmasked"] == 1


def test_export_masks_income_without_view_sensitive(centre, login_as, monkeypatch):
    without_sensitive(monkeypatch)
    records.hardship_file(centre["member_record"], state="active")
    rows = export_rows(login_as(centre["officer_s1"]).get(reverse("assistance:file_export")))
    assert rows[1][1] == "张三" and rows[1][8] == "••••" and rows[1][9] == "••••"
    assert AuditEvent.objects.get(action="assistance.file.exported").changes["unmasked"] == 0


@pytest.mark.parametrize("who", ["member", "cadre", "auditor", "admin"])
def test_export_is_refused_without_view_file(centre, login_as, who):
    records.hardship_file(centre["member_record"], state="active")
    assert login_as(centre[who]).get(reverse("assistance:file_export")).status_code == 403
    assert not AuditEvent.objects.filter(action="assistance.file.exported").exists()


# --- one file ------------------------------------------------------------------------------------


def test_officer_opens_a_file_and_the_open_is_recorded(centre, login_as):
    file = walk(centre, "submitted")
    page = html(login_as(centre["officer_s1"]).get(reverse("assistance:file_detail", args=[file.pk])))
    assert "妻子长期患病" in page and "2000.00" in page and "1000.00" in page
    assert "Pass branch review" in page and "Return to the applicant" in page
    assert "Approve for the union" not in page  # a branch officer does not approve
    event = AuditEvent.objects.get(action="assistance.file.viewed")
    assert (event.actor, event.object_id, event.unit_path) == (centre["officer_s1"], str(file.pk), file.unit_path)


def test_the_applicant_sees_their_file_and_history_but_no_cadre_steps(centre, login_as):
    file = walk(centre, "publicity")
    services.objection_record(actor=centre["officer_s1"], file=file, summary="同事反映其有其他收入")
    page = html(login_as(centre["member"]).get(reverse("assistance:file_detail", args=[file.pk])))
    assert "妻子长期患病" in page and "1000.00" in page  # their own data, unmasked
    assert "Passed branch review" in page and "Approved by the union; publicity started" in page
    assert "同事反映" not in page and "Objections" not in page  # cadres' records stay with cadres
    assert "Next steps" not in page
    assert AuditEvent.objects.filter(action="assistance.file.viewed", actor=centre["member"]).exists()


@pytest.mark.parametrize("who", ["officer_s2", "cadre", "cadre2", "auditor", "admin"])
def test_everybody_else_gets_404_and_the_attempt_is_recorded(centre, login_as, who):
    file = walk(centre, "submitted")
    assert login_as(centre[who]).get(reverse("assistance:file_detail", args=[file.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor=centre[who]).count() == 1
    assert not AuditEvent.objects.filter(action="assistance.file.viewed").exists()


def test_another_member_gets_404(centre, login_as):
    file = walk(centre, "submitted")
    other = factories.user("lisi", member=centre["other_s1"])
    assert login_as(other).get(reverse("assistance:file_detail", args=[file.pk])).status_code == 404
    assert login_as(other).get(reverse("assistance:file_detail", args=[10**9])).status_code == 404


def test_detail_masks_health_and_income_without_view_sensitive(centre, login_as, monkeypatch):
    without_sensitive(monkeypatch)
    file = records.hardship_file(centre["member_record"], state="active", situation="长期慢性病")
    page = html(login_as(centre["officer_s1"]).get(reverse("assistance:file_detail", args=[file.pk])))
    assert "张三" in page and "Relative hardship" in page
    for secret in ("长期慢性病", "2000.00", "1000.00", "Chronic illness"):
        assert secret not in page
    assert "••••" in page


def test_steps_are_taken_from_the_page(centre, login_as):
    file = walk(centre, "submitted")
    client = login_as(centre["officer_s1"])
    url = reverse("assistance:file_action", args=[file.pk, "branch_review"])
    response = client.post(url, {"branch_review-level": "deep", "branch_review-note": "走访核实"})
    assert response.status_code == 302
    file.refresh_from_db()
    assert (file.state, file.level) == ("branch_reviewed", "deep")
    approve = reverse("assistance:file_action", args=[file.pk, "approve"])
    assert login_as(centre["officer_s1"]).post(approve, {}).status_code == 403
    assert login_as(centre["officer_union"]).post(approve, {}).status_code == 302
    assert HardshipFile.objects.get(pk=file.pk).state == "publicity"


def test_a_refused_step_shows_why_and_changes_nothing(centre, login_as):
    file = walk(centre, "submitted")
    client = login_as(centre["officer_s1"])
    page = html(client.post(reverse("assistance:file_action", args=[file.pk, "reject"]), {"reject-reason": ""}))
    assert "This field is required." in page
    page = html(client.post(reverse("assistance:file_action", args=[file.pk, "activate"]), {}))
    assert "is not possible while the file is" in page
    assert HardshipFile.objects.get(pk=file.pk).state == "submitted"
    assert client.post(reverse("assistance:file_action", args=[file.pk, "delete"]), {}).status_code == 404
    assert client.get(reverse("assistance:file_action", args=[file.pk, "reject"])).status_code == 405


def test_other_cadres_cannot_take_steps(centre, login_as):
    file = walk(centre, "submitted")
    url = reverse("assistance:file_action", args=[file.pk, "reject"])
    assert login_as(centre["officer_s2"]).post(url, {"reject-reason": "x"}).status_code == 404
    assert login_as(centre["member"]).post(url, {"reject-reason": "x"}).status_code == 403
    assert HardshipFile.objects.get(pk=file.pk).state == "submitted"


def test_objections_are_recorded_and_resolved_on_the_page(centre, login_as):
    file = walk(centre, "publicity")
    officer = login_as(centre["officer_s1"])
    page = html(officer.get(reverse("assistance:file_detail", args=[file.pk])))
    assert "Record an objection" in page and "Resolve the objection" not in page
    officer.post(reverse("assistance:objection_new", args=[file.pk]), {"objection-summary": "有经营收入"})
    objection = Objection.objects.get()
    chair = login_as(centre["chair"])
    assert "Resolve the objection" in html(chair.get(reverse("assistance:file_detail", args=[file.pk])))
    url = reverse("assistance:objection_resolve", args=[file.pk, objection.pk])
    response = chair.post(
        url, {f"resolve-{objection.pk}-resolution": "upheld", f"resolve-{objection.pk}-resolution_note": "属实"}
    )
    assert response.status_code == 302
    file.refresh_from_db()
    assert (file.state, file.close_reason) == ("rejected", "有经营收入")


def test_re_review_and_exit_from_the_page(centre, login_as):
    file = walk(centre, "active")
    client = login_as(centre["officer_s1"])
    url = reverse("assistance:file_action", args=[file.pk, "re_review"])
    client.post(url, {"re_review-outcome": "continue", "re_review-level": "deep", "re_review-notes": "病情加重"})
    assert HardshipFile.objects.get(pk=file.pk).level == "deep"
    client.post(reverse("assistance:file_action", args=[file.pk, "exit"]), {"exit-reason": "已再就业"})
    assert HardshipFile.objects.get(pk=file.pk).state == "exited"
    assert FileEvent.objects.filter(file=file).last().note == "已再就业"


# --- the member's own files ----------------------------------------------------------------------


def test_my_files_show_state_and_the_note_given(centre, login_as):
    file = walk(centre, "submitted")
    services.file_return(actor=centre["officer_s1"], file=file, note="请补充诊断证明")
    page = html(login_as(centre["member"]).get(reverse("assistance:my_files")))
    assert "Draft" in page and "请补充诊断证明" in page
    assert "Apply for hardship assistance" not in page  # one open file at a time
    other = factories.user("lisi", member=centre["other_s1"])
    page = html(login_as(other).get(reverse("assistance:my_files")))
    assert "You have no hardship file." in page and "Apply for hardship assistance" in page


# --- publicity -----------------------------------------------------------------------------------


def test_the_publicity_board_shows_name_unit_and_level_only(centre, login_as):
    walk(centre, "publicity")
    records.hardship_file(centre["other_s1"], state="active")
    other = factories.user("lisi", member=centre["other_s1"])
    page = html(login_as(other).get(reverse("assistance:publicity")))
    table = page.split("<tbody>")[1]
    assert "张三" in table and "一站甲班" in table and "Relative hardship" in table
    assert "李四" not in table  # active, not in publicity
    for secret in ("2000", "1000.00", "妻子长期患病", "Chronic"):
        assert secret not in page


def test_the_publicity_notice_prints_as_pdf_without_income(centre, login_as):
    walk(centre, "publicity")
    walk(centre, "publicity", member=centre["s2_member"])
    response = login_as(centre["member"]).get(reverse("assistance:publicity_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    compact = re.sub(r"\s+", "", text)
    assert "张三" in compact and "王五" in compact and "技术中心工会" in compact
    assert "2000" not in compact and "1000.00" not in compact and "妻子" not in compact
    assert AuditEvent.objects.filter(action="assistance.publicity.printed", actor=centre["member"]).exists()


def test_the_pdf_is_only_for_someone_with_a_union(centre, login_as):
    assert login_as(centre["admin"]).get(reverse("assistance:publicity_pdf")).status_code == 404


# --- the admin -----------------------------------------------------------------------------------


def test_admin_lists_files_in_the_staff_officers_scope_only(centre, login_as, union):
    walk(centre, "submitted")
    far = records.hardship_file(centre["s2_member"], state="active")
    staff = factories.user("staff_officer", roles=(("assistance_officer", union["s1"]),), is_staff=True)
    client = login_as(staff)
    page = html(client.get(reverse("admin:assistance_hardshipfile_changelist")))
    assert "张三" in page and "王五" not in page
    table = page.split('id="result_list"')[1].split("</table>")[0]
    assert "张三" in table and "2000.00" not in table and "1000.00" not in table
    assert client.get(reverse("admin:assistance_hardshipfile_change", args=[far.pk])).status_code == 404


def test_a_platform_admin_sees_no_files_in_the_admin(centre, login_as):
    file = records.hardship_file(centre["member_record"], state="active")
    client = login_as(centre["admin"])
    assert client.get(reverse("admin:assistance_hardshipfile_changelist")).status_code == 403
    assert client.get(reverse("admin:assistance_hardshipfile_change", args=[file.pk])).status_code in (403, 404)
    assert "hardship" not in html(client.get(reverse("admin:index"))).lower()


def test_admin_change_leads_to_the_real_page(centre, login_as, union):
    file = records.hardship_file(centre["member_record"], state="active")
    staff = factories.user("staff_officer", roles=(("assistance_officer", union["s1"]),), is_staff=True)
    response = login_as(staff).get(reverse("admin:assistance_hardshipfile_change", args=[file.pk]))
    assert response.status_code == 302 and response.url == reverse("assistance:file_detail", args=[file.pk])


# --- the cadre's work queue ----------------------------------------------------------------------


def test_work_queue_items(centre, union):
    from unionhome.assistance.selectors.files import file_work_items

    submitted = walk(centre, "submitted")
    reviewed = walk(centre, "branch_reviewed", member=centre["other_s1"])
    overdue = records.hardship_file(centre["s2_member"], state="active")
    HardshipFile.objects.filter(pk=overdue.pk).update(next_review_due="2020-01-01")
    officer = {i.url: i.kind for i in file_work_items(centre["officer_s1"])}
    assert officer == {reverse("assistance:file_detail", args=[submitted.pk]): "assistance.file.review"}
    union_officer = {i.url: i.kind for i in file_work_items(centre["officer_union"])}
    assert union_officer == {
        reverse("assistance:file_detail", args=[submitted.pk]): "assistance.file.review",
        reverse("assistance:file_detail", args=[reviewed.pk]): "assistance.file.approve",
        reverse("assistance:file_detail", args=[overdue.pk]): "assistance.file.re_review_overdue",
    }
    chair = {i.url: i.kind for i in file_work_items(centre["chair"])}
    assert chair[reverse("assistance:file_detail", args=[reviewed.pk])] == "assistance.file.approve"
    assert file_work_items(centre["member"]) == [] and file_work_items(centre["admin"]) == []
