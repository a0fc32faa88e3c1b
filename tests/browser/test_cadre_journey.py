"""A station cadre, past the second factor, imports a roster with one bad row, fixes it, imports it,
finds a member by pinyin initials and edits them; the audit committee member then sees that edit."""

from tests import factories
from tests.browser.conftest import DESKTOP, PHONE
from unionhome.org.models import Member
from unionhome.org.tests import roster_workbooks as rw


def test_cadre_imports_finds_edits_and_auditor_sees_it(transactional_db, visit, task_worker, union, tmp_path):
    cadre = factories.user("cadre-zhou", roles=(("branch_cadre", union["s1"]),), display_name="周站长")
    auditor = factories.user("auditor-wu", roles=(("auditor", union["union"]),), display_name="吴审计")
    group = union["g11"].code
    good = [rw.row(n, group) for n in range(1, 6)]
    good[2][rw.COLUMN["姓名"]] = "张晓舒"
    bad = [list(r) for r in good]
    wrong = bad[3][rw.COLUMN["身份证号"]]
    bad[3][rw.COLUMN["身份证号"]] = wrong[:-1] + ("0" if wrong[-1] != "0" else "1")  # a wrong check digit
    bad_file, good_file = tmp_path / "花名册-有错.xlsx", tmp_path / "花名册.xlsx"
    bad_file.write_bytes(rw.xlsx(bad))
    good_file.write_bytes(rw.xlsx(good))

    v = visit(DESKTOP)
    v.login(cadre.username, factories.PASSWORD, factories.totp_code(cadre))
    page = v.page
    v.axe()

    # The roster with a wrong ID check digit on its 4th member (spreadsheet row 5) is refused as a whole.
    page.get_by_role("link", name="会员").first.click()
    page.wait_for_url("**/org/members/")
    v.axe()
    page.get_by_role("link", name="导入花名册").click()
    page.wait_for_url("**/org/roster/import/")
    v.axe()
    page.locator("input[type=file]").set_input_files(str(bad_file))
    page.get_by_role("button", name="上传并检查").click()
    errors = page.get_by_role("table", name="需要更正的问题")
    errors.wait_for(timeout=60000)
    assert "5" in errors.inner_text() and "身份证号" in errors.inner_text()
    v.axe()
    assert not Member.objects.filter(employee_no__startswith="T0000").exists()

    # The corrected roster goes through.
    page.goto("/org/roster/import/")
    page.locator("input[type=file]").set_input_files(str(good_file))
    page.get_by_role("button", name="上传并检查").click()
    page.locator("#count-created").wait_for(timeout=60000)
    assert page.locator("#count-created").inner_text() == "5"
    v.axe()
    assert Member.objects.filter(employee_no__startswith="T0000").count() == 5

    # Find 张晓舒 by pinyin initials; the list updates as one types (htmx).
    page.goto("/org/members/")
    assert page.get_by_role("link", name="孙悟空").count() == 1
    page.get_by_role("searchbox").fill("zxs")
    page.get_by_role("link", name="孙悟空").wait_for(state="detached")  # the list was filtered in place
    assert page.get_by_role("link", name="张晓舒").count() == 1
    page.get_by_role("link", name="张晓舒").click()
    v.axe()
    page.get_by_role("link", name="编辑").click()
    v.axe()
    page.get_by_label("手机号").fill("13700001234")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已保存").wait_for()
    assert Member.objects.get(name="张晓舒").mobile == "13700001234"

    # The auditor, on a phone, finds the edit in the audit trail.
    a = visit(PHONE)
    a.login(auditor.username, factories.PASSWORD, factories.totp_code(auditor))
    a.page.goto("/audit/")
    a.axe()
    a.page.get_by_label("操作").fill("org.member.updated")
    a.page.get_by_role("button", name="筛选").click()
    # The edit's row (the list also holds the cadre's read of the same member, until the filter applies).
    row = a.page.get_by_role("row").filter(has_text="张晓舒").filter(has_text="org.member.updated")
    row.first.wait_for()
    assert "cadre-zhou" in row.first.inner_text()
    row.first.get_by_role("link").first.click()
    a.page.get_by_text("137****1234").wait_for()
    a.axe()
