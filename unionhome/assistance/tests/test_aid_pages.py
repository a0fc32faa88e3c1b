"""Education-aid pages: campaign list and set-up, the member's apply form, the cadre's campaign page with
actions, one application, the Excel export and the publicity PDF; scope, masking, audit, query counts."""

import dataclasses
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from tests import factories
from unionhome.access.permissions import ROLES
from unionhome.assistance import ledger
from unionhome.assistance.models import AidApplication, AidCampaign, Document, Payment
from unionhome.assistance.tests import aid_records, records
from unionhome.audit.models import AuditEvent
from unionhome.org.identity import mask_id_number

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def aid(centre, settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path
    centre["campaign"] = aid_records.campaign(centre)
    return centre


def url(name: str, *args) -> str:
    return reverse(f"assistance:{name}", args=args)


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def queries_for(client, address: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def without_view_sensitive(monkeypatch) -> None:
    """Assistance officers who may review aid but not see children's details unmasked."""
    officer = ROLES["assistance_officer"]
    monkeypatch.setitem(
        ROLES,
        "assistance_officer",
        dataclasses.replace(officer, permissions=officer.permissions - {"assistance.view_sensitive"}),
    )


def published(aid, n: int = 1) -> list[AidApplication]:
    """``n`` approved applications of the member (children 1..n) and the campaign in publicity."""
    applications = [
        aid_records.application(aid["campaign"], aid["member_record"], n=i, status="approved") for i in range(1, n + 1)
    ]
    for application in applications:  # approved: the money is reserved
        ledger.commit(aid["budget_line"].pk, application.amount)
    today = aid["today"]
    AidCampaign.objects.filter(pk=aid["campaign"].pk).update(
        state="publicity", publicity_starts_on=today, publicity_ends_on=today + datetime.timedelta(days=4)
    )
    aid["campaign"].refresh_from_db()
    return applications


# --- campaigns -----------------------------------------------------------------------------------


def test_a_member_sees_the_campaigns_open_to_them(login_as, aid):
    aid_records.campaign(aid, state="draft", name="草稿")
    html = html_of(login_as(aid["member"]).get(url("aid_campaign_list")))
    assert "金秋助学" in html and "草稿" not in html
    assert url("aid_campaign_detail", aid["campaign"].pk) in html and "New campaign" not in html


def test_a_member_of_another_union_sees_no_campaign_and_gets_404(login_as, aid):
    other = factories.unit(None, "其他工会", "union")
    outsider = factories.user("outsider", member=factories.member(other, "赵六"))
    client = login_as(outsider)
    assert "金秋助学" not in html_of(client.get(url("aid_campaign_list")))
    assert client.get(url("aid_campaign_detail", aid["campaign"].pk)).status_code == 404
    assert client.get(url("aid_apply", aid["campaign"].pk)).status_code == 404


def test_an_officer_sets_up_a_campaign_on_the_page(login_as, centre):
    client = login_as(centre["officer_union"])
    assert "Run by" in html_of(client.get(url("aid_campaign_new")))
    today = centre["today"]
    response = client.post(
        url("aid_campaign_new"),
        {
            "unit": centre["union"]["union"].pk,
            "name": "金秋助学",
            "year": today.year,
            "opens_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=20)).isoformat(),
            "budget_line": centre["budget_line"].pk,
            "require_admission_this_year": "on",
            "income_per_head_below": "",
            "publicity_days": 5,
            "tier_1_name": "本科",
            "tier_1_amount": "5000",
            "tier_2_name": "专科",
            "tier_2_amount": "3000",
        },
    )
    campaign = AidCampaign.objects.get()
    assert response.status_code == 302 and response.url == url("aid_campaign_detail", campaign.pk)
    assert campaign.state == "draft" and campaign.tiers.count() == 2
    response = client.post(url("aid_campaign_action", campaign.pk, "open"))
    campaign.refresh_from_db()
    assert campaign.state == "open"


def test_campaign_errors_show_next_to_the_fields(login_as, centre):
    client = login_as(centre["officer_union"])
    today = centre["today"]
    html = html_of(
        client.post(
            url("aid_campaign_new"),
            {
                "unit": centre["union"]["union"].pk,
                "name": "金秋助学",
                "year": today.year,
                "opens_on": today.isoformat(),
                "closes_on": today.isoformat(),
                "budget_line": centre["budget_line"].pk,
                "publicity_days": 5,
                "tier_1_name": "本科",
                "tier_1_amount": "0.001",
            },
        )
    )
    assert "Amounts have at most two decimals (fen)." in html and not AidCampaign.objects.exists()


@pytest.mark.parametrize("who", ["cadre", "member", "auditor", "admin"])
def test_only_aid_managers_see_the_new_campaign_page(login_as, centre, who):
    assert login_as(centre[who]).get(url("aid_campaign_new")).status_code == 403


def test_campaign_list_query_count_is_constant(login_as, aid):
    client = login_as(aid["chair"])
    before = queries_for(client, url("aid_campaign_list"))
    for i in range(8):
        aid_records.campaign(aid, name=f"活动{i}")
    assert queries_for(client, url("aid_campaign_list")) == before


# --- applying ------------------------------------------------------------------------------------


def test_a_member_applies_on_the_page_with_a_proof_photo(login_as, aid):
    client = login_as(aid["member"])
    html = html_of(client.get(url("aid_apply", aid["campaign"].pk)))
    assert 'enctype="multipart/form-data"' in html and '<label for="id_child_id_number">' in html
    assert "<legend>Tier</legend>" in html
    number = aid_records.child_id(1)
    response = client.post(
        url("aid_apply", aid["campaign"].pk),
        {
            "child_name": "张小明",
            "child_id_number": number,
            "school": "湖南大学",
            "admitted_year": aid["campaign"].year,
            "tier": aid["campaign"].tiers.get(name="本科").pk,
            "upload": SimpleUploadedFile("offer.png", PNG, content_type="image/png"),
            "consent": "on",
        },
    )
    application = AidApplication.objects.get()
    assert response.status_code == 302 and response.url == url("aid_application_detail", application.pk)
    assert Document.objects.get().aid_application == application
    html = html_of(client.get(response.url))
    assert "Awaiting review" in html and mask_id_number(number) in html and number not in html
    assert "Withdraw my application" in html


def test_apply_errors_show_next_to_the_field(login_as, aid):
    client = login_as(aid["member"])
    html = html_of(
        client.post(
            url("aid_apply", aid["campaign"].pk),
            {
                "child_name": "张小明",
                "child_id_number": "123456789012345678",
                "school": "湖南大学",
                "admitted_year": aid["campaign"].year,
                "tier": aid["campaign"].tiers.first().pk,
            },
        )
    )
    assert re.search(r'<p class="error" id="id_child_id_number-error">[^<]+</p>', html)
    assert not AidApplication.objects.exists()


def test_a_member_sees_only_their_own_applications(login_as, aid):
    own = aid_records.application(aid["campaign"], aid["member_record"], n=1, child_name="张小明")
    other = aid_records.application(aid["campaign"], aid["other_s1"], n=2, child_name="李小花")
    client = login_as(aid["member"])
    html = html_of(client.get(url("my_aid")))
    assert "张小明" in html and "李小花" not in html
    assert client.get(url("aid_application_detail", other.pk)).status_code == 404
    assert client.get(url("aid_application_detail", own.pk)).status_code == 200


def test_the_member_sees_the_reason_of_a_rejection(login_as, aid):
    aid_records.application(aid["campaign"], aid["member_record"], status="rejected", decision_note="证明材料不全")
    assert "证明材料不全" in html_of(login_as(aid["member"]).get(url("my_aid")))


# --- the cadre's pages ---------------------------------------------------------------------------


def test_the_campaign_page_shows_a_branch_officer_their_branch_only(login_as, aid):
    aid_records.application(aid["campaign"], aid["member_record"], n=1, child_name="张小明")
    aid_records.application(aid["campaign"], aid["s2_member"], n=2, child_name="王小刚")
    html = html_of(login_as(aid["officer_s1"]).get(url("aid_campaign_detail", aid["campaign"].pk)))
    assert "张小明" in html and "王小刚" not in html
    assert url("aid_campaign_action", aid["campaign"].pk, "close") not in html  # runs nothing
    # Unmasked for an officer (view_sensitive): the listing is recorded.
    assert AuditEvent.objects.filter(action="assistance.aid_application.sensitive_listed").exists()


def test_lists_mask_children_for_reviewers_without_view_sensitive(login_as, aid, monkeypatch):
    without_view_sensitive(monkeypatch)
    number = aid_records.child_id(1)
    aid_records.application(aid["campaign"], aid["member_record"], n=1, child_name="张小明")
    html = html_of(login_as(aid["officer_s1"]).get(url("aid_campaign_detail", aid["campaign"].pk)))
    assert number not in html and mask_id_number(number) in html
    assert "张小明" not in html and "张**" in html
    assert not AuditEvent.objects.filter(action="assistance.aid_application.sensitive_listed").exists()


def test_the_campaign_page_query_count_is_constant(login_as, aid):
    client = login_as(aid["chair"])
    address = url("aid_campaign_detail", aid["campaign"].pk)
    aid_records.application(aid["campaign"], aid["member_record"], n=1)
    before = queries_for(client, address)
    for i in range(2, 12):
        member = factories.member(aid["union"]["g21" if i % 2 else "g12"], "孙九")
        aid_records.application(aid["campaign"], member, n=i)
    assert queries_for(client, address) == before


def test_the_campaign_page_pages_by_keyset(login_as, aid, monkeypatch):
    from unionhome.assistance.selectors import aid as selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    for i in range(1, 4):
        aid_records.application(aid["campaign"], aid["member_record"], n=i, child_name=f"孩子{i}")
    client = login_as(aid["chair"])
    first = html_of(client.get(url("aid_campaign_detail", aid["campaign"].pk)))
    assert "孩子1" in first and "孩子2" in first and "孩子3" not in first
    cursor = re.search(r'after=([\w-]+)" rel="next"', first).group(1)
    second = html_of(client.get(url("aid_campaign_detail", aid["campaign"].pk) + f"?after={cursor}"))
    assert "孩子3" in second and "孩子1" not in second
    assert html_of(client.get(url("aid_campaign_detail", aid["campaign"].pk) + "?after=forged!!"))


def test_opening_an_application_is_audited_and_offers_the_next_step(login_as, aid):
    application = aid_records.application(aid["campaign"], aid["member_record"])
    html = html_of(login_as(aid["officer_s1"]).get(url("aid_application_detail", application.pk)))
    assert aid_records.child_id(1) in html and "Reviewed: pass on for approval" in html
    assert url("aid_application_action", application.pk, "approve") not in html
    event = AuditEvent.objects.get(action="assistance.aid_application.viewed")
    assert event.object_id == str(application.pk) and event.actor == aid["officer_s1"]


@pytest.mark.parametrize("who", ["officer_s2", "cadre", "auditor", "admin"])
def test_others_get_404_for_an_application(login_as, aid, who):
    application = aid_records.application(aid["campaign"], aid["member_record"])
    client = login_as(aid[who])
    assert client.get(url("aid_application_detail", application.pk)).status_code == 404
    assert client.post(url("aid_application_action", application.pk, "review")).status_code == 404
    application.refresh_from_db()
    assert application.status == "submitted"


def test_review_and_approval_through_the_pages(login_as, aid, client):
    application = aid_records.application(aid["campaign"], aid["member_record"])
    login_as(aid["officer_s1"]).post(url("aid_application_action", application.pk, "review"), {"note": "齐全"})
    application.refresh_from_db()
    assert application.status == "reviewed"
    response = client.post(url("aid_application_action", application.pk, "approve"), follow=True)
    assert "another cadre must approve it" in response.content.decode()  # still the reviewer
    login_as(aid["chair"]).post(url("aid_application_action", application.pk, "approve"))
    application.refresh_from_db()
    assert application.status == "approved"


def test_a_double_click_on_pay_pays_once(login_as, aid):
    (application,) = published(aid)
    AidCampaign.objects.filter(pk=aid["campaign"].pk).update(state="paying")
    client = login_as(aid["officer_union"])
    html = html_of(client.get(url("aid_application_detail", application.pk)))
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)
    for _ in range(2):
        client.post(url("aid_application_action", application.pk, "pay"), {"idempotency_key": key})
    assert Payment.objects.count() == 1 and ledger.line_balances(aid["budget_line"])
    application.refresh_from_db()
    assert application.status == "paid"


def test_pay_all_on_the_campaign_page(login_as, aid):
    applications = published(aid, n=2)
    AidCampaign.objects.filter(pk=aid["campaign"].pk).update(state="paying")
    client = login_as(aid["officer_union"])
    for _ in range(2):
        client.post(url("aid_campaign_action", aid["campaign"].pk, "pay-all"))
    assert ledger.line_balances(aid["budget_line"])
    assert Payment.objects.count() == 2 and {p.aid_application_id for p in Payment.objects.all()} == {
        a.pk for a in applications
    }


def test_the_applicant_does_not_get_the_cadre_actions(login_as, aid):
    application = aid_records.application(aid["campaign"], aid["member_record"])
    client = login_as(aid["member"])
    html = html_of(client.get(url("aid_application_detail", application.pk)))
    assert "Reviewed: pass on" not in html and url("aid_application_action", application.pk, "approve") not in html
    assert client.post(url("aid_application_action", application.pk, "review")).status_code == 403


def test_objections_through_the_pages(login_as, aid):
    (application,) = published(aid)
    client = login_as(aid["officer_union"])
    html = html_of(client.get(url("aid_application_detail", application.pk)))
    assert "Record objection" in html
    client.post(url("aid_application_action", application.pk, "objection"), {"summary": "收入不实", "raised_by": ""})
    objection = application.objections.get()
    login_as(aid["chair"]).post(
        url("aid_objection_resolve", objection.pk), {"resolution": "upheld", "note": "核实属实"}
    )
    application.refresh_from_db()
    assert application.status == "rejected"
    assert ledger.line_balances(aid["budget_line"]) and aid["budget_line"].committed == 0


# --- export and publicity PDF --------------------------------------------------------------------


def test_the_approved_list_exports_masked_and_audited(login_as, aid):
    applications = published(aid, n=2)
    aid_records.application(aid["campaign"], aid["s2_member"], n=9, status="rejected")
    response = login_as(aid["officer_union"]).get(url("aid_export", aid["campaign"].pk))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    text = str(rows)
    for application in applications:
        number = aid_records.child_id(applications.index(application) + 1)
        assert number not in text and mask_id_number(number) in text
    assert len(rows) == 1 + 2 + 1 and rows[-1][9] in (10000, Decimal("10000.00"), "10000.00")
    assert "王五" not in text  # the rejected application is not on the list
    event = AuditEvent.objects.get(action="assistance.aid_campaign.exported")
    assert event.changes["rows"] == 2


def test_the_export_is_scoped_to_the_reviewer(login_as, aid):
    published(aid)
    aid_records.application(aid["campaign"], aid["s2_member"], n=5, status="approved")
    response = login_as(aid["officer_s2"]).get(url("aid_export", aid["campaign"].pk))
    text = str(list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)))
    assert "王五" in text and "张三" not in text
    assert login_as(aid["member"]).get(url("aid_export", aid["campaign"].pk)).status_code == 403


