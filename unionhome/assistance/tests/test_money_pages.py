"""Money pages through the test client: budget lines, the request form, decisions, paying out once,
reversal, the member's own page; who may see and do what; constant query counts."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests import factories
from unionhome.assistance import ledger
from unionhome.assistance.models import Assistance, BudgetLine, Payment
from unionhome.assistance.services.assistance import assistance_approve, assistance_disburse
from unionhome.assistance.tests import records
from unionhome.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def new_line(centre, name, unit=None, amount="5000") -> BudgetLine:
    unit = unit or centre["union"]["union"]
    return BudgetLine.objects.create(
        unit=unit,
        unit_path=unit.path,
        name=name,
        fund_source="union_funds",
        year=centre["today"].year,
        amount=Decimal(amount),
    )


def requested(centre, member=None, amount="3000", by=None, **fields) -> Assistance:
    return records.assistance(
        member or centre["member_record"],
        requested_by=by or centre["officer_s1"],
        line=centre["budget_line"],
        amount=amount,
        **fields,
    )


def approved(centre, **kwargs) -> Assistance:
    return assistance_approve(actor=centre["officer_union"], assistance=requested(centre, **kwargs))


# --- budget lines --------------------------------------------------------------------------------


def test_budget_list_shows_the_counters(login_as, centre):
    a = approved(centre, amount="2500")
    assistance_disburse(actor=centre["chair"], assistance=a, idempotency_key="k1")
    approved(centre, amount="1000", member=centre["other_s1"])
    html = html_of(login_as(centre["chair"]).get(reverse("assistance:budget_list")))
    assert "困难职工帮扶资金" in html
    assert "100,000.00" in html and "1,000.00" in html and "2,500.00" in html and "96,500.00" in html
    assert reverse("assistance:budget_new") in html


def test_auditor_reads_budget_lines_and_payments_but_has_no_buttons(login_as, centre):
    a = approved(centre)
    payment = assistance_disburse(actor=centre["chair"], assistance=a, idempotency_key="k1").payment
    client = login_as(centre["auditor"])
    html = html_of(client.get(reverse("assistance:budget_list")))
    assert "困难职工帮扶资金" in html and reverse("assistance:budget_new") not in html
    detail = html_of(client.get(reverse("assistance:budget_detail", args=[centre["budget_line"].pk])))
    assert "张三" in detail and "3,000.00" in detail and '<form method="post"' not in detail
    assert reverse("assistance:budget_adjust", args=[centre["budget_line"].pk]) not in detail
    page = html_of(client.get(reverse("assistance:assistance_detail", args=[a.pk])))
    assert 'method="post" action="/assistance/' not in page  # no action forms at all
    assert "因病" not in page and "Hidden" in page  # the description is masked for the auditor
    # and every write is refused
    assert client.get(reverse("assistance:budget_new")).status_code == 403
    assert (
        client.post(
            reverse("assistance:budget_adjust", args=[centre["budget_line"].pk]), {"amount": "1", "reason": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("assistance:payment_reverse", args=[payment.pk]), {f"reverse-{payment.pk}-reason": "x"}
        ).status_code
        == 403
    )
    assert client.get(reverse("assistance:assistance_new")).status_code == 403
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("who", ["cadre", "member", "admin"])
def test_budget_pages_are_closed_to_others(login_as, centre, who):
    client = login_as(centre[who])
    assert client.get(reverse("assistance:budget_list")).status_code == 403
    assert client.get(reverse("assistance:budget_detail", args=[centre["budget_line"].pk])).status_code == 404


def test_a_station_officer_does_not_see_the_union_line(login_as, centre):
    s1_line = new_line(centre, "一站资金", unit=centre["union"]["s1"])
    client = login_as(centre["officer_s1"])
    html = html_of(client.get(reverse("assistance:budget_list")))
    assert "一站资金" in html and "困难职工帮扶资金" not in html
    assert client.get(reverse("assistance:budget_detail", args=[centre["budget_line"].pk])).status_code == 404
    assert client.get(reverse("assistance:budget_detail", args=[s1_line.pk])).status_code == 200


def test_budget_list_query_count_is_constant(login_as, centre):
    client = login_as(centre["chair"])
    url = reverse("assistance:budget_list")
    before = queries_for(client, url)
    for i in range(15):
        new_line(centre, f"专项{i}", unit=centre["union"]["s1" if i % 2 else "s2"])
    assert queries_for(client, url) == before


def test_chair_creates_a_budget_line_through_the_page(login_as, centre):
    client = login_as(centre["chair"])
    assert html_of(client.get(reverse("assistance:budget_new")))
    response = client.post(
        reverse("assistance:budget_new"),
        {
            "unit": centre["union"]["s1"].pk,
            "name": "一站专项",
            "fund_source": "company",
            "year": centre["today"].year,
            "amount": "8000.50",
        },
    )
    line = BudgetLine.objects.get(name="一站专项")
    assert response.status_code == 302 and response["Location"] == reverse("assistance:budget_detail", args=[line.pk])
    assert line.amount == Decimal("8000.50") and line.unit == centre["union"]["s1"]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than zero"),
        ("-1", "more than zero"),
        ("1.001", "at most two decimals"),
        ("abc", "Enter an amount in yuan"),
        ("99999999999999", "too large"),
    ],
)
def test_bad_amounts_on_the_budget_form_show_next_to_the_field(login_as, centre, amount, message):
    client = login_as(centre["chair"])
    html = html_of(
        client.post(
            reverse("assistance:budget_new"),
            {
                "unit": centre["union"]["s1"].pk,
                "name": "一站专项",
                "fund_source": "company",
                "year": centre["today"].year,
                "amount": amount,
            },
        )
    )
    assert re.search(r'<p class="error" id="id_amount-error">[^<]*' + re.escape(message), html)
    assert not BudgetLine.objects.filter(name="一站专项").exists()


def test_budget_form_offers_only_units_in_scope_and_refuses_others(login_as, centre):
    other = factories.unit(None, "炼油厂工会", "union", code="RF")
    client = login_as(centre["chair"])
    html = html_of(client.get(reverse("assistance:budget_new")))
    assert "第一检验站分工会" in html and "炼油厂工会" not in html and "一站甲班" not in html
    html = html_of(
        client.post(
            reverse("assistance:budget_new"),
            {"unit": other.pk, "name": "x", "fund_source": "company", "year": 2026, "amount": "1"},
        )
    )
    assert 'id="id_unit-error"' in html and not BudgetLine.objects.filter(unit=other).exists()


def test_adjusting_a_line_through_the_page(login_as, centre):
    approved(centre, amount="30000")
    client = login_as(centre["chair"])
    url = reverse("assistance:budget_adjust", args=[centre["budget_line"].pk])
    html = html_of(client.post(url, {"amount": "29999.99", "reason": "压缩"}))
    assert "cannot be less than 30000.00 yuan" in html
    response = client.post(url, {"amount": "150000", "reason": "追加"})
    assert response.status_code == 302
    centre["budget_line"].refresh_from_db()
    assert centre["budget_line"].amount == Decimal("150000.00")


def test_payment_ledger_pages_by_keyset_with_constant_queries(login_as, centre):
    client = login_as(centre["chair"])
    url = reverse("assistance:budget_detail", args=[centre["budget_line"].pk])
    approved_one = approved(centre, amount="10")
    assistance_disburse(actor=centre["chair"], assistance=approved_one, idempotency_key="first")
    before = queries_for(client, url)
    for i in range(55):
        a = approved(centre, amount="10", member=centre["other_s1" if i % 2 else "member_record"])
        assistance_disburse(actor=centre["chair"], assistance=a, idempotency_key=f"k{i}")
    assert queries_for(client, url) == before
    first = html_of(client.get(url))
    cursor = re.search(r'href="\?after=([^"]+)" rel="next"', first).group(1)
    second = html_of(client.get(url + "?after=" + cursor))
    assert 'rel="next"' not in second
    paid_rows = lambda html: html.count('data-label="Paid at"')  # noqa: E731
    assert paid_rows(first) == 50 and paid_rows(second) == 6
    assert html_of(client.get(url + "?after=garbage"))  # a forged cursor is the first page


# --- requesting ----------------------------------------------------------------------------------


def test_request_form_finds_members_in_scope_only(login_as, centre):
    client = login_as(centre["officer_s1"])
    html = html_of(client.get(reverse("assistance:assistance_new"), {"q": "zs"}))
    assert "张三" in html and f"?member={centre['member_record'].pk}" in html
    html = html_of(client.get(reverse("assistance:assistance_new"), {"q": "ww"}))
    assert "王五" not in html and "No member matches" in html
    fragment = client.get(reverse("assistance:assistance_new"), {"q": "zs"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and "张三" in fragment.content.decode()
    url = reverse("assistance:assistance_new")
    assert client.get(url, {"member": centre["s2_member"].pk}).status_code == 404
    assert client.get(url, {"member": "abc"}).status_code == 404


def test_request_through_the_page(login_as, centre):
    client = login_as(centre["officer_s1"])
    url = reverse("assistance:assistance_new") + f"?member={centre['member_record'].pk}"
    html = html_of(client.get(url))
    assert "困难职工帮扶资金" in html and "100,000.00 yuan available" in html
    assert f'<option value="{centre["officer_s1"].pk}" selected>' in html  # the requester by default
    response = client.post(
        url,
        {
            "kind": "medical",
            "description": "住院自付部分",
            "amount": "4200",
            "budget_line": centre["budget_line"].pk,
            "responsible": centre["officer_s1"].pk,
        },
    )
    a = Assistance.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assistance:assistance_detail", args=[a.pk])
    assert (a.kind, a.amount, a.requested_by, a.member) == (
        "medical",
        Decimal("4200.00"),
        centre["officer_s1"],
        centre["member_record"],
    )


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than zero"),
        ("-1", "more than zero"),
        ("1.001", "at most two decimals"),
        ("abc", "Enter an amount in yuan"),
        ("1e30", "too large"),
        ("123456789012345678901234567.123", "too large"),
        ("100000.01", "yuan available"),
    ],
)
def test_bad_amounts_on_the_request_form(login_as, centre, amount, message):
    client = login_as(centre["officer_s1"])
    url = reverse("assistance:assistance_new") + f"?member={centre['member_record'].pk}"
    html = html_of(
        client.post(
            url,
            {
                "kind": "cash",
                "description": "补助",
                "amount": amount,
                "budget_line": centre["budget_line"].pk,
                "responsible": centre["officer_s1"].pk,
            },
        )
    )
    assert re.search(r'<p class="error" id="id_amount-error">[^<]*' + re.escape(message), html)
    assert not Assistance.objects.exists() and not AuditEvent.objects.filter(action__startswith="assistance.").exists()


def test_request_from_a_hardship_file_preselects_member_and_file(login_as, centre):
    file = records.hardship_file(centre["member_record"])
    client = login_as(centre["officer_s1"])
    url = reverse("assistance:assistance_new") + f"?file={file.pk}"
    html = html_of(client.get(url))
    assert "张三" in html and f"#{file.pk}" in html
    client.post(
        url, {"kind": "legal", "description": "劳动争议法律援助", "amount": "", "responsible": centre["officer_s1"].pk}
    )
    assert Assistance.objects.get().hardship_file == file
    assert login_as(centre["officer_s2"]).get(url).status_code == 404


@pytest.mark.parametrize("who", ["auditor", "cadre", "member"])
def test_request_form_is_closed_to_others(login_as, centre, who):
    assert login_as(centre[who]).get(reverse("assistance:assistance_new")).status_code == 403


# --- deciding, paying, reversing -----------------------------------------------------------------


def test_requester_cannot_approve_and_approver_can(login_as, centre):
    a = requested(centre)
    client = login_as(centre["officer_s1"])
    html = html_of(client.get(reverse("assistance:assistance_detail", args=[a.pk])))
    assert "another cadre must approve it" in html
    assert reverse("assistance:assistance_approve", args=[a.pk]) not in html
    html = html_of(client.post(reverse("assistance:assistance_approve", args=[a.pk]), {"approve-note": ""}))
    assert "maker–checker" in html
    a.refresh_from_db()
    assert a.status == "requested"
    other = login_as(centre["officer_union"])
    html = html_of(other.get(reverse("assistance:assistance_detail", args=[a.pk])))
    assert reverse("assistance:assistance_approve", args=[a.pk]) in html
    response = other.post(reverse("assistance:assistance_approve", args=[a.pk]), {"approve-note": "同意"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == "approved" and a.decision_note == "同意"


def test_reject_needs_a_reason_on_the_page(login_as, centre):
    a = requested(centre)
    client = login_as(centre["chair"])
    html = html_of(client.post(reverse("assistance:assistance_reject", args=[a.pk]), {"reject-reason": ""}))
    assert 'id="id_reject-reason-error"' in html
    assert (
        client.post(reverse("assistance:assistance_reject", args=[a.pk]), {"reject-reason": "不符合条件"}).status_code
        == 302
    )
    a.refresh_from_db()
    assert a.status == "rejected"


def test_over_budget_approval_shows_the_error(login_as, centre):
    big = requested(centre, amount="90000")
    bigger = requested(centre, amount="20000", member=centre["other_s1"])
    client = login_as(centre["chair"])
    client.post(reverse("assistance:assistance_approve", args=[big.pk]), {"approve-note": ""})
    html = html_of(client.post(reverse("assistance:assistance_approve", args=[bigger.pk]), {"approve-note": ""}))
    assert "10000.00 yuan available" in html
    bigger.refresh_from_db()
    assert bigger.status == "requested"


def pay_key(html: str) -> str:
    return re.search(r'name="pay-idempotency_key" value="([^"]+)"', html).group(1)


def test_double_click_pays_once_and_shows_the_same_result(login_as, centre):
    a = approved(centre)
    client = login_as(centre["officer_s1"])
    detail = reverse("assistance:assistance_detail", args=[a.pk])
    key = pay_key(html_of(client.get(detail)))
    pay = reverse("assistance:assistance_disburse", args=[a.pk])
    first = client.post(pay, {"pay-idempotency_key": key})
    second = client.post(pay, {"pay-idempotency_key": key})
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"] == detail
    payment = Payment.objects.get()
    assert payment.idempotency_key == key and payment.amount == Decimal("3000.00")
    html = html_of(client.get(detail))
    assert f"Paid 3,000.00 yuan (payment {payment.pk})" in html
    assert f"already recorded (payment {payment.pk}, 3,000.00 yuan)" in html
    assert "pay-idempotency_key" not in html  # delivered: nothing left to pay
    # A stale page (a new key) is refused as already paid, and nothing more is written.
    html = html_of(client.post(pay, {"pay-idempotency_key": "another-key"}))
    assert "already been paid" in html and Payment.objects.count() == 1


def test_reverse_through_the_page(login_as, centre):
    a = approved(centre)
    payment = assistance_disburse(actor=centre["officer_s1"], assistance=a, idempotency_key="k1").payment
    client = login_as(centre["chair"])
    url = reverse("assistance:payment_reverse", args=[payment.pk])
    html = html_of(client.post(url, {f"reverse-{payment.pk}-reason": ""}))
    assert f'id="id_reverse-{payment.pk}-reason-error"' in html
    assert client.post(url, {f"reverse-{payment.pk}-reason": "错发"}).status_code == 302
    a.refresh_from_db()
    assert a.status == "reversed" and ledger.line_balances(centre["budget_line"])
    assert reverse("assistance:payment_reverse", args=[payment.pk]) not in html_of(
        client.get(reverse("assistance:assistance_detail", args=[a.pk]))
    )


def test_job_help_is_delivered_and_cancel_releases(login_as, centre):
    job = records.assistance(
        centre["member_record"],
        requested_by=centre["officer_s1"],
        amount=None,
        kind="job",
        status="approved",
        decided_by=centre["chair"],
    )
    client = login_as(centre["officer_s1"])
    assert client.post(reverse("assistance:assistance_deliver", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == "delivered"
    a = approved(centre)
    response = client.post(reverse("assistance:assistance_cancel", args=[a.pk]), {"cancel-reason": "已调离"})
    assert response.status_code == 302
    centre["budget_line"].refresh_from_db()
    assert centre["budget_line"].committed == 0


@pytest.mark.parametrize(("who", "status"), [("officer_s2", 404), ("member", 404), ("cadre", 404), ("admin", 404)])
def test_assistance_pages_are_not_found_out_of_scope(login_as, centre, who, status):
    a = requested(centre)
    client = login_as(centre[who])
    assert client.get(reverse("assistance:assistance_detail", args=[a.pk])).status_code == status
    assert client.post(reverse("assistance:assistance_approve", args=[a.pk]), {}).status_code == status
    a.refresh_from_db()
    assert a.status == "requested"


def test_auditor_post_to_any_action_is_forbidden(login_as, centre):
    a = approved(centre)
    client = login_as(centre["auditor"])
    actions = {
        "assistance_disburse": {"pay-idempotency_key": "k"},
        "assistance_cancel": {"cancel-reason": "x"},
        "assistance_approve": {"approve-note": ""},
        "assistance_reject": {"reject-reason": "x"},
    }
    for name, data in actions.items():
        assert client.post(reverse(f"assistance:{name}", args=[a.pk]), data).status_code == 403, name
    assert not Payment.objects.exists()


def test_assistance_list_tabs_and_query_count(login_as, centre):
    own = requested(centre, by=centre["officer_union"])
    other = requested(centre, member=centre["other_s1"], by=centre["officer_s1"])
    client = login_as(centre["officer_union"])
    html = html_of(client.get(reverse("assistance:assistance_list")))  # awaiting my approval
    assert reverse("assistance:assistance_detail", args=[other.pk]) in html
    assert reverse("assistance:assistance_detail", args=[own.pk]) not in html  # my own request is not mine to approve
    html = html_of(client.get(reverse("assistance:assistance_list"), {"show": "all"}))
    assert reverse("assistance:assistance_detail", args=[own.pk]) in html
    url = reverse("assistance:assistance_list") + "?show=all"
    before = queries_for(client, url)
    for i in range(20):
        requested(centre, member=centre["s2_member" if i % 2 else "other_s1"], by=centre["officer_s1"])
    assert queries_for(client, url) == before


def test_station_officer_lists_only_their_station(login_as, centre):
    requested(centre, member=centre["s2_member"], by=centre["officer_union"])
    html = html_of(login_as(centre["officer_s1"]).get(reverse("assistance:assistance_list"), {"show": "all"}))
    assert "王五" not in html


# --- a member's own page -------------------------------------------------------------------------


def test_member_sees_their_own_assistance_only(login_as, centre):
    a = approved(centre)
    assistance_disburse(actor=centre["officer_s1"], assistance=a, idempotency_key="k1")
    records.assistance(
        centre["member_record"],
        requested_by=centre["officer_s1"],
        line=centre["budget_line"],
        status="rejected",
        decided_by=centre["chair"],
        decision_note="内部备注：材料不全",
    )
    requested(centre, member=centre["other_s1"])
    html = html_of(login_as(centre["member"]).get(reverse("assistance:my_assistance")))
    assert "3,000.00" in html and "Delivered" in html and "生活困难补助" in html
    assert "材料不全" not in html and "内部备注" not in html and "李四" not in html


def test_my_assistance_for_an_account_without_member_record(login_as, centre):
    html = html_of(login_as(centre["officer_s1"]).get(reverse("assistance:my_assistance")))
    assert "not linked to a member record" in html


def test_pages_render_in_chinese_by_default(client, centre, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    factories.log_in_verified(client, centre["chair"])
    with translation.override("zh-hans"):
        response = client.get(reverse("assistance:budget_list"))
    assert response.status_code == 200 and "困难职工帮扶资金" in response.content.decode()


def test_opening_an_assistance_with_its_description_is_audited(login_as, centre):
    a = requested(centre)
    login_as(centre["officer_union"]).get(reverse("assistance:assistance_detail", args=[a.pk]))
    event = AuditEvent.objects.get(action="assistance.assistance.sensitive_viewed")
    assert event.actor == centre["officer_union"] and event.object_id == str(a.pk)
    login_as(centre["auditor"]).get(reverse("assistance:assistance_detail", args=[a.pk]))  # masked: not a read
    assert AuditEvent.objects.filter(action="assistance.assistance.sensitive_viewed").count() == 1


def test_my_assistance_query_count_is_constant(login_as, centre):
    client = login_as(centre["member"])
    url = reverse("assistance:my_assistance")
    requested(centre)
    before = queries_for(client, url)
    for _ in range(10):
        requested(centre)
    assert queries_for(client, url) == before
