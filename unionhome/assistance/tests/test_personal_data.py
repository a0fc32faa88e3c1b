"""A member's own data (PIPL right of access) includes what the centre holds about them: files with their
household and consents, help received, education-aid applications, visits (without cadres' notes) and
the ratings they gave; on the page, in the JSON download and in the Excel workbook."""

import io
import json

from openpyxl import load_workbook

from unionhome.assistance.models import ConsentRecord
from unionhome.assistance.tests import aid_records, records, visit_records
from unionhome.satisfaction.models import Rating


def test_my_data_holds_the_centres_records_about_me(login_as, centre):
    member = centre["member_record"]
    file = records.hardship_file(member, situation="爱人住院，家中困难")
    ConsentRecord.objects.create(
        member=member, file=file, purpose="认定困难", text_version="1", method="online", given_at=file.created_at
    )
    help_given = records.assistance(
        member, requested_by=centre["officer_s1"], line=centre["budget_line"], amount="1500.00", status="delivered"
    )
    application = aid_records.application(aid_records.campaign(centre), member, child_name="张小明")
    visit_records.done_visit(member, findings="只给干部看的走访记录")
    Rating.objects.create(
        service_line="hardship_assistance",
        item_type="assistance.assistance",
        item_id=help_given.pk,
        member=member,
        unit_path=member.unit_path,
        score=5,
        comment="很及时",
    )
    client = login_as(centre["member"])

    data = json.loads(client.get("/accounts/me/download/").content)
    sections = {s["key"]: s["rows"] for s in data["records"]}
    assert sections["hardship_files"][0]["situation"] == "爱人住院，家中困难"
    assert [p["age"] for p in sections["household"]] == [45, 17]
    assert sections["consents"][0]["purpose"] == "认定困难"
    assert sections["assistance"][0]["amount"] == "1500.00"
    assert sections["education_aid"][0]["child_id_number"] == application.child_id_number  # their own, in full
    assert sections["visits"][0]["gifts"] and "只给干部看的走访记录" not in json.dumps(data, ensure_ascii=False)
    assert sections["ratings"][0]["score"] == 5

    page = client.get("/accounts/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Hardship files" in page and "爱人住院，家中困难" in page and "很及时" in page
    assert "只给干部看的走访记录" not in page

    download = client.get("/accounts/me/download.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    workbook = load_workbook(io.BytesIO(download.content))
    assert {"Hardship files", "Household", "Consents", "Education aid applications", "Visits"} <= set(
        workbook.sheetnames
    )
    assert any("1500.00" in row for row in workbook["Help I have received"].values)


def test_a_member_without_centre_records_sees_no_empty_sections(login_as, centre):
    page = login_as(centre["member"]).get("/accounts/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Hardship files" not in page and "Ratings I gave" not in page