def test_the_publicity_notice_pdf_shows_no_child_id_or_income(login_as, aid):
    records.hardship_file(aid["member_record"])
    applications = published(aid, n=1)
    AidApplication.objects.filter(pk=applications[0].pk).update(income_per_head=Decimal("987.65"))
    response = login_as(aid["officer_union"]).get(url("aid_publicity_pdf", aid["campaign"].pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    compact = re.sub(r"\s+", "", text)
    assert "张三" in compact and "一站甲班" in compact
    assert "5000.00" in compact and "本科" in compact
    number = aid_records.child_id(1)
    assert number not in compact and number[-4:] not in compact and "987.65" not in compact
    assert "张小明" not in compact  # nothing about the child
    assert AuditEvent.objects.filter(action="assistance.aid_campaign.publicity_printed").exists()


def test_the_publicity_pdf_needs_a_published_list_and_a_manager(login_as, aid):
    client = login_as(aid["officer_union"])
    response = client.get(url("aid_publicity_pdf", aid["campaign"].pk))
    assert response.status_code == 302
    published(aid)
    assert login_as(aid["officer_s1"]).get(url("aid_publicity_pdf", aid["campaign"].pk)).status_code == 403


def test_members_see_the_published_list_without_children(login_as, aid):
    published(aid)
    neighbour = factories.user("neighbour", member=aid["other_s1"])
    html = html_of(login_as(neighbour).get(url("aid_campaign_detail", aid["campaign"].pk)))
    assert "Approved list" in html and "张三" in html and "5000.00" in html
    assert "张小明" not in html and aid_records.child_id(1)[-4:] not in html


def test_documents_are_served_to_the_applicant_and_reviewers_only(login_as, aid):
    from unionhome.assistance.services.aid import aid_document_add

    application = aid_records.application(aid["campaign"], aid["member_record"])
    document = aid_document_add(
        actor=aid["member"], application=application, upload=SimpleUploadedFile("a.png", PNG), kind="admission"
    )
    assert login_as(aid["member"]).get(url("aid_document", document.pk)).content == PNG
    assert login_as(aid["officer_s1"]).get(url("aid_document", document.pk)).status_code == 200
    assert login_as(aid["officer_s2"]).get(url("aid_document", document.pk)).status_code == 404
    assert AuditEvent.objects.filter(action="assistance.document.read").count() == 2


def test_the_work_queue_lists_what_waits_for_review_and_approval(aid):
    from unionhome.assistance.selectors.aid import aid_work_items

    aid_records.application(aid["campaign"], aid["member_record"], n=1)
    aid_records.application(aid["campaign"], aid["other_s1"], n=2)
    aid_records.application(aid["campaign"], aid["s2_member"], n=3, status="reviewed", reviewed_by=aid["officer_s2"])
    (item,) = aid_work_items(aid["officer_s1"])
    assert "2 applications to review" in item.title and item.url.endswith("?status=submitted")
    titles = sorted(i.title for i in aid_work_items(aid["chair"]))
    assert len(titles) == 2 and "1 application to approve" in titles[0] and "2 applications to review" in titles[1]
    assert [i.title for i in aid_work_items(aid["officer_s2"])] == []  # reviewed it: someone else approves
    assert aid_work_items(aid["member"]) == [] and aid_work_items(aid["cadre"]) == []


def test_the_apply_page_sends_back_when_the_campaign_is_not_taking_applications(login_as, centre):
    late = aid_records.campaign(centre, opens_in=-20, closes_in=-1)
    client = login_as(centre["member"])
    response = client.get(url("aid_apply", late.pk), follow=True)
    assert response.redirect_chain == [(url("aid_campaign_detail", late.pk), 302)]
    assert "This campaign is not taking applications." in response.content.decode()
    assert url("aid_apply", late.pk) not in response.content.decode()  # no "apply" button either
